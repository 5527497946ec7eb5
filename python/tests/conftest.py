"""Shared fixtures: the gwsim binary and small results it writes into tmp dirs.

The binary comes from $GWSIM_BINARY, else <repo>/build/sim/cli/gwsim, else the
first <repo>/build*/sim/cli/gwsim; without one, tests that need a result are
skipped with the reason. The package is imported from python/ without
installing it.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))

import scenarios  # noqa: E402  (tests/scenarios.py, on sys.path as pytest's rootdir-relative module)


def find_binary():
    """Path of the gwsim binary, or None."""
    explicit = os.environ.get("GWSIM_BINARY")
    if explicit:
        path = Path(explicit)
        if not path.is_absolute():
            path = REPO / path
        return path if path.is_file() else None
    candidates = [REPO / "build" / "sim" / "cli" / "gwsim", *sorted(REPO.glob("build*/sim/cli/gwsim"))]
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def gwsim_binary():
    binary = find_binary()
    if binary is None:
        where = os.environ.get("GWSIM_BINARY") or f"{REPO}/build*/sim/cli/gwsim"
        pytest.skip(f"no gwsim binary at {where}: build it (cmake --build build --target gwsim) "
                    f"or set GWSIM_BINARY")
    return binary


class Run:
    """A finished run: the result path and what the binary printed."""

    def __init__(self, path, stdout):
        self.path = path
        self.stdout = stdout

    def printed(self, label):
        """The value the run summary prints after `label`, e.g. 'worst budget error'."""
        match = re.search(rf"^\s*{re.escape(label)}\s+(.*)$", self.stdout, re.MULTILINE)
        assert match, f"{label!r} not in the run summary:\n{self.stdout}"
        return match.group(1).strip()


def run_scenario(binary, directory, name, text):
    directory.mkdir(parents=True, exist_ok=True)
    scenario = directory / f"{name}.yaml"
    scenario.write_text(text)
    result = directory / f"{name}.h5"
    done = subprocess.run([str(binary), "run", str(scenario), "-o", str(result), "-q", "--threads", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"gwsim run {name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return Run(result, done.stdout)


def _fixture(name):
    @pytest.fixture(scope="session")
    def run(gwsim_binary, tmp_path_factory):
        return run_scenario(gwsim_binary, tmp_path_factory.mktemp(name), name, getattr(scenarios, name.upper()))
    return run


thiem_run = _fixture("thiem")
linear_run = _fixture("linear")
transient_run = _fixture("transient")
water_table_run = _fixture("water_table")
no_heads_run = _fixture("no_heads")
pumped_run = _fixture("pumped")
irrigated_run = _fixture("irrigated")


@pytest.fixture(scope="session")
def comparison_run(gwsim_binary, tmp_path_factory):
    """`gwsim compare` of the irrigated run (base) with two scenarios that pump
    less at the farm well: irrigated_less (a third) and irrigated_no_well."""
    directory = tmp_path_factory.mktemp("compare")
    runs = {name: run_scenario(gwsim_binary, directory, name, getattr(scenarios, name.upper()))
            for name in ("irrigated", "irrigated_less", "irrigated_no_well")}
    output = directory / "comparison.h5"
    done = subprocess.run([str(gwsim_binary), "compare", *(str(r.path) for r in runs.values()), "-o", str(output)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"gwsim compare failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return Run(output, done.stdout), runs
