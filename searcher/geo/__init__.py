"""Pure geography: no index, no Whoosh, nothing read from disk but the gazetteer's data.

Vocabulary: a *point* is ``(lat, lon)`` in degrees; a *box* (:class:`BBox`) may cross the
180th meridian; a *cell* is a geohash string; a *radius* is in kilometres. Every covering is
conservative and every distance bound a lower bound, so searches built on them equal brute
force. Modules: :mod:`~searcher.geo.sphere` (the maths re-exported here),
:mod:`~searcher.geo.coords` (coordinates as people write them), :mod:`~searcher.geo.shapes`
(``--within`` polygons), :mod:`~searcher.geo.gazetteer` (place names, offline) and
:mod:`~searcher.geo.maps` (maps of hits).

Other layers import these names from here, or one module of this package as a whole; the names
are imported on first use, so importing one module never imports its siblings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.geo import coords, gazetteer, maps, shapes
    from searcher.geo.sphere import (
        DEFAULT_MAX_PRECISION,
        EARTH_RADIUS_KM,
        MAX_PRECISION,
        BBox,
        cell_size_km,
        cells_covering_bbox,
        cells_covering_circle,
        choose_precision,
        circle_bbox,
        geohash_bbox,
        geohash_encode,
        haversine_km,
        min_distance_to_box_km,
        min_distance_to_cell_km,
        parse_bbox,
        parse_coordinate,
        parse_point,
        parse_radius_km,
        precision_for_bbox,
        precision_for_circle,
    )

__getattr__, __dir__ = exports(
    __name__,
    {
        "searcher.geo.sphere": (
            "DEFAULT_MAX_PRECISION",
            "EARTH_RADIUS_KM",
            "MAX_PRECISION",
            "BBox",
            "cell_size_km",
            "cells_covering_bbox",
            "cells_covering_circle",
            "choose_precision",
            "circle_bbox",
            "geohash_bbox",
            "geohash_encode",
            "haversine_km",
            "min_distance_to_box_km",
            "min_distance_to_cell_km",
            "parse_bbox",
            "parse_coordinate",
            "parse_point",
            "parse_radius_km",
            "precision_for_bbox",
            "precision_for_circle",
        ),
    },
    ("coords", "gazetteer", "maps", "shapes"),
)

__all__ = [
    "DEFAULT_MAX_PRECISION",
    "EARTH_RADIUS_KM",
    "MAX_PRECISION",
    "BBox",
    "cell_size_km",
    "cells_covering_bbox",
    "cells_covering_circle",
    "choose_precision",
    "circle_bbox",
    "coords",
    "gazetteer",
    "geohash_bbox",
    "geohash_encode",
    "haversine_km",
    "maps",
    "min_distance_to_box_km",
    "min_distance_to_cell_km",
    "parse_bbox",
    "parse_coordinate",
    "parse_point",
    "parse_radius_km",
    "precision_for_bbox",
    "precision_for_circle",
    "shapes",
]
