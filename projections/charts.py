"""The site's charts: static SVG drawn at build time with matplotlib (no script, no web font).

Each chart is drawn in colours chosen for Material's light scheme, and a copy for the dark
(slate) scheme is made by swapping those colours for lighter ones. The site shows the first with
Material's ``#only-light`` image suffix and the second with ``#only-dark``, so text, axes and
series read well on either background; backgrounds are transparent. Each chart is drawn twice,
wide for a computer's screen and narrow for a phone's (the site's stylesheet shows the one that
fits), so its text stays legible at both sizes. Every chart comes with its alt text; the page
writer also puts the chart's numbers in a table.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Sequence
from typing import Any, Final, cast

import matplotlib
import msgspec
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

matplotlib.use("Agg")  # no display: draw to files only

TEXT: Final = ("#333333", "#e3e5ea")
GRID: Final = ("#d5d8de", "#454a5c")
# Series colours (light, dark): indigo, orange, teal, pink, brown, blue-grey.
SERIES: Final = (
    ("#3f51b5", "#9fa8ff"),
    ("#d84315", "#ffab70"),
    ("#00796b", "#4fd1c0"),
    ("#ad1457", "#f48fb1"),
    ("#6d4c41", "#c8b3aa"),
    ("#546e7a", "#b0c4cc"),
)
_SWAP: Final = (TEXT, GRID, *SERIES)

_RC: Final[dict[str, object]] = {
    "svg.fonttype": "none",  # text stays text: the browser's own sans-serif, no embedded font
    "svg.hashsalt": "policy-ledger",  # stable ids: the same data gives the same file
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
    "font.size": 11,
    "text.color": TEXT[0],
    "axes.labelcolor": TEXT[0],
    "axes.edgecolor": TEXT[0],
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "xtick.color": TEXT[0],
    "ytick.color": TEXT[0],
    "grid.color": GRID[0],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}


class Monthly(msgspec.Struct, frozen=True, tag=True):
    """Month-by-month series (``monthly``)."""

    months: list[str]
    series: list[tuple[str, list[float]]]
    ylabel: str
    kind: str = "line"  # "line", "stacked" or "grouped"
    percent: bool = False
    line: tuple[str, list[float]] | None = None


class StackedBars(msgspec.Struct, frozen=True, tag=True):
    """Horizontal stacked bars, one a category (``stacked_bars``)."""

    categories: list[str]
    series: list[tuple[str, list[int]]]
    xlabel: str


class Chart(msgspec.Struct, frozen=True):
    """A chart: what it shows (a plain, picklable value) and its alt text. ``svgs(chart)`` draws
    it, as SVG documents for the light and dark schemes, wide and narrow; drawing is most of a
    site's rendering time, so a build may draw its charts apart from writing its pages."""

    name: str  # the file stem: charts/<name>-<wide|narrow>-<light|dark>.svg
    alt: str
    shows: Monthly | StackedBars


VARIANTS: Final = ("wide", "narrow")
SCHEMES: Final = ("light", "dark")
VARIANT_NAMES: Final = tuple(f"{v}-{s}" for v in VARIANTS for s in SCHEMES)  # ``svgs``'s keys
_SIZE: Final = {"wide": 8.0, "narrow": 4.4}  # inches at 100 dpi: 800 and 440 CSS pixels
_TICKS: Final = {"wide": 8, "narrow": 4}


# Where constrained layout puts a chart's axes depends on the chart's size and its texts (tick
# labels and where they fall, axis labels, legend entries, notes), not on its data: bars and
# lines are clipped to the axes. Working it out is a third of a chart's drawing time, so the
# positions found are kept, by everything they depend on, and a chart with the same texts at
# the same size (common: a federation's members share a profile and a calendar) is placed
# there and drawn once, not laid out again. The same SVG either way (tests/test_charts.py).
_LAYOUTS: dict[tuple[object, ...], Bbox] = {}
_LAYOUTS_KEPT = 4096


def _layout_key(fig: Figure, kind: str, variant: str) -> tuple[object, ...] | None:
    """Everything the layout of ``fig`` (one axes, drawn by ``kind`` as ``variant``) depends on;
    None if it is not a figure this module draws (then it is laid out)."""
    if len(fig.axes) != 1:
        return None
    ax = fig.axes[0]
    ticks: list[object] = []
    for axis in (ax.xaxis, ax.yaxis):
        locs = [float(v) for v in axis.get_majorticklocs()]
        labels = axis.get_major_formatter().format_ticks(locs)
        ticks.append((tuple(locs), tuple(str(label) for label in labels)))
    notes = tuple((t.get_text(), tuple(t.get_position()), t.get_fontsize()) for t in ax.texts)
    # (a legend's columns are the variant's: ``_legend``)
    legends = tuple(tuple(t.get_text() for t in legend.get_texts()) for legend in fig.legends)
    return (
        kind,
        variant,
        tuple(float(v) for v in fig.get_size_inches()),
        tuple(ax.get_xlim()),
        tuple(ax.get_ylim()),
        *ticks,
        ax.get_xlabel(),
        ax.get_ylabel(),
        ax.get_title(),
        notes,
        legends,
    )


def _svg(fig: Figure, key: tuple[object, ...] | None = None) -> tuple[str, str]:
    buffer = io.StringIO()
    placed = None if key is None else _LAYOUTS.get(key)
    engine = fig.get_layout_engine()
    fig.set_layout_engine(None)  # (with this module's settings: no engine, no dry run)
    if placed is not None:
        fig.axes[0].set_position(placed)
    elif engine is not None:
        # Laid out here, measured as the SVG will be drawn: ``savefig`` with the engine set
        # would first draw the whole figure with drawing turned off, just to lay it out (a
        # third of a chart's time), then draw it. The same file (tests/test_charts.py).
        FigureCanvasSVG(fig)
        engine.execute(fig)
    fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
    if key is not None and placed is None:
        if len(_LAYOUTS) >= _LAYOUTS_KEPT:
            _LAYOUTS.clear()
        _LAYOUTS[key] = Bbox(fig.axes[0].get_position().get_points().copy())  # its corners
    light = buffer.getvalue()
    dark = light
    for light_colour, dark_colour in _SWAP:
        dark = dark.replace(light_colour, dark_colour)
    return light, dark


def svgs(chart: Chart, *, keep_layouts: bool = True) -> dict[str, str]:
    """The chart drawn: its SVG documents by "<wide|narrow>-<light|dark>" (``keep_layouts``:
    placed where a chart with the same texts and size was laid out, if one was)."""
    shows = chart.shows
    draw: Callable[[str], Figure]
    if isinstance(shows, Monthly):
        draw, kind = functools.partial(_draw_monthly, shows), f"monthly-{shows.kind}"
    else:
        draw, kind = functools.partial(_draw_bars, shows), "stacked-bars"
    out: dict[str, str] = {}
    with matplotlib.rc_context(cast(Any, _RC)):
        for variant in VARIANTS:
            fig = draw(variant)
            key = _layout_key(fig, kind, variant) if keep_layouts else None
            out[f"{variant}-light"], out[f"{variant}-dark"] = _svg(fig, key)
    return out


def _bars(
    ax: Axes,
    label: str,
    colour: str,
    at: Sequence[float],
    start: Sequence[float],
    end: Sequence[float],
    *,
    width: float,
    horizontal: bool = False,
) -> None:
    """One series of bars, centred on ``at``, each from ``start`` to ``end`` (up, or right if
    ``horizontal``): the picture ``Axes.bar`` draws, as one artist. ``bar`` makes each bar an
    artist of its own, and working out each one's extent was a fifth of a chart's drawing time.
    The axes' limits and the legend's key are as ``bar``'s (no margin is added beyond a bar's base:
    its sticky edge)."""
    quads = []
    for centre, low, high in zip(at, start, end, strict=True):
        a, b = centre - width / 2, centre + width / 2
        quads.append(
            [(low, a), (high, a), (high, b), (low, b)]
            if horizontal
            else [(a, low), (a, high), (b, high), (b, low)]
        )
    bars = PolyCollection(quads, facecolors=colour, edgecolors="none", linewidths=0, label=label)
    (bars.sticky_edges.x if horizontal else bars.sticky_edges.y).extend(start)
    ax.add_collection(bars)


def _scale_top(highest: float) -> float:
    """Where a count's scale ends: at the first of its labelled ticks (whole numbers, as
    ``MaxNLocator(integer=True)`` places them) that leaves the highest value a twentieth of
    room; 1 if there is nothing to show. The scale's last label is its top, so two charts
    whose highest values differ but whose labels are the same are laid out alike."""
    if highest <= 0:
        return 1.0
    locator = MaxNLocator(integer=True)
    top = highest * 1.05
    for _ in range(8):  # the ticks of 0 to ``top`` can end past it: then those of 0 to there
        last = float(locator.tick_values(0, top)[-1])
        if last == top:
            break
        top = last
    return top


def _month_ticks(labels: Sequence[str], most: int) -> tuple[list[int], list[str]]:
    """At most ``most`` months, the last one included, as "Mar\\n2026" (labels are "2026-03")."""
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    step = max(1, math.ceil(len(labels) / most))
    positions = list(range(len(labels) - 1, -1, -step))[::-1]
    out: list[str] = []
    for i in positions:
        year, month = labels[i].split("-")
        out.append(f"{names[int(month) - 1]}\n{year}")
    return positions, out


def _figure(variant: str, height: float) -> Figure:
    return Figure(figsize=(_SIZE[variant], height), dpi=100, layout="constrained")


def _legend(fig: Figure, variant: str) -> None:
    fig.legend(loc="outside upper left", ncols=4 if variant == "wide" else 2, fontsize=10)


def monthly(
    name: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    alt: str,
    ylabel: str,
    kind: str = "line",
    percent: bool = False,
    line: tuple[str, Sequence[float]] | None = None,
) -> Chart:
    """Month-by-month series as lines, or as ``"stacked"`` or ``"grouped"`` bars; ``line`` adds
    one more series drawn as a line over the bars."""
    shows = Monthly(
        months=list(months),
        series=[(label, [float(v) for v in values]) for label, values in series],
        ylabel=ylabel,
        kind=kind,
        percent=percent,
        line=None if line is None else (line[0], [float(v) for v in line[1]]),
    )
    return Chart(name=name, alt=alt, shows=shows)


def _draw_monthly(shows: Monthly, variant: str) -> Figure:
    months, series, line, kind = shows.months, shows.series, shows.line, shows.kind
    x = list(range(len(months)))
    fig = _figure(variant, 3.2 if variant == "wide" else 3.6)
    ax = fig.subplots()
    bottom = [0.0] * len(months)
    if kind == "stacked":
        for index, (label, values) in enumerate(series):
            top = [b + v for b, v in zip(bottom, values, strict=True)]
            _bars(ax, label, SERIES[index % len(SERIES)][0], x, bottom, top, width=0.75)
            bottom = top
    elif kind == "grouped":
        width = 0.8 / max(1, len(series))
        for index, (label, values) in enumerate(series):
            offset = (index - (len(series) - 1) / 2) * width
            colour = SERIES[(index + 1) % len(SERIES)][0]
            at = [i + offset for i in x]
            _bars(ax, label, colour, at, [0.0] * len(x), list(values), width=width)
    else:
        markers = ("o", "s", "^", "D", "v", "P")
        for index, (label, values) in enumerate(series):
            ax.plot(
                x,
                list(values),
                label=label,
                color=SERIES[index % len(SERIES)][0],
                linewidth=2.2,
                marker=markers[index % len(markers)],
                markersize=4,
            )
    if line is not None:
        ax.plot(
            x,
            list(line[1]),
            label=line[0],
            color=TEXT[0],
            linewidth=2,
            marker="o",
            markersize=3.5,
        )
    positions, labels = _month_ticks(months, _TICKS[variant])
    ax.set_xticks(positions, labels)
    ax.set_ylabel(shows.ylabel)
    ax.grid(axis="y", linewidth=0.8)
    ax.set_axisbelow(True)
    if shows.percent:
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter("{x:.0f}%")
    else:
        # (stacked: the bars' tops, ``bottom`` after the last series)
        tops = bottom if kind == "stacked" else [v for _l, values in series for v in values]
        ax.set_ylim(0, _scale_top(max([0.0, *tops, *(line or ("", []))[1]])))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) + (line is not None) > 1:
        _legend(fig, variant)
    return fig


def stacked_bars(
    name: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    alt: str,
    xlabel: str,
) -> Chart:
    """Horizontal stacked bars: one bar per category, stacked by series."""
    shows = StackedBars(
        categories=list(categories),
        series=[(label, [int(v) for v in values]) for label, values in series],
        xlabel=xlabel,
    )
    return Chart(name=name, alt=alt, shows=shows)


def _draw_bars(shows: StackedBars, variant: str) -> Figure:
    categories, series, xlabel = shows.categories, shows.series, shows.xlabel
    y = list(range(len(categories)))
    totals = [sum(values) for values in zip(*(v for _label, v in series), strict=True)]
    narrow = variant == "narrow"
    height = max(1.8, (0.62 if narrow else 0.42) * len(categories) + 1.3)
    fig = _figure(variant, height)
    ax = fig.subplots()
    left = [0.0] * len(categories)
    for index, (label, values) in enumerate(series):
        right = [a + b for a, b in zip(left, values, strict=True)]
        colour = SERIES[index % len(SERIES)][0]
        _bars(ax, label, colour, y, left, right, width=0.6, horizontal=True)
        left = right
    if narrow:
        # Category names above their bars: a phone has no room beside them.
        ax.set_yticks(y, [""] * len(categories))
        ax.tick_params(axis="y", length=0)
        for i, category in enumerate(categories):
            ax.text(0, i - 0.42, category, fontsize=10, va="bottom", ha="left")
    else:
        ax.set_yticks(y, list(categories))
    ax.set_ylim(len(categories) - 0.5, -0.95 if narrow else -0.5)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlim(0, _scale_top(max([0, *totals])))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) > 1:
        _legend(fig, variant)
    return fig
