#!/usr/bin/env python3
"""Regression guard: the coarsened Hengshui model against a stored reference.

    check_hengshui_coarse.py GWSIM MODEL_DIR WORK_DIR [--update]

MODEL_DIR is tests/regression/hengshui_coarse/, written by
`scenarios/hengshui/make_model.py --coarse` (2 km cells, 4 layers, 2015-2017,
36 monthly stress periods): the same generator, layering, stresses,
irrigation districts and measures as the flagship model, only coarser and
shorter. The baseline and the combined scenario (which composes ponds-canals
through `base:` and adds the diversion and water-saving changes, so it
exercises every package the Hengshui set uses) are run through the real
binary, and compared with reference.json in MODEL_DIR:

  heads   every observation point (23) at the end of every stress period (36),
          absolute tolerance 1e-6 m;
  budget  every budget term's yearly volume in and out, and each district's
          yearly pumping and surface-water delivery, relative tolerance 1e-6
          (of max(|reference|, 1 m3)).

Why these tolerances: the run is deterministic (the engine's reductions give
the same answer for 1 and N threads), so on the reference machine the
difference is exactly 0. The tolerances only leave room for floating-point
differences of another compiler or libm; they are far below anything
physical (the solver stops at 1e-3 m head change, so a real change to the
numerics moves heads by up to millimetres and fails this test, as it should).

This is a regression guard, not a physics check: the reference was produced
by the code itself, so it says "the numbers did not change", not "the numbers
are right" (the verification tests compare with analytic solutions). After a
deliberate change, rerun with --update, check the differences it prints, and
commit the new reference.json with the change that caused it.
"""
import json
import os
import subprocess
import sys
import time

import h5py
import numpy as np

SCENARIOS = ["baseline", "combined"]
HEAD_ABS_TOL = 1e-6        # m
BUDGET_REL_TOL = 1e-6      # relative, of max(|ref|, 1 m3)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def numbers(path):
    f = h5py.File(path, "r")
    o = f["observations"]
    out = {"obs_names": [text(n) for n in o["name"][:]],
           "obs_time": o["time"][:].tolist(),
           "obs_head": o["head"][:].tolist()}
    b = f["budget"]
    dt, t = b["dt"][:], b["time"][:]
    year = np.floor((t - 0.5 * dt) / 365.25).astype(int)  # 0 = 2015 (step midpoint)
    budget = {}
    for term in text(b.attrs["terms"]).split(","):
        for side in ("in", "out"):
            v = b[f"{term}_{side}"][:] * dt
            budget[f"{term}_{side}"] = [float(v[year == y].sum()) for y in sorted(set(year))]
    if "districts" in f:
        d = f["districts"]
        names = [text(n) for n in d["name"][:]]
        for key in ("pumping_actual", "surface_water_delivered"):
            v = d[key][:] * dt[:, None]
            for j, n in enumerate(names):
                budget[f"district_{n}_{key}"] = [float(v[year == y, j].sum()) for y in sorted(set(year))]
    out["budget_m3_per_year"] = budget
    return out


def compare(ref, new, label):
    bad = []
    if ref["obs_names"] != new["obs_names"]:
        return [f"{label}: observation names differ: {ref['obs_names']} vs {new['obs_names']}"]
    rh, nh = np.array(ref["obs_head"]), np.array(new["obs_head"])
    if rh.shape != nh.shape:
        return [f"{label}: head array shape {nh.shape}, reference {rh.shape}"]
    diff = np.abs(rh - nh)
    worst = float(diff.max())
    print(f"  {label}: heads {rh.size} values, largest difference {worst:.3e} m (tolerance {HEAD_ABS_TOL:g} m)")
    if worst > HEAD_ABS_TOL:
        i, j = np.unravel_index(np.argmax(diff), diff.shape)
        bad.append(f"{label}: head at {ref['obs_names'][j]}, step {i + 1}: {nh[i, j]:.6f} m, "
                   f"reference {rh[i, j]:.6f} m (difference {worst:.3e} m > {HEAD_ABS_TOL:g} m)")
    worst_rel, where = 0.0, ""
    for key, rv in ref["budget_m3_per_year"].items():
        nv = new["budget_m3_per_year"].get(key)
        if nv is None or len(nv) != len(rv):
            bad.append(f"{label}: budget entry {key} missing or of another length")
            continue
        for y, (a, b) in enumerate(zip(rv, nv)):
            rel = abs(a - b) / max(abs(a), 1.0)
            if rel > worst_rel:
                worst_rel, where = rel, f"{key}, year {2015 + y}: {b:.6e} m3, reference {a:.6e} m3"
    print(f"  {label}: budget {len(ref['budget_m3_per_year'])} series, largest relative difference "
          f"{worst_rel:.3e} (tolerance {BUDGET_REL_TOL:g})")
    if worst_rel > BUDGET_REL_TOL:
        bad.append(f"{label}: budget {where} (relative difference {worst_rel:.3e} > {BUDGET_REL_TOL:g})")
    return bad


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    gwsim, model, work = sys.argv[1:4]
    update = "--update" in sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    ref_path = os.path.join(model, "reference.json")
    ref = {} if update else json.load(open(ref_path))
    new, failures = {}, []
    for s in SCENARIOS:
        out = os.path.join(work, s + ".h5")
        if os.path.exists(out):
            os.remove(out)
        t0 = time.time()
        r = subprocess.run([gwsim, "run", os.path.join(model, s + ".yaml"), "-o", out, "-q", "-t", "1",
                            "--no-restart"], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{s}: gwsim exited with {r.returncode}\n{r.stdout}{r.stderr}")
        print(f"{s}: ran in {time.time() - t0:.2f} s")
        new[s] = numbers(out)
        if not update:
            failures += compare(ref[s], new[s], s)
    if update:
        with open(ref_path, "w") as f:
            json.dump({"note": "written by check_hengshui_coarse.py --update; a regression guard, not a physics check",
                       "head_abs_tol_m": HEAD_ABS_TOL, "budget_rel_tol": BUDGET_REL_TOL, **new}, f, indent=0)
        print(f"wrote {ref_path}")
        return
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok: matches the stored reference")


if __name__ == "__main__":
    main()
