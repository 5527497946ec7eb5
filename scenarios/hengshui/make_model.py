#!/usr/bin/env python3
"""Write the Hengshui model: rasters and the baseline scenario (numpy only, deterministic).

    /usr/bin/python3 scenarios/hengshui/make_model.py            # 500 m cells, 2015-2035
    /usr/bin/python3 scenarios/hengshui/make_model.py --coarse   # 2 km cells, 2015-2017, into
                                                                 # tests/regression/hengshui_coarse/

The outputs are committed; rerunning rewrites them byte for byte. Every number
below is explained, with its source, in scenarios/hengshui/README.md. The
county layout, the outline, the river courses and the hydraulic property
fields are schematic: they keep the real counties' relative positions and the
published magnitudes, not a survey of the real ground.

Coordinates: kilometres east (x) and north (y) of the Taocheng city centre
while building; the model's own coordinates are metres from the lower-left
corner of the grid (xorigin = yorigin = 0).
"""
import argparse
import calendar
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# --- the counties (county-level divisions of Hengshui prefecture) ----------------------------
# Seats in km from the Taocheng centre, from their approximate longitude/latitude
# (1 deg lon = 88 km, 1 deg lat = 111 km at 37.7 N). Radius: schematic reach of the territory.
COUNTIES = [  # id, name, x km, y km, radius km
    (1, "Taocheng", 0.0, 0.0, 15.0),
    (2, "Jizhou", -12.0, -22.0, 23.0),
    (3, "Zaoqiang", 6.0, -27.0, 20.0),
    (4, "Wuyi", 20.0, 9.0, 18.0),
    (5, "Wuqiang", 25.0, 33.0, 16.0),
    (6, "Raoyang", 6.0, 55.0, 17.0),
    (7, "Anping", -15.0, 55.0, 15.0),
    (8, "Shenzhou", -13.0, 29.0, 22.0),
    (9, "Gucheng", 24.0, -46.0, 21.0),
    (10, "Jingxian", 50.0, -10.0, 23.0),
    (11, "Fucheng", 42.0, 15.0, 17.0),
]
CITY = (0.0, 0.0)                 # cone centre: Taocheng
LAKE = (-8.0, -11.0, 6.0, 4.0)    # Hengshui Lake: centre x, y and semi-axes km (pi*6*4 = 75 km2)
TARGET_AREA_KM2 = 8800.0

# Rivers and canals (polylines in km; traced by the engine, inactive cells skipped).
RIVERS = {
    "fuyang_river": [(-45, -42), (-20, -24), (-9, -17), (-1, -4), (3, 6), (14, 20), (24, 38), (30, 70)],
    "hutuo_river": [(-45, 48), (-20, 50), (0, 47), (20, 45), (45, 40)],
    "weiyun_river": [(10, -70), (30, -56), (45, -38), (60, -22), (70, 0)],
    "snwd_canal": [(-45, -8), (-25, -6), (-10, -3), (0, -2), (20, -4), (45, -8), (75, -12)],
    "shijin_canal": [(-45, 30), (-20, 28), (0, 24), (20, 22), (50, 22)],
}

# Climate (mm per month, January first): precipitation 510 mm/yr, 382 mm (75%) in Jun-Sep;
# grass reference ET 940 mm/yr (about 0.78 x the 1,200 mm pan evaporation).
PRECIP_MM = [4, 7, 10, 24, 36, 62, 150, 118, 52, 29, 14, 4]
ET0_MM = [20, 30, 65, 105, 140, 145, 120, 110, 85, 65, 35, 20]
# Rainfall recharge: a share of the rain above 20 mm in a month (calibrated; range 30-150 mm/yr).
RECHARGE_COEFF = 0.12
RECHARGE_MM = [RECHARGE_COEFF * max(p - 20.0, 0.0) for p in PRECIP_MM]
# Open-water evaporation from ponds and the lake: 0.85 x the pan, 1,020 mm/yr.
PAN_MM = [e * 1200.0 / sum(ET0_MM) for e in ET0_MM]
LAKE_EVAP_MM = [0.85 * p for p in PAN_MM]


def month_days(year, month):
    return calendar.monthrange(year, month)[1]


class Model:
    def __init__(self, cell_km, years, yaml_dir, data_prefix, name_suffix=""):
        self.cell = cell_km
        self.yaml_dir = yaml_dir
        self.prefix = data_prefix
        self.years = years
        self.out = os.path.join(yaml_dir, data_prefix)
        self.suffix = name_suffix
        self.rng = np.random.default_rng(20150225)  # the mobilisation meeting's date
        # Grid covering every county disc, trimmed to the active outline later.
        x0, x1, y0, y1 = -50.0, 78.0, -76.0, 80.0
        self.ncol = int(round((x1 - x0) / cell_km))
        self.nrow = int(round((y1 - y0) / cell_km))
        self.x0, self.y0 = x0, y0
        self.build()

    # -- geometry --------------------------------------------------------------------------
    def centres(self):
        xc = self.x0 + (np.arange(self.ncol) + 0.5) * self.cell
        yc = self.y0 + (self.nrow - np.arange(self.nrow) - 0.5) * self.cell  # row 1 is north
        return np.meshgrid(xc, yc)

    def smooth_noise(self, X, Y, n=12, scale=30.0):
        """A smooth random field in [-1, 1] from n seeded plane waves (independent of cell size)."""
        f = np.zeros_like(X)
        for _ in range(n):
            ang = self.rng.uniform(0, 2 * np.pi)
            k = 2 * np.pi / self.rng.uniform(0.6 * scale, 1.6 * scale)
            ph = self.rng.uniform(0, 2 * np.pi)
            f += np.cos(k * (X * np.cos(ang) + Y * np.sin(ang)) + ph)
        return f / np.sqrt(n / 2.0) / 2.0

    def build(self):
        X, Y = self.centres()
        self.X, self.Y = X, Y
        wobble = self.smooth_noise(X, Y, n=10, scale=25.0)
        # Scaled distance to each seat; the county is the seat with the smallest one.
        d = np.stack([np.hypot(X - cx, Y - cy) / r for _, _, cx, cy, r in COUNTIES])
        nearest = np.argmin(d, axis=0)
        dmin = np.min(d, axis=0) * (1.0 + 0.12 * wobble)
        # Blur the scaled distance (two 12-km box filters) so the outline has no deep notches
        # between the county discs (the real boundary is irregular but compact).
        dmin = box_blur(box_blur(dmin, 6.0 / self.cell), 6.0 / self.cell)
        # Scale the county radii so the active area is TARGET_AREA_KM2 (bisection).
        lo, hi = 0.5, 2.0
        for _ in range(60):
            s = 0.5 * (lo + hi)
            area = np.count_nonzero(dmin <= s) * self.cell ** 2
            lo, hi = (s, hi) if area < TARGET_AREA_KM2 else (lo, s)
        active = dmin <= s
        # Keep the largest connected piece (4-neighbours) so the outline is one region.
        active = largest_component(active)
        # Trim the grid to the outline plus one cell.
        rows = np.where(active.any(axis=1))[0]
        cols = np.where(active.any(axis=0))[0]
        r0, r1 = max(rows[0] - 1, 0), min(rows[-1] + 2, self.nrow)
        c0, c1 = max(cols[0] - 1, 0), min(cols[-1] + 2, self.ncol)
        self.y0 = self.y0 + (self.nrow - r1) * self.cell
        self.x0 = self.x0 + c0 * self.cell
        self.nrow, self.ncol = r1 - r0, c1 - c0
        sl = (slice(r0, r1), slice(c0, c1))
        self.X, self.Y = X[sl], Y[sl]
        self.active = active[sl]
        self.county = np.where(self.active, np.array([c[0] for c in COUNTIES])[nearest[sl]], 0)
        X, Y = self.X, self.Y
        lx, ly, ax, ay = LAKE
        self.lake = self.active & (((X - lx) / ax) ** 2 + ((Y - ly) / ay) ** 2 <= 1.0)
        self.urban = self.active & (np.hypot(X - CITY[0], Y - CITY[1]) <= 6.0) & ~self.lake
        self.district = np.where(self.active & ~self.lake & ~self.urban, self.county, 0)

        # Land surface: 12-30 m a.s.l., falling from the south-west (alluvial fans of the
        # Taihang piedmont) to the north-east.
        n2 = self.smooth_noise(X, Y, n=8, scale=20.0)
        self.top = 21.0 - 0.075 * X - 0.06 * Y + 0.8 * n2
        # Layer bases, m below ground (schematic, inside the published ranges):
        #  1 shallow fresh water, groups I-II (unconfined)        0 - 60 m
        #  2 saline water body and clay, lower group II (aquitard) 60 - 180 m
        #  3 deep confined main aquifer, group III               180 - base 350-450 m
        #  4 group IV                                            base - base + 150 m
        n3 = self.smooth_noise(X, Y, n=8, scale=35.0)
        base3 = 400.0 + 0.5 * X + 35.0 * n3        # deeper to the east, 350-450 m
        base3 = np.clip(base3, 350.0, 450.0)
        self.depth_bot = [np.full_like(X, 60.0), np.full_like(X, 180.0), base3, base3 + 150.0]
        self.bottom = [self.top - d for d in self.depth_bot]

        # Horizontal K, m/d: shallow silty fine sand with palaeochannel belts (2-12 m/d);
        # deep group III fine-medium sand (T = 400-1100 m2/d); group IV 1.5 m/d.
        n4 = self.smooth_noise(X, Y, n=8, scale=25.0)
        channel = np.exp(-((0.6 * X - 0.8 * Y + 10.0) / 12.0) ** 2)  # SW-NE palaeochannel
        self.k1 = 3.0 + 6.0 * channel + 1.5 * n4
        self.k1 = np.clip(self.k1, 1.5, 12.0)
        n5 = self.smooth_noise(X, Y, n=8, scale=30.0)
        self.k3 = np.clip(3.5 + 1.0 * n5, 2.0, 5.5)

        # Initial heads, 1 January 2015.
        r = np.hypot(X - CITY[0], Y - CITY[1])
        # Shallow water table 14-26 m below ground, deeper in the south (Zaoqiang-Jizhou shallow funnel).
        n6 = self.smooth_noise(X, Y, n=6, scale=30.0)
        dtw = 18.0 + 4.0 * n6 + 4.0 * np.exp(-(np.hypot(X - 0.0, Y + 25.0) / 20.0) ** 2)
        self.h1 = self.top - dtw
        # Deep (group III) head: regional depth about 55 m below ground, a cone about 105 m deep
        # at the centre (Taocheng), decaying over about 28 km (the Jizhou-Zaoqiang-Hengshui funnel).
        self.h3 = self.top - (55.0 + 50.0 * np.exp(-(r / 28.0) ** 2))
        self.h4 = self.h3 + 1.0
        self.h2 = self.h3 + 0.15 * (self.h1 - self.h3)

    # -- writers ---------------------------------------------------------------------------
    def path(self, name):
        return os.path.join(self.out, name)

    def write_asc(self, name, a, fmt="%d"):
        with open(self.path(name), "w") as f:
            f.write(f"ncols {self.ncol}\nnrows {self.nrow}\nxllcorner 0.0\nyllcorner 0.0\n"
                    f"cellsize {self.cell * 1000.0:.1f}\nNODATA_value -9999\n")
            for row in a:
                f.write(" ".join(fmt % v for v in row) + "\n")

    def write_csv(self, name, a):
        np.savetxt(self.path(name), a, delimiter=",", fmt="%.3f")

    def xy(self, xkm, ykm):
        """Model coordinates (m) of a point given in km from the city centre."""
        return (xkm - self.x0) * 1000.0, (ykm - self.y0) * 1000.0

    def cell_of(self, xkm, ykm):
        col = int((xkm - self.x0) / self.cell)
        row = self.nrow - 1 - int((ykm - self.y0) / self.cell)
        return row, col

    def nearest_active(self, xkm, ykm, mask=None):
        m = self.active if mask is None else mask
        d = np.where(m, np.hypot(self.X - xkm, self.Y - ykm), np.inf)
        i = np.unravel_index(np.argmin(d), d.shape)
        return int(i[0]), int(i[1])

    # -- the time axis ---------------------------------------------------------------------
    def months(self):
        """(period, year, month, days) for each monthly stress period."""
        out = []
        p = 1
        for y in range(2015, 2015 + self.years):
            for m in range(1, 13):
                out.append((p, y, m, month_days(y, m)))
                p += 1
        return out

    def by_period(self, value_of_month, fmt="{:.6g}", per_line=6, indent=6):
        """A by-period mapping {period: value} from a function of (year, month), changes only."""
        items, last = [], None
        for p, y, m, _ in self.months():
            v = value_of_month(y, m)
            if v != last:
                items.append(f"{p}: " + fmt.format(v))
                last = v
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        pad = " " * indent
        return "{" + (",\n" + pad).join(lines) + "}"

    # -- everything ------------------------------------------------------------------------
    def write(self):
        os.makedirs(self.out, exist_ok=True)
        a = self.active
        self.write_asc("active.asc", a.astype(int))
        self.write_asc("counties.asc", self.county)
        self.write_asc("districts.asc", self.district)
        self.write_asc("lake.asc", self.lake.astype(int))
        self.write_csv("top.csv", self.top)
        for k in range(4):
            self.write_csv(f"bottom_{k + 1}.csv", self.bottom[k])
        self.write_csv("k_shallow.csv", self.k1)
        self.write_csv("k_deep.csv", self.k3)
        for k, h in enumerate([self.h1, self.h2, self.h3, self.h4]):
            self.write_csv(f"head0_{k + 1}.csv", h)
        # Boundary cells: active cells with an inactive 4-neighbour (or on the grid edge).
        pad = np.pad(a, 1)
        edge = a & ~(pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:])
        self.edge = edge
        self.write_asc("outline_cells.asc", edge.astype(int))
        with open(os.path.join(self.yaml_dir, "baseline.yaml"), "w") as f:
            f.write(self.baseline_yaml())
        self.write_measures()
        self.report()

    def report(self):
        area = np.count_nonzero(self.active) * self.cell ** 2
        print(f"{self.out}: {self.nrow} x {self.ncol} cells of {self.cell * 1000:.0f} m, "
              f"active {np.count_nonzero(self.active)} cells = {area:.0f} km2, "
              f"lake {np.count_nonzero(self.lake) * self.cell ** 2:.1f} km2, "
              f"outline cells {np.count_nonzero(self.edge)}")
        r, c = self.cell_of(*CITY)
        print(f"  cone centre row {r + 1} col {c + 1}: top {self.top[r, c]:.1f} m, deep head "
              f"{self.h3[r, c]:.1f} m ({self.top[r, c] - self.h3[r, c]:.1f} m below ground)")
        for cid, name, *_ in COUNTIES:
            print(f"  {name:10s} {np.count_nonzero(self.county == cid) * self.cell ** 2:7.0f} km2")

    # ---------------------------------------------------------------------------------------
    def ghb_entries(self):
        """GHB on the outline: one entry per layer and 1-m band of regional head (heads are
        scalars per entry). Conductance = T * cell width / 5 km (the distance to a regional
        head in the surrounding plain, schematic)."""
        out = []
        cellm = self.cell * 1000.0
        specs = [  # layer, head array, transmissivity m2/d
            (1, self.h1, 4.0 * 40.0),
            (3, self.h3, 3.5 * 220.0),
            (4, self.h4, 1.5 * 150.0),
        ]
        for layer, h, T in specs:
            cond = T * cellm / GHB_DISTANCE_M
            bands = {}
            for r, c in zip(*np.nonzero(self.edge)):
                bands.setdefault(int(np.floor(h[r, c])), []).append((int(r) + 1, int(c) + 1))
            for hb in sorted(bands):
                cells = ", ".join(f"[{layer}, {r}, {c}]" for r, c in bands[hb])
                out.append(f"    - {{name: ghb_l{layer}_{hb + 0.5:+.1f}, head: {hb + 0.5:.1f}, "
                           f"conductance: {cond:.1f},\n       cells: [{cells}]}}")
        return "\n".join(out)

    def wells(self):
        """Municipal and industrial deep wells (group III): the city well fields around
        Taocheng, and a well field at every other county seat."""
        lines = []
        rng = np.random.default_rng(7)
        city_total = 150000.0  # m3/d
        n_city = 24
        for i in range(n_city):
            ang = 2 * np.pi * i / n_city + rng.uniform(-0.1, 0.1)
            rad = rng.uniform(1.0, 6.0)
            x, y = CITY[0] + rad * np.cos(ang), CITY[1] + rad * np.sin(ang)
            r, c = self.nearest_active(x, y)
            lines.append((f"city_{i + 1:02d}", r, c, -city_total / n_city))
        for cid, name, cx, cy, _ in COUNTIES[1:]:
            r, c = self.nearest_active(cx, cy)
            lines.append((f"town_{name.lower()}", r, c, -8000.0))
        # Collapse wells sharing a cell (coarse grids).
        merged = {}
        for n, r, c, q in lines:
            key = (r, c)
            if key in merged:
                merged[key] = (merged[key][0], merged[key][1] + q)
            else:
                merged[key] = (n, q)
        out = []
        for (r, c), (n, q) in merged.items():
            out.append(f"    - {{name: {n}, layer: 3, row: {r + 1}, col: {c + 1}, rate: {{1: {q:.1f}}}}}")
        self.mi_total = sum(q for _, _, _, q in lines)
        return "\n".join(out)

    def polyline(self, pts):
        return "[" + ", ".join("[%.1f, %.1f]" % self.xy(x, y) for x, y in pts) + "]"

    def top_at(self, xkm, ykm):
        r, c = self.nearest_active(xkm, ykm)
        return float(self.top[r, c])

    def river_entry(self, name, depth_yaml, bed_k, width):
        pts = RIVERS[name]
        # Bed bottom 3 m below the ground at the first and last active points.
        first = next(p for p in pts if self.inside(*p)) if any(self.inside(*p) for p in pts) else pts[0]
        last = next(p for p in reversed(pts) if self.inside(*p)) if any(self.inside(*p) for p in pts) else pts[-1]
        b0, b1 = self.top_at(*first) - 3.0, self.top_at(*last) - 3.0
        return (f"    - name: {name}\n      layer: 1\n      polyline: {self.polyline(pts)}\n"
                f"      width: {width}\n      bed_k: {bed_k}\n      bed_thickness: 1.0\n"
                f"      bed_bottom: [{b0:.1f}, {b1:.1f}]\n      depth: {depth_yaml}")

    def inside(self, xkm, ykm):
        r, c = self.cell_of(xkm, ykm)
        return 0 <= r < self.nrow and 0 <= c < self.ncol and self.active[r, c]

    def observations(self):
        obs = []
        r, c = self.cell_of(*CITY)
        obs += [f"  - {{name: cone_centre_deep, layer: 3, row: {r + 1}, col: {c + 1}}}",
                f"  - {{name: cone_centre_shallow, layer: 1, row: {r + 1}, col: {c + 1}}}",
                f"  - {{name: cone_centre_aquitard, layer: 2, row: {r + 1}, col: {c + 1}}}"]
        for cid, name, cx, cy, _ in COUNTIES[1:]:
            r, c = self.nearest_active(cx + 3.0, cy + 3.0, self.district > 0)
            obs += [f"  - {{name: {name.lower()}_deep, layer: 3, row: {r + 1}, col: {c + 1}}}",
                    f"  - {{name: {name.lower()}_shallow, layer: 1, row: {r + 1}, col: {c + 1}}}"]
        return "\n".join(obs)

    def periods_yaml(self):
        lines = []
        for y in range(2015, 2015 + self.years):
            lines.append(", ".join(f"{{length: {month_days(y, m)}}}" for m in range(1, 13)))
        return "[\n    " + ",\n    ".join(lines) + "]"

    def monthly_md(self, mm):
        return "[" + ", ".join(f"{v / month_days(2015, m + 1) / 1000.0:.6f}" for m, v in enumerate(mm)) + "]"

    def baseline_yaml(self):
        f = self.prefix
        lake_top = float(np.mean(self.top[self.lake]))
        self.lake_floor = round(lake_top - 4.0, 1)
        lake_cells = np.count_nonzero(self.lake)
        rch = self.by_period(lambda y, m: round(RECHARGE_MM[m - 1] / month_days(y, m) / 1000.0, 7), "{:.7f}")
        rain = self.by_period(lambda y, m: round(PRECIP_MM[m - 1] / month_days(y, m) / 1000.0, 7), "{:.7f}", indent=8)
        evap = self.by_period(lambda y, m: round(LAKE_EVAP_MM[m - 1] / month_days(y, m) / 1000.0, 7), "{:.7f}", indent=8)
        # Baseline river water: the Fuyang carries city effluent and some flood water all year
        # (0.3 m), the Weiyun runs in the flood season (1 m); the canals are dry.
        fuyang = self.by_period(lambda y, m: 0.3, "{:.1f}")
        weiyun = self.by_period(lambda y, m: 1.0 if m in (7, 8, 9) else 0.0, "{:.1f}")
        dry = "{1: 0.0}"
        end = 2015 + self.years - 1
        text = f"""# Hengshui, North China Plain: baseline 2015-{end}, continued pumping.
# Written by make_model.py{' --coarse' if self.suffix else ''}; do not edit by hand (edit the generator and rerun).
# Synthetic but realistic: sources of every number in scenarios/hengshui/README.md.
name: Hengshui baseline{self.suffix}
grid:
  nlay: 4
  nrow: {self.nrow}
  ncol: {self.ncol}
  delr: {self.cell * 1000.0:.1f}
  delc: {self.cell * 1000.0:.1f}
  top: {{file: {f}top.csv}}
  bottom: [{{file: {f}bottom_1.csv}}, {{file: {f}bottom_2.csv}}, {{file: {f}bottom_3.csv}}, {{file: {f}bottom_4.csv}}]
  active: [{{file: {f}active.asc}}, {{file: {f}active.asc}}, {{file: {f}active.asc}}, {{file: {f}active.asc}}]
aquifer:
  # 1 shallow fresh water (groups I-II), 2 saline water body and clays (aquitard),
  # 3 deep confined main aquifer (group III), 4 group IV.
  layer_type: [convertible, confined, confined, confined]
  k: [{{file: {f}k_shallow.csv}}, 0.05, {{file: {f}k_deep.csv}}, 1.5]     # m/d
  k33: [0.3, 0.001, 0.3, 0.15]   # m/d (not used between layers: leakance below)
  # 1/d, Kv'/b' between layers 1-2 (clay at the base of the shallow fresh water and top of the
  # saline interval), 2-3 (lower saline interval into group III), 3-4 (clay between III and IV).
  leakance: [{PARAMS['LEAK_12']}, {PARAMS['LEAK_23']}, {PARAMS['LEAK_34']}]
  ss: [1.0e-5, {PARAMS['SS_AQUITARD']}, {PARAMS['SS_DEEP']}, 1.0e-5]              # 1/m; layer 3: S = {PARAMS['SS_DEEP']} x 220 m; layer 2: clay compaction lumped in
  sy: [0.07, 0.05, 0.05, 0.05]                              # specific yield (used in layer 1 only)
time:
  start: 2015-01-01
  periods: {self.periods_yaml()}
initial_head: [{{file: {f}head0_1.csv}}, {{file: {f}head0_2.csv}}, {{file: {f}head0_3.csv}}, {{file: {f}head0_4.csv}}]
zones:
  map: {{file: {f}counties.asc}}
  names: {{{", ".join(f"{cid}: {name}" for cid, name, *_ in COUNTIES)}}}
aquifers:
  shallow: [1]
  aquitard: [2]
  deep: [3, 4]
stresses:
  ghb:
{self.ghb_entries()}
  wel:
{self.wells()}
  rch:
    rate: {rch}
  riv:
{self.river_entry("fuyang_river", fuyang, 0.02, 40.0)}
{self.river_entry("hutuo_river", dry, 0.05, 60.0)}
{self.river_entry("weiyun_river", weiyun, 0.02, 50.0)}
{self.river_entry("snwd_canal", dry, 0.01, 20.0)}
{self.river_entry("shijin_canal", dry, 0.02, 15.0)}
  ponds:
    - name: hengshui_lake
      cells: {{layer: 1, mask: {{file: {f}lake.asc}}}}
      bed_k: 0.002                 # m/d, silted lake bed
      bed_thickness: 2.0
      floor: {self.lake_floor}               # m: 4 m below the mean ground of the lake cells
      max_stage: {self.lake_floor + 4.0:.1f}
      initial_stage: {self.lake_floor + 2.5:.1f}
      area: 7.5e7                  # m2 ({lake_cells} cells of the mask)
      rain: {rain}
      evaporation: {evap}
      inflow: {{1: 150000.0}}        # m3/d: transfers that keep the lake (about 55 million m3/yr)
irrigation:
  reference_et: {self.monthly_md(ET0_MM)}   # m/d, 940 mm/yr
  precipitation: {self.monthly_md(PRECIP_MM)}  # m/d, 510 mm/yr
  effective_precipitation: 0.7
  crops:
    # Kc of the irrigated crop (deficit-irrigated wheat, mostly rain-fed maize), scaled so
    # that the gross irrigation of the 2015 method mix is about 350 mm/yr.
    - {{name: winter_wheat, kc: {PARAMS['WHEAT_KC']}}}
    - {{name: summer_maize, kc: {PARAMS['MAIZE_KC']}}}
  methods:
    - {{name: flood_earthen, efficiency: 0.6, percolation: 0.5}}
    - {{name: flood_lined, efficiency: 0.75, percolation: 0.5}}
    - {{name: pipe, efficiency: 0.8, percolation: 0.4}}
    - {{name: sprinkler, efficiency: 0.84, percolation: 0.3}}
    - {{name: drip, efficiency: 0.9, percolation: 0.3}}
  district_map: {{file: {f}districts.asc}}
  districts:
{self.districts_yaml()}
observations:
{self.observations()}
output:
  save_heads: year_end     # heads at each 1 January and the end (monthly heads: period_end)
  compression: 1
solver:
  method: multigrid
  head_tolerance: 1.0e-3
  residual_tolerance: 1.0e-6
  newton:
    max_iterations: 50
    head_tolerance: 1.0e-2
    backtracking: 6
    time_step_cuts: 3
"""
        return text

    def districts_yaml(self):
        out = []
        for cid, name, *_ in COUNTIES:
            if not np.any(self.district == cid):
                continue
            out.append(f"    - name: {name.lower()}\n      id: {cid}\n"
                       f"      crops: {{winter_wheat: {CROP_SHARE}, summer_maize: {CROP_SHARE}}}\n"
                       f"      methods: {{2015: {BASE_MIX}}}\n"
                       f"      groundwater:\n        layers: {{1: 0.29, 3: 0.71}}\n        deficit: pump")
        return "\n".join(out)

    # -- the four measure scenarios (small files on base: baseline.yaml) -------------------
    def write_measures(self):
        """ponds-canals, diversion-district, water-saving and combined, each a small file on
        `base:` that states only what differs from the baseline (combined: on ponds-canals)."""
        flood = (6, 7, 8, 9)
        end = 2015 + self.years - 1
        # Ponds and canals: canals filled to 1.5 m in the flood season, rivers carry flood water.
        fill = lambda depth: (lambda y, m: depth if m in flood else 0.0)
        pc_riv = {
            "fuyang_river": self.by_period(lambda y, m: 1.5 if m in flood else 0.3, "{:.1f}", indent=12),
            "hutuo_river": self.by_period(fill(1.0), "{:.1f}", indent=12),
            "weiyun_river": self.by_period(lambda y, m: 1.5 if m in flood else 0.0, "{:.1f}", indent=12),
            "snwd_canal": self.by_period(fill(1.5), "{:.1f}", indent=12),
            "shijin_canal": self.by_period(fill(1.5), "{:.1f}", indent=12),
        }
        # Diversion: the canals run all year from 2016 (the diversion districts built in 2015).
        dv = lambda y, m: 1.5 if y >= 2016 else 0.0
        dv_riv = {"snwd_canal": self.by_period(dv, "{:.1f}", indent=12),
                  "shijin_canal": self.by_period(dv, "{:.1f}", indent=12)}
        comb = lambda y, m: 1.5 if (y >= 2016 or m in flood) else 0.0
        comb_riv = dict(pc_riv)
        comb_riv["snwd_canal"] = self.by_period(comb, "{:.1f}", indent=12)
        comb_riv["shijin_canal"] = self.by_period(comb, "{:.1f}", indent=12)

        def riv_block(depths):
            return "\n".join(f"    - name: {n}\n      depth: {d}" for n, d in depths.items())

        ponds, conns = self.pits()
        lake_conn = ("    - {name: fuyang_to_lake, canal: fuyang_river, pond: hengshui_lake, months: [6, 7, 8, 9], "
                     "max_rate: 400000.0}")
        head = lambda title, what: (f"# Hengshui, {title} ({2015}-{end}).\n# Written by make_model.py; {what}\n"
                                    f"# Everything else comes from the base scenario.\n")
        pc = (head("measure 1: ponds, pits, rivers and canals connected and filled in the flood season",
                   "the canals and rivers hold water in Jun-Sep, pit-pond clusters along them and\n"
                   "# Hengshui Lake are filled from them.")
              + f"base: baseline.yaml\nname: Hengshui ponds-canals{self.suffix}\nstresses:\n  riv:\n{riv_block(pc_riv)}\n"
              f"  ponds:\n{ponds}\n  connections:\n{lake_conn}\n{conns}\n")
        self.write_text("ponds-canals.yaml", pc)

        dd_districts = self.district_items(diversion=True, saving=False)
        dd = (head("measure 2: diversion irrigation districts",
                   "canal water (South-to-North diversion canal, Shijin canal) replaces\n"
                   "# part of the pumping in the districts the canals reach, from 2016.")
              + f"base: baseline.yaml\nname: Hengshui diversion-district{self.suffix}\nstresses:\n  riv:\n{riv_block(dv_riv)}\n"
              f"irrigation:\n  districts:\n{dd_districts}\n")
        self.write_text("diversion-district.yaml", dd)

        ws = (head("measure 3: efficient water-saving irrigation and winter-wheat fallowing",
                   "the method mix moves from flood irrigation to pipes, sprinklers and\n"
                   "# drip over 2015-2020, and a share of the winter wheat is fallowed from 2016.")
              + f"base: baseline.yaml\nname: Hengshui water-saving{self.suffix}\n"
              f"irrigation:\n  districts:\n{self.district_items(diversion=False, saving=True)}\n")
        self.write_text("water-saving.yaml", ws)

        cb = (head("all three measures together",
                   "ponds-canals is the base; the canals also run all year for the\n"
                   "# diversion districts, and the districts get the diversion and water-saving changes.")
              + f"base: ponds-canals.yaml\nname: Hengshui combined{self.suffix}\nstresses:\n  riv:\n"
              f"{riv_block({k: comb_riv[k] for k in ('snwd_canal', 'shijin_canal')})}\n"
              f"irrigation:\n  districts:\n{self.district_items(diversion=True, saving=True)}\n")
        self.write_text("combined.yaml", cb)

    def write_text(self, name, text):
        with open(os.path.join(self.yaml_dir, name), "w") as f:
            f.write(text)

    def district_items(self, diversion, saving):
        out = []
        area = {cid: np.count_nonzero(self.district == cid) * self.cell ** 2 for cid, *_ in COUNTIES}
        reached = {n: c for c, ns in DIVERSION.items() for n in ns}
        total_area = sum(area[cid] for cid, name, *_ in COUNTIES if name in reached)
        for cid, name, *_ in COUNTIES:
            if area[cid] == 0 or (not saving and name not in reached):
                continue
            lines = [f"    - name: {name.lower()}"]
            if saving:
                lines.append(f"      methods: {SAVING_MIX}")
                lines.append(f"      fallowing: [{{crop: winter_wheat, share: {FALLOW_SHARE}, months: [10, 11, 12, 1, 2, 3, 4, 5, 6], "
                             f"years: [{', '.join(str(y) for y in range(2016, 2015 + self.years))}]}}]")
            if diversion and name in reached:
                allot = DIVERSION_TOTAL_M3 * area[cid] / total_area
                lines.append(f"      surface_water: {{canal: {reached[name]}, capacity: {allot / 60.0:.0f}, "
                             f"allotment: {allot:.4g}, conveyance_efficiency: 0.75, conveyance_percolation: 0.6}}")
            out.append("\n".join(lines))
        return "\n".join(out)

    def pits(self):
        """Pit-pond clusters (2 x 2 cells, 0.6 km2 of water; yearly mean rain 510 mm and
        evaporation 1,020 mm) beside the rivers and canals, one
        third, half and two thirds along each; each filled from its river in Jun-Sep."""
        ponds, conns = [], []
        taken = np.zeros_like(self.active)
        for river, pts in RIVERS.items():
            pts = np.array(pts, dtype=float)
            seg = np.hypot(*np.diff(pts, axis=0).T)
            cum = np.concatenate([[0], np.cumsum(seg)])
            inside = [i for i in range(len(pts)) if self.inside(*pts[i])]
            lo = cum[max(inside[0] - 1, 0)] if inside else 0.0
            hi = cum[min(inside[-1] + 1, len(pts) - 1)] if inside else cum[-1]
            for k, frac in enumerate((0.33, 0.5, 0.67)):
                s = lo + frac * (hi - lo)
                i = min(np.searchsorted(cum, s) - 1, len(seg) - 1)
                t = (s - cum[i]) / seg[i]
                p = pts[i] + t * (pts[i + 1] - pts[i])
                d = (pts[i + 1] - pts[i]) / seg[i]
                q = p + 1.5 * np.array([-d[1], d[0]])           # 1.5 km to the left bank
                ok = self.active & (self.district > 0) & ~taken
                ok2 = ok[:-1, :-1] & ok[1:, :-1] & ok[:-1, 1:] & ok[1:, 1:]
                dist = np.where(ok2, np.hypot(self.X[:-1, :-1] - q[0], self.Y[:-1, :-1] - q[1]), np.inf)
                r, c = np.unravel_index(np.argmin(dist), dist.shape)
                taken[r:r + 2, c:c + 2] = True
                ground = float(self.top[r:r + 2, c:c + 2].min())
                floor = round(ground - 5.0, 1)
                name = f"pits_{river.split('_')[0]}_{k + 1}"
                ponds.append(f"    - name: {name}\n      cells: {{layer: 1, rows: [{r + 1}, {r + 2}], cols: [{c + 1}, {c + 2}]}}\n"
                             f"      bed_k: 0.005\n      bed_thickness: 1.0\n      floor: {floor}\n"
                             f"      max_stage: {floor + 4.0:.1f}\n      initial_stage: {floor}\n      area: 6.0e5\n"
                             f"      rain: 0.0014\n      evaporation: 0.0028")
                conns.append(f"    - {{name: {river.split('_')[0]}_to_{name}, canal: {river}, pond: {name}, "
                             f"months: [6, 7, 8, 9], max_rate: 40000.0}}")
        return "\n".join(ponds), "\n".join(conns)


def box_blur(a, radius_cells):
    """Mean over a (2r+1)-square window, edges padded with the edge value (separable)."""
    r = max(int(round(radius_cells)), 1)
    for axis in (0, 1):
        p = np.pad(a, [(r, r) if ax == axis else (0, 0) for ax in (0, 1)], mode="edge")
        c = np.cumsum(p, axis=axis)
        c = np.insert(c, 0, 0.0, axis=axis)
        n = a.shape[axis]
        a = (np.take(c, np.arange(2 * r + 1, n + 2 * r + 1), axis=axis)
             - np.take(c, np.arange(0, n), axis=axis)) / (2 * r + 1)
    return a


def largest_component(mask):
    lab = np.zeros(mask.shape, dtype=int)
    best, best_n, cur = 0, 0, 0
    nr, nc = mask.shape
    for r0 in range(nr):
        for c0 in range(nc):
            if mask[r0, c0] and lab[r0, c0] == 0:
                cur += 1
                stack, n = [(r0, c0)], 0
                lab[r0, c0] = cur
                while stack:
                    r, c = stack.pop()
                    n += 1
                    for rr, cc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                        if 0 <= rr < nr and 0 <= cc < nc and mask[rr, cc] and lab[rr, cc] == 0:
                            lab[rr, cc] = cur
                            stack.append((rr, cc))
                if n > best_n:
                    best, best_n = cur, n
    return lab == best


# Calibration parameters (see README: "Calibration").
PARAMS = {
    "LEAK_12": "1.0e-6",
    "LEAK_23": "2.0e-5",
    "LEAK_34": "1.0e-4",
    "SS_AQUITARD": "3.0e-4",
    "SS_DEEP": "1.1e-5",
    "WHEAT_KC": "[0.28, 0.35, 0.56, 0.77, 0.8, 0.25, 0, 0, 0, 0.35, 0.42, 0.28]",
    "MAIZE_KC": "[0, 0, 0, 0, 0, 0.38, 0.75, 0.9, 0.68, 0, 0, 0]",
}
CROP_SHARE = 0.40
GHB_DISTANCE_M = 25000.0
# Measures (schematic; see README).
DIVERSION = {"snwd_canal": ["Jizhou", "Taocheng", "Zaoqiang", "Wuyi", "Jingxian"],
             "shijin_canal": ["Shenzhou", "Wuqiang"]}
DIVERSION_TOTAL_M3 = 2.5e8          # m3/yr of canal water for the districts reached
SAVING_MIX = ("{2015: {flood_earthen: 0.5, flood_lined: 0.2, pipe: 0.3}, "
              "2016: {flood_earthen: 0.41, flood_lined: 0.18, pipe: 0.33, sprinkler: 0.04, drip: 0.04}, "
              "2017: {flood_earthen: 0.32, flood_lined: 0.16, pipe: 0.36, sprinkler: 0.08, drip: 0.08}, "
              "2018: {flood_earthen: 0.23, flood_lined: 0.14, pipe: 0.39, sprinkler: 0.12, drip: 0.12}, "
              "2019: {flood_earthen: 0.14, flood_lined: 0.12, pipe: 0.42, sprinkler: 0.16, drip: 0.16}, "
              "2020: {flood_earthen: 0.05, flood_lined: 0.1, pipe: 0.45, sprinkler: 0.2, drip: 0.2}}")
FALLOW_SHARE = 0.25
BASE_MIX = "{flood_earthen: 0.5, flood_lined: 0.2, pipe: 0.3}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coarse", action="store_true", help="2 km cells, 3 years, into tests/regression/hengshui_coarse/")
    ap.add_argument("--years", type=int, help=argparse.SUPPRESS)   # experiments: a shorter copy
    ap.add_argument("--out", help=argparse.SUPPRESS)                # ... into another folder
    a = ap.parse_args()
    if a.out:
        Model(2.0 if a.coarse else 0.5, a.years or 21, a.out, "data/").write()
    elif a.coarse:
        out = os.path.join(HERE, "..", "..", "tests", "regression", "hengshui_coarse")
        Model(2.0, 3, os.path.normpath(out), "", " (coarse regression copy)").write()
    else:
        Model(0.5, 21, HERE, "data/").write()


if __name__ == "__main__":
    main()
