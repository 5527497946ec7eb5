"""Every plot on a result where it applies (axes, labels, units, artists
checked on the figure object) and where it does not (a clear error)."""
import io
import warnings

import matplotlib.legend
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import colors
from matplotlib.collections import PatchCollection, PolyCollection, QuadMesh

import gwsim
from gwsim import plot


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def transient(transient_run):
    with gwsim.open(transient_run.path) as r:
        yield r


@pytest.fixture
def pumped(pumped_run):
    with gwsim.open(pumped_run.path) as r:
        yield r


@pytest.fixture
def water_table(water_table_run):
    with gwsim.open(water_table_run.path) as r:
        yield r


def _gids(ax):
    return {c.get_gid() for c in ax.collections}


def _colorbar_label(mappable):
    return mappable.colorbar.ax.get_ylabel()


def test_head_map_regular_grid(transient):
    ax = plot.head_map(transient, layer=2)
    assert isinstance(ax, plt.Axes)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (m)", "y (m)")
    assert ax.get_title().startswith("Head, layer 2, 2018-04-02")
    assert len(ax.images) == 1  # one image, not one patch per cell
    image = ax.images[0]
    assert image.get_array().shape == (15, 20)
    assert tuple(image.get_extent()) == transient.grid.extent
    assert _colorbar_label(image) == "head (m)"
    assert {"model-outline", "contours"} <= _gids(ax)
    assert not any(isinstance(c, (PatchCollection, PolyCollection)) for c in ax.collections)
    assert [t.get_text() for t in ax.texts if t.get_text() == "well_cell"]  # points of layer 2 labelled
    assert ax.get_xlim() == (0.0, 2000.0) and ax.get_ylim() == (0.0, 1500.0)


def test_head_map_irregular_grid_uses_pcolormesh(water_table):
    ax = plot.head_map(water_table, layer=1, contours=False)
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1 and not ax.images
    assert _colorbar_label(meshes[0]) == "head (m)"
    assert "contours" not in _gids(ax) and "model-outline" in _gids(ax)
    values = np.ma.masked_invalid(meshes[0].get_array()).reshape(5, 12)
    assert values.mask[1, 4] and not values.mask[0, 0]  # inactive cells left blank


def test_water_table_and_depth_maps(water_table):
    ax = plot.head_map(water_table, kind="water_table")
    assert ax.get_title().startswith("Water table")
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    assert _colorbar_label(mesh) == "water table (m)"
    ax = plot.depth_to_water_map(water_table)
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    assert _colorbar_label(mesh) == "depth to water (m)"
    np.testing.assert_allclose(np.ma.masked_invalid(mesh.get_array()).reshape(5, 12).filled(np.nan),
                               water_table.depth_to_water().values)


def test_head_map_errors(transient, no_heads_run):
    with pytest.raises(ValueError, match="layer 3 is out of range: this model has layers 1..2"):
        plot.head_map(transient, layer=3)
    with pytest.raises(ValueError, match="kind must be"):
        plot.head_map(transient, kind="salinity")
    with gwsim.open(no_heads_run.path) as r:
        with pytest.raises(ValueError, match=r"no saved heads \(output.save_heads: none\)"):
            plot.head_map(r)


def test_drawdown_map_is_centred_on_zero(transient):
    ax = plot.drawdown_map(transient, layer=2)
    image = ax.images[0]
    norm = image.norm
    assert isinstance(norm, colors.TwoSlopeNorm) and norm.vcenter == 0.0 and norm.vmin == -norm.vmax
    assert norm.vmax == pytest.approx(np.nanmax(np.abs(transient.drawdown(layer=2).values)))
    assert _colorbar_label(image) == "drawdown (m)"
    assert image.get_cmap().name.startswith("RdBu")
    assert "reference:" in ax.get_title() and "2018-01-02" in ax.get_title()
    ax = plot.drawdown_map(transient, layer=2, limit=2.0)
    assert ax.images[0].norm.vmax == 2.0


def test_drawdown_map_errors(water_table):
    with pytest.raises(ValueError, match="against itself is zero"):
        plot.drawdown_map(water_table)


def test_difference_map(transient, pumped, thiem_run):
    ax = plot.difference_map(pumped, transient, layer=2)
    image = ax.images[0]
    assert isinstance(image.norm, colors.TwoSlopeNorm) and image.norm.vcenter == 0.0
    assert _colorbar_label(image) == "head difference (m)"
    assert "minus Two-layer transient" in ax.get_title()
    values = np.ma.masked_invalid(image.get_array())
    assert values.min() < 0  # pumping harder lowers heads
    with gwsim.open(thiem_run.path) as other:
        with pytest.raises(ValueError, match="different grids"):
            plot.difference_map(transient, other)


def test_cross_section_row_column_polyline(transient, water_table):
    ax = plot.cross_section(transient, row=8)
    assert ax.get_xlabel() == "distance along row 8, west to east (m)"
    assert ax.get_ylabel() == "elevation (m)"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["head, layer 1", "head, layer 2", "water table"]
    assert ax.get_xlim() == (0.0, 2000.0)
    heads = transient.head(-1, 2).values[7]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), heads)

    ax = plot.cross_section(transient, col=12)
    assert ax.get_xlabel() == "distance along column 12, north to south (m)"
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), transient.head(-1, 2).values[:, 11])

    ax = plot.cross_section(transient, line=[(50.0, 750.0), (1150.0, 750.0), (1150.0, 1450.0)])
    assert ax.get_xlabel() == "distance along the section line (m)"
    assert ax.get_xlim() == pytest.approx((0.0, 1800.0))
    ydata = ax.get_lines()[1].get_ydata()
    assert len(ydata) == 12 + 7  # 12 cells along row 8, then 7 more up column 12
    assert ydata[11] == pytest.approx(transient.head(-1, 2).values[7, 11])

    ax = plot.cross_section(water_table, row=2)  # inactive and dry cells
    table = ax.get_lines()[-1]
    np.testing.assert_allclose(table.get_ydata(), water_table.water_table().values[1])


def test_cross_section_errors(transient):
    with pytest.raises(ValueError, match="exactly one of row=, col= or line="):
        plot.cross_section(transient, row=1, col=1)
    with pytest.raises(ValueError, match="row 16 is out of range: this model has rows 1..15"):
        plot.cross_section(transient, row=16)
    with pytest.raises(ValueError, match="does not cross the grid"):
        plot.cross_section(transient, line=[(-500.0, -500.0), (-100.0, -100.0)])


def test_hydrographs_several_scenarios(transient, pumped):
    ax = plot.hydrographs([transient, pumped], names=["well_cell"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("date", "head (m)")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == [
        "well_cell — Two-layer transient", "well_cell — Two-layer transient, pumped harder"]
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_color() == lines[1].get_color()
    np.testing.assert_allclose(lines[1].get_ydata(), pumped.observation("well_cell").values)
    ax = plot.hydrographs(transient)
    assert [line.get_label() for line in ax.get_lines()] == ["well_cell", "shallow"]


class _ObservedOnly:
    """The part of a Result that hydrographs() reads."""

    def __init__(self, name, frame):
        self.name, self.path, self._frame = name, f"{name}.h5", frame

    def observed_heads(self):
        return self._frame


def test_hydrographs_of_many_points_and_runs_keep_their_axes():
    """23 points x 5 runs (the Hengshui report): one legend entry per line
    collapsed the axes ("constrained_layout not applied"); the colours of
    the points and the line styles of the runs are two legends beside the
    axes."""
    dates = pd.date_range("2015-01-31", periods=60, freq="M")
    names = [f"point_{i}" for i in range(23)]
    runs = [_ObservedOnly(f"run {j}", pd.DataFrame(np.random.default_rng(j).normal(size=(60, 23)),
                                                   index=dates, columns=names)) for j in range(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot.hydrographs(runs)
        ax.figure.savefig(io.BytesIO(), format="png")
    width = ax.get_position().width
    assert width > 0.4, width  # the axes keep most of the figure
    legends = [a for axes in ax.figure.axes for a in axes.get_children() if isinstance(a, matplotlib.legend.Legend)]
    for legend in legends:  # inside the figure, not clipped at its edge
        box = legend.get_window_extent().transformed(ax.figure.transFigure.inverted())
        assert box.x0 >= 0.0 and box.x1 <= 1.0 and box.y0 >= 0.0 and box.y1 <= 1.0, box
    texts = sorted(t.get_text() for leg in legends for t in leg.get_texts())
    assert texts == sorted(names + [f"run {j}" for j in range(5)])
    plt.close(ax.figure)


def test_hydrographs_errors(transient, thiem_run):
    with pytest.raises(KeyError, match="no observation named 'nowhere'"):
        plot.hydrographs(transient, names="nowhere")
    with gwsim.open(thiem_run.path) as r:
        with pytest.raises(KeyError, match=r"this result has no observations \(group /observations missing\)"):
            plot.hydrographs(r)


def test_budget_bars(transient):
    ax = plot.budget_bars(transient)
    assert ax.get_xlabel() == "stress period"
    assert ax.get_ylabel().startswith("rate (m3/d)")
    table = transient.period_budget()
    bars = {}
    for container in ax.containers:
        bars.setdefault(container.get_label(), []).append([p.get_height() for p in container.patches])
    np.testing.assert_allclose(bars["rch"][0], table["rch_in"])
    np.testing.assert_allclose(bars["_wel_out"][0], -table["wel_out"])
    assert "chd" in bars and "storage" in bars
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(legend) <= set(transient.budget_terms) and "wel" in legend
    with pytest.raises(KeyError, match="no budget term 'evt'"):
        plot.budget_bars(transient, terms=["evt"])


def test_budget_bars_per_year(transient):
    """Per calendar year: the period means weighted by the period lengths."""
    ax = plot.budget_bars(transient, per="year")
    assert ax.get_xlabel() == "year"
    table = transient.period_budget()
    mid = table["start"] + (table["end"] - table["start"]) / 2
    years = sorted(set(mid.dt.year))
    bars = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    assert len(bars["rch"]) == len(years)
    first = mid.dt.year == years[0]
    expected = (table["rch_in"][first] * table["length_days"][first]).sum() / table["length_days"][first].sum()
    assert bars["rch"][0] == pytest.approx(expected)
    with pytest.raises(ValueError, match="per must be 'period', 'year' or None"):
        plot.budget_bars(transient, per="month")


def test_district_balance_per_year(irrigated_run):
    with gwsim.open(irrigated_run.path) as r:
        ax = plot.district_balance(r, per="year")
        table = r.district_balance()
    assert ax.get_xlabel() == "year"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015"]
    dt = table["dt"]
    expected = (table["pumping_actual"] * dt).sum() / dt.sum()
    assert _bars(ax)["groundwater pumping"][0] == pytest.approx(expected)


def _bars(ax):
    """Bar heights by legend label of each bar container."""
    return {c.get_label(): np.array([p.get_height() for p in c.patches]) for c in ax.containers}


def test_district_balance_from_result(irrigated_run):
    with gwsim.open(irrigated_run.path) as r:
        ax = plot.district_balance(r)
        table = r.district_balance()
    assert ax.get_xlabel() == "month"
    assert ax.get_ylabel() == "rate (m3/d) (time-weighted mean)"
    assert ax.get_title() == "Irrigation district water balance, south_west — Irrigated plain"
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"2015-{m:02d}" for m in range(1, 13)]
    bars = _bars(ax)
    assert list(bars) == ["surface water delivered", "groundwater pumping", "unmet demand"]
    assert all(len(b) == 12 for b in bars.values())  # one bar per month
    # One step per calendar month: the monthly means are the step values.
    np.testing.assert_allclose(bars["surface water delivered"], table["surface_water_delivered"], atol=1e-9)
    np.testing.assert_allclose(bars["groundwater pumping"], table["pumping_actual"], atol=1e-9)
    np.testing.assert_allclose(bars["unmet demand"], table["unmet"], atol=1e-9)
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    np.testing.assert_allclose(lines["gross demand"], table["gross_demand"])
    np.testing.assert_allclose(lines["return flow"], table["return_flow"])
    # The stacked bars reach the demand line.
    tops = [max(p.get_y() + p.get_height() for p in bar) for bar in zip(*(c.patches for c in ax.containers))]
    np.testing.assert_allclose(tops, table["gross_demand"], atol=1e-9)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["surface water delivered", "groundwater pumping", "unmet demand",
                                     "gross demand", "return flow"])


def test_district_balance_per_step_from_path_and_table(irrigated_run):
    ax = plot.district_balance(irrigated_run.path, district="south_west", per="step")
    assert ax.get_xlabel() == "end of time step"
    assert ax.get_ylabel() == "rate (m3/d)"
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["2015-02-01", "2015-03-01"]
    with gwsim.open(irrigated_run.path) as r:
        table = r.district_balance()
    plt.close("all")
    # Two months merged into one bar: the time-weighted mean of their steps.
    two = table.iloc[:2].copy()
    two.index = pd.MultiIndex.from_arrays([pd.DatetimeIndex(["2015-01-16", "2015-01-31"]), ["a", "a"]],
                                          names=["time", "district"])
    two["dt"] = [15.0, 15.0]
    ax = plot.district_balance(two)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015-01"]
    expected = table["pumping_actual"].iloc[:2].mean()
    assert _bars(ax)["groundwater pumping"][0] == pytest.approx(expected)
    with pytest.raises(KeyError, match="no irrigation district named 'north'; this result has: south_west"):
        plot.district_balance(table, district="north")
    with pytest.raises(ValueError, match="per must be 'month', 'year' or 'step'"):
        plot.district_balance(table, per="decade")


def test_district_balance_summary_table_and_errors(transient):
    with pytest.raises(KeyError, match=r"this result has no irrigation districts \(group /districts missing\)"):
        plot.district_balance(transient)
    with pytest.raises(KeyError, match=r"group /districts missing"):
        plot.district_balance(transient.path)
    table = pd.DataFrame({"demand": [10.0, 8.0], "surface_water": [4.0, 1.0], "pumping": [5.0, 5.0],
                          "unmet": [1.0, 2.0], "return_flow": [2.0, 1.5]},
                         index=pd.Index(["north", "south"], name="district"))
    ax = plot.district_balance(table, units="million m3/yr")
    assert ax.get_ylabel() == "rate (million m3/yr)"
    assert ax.get_xlabel() == "district"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["north", "south"]
    np.testing.assert_allclose(_bars(ax)["unmet demand"], [1.0, 2.0])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["surface water delivered", "groundwater pumping", "unmet demand",
                                     "gross demand", "return flow"])
    with pytest.raises(KeyError, match="lacks column"):
        plot.district_balance(table.drop(columns="unmet"))


def test_county_ranking_from_comparison(comparison_run):
    run, _ = comparison_run
    with gwsim.open_comparison(run.path) as c:
        ax = plot.county_ranking(c, scenario="irrigated_no_well")
        saved = c.at_last_common_time("volume_saved", "irrigated_no_well")
        deep = c.at_last_common_time("volume_saved", "irrigated_no_well", aquifer="deep")
    assert ax.get_xlabel() == "volume saved (million m3)"
    assert ax.get_ylabel() == "zone"
    assert ax.get_title() == ("Zones ranked by volume saved, all aquifers\n"
                              "irrigated_no_well vs irrigated.h5 at 2016-01-01")
    ranked = saved.sort_values(ascending=False)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(ranked.index)
    assert len(ax.patches) == 2
    np.testing.assert_allclose([p.get_width() for p in ax.patches], ranked.to_numpy() / 1e6)
    plt.close("all")
    ax = plot.county_ranking(run.path, scenario=1, aquifer="deep")  # a path; a position; one aquifer
    assert "deep" in ax.get_title()
    np.testing.assert_allclose(sorted(p.get_width() for p in ax.patches), sorted(deep.to_numpy() / 1e6))
    ax = plot.county_ranking(run.path, scenario="irrigated_less", variable="head_difference")
    assert ax.get_xlabel() == "mean head difference (m)"
    with pytest.raises(ValueError, match="compares 2 scenarios"):
        plot.county_ranking(run.path)


def test_county_ranking_errors_and_tables(transient):
    with pytest.raises(ValueError, match="is a gwsim result, not a comparison"):
        plot.county_ranking(transient)
    with pytest.raises(ValueError, match=r"is not a gwsim comparison \(root attribute format = 'gwsim-result'"):
        plot.county_ranking(transient.path)
    table = pd.DataFrame({"head_change": [-1.5, 0.4, -3.2]}, index=pd.Index(["A", "B", "C"], name="county"))
    ax = plot.county_ranking(table, units="m")
    assert ax.get_xlabel() == "head_change (m)"
    assert ax.get_ylabel() == "county"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "A", "C"]
    assert [p.get_width() for p in ax.patches] == [0.4, -1.5, -3.2]
