"""The charts: drawn from a plain value, and placed where a chart with the same texts and size
was laid out (``projections.charts``) without a byte of difference from laying it out again."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from projections import charts

MONTHS = [f"{2024 + (m // 12)}-{m % 12 + 1:02d}" for m in range(36)]
LABELS = ["Posts", "Checked first", "Refused", "Removed"]


@pytest.fixture(autouse=True)
def no_kept_layouts() -> Iterator[None]:
    charts._LAYOUTS.clear()
    yield
    charts._LAYOUTS.clear()


def _monthly(name: str, months: int, values: list[list[int]], kind: str) -> charts.Chart:
    return charts.monthly(
        name,
        MONTHS[:months],
        [(LABELS[i], [float(v) for v in series]) for i, series in enumerate(values)],
        alt="a chart",
        ylabel="Posts a month",
        kind=kind,
    )


@st.composite
def twins(draw: st.DrawFn) -> tuple[charts.Chart, charts.Chart]:
    """Two charts of the same months and labels whose data differ but whose highest value is
    the same (so, often, the same texts: the second is placed where the first was laid out)."""
    months = draw(st.integers(1, 30))
    count = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["line", "grouped"]))
    top = draw(st.integers(0, 60))
    data = st.lists(st.integers(0, top), min_size=months, max_size=months)
    first = [draw(data) for _ in range(count)]
    second = [draw(data) for _ in range(count)]
    first[0][draw(st.integers(0, months - 1))] = top
    second[0][draw(st.integers(0, months - 1))] = top
    return _monthly("a", months, first, kind), _monthly("a", months, second, kind)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins())
def test_a_chart_placed_where_its_twin_was_laid_out_is_the_same_svg(
    pair: tuple[charts.Chart, charts.Chart],
) -> None:
    first, second = pair
    charts._LAYOUTS.clear()
    charts.svgs(first)  # laid out, and its layout kept
    kept = len(charts._LAYOUTS)
    placed = charts.svgs(second)
    event("placed" if len(charts._LAYOUTS) == kept else "laid out")
    assert placed == charts.svgs(second, keep_layouts=False)


def test_a_chart_with_the_same_texts_is_placed_not_laid_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kept layout is used (no constrained layout run) for a twin, and the result is the
    same as laying it out: the property above is not passing by never placing anything."""
    first = _monthly("a", 12, [[1, 5, 9, 2] * 3, [0, 1, 2, 3] * 3], "line")
    second = _monthly("a", 12, [[9, 0, 3, 1] * 3, [3, 2, 1, 0] * 3], "line")
    fresh = charts.svgs(second, keep_layouts=False)
    laid_out: list[object] = []
    original = ConstrainedLayoutEngine.execute

    def watch(engine: ConstrainedLayoutEngine, fig: Figure) -> object:
        laid_out.append(fig)
        return original(engine, fig)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", watch)
    charts.svgs(first)
    assert len(charts._LAYOUTS) == 2  # wide and narrow
    assert len(laid_out) == 2  # (the watch sees a layout)
    assert charts.svgs(second) == fresh
    assert len(laid_out) == 2  # both sizes placed, neither laid out


def test_a_different_text_is_laid_out_again() -> None:
    """A chart whose texts differ (a longer label, a higher value, another month) is not
    placed where another was: its layout differs, and so would its picture."""
    base = _monthly("a", 12, [[1, 5, 9, 2] * 3], "line")
    charts.svgs(base)
    kept = len(charts._LAYOUTS)
    for other in (
        _monthly("a", 12, [[1, 5, 900, 2] * 3], "line"),  # wider tick labels
        _monthly("a", 13, [[1, 5, 9, 2] * 3 + [1]], "line"),  # another month
        charts.monthly(
            "a", MONTHS[:12], [("Posts", [1, 5, 9, 2] * 3)], alt="a", ylabel="Another label"
        ),
    ):
        charts.svgs(other)
        assert len(charts._LAYOUTS) == kept + 2, other
        kept += 2
        assert charts.svgs(other, keep_layouts=False) == charts.svgs(other)


def test_stacked_bars_placed_are_the_same_svg() -> None:
    def bars(values: list[int]) -> charts.Chart:
        return charts.stacked_bars(
            "c",
            ["Public page", "Closed group", "Newsletter"],
            [("Asked", values), ("Not asked", [v // 2 for v in values])],
            alt="a",
            xlabel="Posts",
        )

    charts.svgs(bars([10, 4, 7]))
    twin = bars([3, 10, 1])  # the same longest bar: the same ticks
    assert charts.svgs(twin) == charts.svgs(twin, keep_layouts=False)


def test_a_chart_is_a_plain_value_a_worker_can_be_sent() -> None:
    chart = _monthly("a", 6, [[1, 2, 3, 4, 5, 6]], "line")
    copy = pickle.loads(pickle.dumps(chart))
    assert copy == chart
    assert charts.svgs(copy, keep_layouts=False) == charts.svgs(chart, keep_layouts=False)
    assert set(charts.svgs(chart)) == set(charts.VARIANT_NAMES)


# --- every kind and shape (an adversarial review: twins the honest caller rarely makes) ---------

_WORDS = [
    "Posts",
    "",
    "Checked first by the designated safeguarding lead before it went out",
    "%",
    "Refused",
    "x" * 60,
]
_TOPS = [0, 1, 7, 60, 99, 100, 10**6, 10**9]


@st.composite
def twins_of_every_kind(draw: st.DrawFn) -> tuple[charts.Chart, charts.Chart]:
    """Two charts sharing what the layout key is made of, as far as the strategy can: the
    same kind, number of months or categories and of series, and highest value; their data,
    whether one is a percentage, and whether one has an extra line (with its label one of the
    others') free; and, sometimes, the second's labels or categories other words (the same
    size: a key that left out a legend's or a note's words would place it wrongly)."""
    shape = draw(st.sampled_from(["line", "stacked", "grouped", "bars"]))
    count = draw(st.integers(1, 6))
    labels = draw(st.lists(st.sampled_from(_WORDS), min_size=count, max_size=count))
    top = draw(st.sampled_from(_TOPS))
    relabel = draw(st.booleans())

    def words(like: list[str]) -> list[str]:
        if not relabel:
            return like
        return draw(st.lists(st.sampled_from(_WORDS), min_size=len(like), max_size=len(like)))

    if shape == "bars":
        categories = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8))

        def bars() -> charts.Chart:
            nonlocal categories, labels
            rows = [
                draw(
                    st.lists(
                        st.integers(0, top), min_size=len(categories), max_size=len(categories)
                    )
                )
                for _ in labels
            ]
            rows[0][draw(st.integers(0, len(categories) - 1))] = top
            chart = charts.stacked_bars(
                "b", categories, list(zip(labels, rows, strict=True)), alt="a", xlabel="Rules"
            )
            categories, labels = words(categories), words(labels)
            return chart

        return bars(), bars()
    months = draw(st.integers(1, 36))
    extra = draw(st.sampled_from([None, *labels]))

    def monthly() -> charts.Chart:
        nonlocal labels
        values = st.lists(st.integers(0, top), min_size=months, max_size=months)
        rows = [[float(v) for v in draw(values)] for _ in labels]
        rows[0][draw(st.integers(0, months - 1))] = float(top)
        percent = draw(st.booleans())
        line = None
        if draw(st.booleans()) and extra is not None:
            line = (extra, [float(v) for v in draw(values)])
        return charts.monthly(
            "m",
            MONTHS[:months] if months <= len(MONTHS) else MONTHS,
            list(zip(labels, rows, strict=True)),
            alt="a",
            ylabel=draw(st.sampled_from(["Posts a month", "", "y" * 50])),
            kind=shape,
            percent=percent,
            line=line,
        )

    first = monthly()
    labels = words(labels)
    return first, monthly()


def _bars_of(categories: list[str]) -> charts.Chart:
    return charts.stacked_bars("b", categories, [("A", [5, 1])], alt="a", xlabel="Rules")


def _legend_of(third: str) -> charts.Chart:
    series = [("Posts", [0.0, 5.0] * 6), ("Refused", [1.0] * 12), (third, [2.0] * 12)]
    return charts.monthly("m", MONTHS[:12], series, alt="a", ylabel="Posts a month")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins_of_every_kind())
@example((_bars_of(["a", "b"]), _bars_of([_WORDS[5], _WORDS[2]])))  # only a narrow one's notes
@example((_legend_of("Removed"), _legend_of("")))  # only the legend's words (a row fewer)
def test_every_kind_of_chart_placed_where_a_twin_was_laid_out_is_the_same_svg(
    pair: tuple[charts.Chart, charts.Chart],
) -> None:
    first, second = pair
    charts._LAYOUTS.clear()
    charts.svgs(first)
    kept = len(charts._LAYOUTS)
    placed = charts.svgs(second)
    event("placed" if len(charts._LAYOUTS) == kept else "laid out")
    assert placed == charts.svgs(second, keep_layouts=False)


# --- drawn as matplotlib's own calls would draw it ------------------------------------------


def _as_savefig_lays_out(fig: Figure, key: tuple[object, ...] | None = None) -> tuple[str, str]:
    """What ``charts._svg`` does, the plain way: ``savefig`` with the constrained engine set
    (a dry draw to lay the figure out, then the drawing), nothing kept."""
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
    light = buffer.getvalue()
    dark = light
    for light_colour, dark_colour in charts._SWAP:
        dark = dark.replace(light_colour, dark_colour)
    return light, dark


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins_of_every_kind())
def test_laid_out_without_a_dry_draw_is_savefigs_own_layout(
    pair: tuple[charts.Chart, charts.Chart],
) -> None:
    """``charts`` lays a figure out itself, measured by the SVG renderer, then draws it once;
    ``savefig`` with the engine set draws it twice. The same file, byte for byte."""
    chart = pair[0]
    ours = charts.svgs(chart, keep_layouts=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "_svg", _as_savefig_lays_out)
        theirs = charts.svgs(chart, keep_layouts=False)
    assert ours == theirs


def _rectangles(ax: Axes) -> list[float]:
    """Each bar's (left, bottom, right, top), in data units, whether the bars are ``Axes.bar``'s
    rectangles or ``charts``'s collections."""
    out: list[tuple[float, float, float, float]] = []
    for patch in ax.patches:
        assert isinstance(patch, Rectangle)
        box = patch.get_bbox()
        out.append((box.x0, box.y0, box.x1, box.y1))
    for collection in ax.collections:
        assert isinstance(collection, PolyCollection)
        for path in collection.get_paths():
            box = path.get_extents()
            out.append((box.x0, box.y0, box.x1, box.y1))
    return [float(v) for box in sorted(out) for v in box]


_SHAPES = st.sampled_from(["stacked", "grouped", "bars"])


@settings(max_examples=30, deadline=None)
@given(
    _SHAPES,
    st.integers(1, 24),
    st.lists(st.lists(st.integers(0, 200), min_size=24, max_size=24), min_size=1, max_size=4),
    st.sampled_from(["wide", "narrow"]),
)
def test_bars_are_where_axes_bar_puts_them(
    shape: str, length: int, rows: list[list[int]], variant: str
) -> None:
    """Each series of bars is one artist (``charts._bars``), not one a bar; each bar is still
    where ``Axes.bar`` (or ``barh``) would draw it, the axes' limits and ticks the same."""
    rows = [row[:length] for row in rows]
    labels = [f"series {i}" for i in range(len(rows))]
    if shape == "bars":
        shows: charts.Monthly | charts.StackedBars = charts.StackedBars(
            categories=[f"rule {i}" for i in range(length)],
            series=list(zip(labels, rows, strict=True)),
            xlabel="Findings",
        )
    else:
        shows = charts.Monthly(
            months=MONTHS[:length],
            series=[
                (label, [float(v) for v in row]) for label, row in zip(labels, rows, strict=True)
            ],
            ylabel="Posts",
            kind=shape,
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "_bars", _bars_by_axes)
        theirs = _drawn(shows, variant)
    ours = _drawn(shows, variant)
    ax, ref = ours.axes[0], theirs.axes[0]
    assert [len(c.get_paths()) for c in ax.collections] == [length] * len(rows)
    assert not ax.patches
    assert _rectangles(ax) == pytest.approx(_rectangles(ref))
    assert ax.get_xlim() == pytest.approx(ref.get_xlim())
    assert ax.get_ylim() == pytest.approx(ref.get_ylim())
    assert list(ax.get_yticks()) == list(ref.get_yticks())
    assert list(ax.get_xticks()) == list(ref.get_xticks())
    # the legend's keys, the series in their order, in their colours
    if len(rows) > 1:
        ours_legend, ref_legend = ours.legends[0], theirs.legends[0]
        assert [t.get_text() for t in ours_legend.get_texts()] == labels
        assert [t.get_text() for t in ref_legend.get_texts()] == labels
        assert [_colour(h) for h in ours_legend.legend_handles] == [
            _colour(h) for h in ref_legend.legend_handles
        ]


def _colour(handle: object) -> tuple[float, ...]:
    import numpy as np

    colour = handle.get_facecolor()  # type: ignore[attr-defined]
    return tuple(float(v) for v in np.asarray(colour).ravel())


def _drawn(shows: charts.Monthly | charts.StackedBars, variant: str) -> Figure:
    if isinstance(shows, charts.Monthly):
        return charts._draw_monthly(shows, variant)
    return charts._draw_bars(shows, variant)


def _bars_by_axes(
    ax: Axes,
    label: str,
    colour: str,
    at: list[float],
    start: list[float],
    end: list[float],
    *,
    width: float,
    horizontal: bool = False,
) -> None:
    """The bars as ``Axes.bar`` and ``Axes.barh`` draw them: one rectangle each."""
    sizes = [b - a for a, b in zip(start, end, strict=True)]
    if horizontal:
        ax.barh(at, sizes, left=start, label=label, color=colour, height=width)
    else:
        ax.bar(at, sizes, bottom=start, label=label, color=colour, width=width)


# --- where a count's scale ends --------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.integers(0, 10**7).map(float),
        st.floats(0, 10**7, allow_nan=False, allow_infinity=False),
    )
)
def test_a_scale_ends_at_its_last_label_with_room_above_the_highest(highest: float) -> None:
    top = charts._scale_top(highest)
    if highest <= 0:
        assert top == 1.0
        return
    assert top >= highest * 1.05 * (1 - 1e-12)  # (floating point: 0.1 * 1.05 > 0.105)
    assert float(MaxNLocator(integer=True).tick_values(0, top)[-1]) == top


@pytest.mark.parametrize("shape", ["line", "stacked", "grouped", "bars"])
def test_the_drawn_scale_ends_at_a_label_and_like_charts_are_laid_out_once(shape: str) -> None:
    """Highest values of 91 and 95 (and stacked, 91 and 95 in all) end both scales at 100,
    labelled: the two are the same texts, so the second is placed where the first was laid
    out. (Before, each ended at its highest and a twentieth: two layouts.)"""

    def chart(highest: int) -> charts.Chart:
        values = [[10, highest - 10, 3], [0, 10, 1]]
        if shape == "bars":
            return charts.stacked_bars(
                "b", ["a", "b", "c"], [("A", values[0]), ("B", values[1])], alt="a", xlabel="x"
            )
        if shape != "stacked":
            values = [[10, highest, 3], [0, 10, 1]]
        return _monthly("m", 3, values, shape)

    for variant in charts.VARIANTS:
        fig = _drawn(chart(91).shows, variant)
        ax = fig.axes[0]
        scale = ax.xaxis if shape == "bars" else ax.yaxis
        low, high = ax.get_xlim() if shape == "bars" else ax.get_ylim()
        assert (low, high) == (0, 100)
        assert 100 in list(scale.get_majorticklocs())
    charts.svgs(chart(91))
    kept = len(charts._LAYOUTS)
    placed = charts.svgs(chart(95))
    assert len(charts._LAYOUTS) == kept  # placed, both sizes
    assert placed == charts.svgs(chart(95), keep_layouts=False)
