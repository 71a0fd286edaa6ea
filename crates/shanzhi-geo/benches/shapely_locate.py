"""The peer figure for `cargo bench -p shanzhi-geo --bench locate`: the same
polygons and points through Shapely 2's STRtree (GEOS), bulk query.

Usage: python3 shapely_locate.py POLYGONS.geojsonl POINTS.f64
Prints one JSON object: build_s, query_s, points, hits.
"""

import json
import sys
import time

import numpy as np
import shapely

polygons_path, points_path = sys.argv[1], sys.argv[2]
with open(polygons_path, encoding="utf-8") as f:
    polygons = shapely.from_geojson([line for line in f])
xy = np.fromfile(points_path, dtype="<f8").reshape(-1, 2)
points = shapely.points(xy)

t0 = time.perf_counter()
tree = shapely.STRtree(polygons)
shapely.prepare(polygons)
t1 = time.perf_counter()
pairs = tree.query(points, predicate="intersects")
t2 = time.perf_counter()

print(json.dumps({
    "build_s": t1 - t0,
    "query_s": t2 - t1,
    "points": int(len(points)),
    "hits": int(len(np.unique(pairs[0]))),
}))
