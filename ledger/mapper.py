"""Our mapper between recorded events and the library's stored events.

The ``eventsourcing`` library stores ``StoredEvent(originator_id, originator_version, topic,
state)``. A setting's facts form one stream: ``originator_id`` is the setting's stream id and
``originator_version`` the fact's position (1, 2, 3, ... with no gaps: the library's unique key
on the pair is what refuses a second writer at the same position). ``topic`` is the event type,
``state`` the msgspec-encoded envelope of the fact and the time it was recorded. If the store is
encrypted at rest, the library's cipher encrypts the state after encoding.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoder,
)

from ledger import events as ev


class Recorded(msgspec.Struct, frozen=True):
    """A fact as the ledger holds it: where and when it was recorded, and the fact."""

    stream: UUID
    position: int
    recorded_at: dt.datetime
    event: ev.Event

    # The library's names for position in a stream, so its event store can carry these.
    @property
    def originator_id(self) -> UUID:
        return self.stream

    @property
    def originator_version(self) -> int:
        return self.position


class Envelope(msgspec.Struct, frozen=True, array_like=True):
    recorded_at: dt.datetime
    event: ev.AnyEvent


class MapperError(ValueError):
    """Stored bytes that no longer decode (changed, or encrypted with a key we lack)."""


class EventMapper(Mapper[UUID]):
    """Encodes ``Recorded`` facts with msgspec (MessagePack), and back."""

    def __init__(
        self,
        transcoder: Transcoder | None = None,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        # The library's mapper wants a transcoder; msgspec does that work here instead.
        super().__init__(
            transcoder=transcoder or JSONTranscoder(), compressor=compressor, cipher=cipher
        )
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(Envelope)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        assert isinstance(domain_event, Recorded)
        envelope = Envelope(domain_event.recorded_at, domain_event.event)  # type: ignore[arg-type]
        state = self._encoder.encode(envelope)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.stream,
            originator_version=domain_event.position,
            # Type and subject (a reference, never a name): the Merkle leaf covers both.
            topic=f"{type(domain_event.event).__name__}:{domain_event.event.subject}",
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = stored_event.state
        try:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            envelope = self._decoder.decode(state)
        except Exception as exc:  # any failure to read stored bytes is one kind of error
            raise MapperError(
                f"position {stored_event.originator_version}: stored bytes do not decode"
            ) from exc
        expected = f"{type(envelope.event).__name__}:{envelope.event.subject}"
        if expected != stored_event.topic:
            raise MapperError(
                f"position {stored_event.originator_version}: stored type does not match"
            )
        stream = stored_event.originator_id
        return Recorded(
            stream=stream if isinstance(stream, UUID) else UUID(str(stream)),
            position=stored_event.originator_version,
            recorded_at=envelope.recorded_at,
            event=envelope.event,
        )
