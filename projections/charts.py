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

import io
import math
from collections.abc import Callable, Sequence
from typing import Any, Final, cast

import matplotlib
import msgspec
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

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


class Chart(msgspec.Struct, frozen=True):
    """A chart as SVG documents (light and dark schemes, wide and narrow) and its alt text."""

    name: str  # the file stem: charts/<name>-<wide|narrow>-<light|dark>.svg
    alt: str
    svgs: dict[str, str]  # "wide-light", "wide-dark", "narrow-light", "narrow-dark"


VARIANTS: Final = ("wide", "narrow")
_SIZE: Final = {"wide": 8.0, "narrow": 4.4}  # inches at 100 dpi: 800 and 440 CSS pixels
_TICKS: Final = {"wide": 8, "narrow": 4}


def _svg(fig: Figure) -> tuple[str, str]:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
    light = buffer.getvalue()
    dark = light
    for light_colour, dark_colour in _SWAP:
        dark = dark.replace(light_colour, dark_colour)
    return light, dark


def _chart(name: str, alt: str, draw: Callable[[str], Figure]) -> Chart:
    svgs: dict[str, str] = {}
    with matplotlib.rc_context(cast(Any, _RC)):
        for variant in VARIANTS:
            svgs[f"{variant}-light"], svgs[f"{variant}-dark"] = _svg(draw(variant))
    return Chart(name=name, alt=alt, svgs=svgs)


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
    x = list(range(len(months)))

    def draw(variant: str) -> Figure:
        fig = _figure(variant, 3.2 if variant == "wide" else 3.6)
        ax = fig.subplots()
        if kind == "stacked":
            bottom = [0.0] * len(months)
            for index, (label, values) in enumerate(series):
                ax.bar(
                    x,
                    list(values),
                    bottom=bottom,
                    label=label,
                    color=SERIES[index % len(SERIES)][0],
                    width=0.75,
                )
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        elif kind == "grouped":
            width = 0.8 / max(1, len(series))
            for index, (label, values) in enumerate(series):
                offset = (index - (len(series) - 1) / 2) * width
                ax.bar(
                    [i + offset for i in x],
                    list(values),
                    label=label,
                    color=SERIES[(index + 1) % len(SERIES)][0],
                    width=width,
                )
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
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", linewidth=0.8)
        ax.set_axisbelow(True)
        if percent:
            ax.set_ylim(0, 105)
            ax.yaxis.set_major_formatter("{x:.0f}%")
        else:
            highest = max(
                [0.0, *(v for _l, values in series for v in values), *(line or ("", []))[1]]
            )
            ax.set_ylim(0, None if highest > 0 else 1)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if len(series) + (line is not None) > 1:
            _legend(fig, variant)
        return fig

    return _chart(name, alt, draw)


def stacked_bars(
    name: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    alt: str,
    xlabel: str,
) -> Chart:
    """Horizontal stacked bars: one bar per category, stacked by series."""
    y = list(range(len(categories)))
    totals = [sum(values) for values in zip(*(v for _label, v in series), strict=True)]

    def draw(variant: str) -> Figure:
        narrow = variant == "narrow"
        height = max(1.8, (0.62 if narrow else 0.42) * len(categories) + 1.3)
        fig = _figure(variant, height)
        ax = fig.subplots()
        left = [0] * len(categories)
        for index, (label, values) in enumerate(series):
            ax.barh(
                y,
                list(values),
                left=left,
                label=label,
                color=SERIES[index % len(SERIES)][0],
                height=0.6,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
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
        ax.set_xlim(left=0, right=max([*totals, 1]) * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(series) > 1:
            _legend(fig, variant)
        return fig

    return _chart(name, alt, draw)
