"""Reliability of whole runs through the real binary (issue #9): signals,
restart points and --resume, unwritable output and a full disk, no
convergence, and 1- versus 2-thread determinism.

Runs are killed for real (SIGTERM, SIGKILL) once a restart point is on disk;
the scenario is the worked example stretched to more stress periods so that
there is time to do so on a busy machine.
"""
import hashlib
import os
import re
import signal
import struct
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "scenarios" / "example" / "example.yaml"
# Heads of a resumed run must match an uninterrupted one to this (m); in
# practice they are bitwise equal.
HEAD_TOLERANCE = 1e-10


def long_example(tmp_path, years=6):
    """The worked example with `years` seasonal years instead of five; its
    rasters referenced by absolute path."""
    text = EXAMPLE.read_text()
    folder = EXAMPLE.parent
    text = text.replace("{file: active.asc}", f"{{file: {folder / 'active.asc'}}}")
    text = text.replace("{file: k_shallow.csv}", f"{{file: {folder / 'k_shallow.csv'}}}")
    periods = ["    - {length: 1, steady: true}"]
    for _ in range(years):
        periods += ["    - {length: 151, steps: 5}", "    - {length: 122, steps: 4}",
                    "    - {length: 92, steps: 3}"]
    text = re.sub(r"  periods:\n(    - .*\n)+", "  periods:\n" + "\n".join(periods) + "\n", text)
    text = text.replace("../../results/example.h5", "long.h5")
    path = tmp_path / "long.yaml"
    path.write_text(text)
    return path


# The irrigation district added to the long example: 11 x 16 cells (1.1 km2)
# in the middle of the plain, half under a crop, pumping the deep aquifer:
# 18 792 m3/d gross all year, so the yearly groundwater allotment of 4e6 m3
# runs out 213 days into each year, in the June-September period (step 8
# of 73 in 2015); the rest of the year is left unmet.
DISTRICT_ROWS, DISTRICT_COLS = (25, 35), (45, 60)
DISTRICT_ALLOTMENT = 4.0e6


def irrigated_long_example(tmp_path):
    """The long example with one irrigation district whose groundwater
    allotment binds every year."""
    path = long_example(tmp_path)
    (r0, r1), (c0, c1) = DISTRICT_ROWS, DISTRICT_COLS
    district_map = [[1 if r0 <= r <= r1 and c0 <= c <= c1 else 0 for c in range(1, 81)]
                    for r in range(1, 61)]
    path.write_text(path.read_text() + f"""irrigation:
  reference_et: {[0.003] * 12}
  precipitation: {[0.0005] * 12}
  effective_precipitation: 0.7
  crops:
    - {{name: wheat, kc: {[0.8] * 12}}}
  methods:
    - {{name: flood, efficiency: 0.6, percolation: 0.5}}
  district_map: {district_map}
  districts:
    - name: plain
      id: 1
      crops: {{wheat: 0.5}}
      methods: {{2015: {{flood: 1.0}}}}
      groundwater: {{layers: {{2: 1.0}}, allotment: {DISTRICT_ALLOTMENT}, deficit: short}}
""")
    return path


def fnv1a64(data):
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def restart_steps_done(path):
    """Time steps completed at a restart point (sim/io/restart.hpp: magic,
    version, byte-order mark, hash, three dimensions, heads file name, then
    the next stress period and the steps done)."""
    data = path.read_bytes()
    (name_length,) = struct.unpack_from("<Q", data, 48)
    _, steps_done = struct.unpack_from("<ii", data, 56 + name_length)
    return steps_done


def with_version(data, version):
    """A restart point rewritten as format `version`, checksum made valid."""
    body = bytearray(data[:-8])
    struct.pack_into("<I", body, 8, version)
    return bytes(body) + struct.pack("<Q", fnv1a64(body))


def run(binary, *args, cwd, timeout=600, env=None):
    return subprocess.run([str(binary), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def start(binary, *args, cwd):
    return subprocess.Popen([str(binary), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(path, proc, timeout=300):
    """Wait until `path` exists (the process must still be running)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the run ended before {path} appeared:\n{proc.stderr.read()}"
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.01)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def heads(path):
    with h5py.File(path, "r") as f:
        assert int(f.attrs["completed"]) == 1
        return f["head"][...]


def leftovers(folder, name):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(name) and p.name != name)


@pytest.fixture(scope="module")
def long_run(gwsim_binary, tmp_path_factory):
    """An uninterrupted run of the long example: (scenario, result)."""
    folder = tmp_path_factory.mktemp("reference")
    scenario = long_example(folder)
    r = run(gwsim_binary, "run", scenario, "-o", folder / "reference.h5", "-q", cwd=folder)
    assert r.returncode == 0, r.stderr
    assert leftovers(folder, "reference.h5") == [], "restart point not removed after a finished run"
    return scenario, folder / "reference.h5"


def test_sigterm_stops_cleanly_and_leaves_the_earlier_result_alone(gwsim_binary, long_run, tmp_path):
    scenario, reference = long_run
    out = tmp_path / "long.h5"
    out.write_bytes(reference.read_bytes())  # an earlier result of the same name
    before = digest(out)
    proc = start(gwsim_binary, "run", scenario, "-o", out, "-q", "--restart-every", "1", cwd=tmp_path)
    wait_for(tmp_path / "long.h5.restart", proc)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, stderr
    assert took < 5.0, f"took {took:.1f} s to stop"
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted at stress period "), stderr
    assert re.search(r"\(\d+ of 73 steps done\)", stderr), stderr
    assert "no result written" in stderr and "is untouched" in stderr, stderr
    assert f"restart point {out}.restart (after stress period " in stderr, stderr
    assert "--resume" in stderr
    assert digest(out) == before, "the earlier result was changed"
    left = leftovers(tmp_path, "long.h5")
    assert not any(".partial-" in name for name in left), left
    assert "long.h5.restart" in left


def test_sigkill_then_resume_gives_the_uninterrupted_heads(gwsim_binary, long_run, tmp_path):
    scenario, reference = long_run
    out = tmp_path / "resumed.h5"
    restart = tmp_path / "resumed.h5.restart"
    proc = start(gwsim_binary, "run", scenario, "-o", out, "-q", "--restart-every", "2",
                 cwd=tmp_path)
    wait_for(restart, proc)
    proc.kill()  # SIGKILL: nothing can be handled; the restart point must already be on disk
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()

    r = run(gwsim_binary, "run", scenario, "-o", out, "-q", "--resume", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got, want = heads(out), heads(reference)
    assert got.shape == want.shape  # every saved step, as if never interrupted
    assert np.max(np.abs(got - want)) <= HEAD_TOLERANCE
    with h5py.File(out, "r") as a, h5py.File(reference, "r") as b:
        for group in ("budget", "observations", "ponds", "reaches"):
            for name in b[group]:
                if name != "name":
                    np.testing.assert_array_equal(a[group][name][...], b[group][name][...],
                                                  err_msg=f"{group}/{name}")
        np.testing.assert_array_equal(a["time"][...], b["time"][...])
        assert a["metadata"].attrs["steps"] == b["metadata"].attrs["steps"]
    left = leftovers(tmp_path, "resumed.h5")
    assert not any("restart" in name for name in left), f"restart point not removed: {left}"


def test_sigkill_then_resume_with_an_irrigation_district(gwsim_binary, tmp_path):
    """Killed after the first restart point (end of May 2015, allotment
    partly used), resumed: the allotment runs out on the same step as in the
    uninterrupted run (with its use forgotten it would last into December),
    2016 starts afresh, and heads, district balances and irrigation maps
    (kept in the heads file, not the restart point) equal the reference."""
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    scenario = irrigated_long_example(tmp_path)
    reference = reference_dir / "reference.h5"
    r = run(gwsim_binary, "run", scenario, "-o", reference, "-q", cwd=reference_dir)
    assert r.returncode == 0, r.stderr
    with h5py.File(reference, "r") as f:
        unmet = f["districts"]["unmet"][:, 0]
        assert f["irrigation_pumping"].shape == (19, 60, 80)  # period ends
    assert np.all(unmet[:6] == 0.0) and np.all(unmet[8:13] > 18000.0), unmet[:14]
    assert unmet[13] == 0.0, "the allotment did not start again in 2016"

    out = tmp_path / "resumed.h5"
    restart = tmp_path / "resumed.h5.restart"
    proc = start(gwsim_binary, "run", scenario, "-o", out, "-q", "--restart-every", "2",
                 cwd=tmp_path)
    wait_for(restart, proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    # The first restart point (after stress periods 1-2, step 6): the
    # allotment runs out after it, in the same calendar year.
    assert restart_steps_done(restart) == 6

    # A restart point of the previous format is refused, not misread.
    good = restart.read_bytes()
    restart.write_bytes(with_version(good, 3))
    r = run(gwsim_binary, "run", scenario, "-o", out, "-q", "--resume", cwd=tmp_path)
    assert r.returncode == 65, r.stderr
    assert "restart point format version 3 is not supported (this gwsim reads version 6)" in r.stderr
    assert not out.exists()
    restart.write_bytes(good)

    r = run(gwsim_binary, "run", scenario, "-o", out, "-q", "--resume", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got, want = heads(out), heads(reference)
    assert got.shape == want.shape
    assert np.max(np.abs(got - want)) <= HEAD_TOLERANCE
    with h5py.File(out, "r") as a, h5py.File(reference, "r") as b:
        for name in b["districts"]:
            if name != "name":
                np.testing.assert_array_equal(a["districts"][name][...], b["districts"][name][...],
                                              err_msg=f"districts/{name}")
        for name in ("irrigation_pumping", "irrigation_return"):
            np.testing.assert_array_equal(a[name][...], b[name][...], err_msg=name)
        for name in b["budget"]:
            np.testing.assert_array_equal(a["budget"][name][...], b["budget"][name][...],
                                          err_msg=f"budget/{name}")
    left = leftovers(tmp_path, "resumed.h5")
    assert not any("restart" in name for name in left), f"restart point not removed: {left}"


def test_sigterm_ends_one_long_solve_within_a_second(gwsim_binary, tmp_path):
    """A single steady solve of 640000 cells by Jacobi-preconditioned CG
    (tens of thousands of iterations, minutes) stops at the next solver
    iteration."""
    scenario = tmp_path / "long_solve.yaml"
    scenario.write_text("""
name: one long steady solve
grid: {nlay: 1, nrow: 800, ncol: 800, delr: 100.0, delc: 100.0, top: 0.0, bottom: [-50.0]}
aquifer: {k: 10.0, ss: 1.0e-5}
time: {start: 2020-01-01, periods: [{length: 1, steady: true}]}
initial_head: 0.0
stresses:
  chd: [{name: west, cells: {layer: 1, rows: [1, 800], col: 1}, head: 10.0}]
  wel: [{name: w, layer: 1, row: 400, col: 600, rate: -5000.0}]
solver: {method: pcg, head_tolerance: 1.0e-30, residual_tolerance: 1.0e-30, max_iterations: 100000000}
""")
    proc = start(gwsim_binary, "run", scenario, "-o", tmp_path / "out.h5", "-q", cwd=tmp_path)
    time.sleep(3.0)
    assert proc.poll() is None, proc.stderr.read()
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, stderr
    assert took < 1.0, f"took {took:.2f} s to stop"
    assert "interrupted at stress period 1, time step 1 (0 of 1 steps done), stopped during a linear solve" in stderr
    assert leftovers(tmp_path, "out.h5") == [] and not (tmp_path / "out.h5").exists()


def test_resume_refuses_a_restart_point_of_another_scenario(gwsim_binary, long_run, tmp_path):
    scenario, _ = long_run
    out = tmp_path / "long.h5"
    proc = start(gwsim_binary, "run", scenario, "-o", out, "-q", "--restart-seconds", "0", cwd=tmp_path)
    wait_for(tmp_path / "long.h5.restart", proc)
    proc.kill()
    proc.communicate(timeout=60)
    changed = tmp_path / "changed.yaml"
    changed.write_text(scenario.read_text().replace("rate: {2: -6000.0}", "rate: {2: -6500.0}", 1))
    r = run(gwsim_binary, "run", changed, "-o", out, "-q", "--resume", cwd=tmp_path)
    assert r.returncode == 65, r.stderr
    assert f"error: {out}.restart: restart point was written for a different scenario" in r.stderr
    assert not out.exists()

    # A damaged restart point is refused too, never trusted.
    restart = tmp_path / "long.h5.restart"
    data = bytearray(restart.read_bytes())
    data[len(data) // 2] ^= 0xFF
    restart.write_bytes(bytes(data))
    r = run(gwsim_binary, "run", scenario, "-o", out, "-q", "--resume", cwd=tmp_path)
    assert r.returncode == 65, r.stderr
    assert "damaged restart point (checksum mismatch" in r.stderr
    assert not out.exists()


def test_resume_without_a_restart_point(gwsim_binary, tmp_path):
    r = run(gwsim_binary, "run", EXAMPLE, "-o", tmp_path / "none.h5", "-q", "--resume", cwd=tmp_path)
    assert r.returncode == 65, r.stderr
    assert "none.h5.restart: no restart point to resume from" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_restart_writes_no_restart_point(gwsim_binary, tmp_path):
    proc = start(gwsim_binary, "run", EXAMPLE, "-o", tmp_path / "x.h5", "-q", "--no-restart",
                 cwd=tmp_path)
    seen = set()
    while proc.poll() is None:
        seen.update(p.name for p in tmp_path.iterdir())
        time.sleep(0.01)
    assert proc.returncode == 0, proc.stderr.read()
    assert not any("restart" in name for name in seen), seen


@pytest.mark.parametrize("args", [["--restart-every", "2", "--restart-seconds", "5"],
                                  ["--no-restart", "--restart-seconds", "5"],
                                  ["--restart-seconds", "-1"], ["--restart-every", "0"]],
                         ids=["periods_and_seconds", "none_and_seconds", "negative", "zero_periods"])
def test_restart_options_that_contradict_or_make_no_sense_are_refused(gwsim_binary, tmp_path, args):
    r = run(gwsim_binary, "run", EXAMPLE, "-o", tmp_path / "x.h5", "-q", *args, cwd=tmp_path)
    assert r.returncode == 64, r.stderr
    assert ("excludes" in r.stderr) or ("not in range" in r.stderr), r.stderr
    assert list(tmp_path.iterdir()) == []


FUZZ_HANG = REPO / "tests" / "fuzz" / "corpus" / "scenario" / "hang_stray_comma.yaml"


@pytest.mark.parametrize("text", [b",\n", FUZZ_HANG.read_bytes()], ids=["comma", "fuzz_found"])
def test_stray_comma_is_an_input_error_not_a_hang(gwsim_binary, tmp_path, text):
    """yaml-cpp 0.7's LoadAll loops forever, allocating, on a stray ','
    at the top level (found by tests/fuzz)."""
    scenario = tmp_path / "comma.yaml"
    scenario.write_bytes(text)
    r = run(gwsim_binary, "validate", scenario, cwd=tmp_path, timeout=20)
    assert r.returncode == 65, r.stderr
    assert re.match(r"error: .*comma\.yaml:\d+:\d+: invalid YAML: unexpected ','", r.stderr), r.stderr


def test_output_folder_that_cannot_exist(gwsim_binary, tmp_path):
    """Root ignores permission bits, so use a folder whose parent is a file."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    out = blocker / "out.h5"
    r = run(gwsim_binary, "run", EXAMPLE, "-o", out, "-q", cwd=tmp_path)
    assert r.returncode == 74, r.stderr
    assert f"cannot write result file '{out}'" in r.stderr and "Not a directory" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("restart", [True, False], ids=["restart", "no_restart"])
def test_full_disk(gwsim_binary, tmp_path, restart):
    """A file-size limit (ulimit -f, SIGXFSZ ignored) makes writes fail with
    EFBIG part-way through, as a full disk does with ENOSPC."""
    out = tmp_path / "full.h5"
    cmd = f"trap '' XFSZ; ulimit -f 300; exec '{gwsim_binary}' run '{EXAMPLE}' -o '{out}' -q"
    if not restart:
        cmd += " --no-restart"
    r = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 74, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot "), r.stderr
    assert "File too large" in r.stderr
    assert str(out) in r.stderr
    assert re.search(r"(at stress period \d+, time step \d+|after the last time step) "
                     r"\(\d+ of 61 steps done\); no result written", r.stderr), r.stderr
    assert not out.exists()
    assert not any(".partial-" in name for name in leftovers(tmp_path, "full.h5"))


def test_no_convergence_names_the_step_and_leaves_no_result(gwsim_binary, tmp_path):
    text = EXAMPLE.read_text().replace("solver:\n  method: multigrid",
                                       "solver:\n  method: pcg\n  max_iterations: 1\n"
                                       "  residual_tolerance: 1.0e-14")
    text = text.replace("{file: active.asc}", f"{{file: {EXAMPLE.parent / 'active.asc'}}}")
    text = text.replace("{file: k_shallow.csv}", f"{{file: {EXAMPLE.parent / 'k_shallow.csv'}}}")
    scenario = tmp_path / "stiff.yaml"
    scenario.write_text(text)
    r = run(gwsim_binary, "run", scenario, "-o", tmp_path / "stiff.h5", "-q", cwd=tmp_path)
    assert r.returncode == 70, r.stderr
    assert r.stderr.startswith("error: stress period 1, time step 1: no convergence"), r.stderr
    assert "last linear relative residual" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stiff.yaml"]


# The example (9600 cells) runs most loops on one thread (gwsim keeps loops
# under 16384 cells serial); threaded.yaml (20000 cells, Newton) does not.
@pytest.mark.parametrize("scenario", [EXAMPLE, REPO / "tests" / "reliability" / "threaded.yaml"],
                         ids=["example", "threaded"])
def test_one_and_two_threads_give_bitwise_identical_heads(gwsim_binary, tmp_path, scenario):
    results = {}
    for threads in (1, 2):
        out = tmp_path / f"t{threads}.h5"
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
        r = run(gwsim_binary, "run", scenario, "-o", out, "-q", "--threads", threads, "--no-restart",
                cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stderr
        results[threads] = out
    a, b = heads(results[1]), heads(results[2])
    assert a.tobytes() == b.tobytes(), f"largest difference {np.max(np.abs(a - b)):.3g} m"
    with h5py.File(results[1], "r") as f1, h5py.File(results[2], "r") as f2:
        assert f1["metadata"].attrs["threads"] == 1 and f2["metadata"].attrs["threads"] == 2
        for name in f2["budget"]:
            np.testing.assert_array_equal(f1["budget"][name][...], f2["budget"][name][...],
                                          err_msg=f"budget/{name}")


def test_more_threads_than_processors_warns_and_changes_nothing_else(gwsim_binary, tmp_path):
    """Oversubscribing the processors is allowed (the answer does not depend
    on the thread count) but slow, so the run says so on stderr."""
    procs = len(os.sched_getaffinity(0))
    too_many = procs + 1
    out = {}
    for threads in (1, too_many):
        out[threads] = tmp_path / f"t{threads}.h5"
        r = run(gwsim_binary, "run", EXAMPLE, "-o", out[threads], "-q", "--threads", threads, "--no-restart",
                cwd=tmp_path, env=dict(os.environ, OMP_WAIT_POLICY="PASSIVE"))
        assert r.returncode == 0, r.stderr
        if threads <= procs:
            assert r.stderr == "", r.stderr
        else:
            plural = "" if procs == 1 else "s"
            assert r.stderr == (f"warning: {too_many} threads on {procs} processor{plural} available to this "
                                "process: the threads take turns and the run is slower (the results are the "
                                "same for any number of threads)\n"), r.stderr
    assert heads(out[1]).tobytes() == heads(out[too_many]).tobytes()
