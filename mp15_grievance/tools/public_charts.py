"""Geometry for the public performance page: bar heights and an SVG map of rounded points over ward outlines."""

import math

from . import geo

# Category colours on the map, in turn: Okabe and Ito's colour-blind-safe eight, then four of Paul Tol's.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
MAP_WIDTH = 600


def bar_heights(values, height=100, top=None):
    """Heights of bars for ``values`` on a scale where ``top`` (the largest value by default) is ``height``.

    None values draw nothing (0).
    """
    top = top or max((value for value in values if value), default=0)
    return [0 if not value or not top else round(height * value / top, 1) for value in values]


def svg_map(boundaries, points, width=MAP_WIDTH):
    """Outlines and dots of a map over the bounding box of the ward boundaries (or of the points).

    ``boundaries``: GeoJSON texts (bad ones are skipped); ``points``: ``(latitude, longitude, colour
    index, count)``, already rounded. Returns ``{"width", "height", "outlines": [path d], "dots":
    [(x, y, r, colour index, count)]}`` or None when there is nothing to place. Plate carrée with the
    longitude scaled by cos(latitude): near enough at a city's size.
    """
    parsed = []
    for text in boundaries:
        try:
            parsed.append(geo.parse_boundary(text))
        except geo.BoundaryError:
            continue
    lats = [b.min_lat for b in parsed] + [b.max_lat for b in parsed] + [p[0] for p in points]
    lons = [b.min_lon for b in parsed] + [b.max_lon for b in parsed] + [p[1] for p in points]
    if not lats:
        return None
    min_lat, max_lat, min_lon, max_lon = min(lats), max(lats), min(lons), max(lons)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * x_scale, 1e-3)
    span_y = max(max_lat - min_lat, 1e-3)
    margin = 10
    unit = (width - 2 * margin) / span_x
    height = round(span_y * unit + 2 * margin)

    def project(lat, lon):
        return round(margin + (lon - min_lon) * x_scale * unit, 1), round(margin + (max_lat - lat) * unit, 1)

    outlines = []
    for boundary in parsed:
        for polygon in boundary.polygons:
            ring = polygon[0]
            coordinates = " L".join("{},{}".format(*project(lat, lon)) for lon, lat in ring)
            outlines.append(f"M{coordinates} Z")
    dots = []
    for lat, lon, colour, count in points:
        x, y = project(lat, lon)
        dots.append((x, y, round(min(3 + 1.5 * math.sqrt(count), 12), 1), colour % len(PALETTE), count))
    return {"width": width, "height": height, "outlines": outlines, "dots": dots}
