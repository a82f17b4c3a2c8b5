#!/usr/bin/env python3
"""Writes grids.geojson: the sample district's 108 unit grids (单元网格).

Huangpu, Shanghai (division 310101): a 12 x 9 lattice of ~100 m x 100 m cells
(0.00105 deg longitude x 0.0009 deg latitude at 31.23 N), north-west corner at
(121.47, 31.238). Three streets side by side, west to east, each 4 columns wide;
each street holds three communities stacked north to south, each 4 x 3 grids,
numbered 001-012 west to east, north to south. Coordinates are rounded to 7
decimals so that neighbours share exactly equal vertices; exterior rings run
counter-clockwise (RFC 7946).

Usage: python3 generate-grids.py > grids.geojson
"""
import json
import sys

DIVISION = "310101"
WEST, NORTH, DX, DY = 121.47, 31.238, 0.00105, 0.0009
STREETS = [
    ("001", "外滩街道", ["中山东一路社区", "北京东路社区", "福州路社区"]),
    ("002", "南京东路街道", ["贵州路社区", "新桥社区", "云南中路社区"]),
    ("003", "豫园街道", ["福佑路社区", "露香园社区", "丹凤路社区"]),
]
COLUMNS, ROWS = 4, 3  # grids per community


def ring(col, row):
    """Closed, counter-clockwise ring of the cell in lattice column col, row (row 0 is the northmost)."""
    w, e = round(WEST + col * DX, 7), round(WEST + (col + 1) * DX, 7)
    n, s = round(NORTH - row * DY, 7), round(NORTH - (row + 1) * DY, 7)
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


features = []
for si, (street, street_name, communities) in enumerate(STREETS):
    for ci, community_name in enumerate(communities):
        community = f"{DIVISION}{street}{ci + 1:03d}"
        for seq in range(COLUMNS * ROWS):
            col, row = si * COLUMNS + seq % COLUMNS, ci * ROWS + seq // COLUMNS
            features.append({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring(col, row)]},
                "properties": {
                    "code": f"{community}{seq + 1:03d}",
                    "name": f"{community_name}第{seq + 1}网格",
                    "streetCode": f"{DIVISION}{street}",
                    "streetName": street_name,
                    "communityCode": community,
                    "communityName": community_name,
                },
            })

json.dump({
    "type": "FeatureCollection",
    "name": f"Sample district {DIVISION} (Huangpu, Shanghai): 3 streets, 9 communities, {len(features)} unit grids",
    "features": features,
}, sys.stdout, ensure_ascii=False, indent=1)
