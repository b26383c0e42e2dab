"""Ward boundaries: GeoJSON validation, point-in-polygon and distances.

GeoJSON orders coordinates ``[longitude, latitude]``; every function here takes
``latitude, longitude`` in that order, as people and WhatsApp say them.
"""

import itertools
import json
import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8


class BoundaryError(ValueError):
    """A ward boundary that is not a usable GeoJSON Polygon or MultiPolygon."""


@dataclass(frozen=True)
class Boundary:
    """A parsed boundary: polygons of rings of (lon, lat) points, and their bounding box."""

    polygons: tuple
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, latitude, longitude):
        if not (self.min_lat <= latitude <= self.max_lat and self.min_lon <= longitude <= self.max_lon):
            return False
        return any(_polygon_contains(polygon, longitude, latitude) for polygon in self.polygons)


def valid_coordinates(latitude, longitude):
    """True for a real point on Earth (finite, in range, not the null island 0,0)."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    if latitude == 0 and longitude == 0:
        return False
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def parse_coordinate(value, bound):
    """A latitude (bound 90) or longitude (bound 180) from JSON or typed text ("23.84", "23,84"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if len(value) > 40:
            return None
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value) or not -bound <= value <= bound:
        return None
    return float(value)


def parse_boundary(geojson):
    """Parse a GeoJSON text or dict (Polygon, MultiPolygon, or a Feature of one).

    Raises :class:`BoundaryError` with a message an administrator can act on.
    """
    if isinstance(geojson, str):
        try:
            geojson = json.loads(geojson)
        except ValueError as error:
            raise BoundaryError(f"The boundary is not valid JSON: {error}") from error
    if not isinstance(geojson, dict):
        raise BoundaryError("The boundary must be a GeoJSON object.")
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    kind, coordinates = geojson.get("type"), geojson.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise BoundaryError(f"The boundary must be a GeoJSON Polygon or MultiPolygon, not {kind!r}.")
    if not isinstance(polygons, list) or not polygons:
        raise BoundaryError("The boundary has no coordinates.")
    parsed = tuple(_parse_polygon(polygon) for polygon in polygons)
    points = [point for polygon in parsed for point in polygon[0]]
    return Boundary(
        polygons=parsed,
        min_lon=min(lon for lon, _lat in points),
        min_lat=min(lat for _lon, lat in points),
        max_lon=max(lon for lon, _lat in points),
        max_lat=max(lat for _lon, lat in points),
    )


def _parse_polygon(rings):
    if not isinstance(rings, list) or not rings:
        raise BoundaryError("Each polygon needs at least an outer ring.")
    return tuple(_parse_ring(ring) for ring in rings)


def _parse_ring(ring):
    if not isinstance(ring, list) or len(ring) < 4:
        raise BoundaryError("Each ring needs at least 4 positions (the first repeated last).")
    points = []
    for position in ring:
        if not (isinstance(position, list) and len(position) >= 2):
            raise BoundaryError(f"Positions are [longitude, latitude] pairs, not {position!r}.")
        longitude, latitude = position[0], position[1]
        if not valid_coordinates(latitude, longitude):
            raise BoundaryError(f"Position {position!r} is not a valid [longitude, latitude].")
        points.append((float(longitude), float(latitude)))
    if points[0] != points[-1]:
        raise BoundaryError("Each ring must be closed: its last position must repeat the first.")
    return tuple(points)


def _ring_contains(ring, x, y):
    """Even-odd ray casting; points exactly on an edge count as outside."""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y):
            crossing_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing_x:
                inside = not inside
    return inside


def _polygon_contains(polygon, x, y):
    outer, *holes = polygon
    return _ring_contains(outer, x, y) and not any(_ring_contains(hole, x, y) for hole in holes)


def locate(latitude, longitude, boundaries):
    """The key of the first boundary containing the point, or None.

    ``boundaries`` is an iterable of ``(key, Boundary)``.
    """
    if not valid_coordinates(latitude, longitude):
        return None
    latitude, longitude = float(latitude), float(longitude)
    for key, boundary in boundaries:
        if boundary.contains(latitude, longitude):
            return key
    return None


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def map_url(latitude, longitude):
    """A link that opens the point in any map app (OpenStreetMap: no API key needed)."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=18/{latitude:.6f}/{longitude:.6f}"
    )
