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
import os
from collections.abc import Callable, Container
from typing import Any, TypeGuard
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
from ledger import keys


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


class Sealed(msgspec.Struct, frozen=True, array_like=True):
    """A field's value sealed with one subject's key (``ledger.keys``)."""

    subject: str
    blob: bytes


class Envelope(msgspec.Struct, frozen=True, array_like=True):
    """What is stored for a fact: when it was recorded, the fact with its personal fields
    replaced by ``PLACEHOLDER``, and those fields sealed.

    ``event`` is one of the catalogue's types (``ev.AnyEvent``, the union msgspec decodes by
    the ``type`` tag); ``envelope_of`` makes one from a fact typed as any ``ev.Event``."""

    recorded_at: dt.datetime
    event: ev.AnyEvent
    sealed: dict[str, Sealed]


_CATALOGUE: frozenset[type[ev.Event]] = frozenset(ev.EVENT_TYPES.values())


def catalogued(event: ev.Event) -> TypeGuard[ev.AnyEvent]:
    """Whether a fact is of one of the catalogue's types (the only ones an envelope holds)."""
    return type(event) in _CATALOGUE


def envelope_of(recorded_at: dt.datetime, event: ev.Event, sealed: dict[str, Sealed]) -> Envelope:
    """The envelope of a fact whose personal fields are already sealed (``EventMapper`` when
    recording, ``ledger.trail`` when an export is checked). A fact of a type outside the
    catalogue could be stored but never read back, so it is refused here."""
    if not catalogued(event):
        raise MapperError(f"{type(event).__name__} is not a type of fact the ledger records")
    return Envelope(recorded_at, event, sealed)


PLACEHOLDER = "[sealed]"
CHECKPOINT_TOPIC = "Checkpoint"  # the topic of checkpoint rows (ledger.integrity)
FORGOTTEN = "[forgotten]"


PERSON_PREFIXES = ("C-", "G-", "S-")


def people_in(ref: str) -> list[str]:
    """The people a reference (or a PERSON/GUARDIAN pair, as a finding's subject) names."""
    return [part for part in ref.split("/") if part[:2] in PERSON_PREFIXES]


def _people_or_setting(*refs: str) -> str:
    """The sealing subject of free text about these references: every person among them
    jointly (forgetting any one shreds it), or the setting's key if they name no one."""
    people = [person for ref in refs for person in people_in(ref)]
    return keys.joint_subject(people) if people else keys.SETTING_KEY


# The fields that hold personal data or free text that could identify someone, and whose key
# seals each (README "Personal data" has the table of every field that can hold words):
# - a name, under its person's own key;
# - free text, under the keys of every person the fact refers to, jointly (``keys.joint_key``:
#   forgetting any one of them shreds it); where the fact refers to no person, under the
#   setting's key, and then a person's name in it is refused at recording (``NAME_CHECKED``).
# Facts recorded before joint sealing keep their stored subjects (one person, a pair
# ``S-0001/G-0001`` or the setting): each envelope names the key that opens it.
SEALED_FIELDS: dict[type[ev.Event], tuple[tuple[str, Callable[[Any], str]], ...]] = {
    ev.ChildEnrolled: (("name", lambda e: e.child),),
    ev.GuardianLinked: (("name", lambda e: e.guardian),),
    ev.PersonJoined: (("name", lambda e: e.person),),
    ev.ConsentGranted: (("evidence", lambda e: _people_or_setting(e.child, e.guardian)),),
    ev.ConcernAddressed: (("action", lambda e: keys.SETTING_KEY),),
    ev.FindingAcknowledged: (("action", lambda e: _people_or_setting(e.subject_ref)),),
}

# Fields that can hold words but are not sealed under a person (kept in clear, because the rules
# read them, or sealed under the setting's key, because the fact names no person): recording
# one that contains the name of a person the ledger holds is refused (``privacy.NameGuard``).
# A function gives whether the field is checked for this fact (a finding's acknowledgement is
# sealed under the people its subject names, and needs no check then).
NAME_CHECKED: dict[type[ev.Event], tuple[tuple[str, Callable[[Any], bool]], ...]] = {
    ev.PostPublished: (("device", lambda e: True),),
    ev.ChildContacted: (("device", lambda e: True), ("method", lambda e: True)),
    ev.ParentContacted: (("device", lambda e: True), ("method", lambda e: True)),
    ev.CommunicationPermitted: (("method", lambda e: True),),
    ev.ConcernAddressed: (("action", lambda e: True),),
    ev.FindingAcknowledged: (("action", lambda e: not people_in(e.subject_ref)),),
    ev.PolicyAdopted: (("version", lambda e: True),),
}


def topic_of(event: ev.Event) -> str:
    """A fact row's topic: its type and subject (a reference, never a name)."""
    return f"{type(event).__name__}:{event.subject}"


def split_topic(topic: str) -> tuple[str, str]:
    type_name, _, subject = topic.partition(":")
    return type_name, subject


def sealing_subjects(event: ev.Event) -> set[str]:
    """Whose keys recording this fact needs (a joint subject needs each of its people's)."""
    return {subject(event) for _, subject in SEALED_FIELDS.get(type(event), ())}


def name_checked_text(event: ev.Event) -> list[tuple[str, str]]:
    """The (field, text) pairs of a fact that must not hold a person's name (``NAME_CHECKED``)."""
    out = []
    for field, checked in NAME_CHECKED.get(type(event), ()):
        value = getattr(event, field)
        if isinstance(value, str) and checked(event):
            out.append((field, value))
    return out


class CheckpointRow(msgspec.Struct, frozen=True):
    """A checkpoint row as a subscriber to the notification log sees it (not a fact)."""

    stream: UUID
    sequence: int


class MapperError(ValueError):
    """Stored bytes that no longer decode (changed, or encrypted with a key we lack)."""


class EventMapper(Mapper[UUID]):
    """Encodes ``Recorded`` facts with msgspec (MessagePack), and back."""

    keys: keys.KeyStore | None = None  # set by the application; without it nothing is sealed
    # Who has been forgotten (set by the application before sealing a write): their keys are
    # never made again, and text about them is sealed under a key that is not kept.
    forgotten: Container[str] = frozenset()

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
        event = domain_event.event
        sealed: dict[str, Sealed] = {}
        for field, whose in SEALED_FIELDS.get(type(event), ()):
            if self.keys is None:
                break
            subject = whose(event)
            key = self.keys.get(subject)
            if key is None and all(
                person in self.forgotten or self.keys.get(person) is not None
                for person in keys.people_of(subject)
            ):
                # About someone already forgotten: sealed under a key that is never kept, so
                # it can no more be read than their other sealed text.
                key = os.urandom(32)
            if key is None:
                raise MapperError(f"no key for {subject}: create it before recording")
            associated = keys.aad(domain_event.stream, domain_event.position, field)
            sealed[field] = Sealed(subject, keys.seal(key, getattr(event, field), associated))
            event = msgspec.structs.replace(event, **{field: PLACEHOLDER})
        state = self._encoder.encode(envelope_of(domain_event.recorded_at, event, sealed))
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.stream,
            originator_version=domain_event.position,
            # Type and subject (a reference, never a name): the Merkle leaf covers both.
            topic=topic_of(domain_event.event),
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        stream = stored_event.originator_id
        stream = stream if isinstance(stream, UUID) else UUID(str(stream))
        if stored_event.topic == CHECKPOINT_TOPIC:
            return CheckpointRow(stream, stored_event.originator_version)
        envelope = self.open_envelope(stored_event)
        event: ev.Event = envelope.event
        for field, sealed in envelope.sealed.items():
            key = self.keys.get(sealed.subject) if self.keys is not None else None
            if key is None:
                value = FORGOTTEN
            else:
                associated = keys.aad(stream, stored_event.originator_version, field)
                opened = keys.unseal(key, sealed.blob, associated)
                if opened is None:
                    raise MapperError(
                        f"position {stored_event.originator_version}: the sealed `{field}` does"
                        f" not open with the key of {sealed.subject} (the key store does not"
                        " match the ledger: `ledger verify` names each key that is wrong)"
                    )
                value = opened
            event = msgspec.structs.replace(event, **{field: value})
        return Recorded(
            stream=stream,
            position=stored_event.originator_version,
            recorded_at=envelope.recorded_at,
            event=event,
        )

    def open_envelope(self, stored_event: StoredEvent) -> Envelope:
        """The stored envelope, still sealed."""
        return self.open_row(
            stored_event.originator_version, stored_event.topic, stored_event.state
        )

    def open_row(self, position: int, topic: str, state: bytes) -> Envelope:
        """The envelope of a stored row (position, topic, state), still sealed."""
        try:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            envelope = self._decoder.decode(state)
        except Exception as exc:  # any failure to read stored bytes is one kind of error
            raise MapperError(f"position {position}: stored bytes do not decode") from exc
        if topic_of(envelope.event) != topic:
            raise MapperError(f"position {position}: stored type does not match")
        return envelope

    def encode_envelope(self, envelope: Envelope) -> bytes:
        """The stored bytes of an envelope (an inspector's replay recomputes them)."""
        return self._encoder.encode(envelope)


def event_mapper(mapper: Mapper[UUID]) -> EventMapper:
    """The ledger's own mapper, as its own type: the library types an application's ``mapper``
    as its base ``Mapper``, which has none of ``open_envelope``, ``open_row`` or the keys."""
    if not isinstance(mapper, EventMapper):
        raise TypeError(f"not the ledger's mapper: {type(mapper).__name__}")
    return mapper
