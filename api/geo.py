"""Distances on the earth's surface (GCJ-02 coordinates are close enough to WGS-84 for
distances of a county)."""

import math

EARTH_RADIUS_METRES = 6_371_000


def distance_metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def bounding_box(lat: float, lng: float, radius_metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a square containing the circle, for an
    indexed pre-filter before the exact distance."""
    d_lat = math.degrees(radius_metres / EARTH_RADIUS_METRES)
    d_lng = d_lat / max(math.cos(math.radians(lat)), 1e-6)
    return lat - d_lat, lat + d_lat, lng - d_lng, lng + d_lng
