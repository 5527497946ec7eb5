"""Values read back from results the real binary wrote: against analytic
solutions, against what the run printed, and against each other."""
import math

import numpy as np
import pandas as pd
import pytest

import gwsim
import scenarios as s


def test_open_reads_metadata_only(thiem_run):
    with gwsim.open(thiem_run.path) as r:
        assert r.title == "Thiem well"
        assert r.grid.shape == (1, s.THIEM_N, s.THIEM_N)
        assert r._dataset is None  # the xarray view is opened on first use of heads
        assert "top" not in r.grid.__dict__ and "active" not in r.grid.__dict__
        assert not r.heads.variable._in_memory  # lazy until values are asked for


def test_grid_coordinates(thiem_run):
    with gwsim.open(thiem_run.path) as r:
        g = r.grid
        assert g.regular
        np.testing.assert_allclose(g.x_edges[[0, -1]], [1000.0, 1000.0 + s.THIEM_N * s.THIEM_CELL])
        np.testing.assert_allclose(g.y_edges[[0, -1]], [5000.0 + s.THIEM_N * s.THIEM_CELL, 5000.0])
        assert g.extent == (1000.0, 1000.0 + s.THIEM_N * s.THIEM_CELL, 5000.0, 5000.0 + s.THIEM_N * s.THIEM_CELL)
        assert g.cell(1000.0 + 25.0, 5000.0 + s.THIEM_N * s.THIEM_CELL - 1.0) == (1, 1)
        assert g.active.all()
        with pytest.raises(ValueError, match="outside the grid"):
            g.cell(0.0, 0.0)


def test_thiem_drawdown_matches_analytic(thiem_run):
    """h(r2) - h(r1) = Q / (2 pi T) ln(r2 / r1), within 1 % away from the well and the edges."""
    with gwsim.open(thiem_run.path) as r:
        centre = s.THIEM_N // 2
        head = r.head(layer=1).values
        transmissivity = s.THIEM_K * s.THIEM_B
        for i1, i2 in [(3, 12), (5, 15)]:
            expected = s.THIEM_Q / (2 * math.pi * transmissivity) * math.log(i2 / i1)
            along_row = head[centre, centre + i2] - head[centre, centre + i1]
            along_col = head[centre - i2, centre] - head[centre - i1, centre]
            assert along_row == pytest.approx(expected, rel=0.01)
            assert along_col == pytest.approx(along_row, rel=1e-6)  # symmetry
        budget = r.budget()
        assert list(budget.index) == [1]
        assert budget["wel_out"].iloc[0] == pytest.approx(s.THIEM_Q, rel=1e-12)
        assert budget["chd_in"].iloc[0] == pytest.approx(s.THIEM_Q, rel=1e-6)
        assert r.budget_terms[:2] == ["storage", "chd"]


def test_linear_heads_and_flow_are_exact(linear_run):
    with gwsim.open(linear_run.path) as r:
        head = r.heads.isel(time=-1).sel(layer=1).values
        x = r.grid.x
        expected = s.LINEAR_H_WEST + (s.LINEAR_H_EAST - s.LINEAR_H_WEST) * (x - x[0]) / (x[-1] - x[0])
        np.testing.assert_allclose(head, np.broadcast_to(expected, head.shape), atol=1e-8)
        flow = s.LINEAR_K * s.LINEAR_B * (s.LINEAR_H_WEST - s.LINEAR_H_EAST) / (x[-1] - x[0]) \
            * s.LINEAR_NROW * s.LINEAR_CELL
        budget = r.budget().iloc[0]
        assert budget["chd_in"] == pytest.approx(flow, rel=1e-8)
        assert budget["chd_out"] == pytest.approx(flow, rel=1e-8)


def _expected_step_ends():
    ends, t = [], 0.0
    for length, steps, m in s.TRANSIENT_PERIODS:
        first = length / steps if m == 1.0 else length * (1 - m) / (1 - m ** steps)
        for i in range(steps):
            t += first * m ** i
            ends.append(t)
    return np.array(ends)


def test_transient_dates(transient_run):
    with gwsim.open(transient_run.path) as r:
        ends = _expected_step_ends()
        np.testing.assert_allclose(r.days, ends, rtol=1e-12)
        expected = pd.Timestamp(s.TRANSIENT_START) + pd.to_timedelta(np.round(ends * 86400), unit="s")
        assert list(r.times) == list(expected)
        assert list(r.periods) == [1, 2, 2, 2, 3, 3]
        assert r.times[-1] == pd.Timestamp(s.TRANSIENT_START) + pd.Timedelta(days=91)
        assert r.time_index("2018-04-02") == len(ends) - 1
        assert r.time_index(-1) == len(ends) - 1
        with pytest.raises(KeyError, match="nearest saved time is 2018-04-02"):
            r.time_index("2018-04-05")
        with pytest.raises(IndexError, match="out of range"):
            r.time_index(6)
        heads = r.heads
        assert heads.dims == ("time", "layer", "y", "x")
        assert heads.time.values[-1] == np.datetime64("2018-04-02")


def test_transient_summary_matches_printed(transient_run):
    with gwsim.open(transient_run.path) as r:
        budget = r.budget()
        assert int(transient_run.printed("time steps")) == len(budget) == r.metadata["steps"] == 6
        assert int(transient_run.printed("stress periods")) == r.metadata["periods"] == 3
        printed = float(transient_run.printed("worst budget error").split()[0])
        assert r.worst_percent_discrepancy == pytest.approx(printed, abs=0.006 * max(printed, 1e-300) + 1e-300)
        assert r.metadata["worst_percent_discrepancy"] == pytest.approx(r.worst_percent_discrepancy)
        grid_line = transient_run.printed("grid")
        assert grid_line.startswith(f"2 layers x {s.TRANSIENT_NROW} rows x {s.TRANSIENT_NCOL} columns")
        assert f"({int(r.grid.active.sum())} active cells)" in grid_line


def test_transient_budget_columns_and_values(transient_run):
    with gwsim.open(transient_run.path) as r:
        budget = r.budget()
        for term in r.budget_terms:
            assert f"{term}_in" in budget and f"{term}_out" in budget
        for column in ("time", "days", "dt", "period", "step_in_period", "total_in", "total_out",
                       "percent_discrepancy", "solver_iterations", "relative_residual"):
            assert column in budget
        np.testing.assert_allclose(budget["days"], _expected_step_ends(), rtol=1e-12)
        # Recharge falls on every cell but the fixed-head column (whose heads it cannot change).
        area = s.TRANSIENT_NROW * (s.TRANSIENT_NCOL - 1) * s.TRANSIENT_CELL ** 2
        np.testing.assert_allclose(budget["rch_in"], s.TRANSIENT_RCH * area, rtol=1e-12)
        np.testing.assert_allclose(budget["wel_out"], [0.0] + [-s.TRANSIENT_RATE] * 5, rtol=1e-12)
        assert np.abs(budget["percent_discrepancy"]).max() < 1e-6
        assert budget.loc[1, "storage_in"] == 0.0 and budget.loc[1, "storage_out"] == 0.0

        # Storage flow from the heads: Ss b A dh/dt summed over cells (out = into storage).
        heads = r.heads.values
        thickness = np.array([s.TRANSIENT_TOP - s.TRANSIENT_BOTTOMS[0],
                              s.TRANSIENT_BOTTOMS[0] - s.TRANSIENT_BOTTOMS[1]])[:, None, None]
        for n in range(1, len(budget)):
            dt = budget["dt"].iloc[n]
            rate = (s.TRANSIENT_SS * thickness * s.TRANSIENT_CELL ** 2 * (heads[n] - heads[n - 1]) / dt).sum()
            net = budget["storage_out"].iloc[n] - budget["storage_in"].iloc[n]
            assert net == pytest.approx(rate, rel=1e-6, abs=1e-6)

        per_period = r.period_budget()
        assert list(per_period.index) == [1, 2, 3]
        np.testing.assert_allclose(per_period["length_days"], [1.0, 60.0, 30.0])
        np.testing.assert_allclose(per_period["wel_out"], [0.0, 500.0, 500.0])
        expected = (budget["storage_out"] * budget["dt"])[budget["period"] == 2].sum() / 60.0
        assert per_period.loc[2, "storage_out"] == pytest.approx(expected)
        assert per_period.loc[3, "start"] == pd.Timestamp("2018-03-03")


def test_budget_reads_new_columns_generically(transient_run, tmp_path):
    """Columns added to /budget later (newton_iterations, dry_cells, ...) appear without code changes."""
    import shutil

    import h5py
    path = tmp_path / "extra.h5"
    shutil.copy(transient_run.path, path)
    with h5py.File(path, "r+") as f:
        group = f["budget"]
        group.create_dataset("future_count", data=np.arange(6, dtype="i4"))
        group["future_count"].dims[0].attach_scale(group["step"])
        group.create_dataset("future_term_out", data=np.full(6, 500.0))
        group["future_term_out"].dims[0].attach_scale(group["step"])
        group["future_term_out"].attrs["units"] = "m3/d"
        group.create_dataset("not_per_step", data=np.arange(3.0))  # another length: not a column
    with gwsim.open(path) as r:
        budget = r.budget()
        assert list(budget["future_count"]) == list(range(6))
        assert "not_per_step" not in budget
        assert r.period_budget()["future_term_out"].tolist() == [500.0] * 3


def test_observations_match_saved_heads(transient_run):
    with gwsim.open(transient_run.path) as r:
        points = r.observation_points
        assert list(points.index) == ["well_cell", "shallow"]
        for name, (layer, row, col) in s.TRANSIENT_OBS.items():
            assert tuple(points.loc[name, ["layer", "row", "col"]]) == (layer, row, col)
        assert r.grid.cell(points.loc["shallow", "x"], points.loc["shallow", "y"]) == (4, 6)
        observed = r.observed_heads()
        assert list(observed.index) == list(r.times)  # heads saved every step
        heads = r.heads
        for name, (layer, row, col) in s.TRANSIENT_OBS.items():
            from_heads = heads.sel(layer=layer).isel(y=row - 1, x=col - 1).values
            np.testing.assert_allclose(observed[name].values, from_heads, rtol=1e-14)
        series = r.observation("well_cell")
        assert series.iloc[-1] < series.iloc[0]  # the well draws the head down
        with pytest.raises(KeyError, match="no observation named 'nowhere'.*well_cell, shallow"):
            r.observation("nowhere")


def test_drawdown_reference_choices(transient_run, pumped_run):
    with gwsim.open(transient_run.path) as r, gwsim.open(pumped_run.path) as p:
        first, last = r.head(0, 2).values, r.head(-1, 2).values
        np.testing.assert_allclose(r.drawdown(layer=2).values, first - last)
        np.testing.assert_allclose(r.drawdown(layer=2, reference=2).values, r.head(2, 2).values - last)
        np.testing.assert_allclose(r.drawdown(layer=2, reference="2018-01-02").values, first - last)
        assert r.drawdown(layer=None).dims == ("layer", "y", "x")
        assert r.drawdown(layer=2).values[7, 11] > 0
        # Another result, same dates: the pumped-harder scenario saved period ends only.
        diff = r.drawdown(time="2018-04-02", layer=2, reference=p)
        np.testing.assert_allclose(diff.values, p.head(-1, 2).values - last)
        assert diff.values[7, 11] < 0  # the harder-pumped heads are lower
        np.testing.assert_allclose(p.head_difference(r, layer=2).values, diff.values)
        with pytest.raises(KeyError, match="no heads saved at 2018-01-21"):
            p.drawdown(time=0, layer=2, reference=r, reference_time="2018-01-21")
        with pytest.raises(ValueError, match="against itself is zero"):
            r.drawdown(time=0)


def test_water_table_and_depth(water_table_run):
    with gwsim.open(water_table_run.path) as r:
        heads = r.head().values
        active = r.grid.active
        assert np.isnan(heads[~active]).all() and np.isfinite(heads[active]).all()
        bottom = np.array(s.WATER_TABLE_BOTTOMS)[:, None, None]
        dry = active[0] & (heads[0] <= bottom[0])
        assert dry[:, 0].all() and not dry[:, -1].any()  # the west of layer 1 is dry, the east wet
        use_layer_2 = ~active[0] | dry
        expected = np.where(use_layer_2, heads[1], heads[0])
        expected[~active[0] & ~active[1]] = np.nan
        table = r.water_table().values
        np.testing.assert_array_equal(np.isnan(table), np.isnan(expected))
        np.testing.assert_allclose(table, expected)
        assert np.isnan(table[4, 5])  # inactive in both layers
        np.testing.assert_allclose(r.depth_to_water().values, s.WATER_TABLE_TOP - expected)
        assert not r.grid.regular
        np.testing.assert_allclose(r.grid.delr, s.WATER_TABLE_DELR)
        # One saved time: no drawdown against the first saved time.
        with pytest.raises(ValueError, match="1 saved time"):
            r.drawdown(layer="water_table")


def test_no_heads_result(no_heads_run):
    with gwsim.open(no_heads_run.path) as r:
        assert len(r.times) == 0
        assert len(r.budget()) == 1
        with pytest.raises(ValueError, match=r"no saved heads \(output.save_heads: none\)"):
            r.head()
        with pytest.raises(KeyError, match=r"no observations \(group /observations missing\)"):
            r.observed_heads()


def test_missing_irrigation_groups(thiem_run):
    with gwsim.open(thiem_run.path) as r:
        with pytest.raises(KeyError, match=r"this result has no irrigation districts \(group /districts missing\)"):
            r.district_balance()


def test_open_errors(tmp_path):
    with pytest.raises(OSError, match="cannot open gwsim result"):
        gwsim.open(tmp_path / "missing.h5")
    import h5py
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.attrs["format"] = "something-else"
    with pytest.raises(ValueError, match="not a gwsim result"):
        gwsim.open(tmp_path / "other.h5")
