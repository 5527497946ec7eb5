#!/usr/bin/env python3
"""Write the raster inputs of the example scenario (run once; outputs are committed).

The example is a small synthetic plain: 60 x 80 cells of 250 m, an elliptical
active outline, a shallow unconfined-like layer (treated as confined here) over
a deep aquifer, a river (GHB) on the east, a fixed head on the west.
"""
import numpy as np

nrow, ncol, cell = 60, 80, 250.0
i, j = np.mgrid[0:nrow, 0:ncol]
# Ellipse centred in the grid, touching the west and east edges.
inside = ((i - (nrow - 1) / 2) / (nrow / 2)) ** 2 + ((j - (ncol - 1) / 2) / (ncol / 2 + 0.5)) ** 2 <= 1.0
active = inside.astype(int)

with open("active.asc", "w") as f:
    f.write(f"ncols {ncol}\nnrows {nrow}\nxllcorner 0.0\nyllcorner 0.0\ncellsize {cell}\nNODATA_value -9999\n")
    for r in range(nrow):
        f.write(" ".join(str(v) for v in active[r]) + "\n")

# Shallow-layer K: a sandy palaeochannel running south-west to north-east.
dist = np.abs((i - nrow * 0.8) + 0.6 * (j - ncol * 0.1)) / 6.0
k_shallow = 5.0 + 25.0 * np.exp(-dist ** 2)
np.savetxt("k_shallow.csv", k_shallow, delimiter=",", fmt="%.3f")
