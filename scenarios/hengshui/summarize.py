#!/usr/bin/env python3
"""Numbers for scenarios/hengshui/README.md from the Hengshui results (h5py + numpy only).

    /usr/bin/python3 scenarios/hengshui/summarize.py results/hengshui          # every scenario there
    /usr/bin/python3 scenarios/hengshui/summarize.py results/hengshui --budget # ... and water budgets

Prints:
  1. the baseline cone-centre deep head (layer 3, observation `cone_centre_deep`) on
     1 January 2015 (first month end, see below), at the end of 2015, 2020, 2025, 2035 and
     the mean decline rate, m/yr, from the ends of 2015 to 2035 and from Jan 2015;
  2. for every scenario, the change against the baseline at the ends of 2020, 2025 and
     2035: the cone-centre deep head, the mean deep head (layer 3) and the mean water table
     (layer 1) over the active area, m (> 0: higher than in the baseline);
  3. with --budget, the mean yearly water budget of each scenario, million m3/yr.

Heads are saved at each 1 January (output.save_heads: year_end); "end of 2020" is the
head saved at 2021-01-01 (the end of period 72). Observed heads are monthly.
"""
import argparse
import glob
import os

import h5py
import numpy as np

ORDER = ["baseline", "ponds-canals", "diversion-district", "water-saving", "combined"]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


class Result:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.f = h5py.File(path, "r")
        self.time = self.f["time"][:]           # days since 2015-01-01, end of each saved period
        self.active = self.f["active"][:].astype(bool)
        o = self.f["observations"]
        self.obs_names = [text(n) for n in o["name"][:]]
        self.obs_time = o["time"][:]
        self.obs_head = o["head"][:]

    def index_at_year_end(self, year):
        """Saved time at 1 January of year + 1 (days since 2015-01-01)."""
        days = (np.datetime64(f"{year + 1}-01-01") - np.datetime64("2015-01-01")).astype(int)
        i = int(np.argmin(np.abs(self.time - days)))
        if abs(self.time[i] - days) > 0.5:
            raise SystemExit(f"{self.path}: no head saved at {year + 1}-01-01")
        return i

    def obs(self, name, year=None, first=False):
        j = self.obs_names.index(name)
        if first:
            return float(self.obs_head[0, j])
        days = (np.datetime64(f"{year + 1}-01-01") - np.datetime64("2015-01-01")).astype(int)
        i = int(np.argmin(np.abs(self.obs_time - days)))
        return float(self.obs_head[i, j])

    def layer_mean(self, year, layer):
        i = self.index_at_year_end(year)
        h = self.f["head"][i, layer - 1]
        return float(h[self.active[layer - 1]].mean())

    def yearly_budget(self):
        b = self.f["budget"]
        terms = text(b.attrs["terms"]).split(",")
        dt = b["dt"][:]
        years = (b["time"][-1]) / 365.25
        out = {}
        for t in terms:
            out[t] = ((b[t + "_in"][:] * dt).sum() / years / 1e6, (b[t + "_out"][:] * dt).sum() / years / 1e6)
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder with baseline.h5 and the other scenario results")
    ap.add_argument("--budget", action="store_true")
    a = ap.parse_args()
    paths = {os.path.splitext(os.path.basename(p))[0]: p for p in glob.glob(os.path.join(a.folder, "*.h5"))}
    names = [n for n in ORDER if n in paths]
    if "baseline" not in names:
        raise SystemExit(f"{a.folder}: no baseline.h5")
    res = {n: Result(paths[n]) for n in names}
    base = res["baseline"]
    last = 2014 + int(round(base.time[-1] / 365.25))
    years = [y for y in (2015, 2020, 2025, 2035) if y <= last]

    print("Baseline, cone centre (Taocheng), deep aquifer (group III, layer 3), head m a.s.l.:")
    h0 = base.obs("cone_centre_deep", first=True)
    print(f"  end of Jan 2015  {h0:8.2f}")
    hy = {y: base.obs("cone_centre_deep", y) for y in years}
    for y in years:
        print(f"  end of {y}      {hy[y]:8.2f}")
    n = last - 2015
    if n > 0:
        print(f"  mean decline, end 2015 -> end {last}: {(hy[2015] - hy[last]) / n:.2f} m/yr")
    span = (base.obs_time[-1] - base.obs_time[0]) / 365.25
    print(f"  mean decline, end Jan 2015 -> end {last}: {(h0 - base.obs('cone_centre_deep', last)) / span:.2f} m/yr")
    for y0, y1 in zip(years[:-1], years[1:]):
        print(f"    {y0}-{y1}: {(hy[y0] - hy[y1]) / (y1 - y0):.2f} m/yr")
    print("  baseline means over the active area, m a.s.l. (shallow water table = layer 1, deep = layer 3):")
    for y in years:
        print(f"    end of {y}: water table {base.layer_mean(y, 1):8.2f}   deep {base.layer_mean(y, 3):8.2f}"
              f"   cone-centre shallow {base.obs('cone_centre_shallow', y):8.2f}")

    others = [n for n in names if n != "baseline"]
    if others:
        print("\nChange against the baseline, m (> 0: higher heads), at the end of each year:")
        print(f"  {'scenario':20s} {'year':>4s} {'cone deep':>10s} {'mean deep':>10s} {'mean shallow':>13s}")
        for n in others:
            r = res[n]
            for y in [y for y in (2020, 2025, 2035) if y <= last]:
                print(f"  {n:20s} {y:4d} {r.obs('cone_centre_deep', y) - base.obs('cone_centre_deep', y):10.2f}"
                      f" {r.layer_mean(y, 3) - base.layer_mean(y, 3):10.2f}"
                      f" {r.layer_mean(y, 1) - base.layer_mean(y, 1):13.2f}")
    if a.budget:
        for n in names:
            print(f"\n{n}: mean yearly budget, million m3/yr (in, out)")
            for t, (i, o) in res[n].yearly_budget().items():
                if i or o:
                    print(f"  {t:10s} {i:9.1f} {o:9.1f}")


if __name__ == "__main__":
    main()
