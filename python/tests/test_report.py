"""python -m gwsim report: PNGs and an index.html with the key numbers."""
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gwsim
from gwsim.__main__ import main
from gwsim.report import write_report

PYTHON_DIR = Path(__file__).resolve().parents[1]


def report(*args):
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "gwsim", "report", "--dpi", "50", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


def _images(page):
    return re.findall(r"<img src='([^']+)'", page)


def test_report_one_result(transient_run, tmp_path):
    done = report(transient_run.path, "-o", tmp_path / "rep")
    assert done.returncode == 0, done.stderr
    index = tmp_path / "rep" / "index.html"
    assert done.stdout.strip() == str(index)
    page = index.read_text()
    images = _images(page)
    assert {"r1_head_layer1.png", "r1_head_layer2.png", "r1_depth_to_water.png", "r1_drawdown_layer2.png",
            "r1_section_row8.png", "r1_budget.png", "r1_hydrographs.png"} <= set(images)
    for name in images:
        assert (tmp_path / "rep" / name).stat().st_size > 1000
        assert "/" not in name  # relative links next to index.html
    with gwsim.open(transient_run.path) as r:
        low, high = float(r.head(-1).min()), float(r.head(-1).max())
        observed = r.observed_heads()
        assert html.escape(r.title) in page
        assert f"{low:.3f} / {high:.3f}" in page
        assert f"{r.worst_percent_discrepancy:.2e}" in page
        assert "2018-01-01 to 2018-04-02 (3 stress periods, 6 steps)" in page
        assert "2 layers x 15 rows x 20 columns (600 active cells)" in page
        meta = r.metadata
        assert meta["solve_seconds"] > 0.0
        assert f"solve {meta['solve_seconds']:.2f} s, assembly {meta['assembly_seconds']:.2f} s" in page
        final, change = observed["well_cell"].iloc[-1], observed["well_cell"].iloc[-1] - observed["well_cell"].iloc[0]
        assert f"<td>{final:.3f}</td>" in page and f"<td>{change:.3f}</td>" in page


def test_report_several_results(transient_run, pumped_run, water_table_run, tmp_path):
    # In-process (the command line is tested above): saves starting another interpreter.
    index = write_report([transient_run.path, pumped_run.path, water_table_run.path], tmp_path / "rep", dpi=50)
    page = index.read_text()
    images = _images(page)
    assert {"diff_r2_r1_layer1.png", "diff_r2_r1_layer2.png", "hydrographs_all.png", "r3_head_layer1.png"} \
        <= set(images)
    assert "minus result 1 (m)" in page
    assert "largest final head difference vs result 1 (m)" in page
    with gwsim.open(transient_run.path) as a, gwsim.open(pumped_run.path) as b:
        difference = b.observation("well_cell").iloc[-1] - a.observation("well_cell").iloc[-1]
        assert f"<td>{difference:.3f}</td>" in page
        heads = b.head(-1).values - a.head(-1).values
        largest = heads.flat[np.nanargmax(np.abs(heads))]
        assert f"{largest:+.3f} (layer 2, row 8, col 12)" in page
    # What does not apply is listed, not fatal.
    assert "Not drawn" in page and "different grids" in page
    assert "no observations (group /observations missing)" in page


def test_report_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "rep")]) == 1
    assert "gwsim report: cannot open gwsim result" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["report", "-o", str(tmp_path / "rep")])
    assert exit_.value.code == 2 and "RESULT" in capsys.readouterr().err.upper()


def test_report_districts_and_comparison(irrigated_run, comparison_run, tmp_path, capsys):
    run, runs = comparison_run
    # In-process through the command-line parser (the subprocess is tested above).
    assert main(["report", str(irrigated_run.path), "--comparison", str(run.path), "-o", str(tmp_path / "rep"),
                 "--dpi", "50"]) == 0, capsys.readouterr().err
    page = (tmp_path / "rep" / "index.html").read_text()
    images = _images(page)
    assert {"r1_district_balance.png", "c1_s1_county_ranking.png", "c1_s2_county_ranking.png"} <= set(images)
    for name in images:
        assert (tmp_path / "rep" / name).stat().st_size > 1000
    assert "Scenario comparisons" in page and "irrigated_no_well" in page
    with gwsim.open_comparison(run.path) as c:
        total = c.at_last_common_time("volume_saved", "irrigated_no_well").sum() / 1e6
    assert f"<td>{total:.4g}</td>" in page
    # A comparison file among the inputs is recognised; a result without districts has no balance figure.
    index = write_report([runs["irrigated_less"].path, run.path], tmp_path / "rep2", dpi=50)
    images = _images(index.read_text())
    assert "r1_district_balance.png" in images and "c1_s1_county_ranking.png" in images
    assert not any("r2_" in name for name in images)  # the comparison is not read as a second result


def test_report_comparison_errors(irrigated_run, tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "rep"), "--comparison", str(irrigated_run.path)]) == 1
    assert "is not a gwsim comparison" in capsys.readouterr().err


def test_figures_drawn_by_two_processes_give_the_same_report(tmp_path, transient_run, pumped_run):
    """--jobs 2 forks a worker that draws every other figure: the same files and
    the same index.html (figures in the same order) as one process."""
    paths = [transient_run.path, pumped_run.path]
    one = write_report(paths, tmp_path / "one", dpi=40, jobs=1)
    two = write_report(paths, tmp_path / "two", dpi=40, jobs=2)
    assert one.read_text() == two.read_text()
    assert sorted(p.name for p in one.parent.iterdir()) == sorted(p.name for p in two.parent.iterdir())
    assert len(list(two.parent.glob("*.png"))) > 4
