"""An indicator chart as a PNG image, for documents that cannot hold SVG (the Word paper).

The SVG is the one every page shows (templates/indicators/_chart.html), converted by CairoSVG, so
the picture in Word is the chart councillors see on screen and in the PDF."""

import hashlib
import re

from flask import get_template_attribute

from tracker.indicators.chart import LineChart
from tracker.lru import LRU

# Pixels across: 1.5 times the chart's own 720, sharp in print at the 16 cm it is placed at
# (about 170 dots per inch) and a third quicker to draw than twice the size.
PNG_WIDTH = 1080

# A picture is a pure function of its SVG: kept per process, so a second download of a paper
# (or a chart two papers share) is not drawn again. 200 pictures of about 40 kB: 8 MB at most.
_pictures = LRU(maxsize=200)

_TEXT_WITH_HALO = re.compile(r'<text\b([^>]*?)\s+paint-order="stroke"([^>]*)>(.*?)</text>', re.S)
_STROKE_ATTRIBUTES = re.compile(r'\s+stroke(?:-width)?="[^"]*"')


def chart_svg(chart: LineChart) -> str:
    """The chart's SVG element, without the HTML key that follows it on a page."""
    figure = str(get_template_attribute("indicators/_chart.html", "line_chart")(chart, "chart"))
    start = figure.index("<svg")
    return _without_paint_order(figure[start : figure.index("</svg>", start) + len("</svg>")])


def _without_paint_order(svg: str) -> str:
    """A label drawn with a white halo (`paint-order="stroke"`) as two labels: the halo, then
    the text on top. CairoSVG ignores paint-order and would paint the halo over the letters."""

    def halo_then_text(match: re.Match) -> str:
        before, after, text = match.group(1), match.group(2), match.group(3)
        plain = _STROKE_ATTRIBUTES.sub("", before + after)
        return f"<text{before}{after}>{text}</text><text{plain}>{text}</text>"

    return _TEXT_WITH_HALO.sub(halo_then_text, svg)


def chart_png(chart: LineChart, width: int = PNG_WIDTH) -> bytes:
    svg = chart_svg(chart).encode()
    key = (hashlib.sha256(svg).hexdigest(), width)
    return _pictures.get(key) or _pictures.put(key, _draw(svg, width))


def _draw(svg: bytes, width: int) -> bytes:
    import cairosvg  # loaded only when a document needs a picture

    return cairosvg.svg2png(bytestring=svg, output_width=width, background_color="white")
