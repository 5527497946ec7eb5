"""Irrigation districts, ponds, canal reaches, zone budgets and `gwsim
compare` read back from runs of the real binary, against numbers worked out
by hand from the scenario (tests/scenarios.py, IRRIGATED)."""
import numpy as np
import pandas as pd
import pytest

import gwsim
import scenarios as s


@pytest.fixture
def irrigated(irrigated_run):
    with gwsim.open(irrigated_run.path) as r:
        yield r


def expected_district():
    """The district's balance per monthly step, by hand (FMP semantics)."""
    (r0, r1), (c0, c1) = s.IRR_DISTRICT_ROWS, s.IRR_DISTRICT_COLS
    area = s.IRR_CROP_SHARE * (r1 - r0 + 1) * (c1 - c0 + 1) * s.IRR_CELL ** 2
    rows, used = [], 0.0
    for m, days in enumerate(s.IRR_MONTH_DAYS):
        etc = s.IRR_KC[m] * s.IRR_ET0[m]
        in_field = etc > 0
        use = etc * area
        pe = min(s.IRR_EFFECTIVE * s.IRR_RAIN[m], etc) * area if in_field else 0.0
        gross = (use - pe) / s.IRR_EFFICIENCY
        delivered = min(gross, s.IRR_SW_CAPACITY * s.IRR_CONVEYANCE) if gross > 0 else 0.0
        diverted = delivered / s.IRR_CONVEYANCE
        pumped = min(gross - delivered, max(0.0, s.IRR_GW_ALLOTMENT - used) / days)
        used += pumped * days
        rows.append({"irrigated_area": area if in_field else 0.0, "crop_water_use": use,
                     "effective_precipitation": pe, "net_requirement": use - pe, "gross_demand": gross,
                     "surface_water_diverted": diverted, "surface_water_delivered": delivered,
                     "conveyance_loss": diverted - delivered,
                     "conveyance_recharge": s.IRR_CONVEYANCE_PERC * (diverted - delivered),
                     "pumping_requested": pumped, "pumping_actual": pumped, "unmet": gross - delivered - pumped,
                     "return_flow": (1 - s.IRR_EFFICIENCY) * s.IRR_PERCOLATION * (delivered + pumped)})
    return pd.DataFrame(rows)


def month_ends():
    return pd.DatetimeIndex(pd.Timestamp(s.IRR_START) + pd.to_timedelta(np.cumsum(s.IRR_MONTH_DAYS), unit="D"))


def test_district_balance_against_hand_numbers(irrigated):
    table = irrigated.district_balance()
    assert table.index.names == ["time", "district"]
    assert list(table.index.get_level_values("district").unique()) == ["south_west"]
    assert list(table.index.get_level_values("time")) == list(month_ends())
    assert list(table["step"]) == list(range(1, 13))
    np.testing.assert_allclose(table["dt"], s.IRR_MONTH_DAYS)
    expected = expected_district()
    for column in expected.columns:
        np.testing.assert_allclose(table[column].to_numpy(), expected[column].to_numpy(), rtol=1e-9, atol=1e-9,
                                   err_msg=column)
    # The cases the scenario was built to show: surface water alone, capacity-limited,
    # the pumping allotment running out in May (unmet), no crop Jul-Sep.
    assert table["unmet"].iloc[4] > 0 and table["pumping_actual"].iloc[4] > 0
    assert table["pumping_actual"].iloc[0] == 0 and table["unmet"].iloc[0] == 0
    assert (table["irrigated_area"].iloc[6:9] == 0).all()
    supply = table["surface_water_delivered"] + table["pumping_actual"] + table["unmet"]
    np.testing.assert_allclose(supply, table["gross_demand"], rtol=1e-12, atol=1e-9)
    units = irrigated.table_units("districts")
    assert units["irrigated_area"] == "m2" and units["gross_demand"] == "m3/d"


def test_district_terms_match_budget(irrigated):
    table = irrigated.district_balance().groupby(level="time").sum()
    budget = irrigated.budget().set_index("time")
    np.testing.assert_allclose(budget["irr_wel_out"], table["pumping_actual"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(budget["irr_rch_in"], table["return_flow"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(budget["irr_canal_in"], table["conveyance_recharge"], rtol=1e-9, atol=1e-9)


def test_irrigation_maps(irrigated):
    table = irrigated.district_balance()
    (r0, r1), (c0, c1) = s.IRR_DISTRICT_ROWS, s.IRR_DISTRICT_COLS
    inside = np.zeros((s.IRR_NROW, s.IRR_NCOL), dtype=bool)
    inside[r0 - 1:r1, c0 - 1:c1] = True
    for t in (1, 4, "2015-06-01"):
        maps = irrigated.irrigation_maps(t)
        assert set(maps.data_vars) == {"pumping", "return"}
        assert maps["pumping"].dims == ("y", "x") and maps["pumping"].attrs["units"] == "m/d"
        i = irrigated.time_index(t)
        row = table.iloc[i]
        assert maps["pumping"].values.sum() * s.IRR_CELL ** 2 == pytest.approx(row["pumping_actual"], abs=1e-9)
        assert maps["return"].values.sum() * s.IRR_CELL ** 2 == pytest.approx(row["return_flow"], abs=1e-9)
        assert not maps["pumping"].values[~inside].any() and not maps["return"].values[~inside].any()
    # Pumping is spread evenly over the district's cells (one crop share everywhere).
    pumping = irrigated.irrigation_maps(4)["pumping"].values[inside]
    np.testing.assert_allclose(pumping, pumping[0], rtol=1e-12)
    with pytest.raises(KeyError, match="no heads saved at"):
        irrigated.irrigation_maps("2015-06-15")


def test_ponds_and_reaches(irrigated):
    ponds = irrigated.ponds()
    reaches = irrigated.reaches()
    assert ponds.index.names == ["time", "pond"] and reaches.index.names == ["time", "reach"]
    pond = ponds.xs("pond", level="pond")
    canal = reaches.xs("canal", level="reach")
    area = s.IRR_POND_CELLS * s.IRR_CELL ** 2
    np.testing.assert_allclose(pond["rain"], s.IRR_POND_RAIN * area)
    assert (pond["evaporation"] <= s.IRR_POND_EVAP * area + 1e-9).all()
    # The connection runs in May-Sep at its maximum rate (the canal always has water),
    # and what the canal diverts is what the pond receives.
    months = pond.index.month - 1  # a step ending on the 1st belongs to the month before
    months = np.where(months == 0, 12, months)
    expected = np.where(np.isin(months, s.IRR_CONNECTION_MONTHS), s.IRR_CONNECTION_RATE, 0.0)
    np.testing.assert_allclose(pond["connections"], expected)
    np.testing.assert_allclose(canal["diverted"], pond["connections"])
    assert (canal["has_water"] == 1).all()
    # Volume change = inflow + connections + rain - evaporation - seepage - spill (per day).
    volume0 = (s.IRR_POND_STAGE0 - s.IRR_POND_FLOOR) * area
    change = np.diff(np.concatenate([[volume0], pond["volume"].to_numpy()])) / pond["dt"].to_numpy()
    net = pond["inflow"] + pond["connections"] + pond["rain"] - pond["evaporation"] - pond["seepage"] - pond["spill"]
    np.testing.assert_allclose(change, net, atol=1e-6 * area)
    np.testing.assert_allclose(pond["stage"], s.IRR_POND_FLOOR + pond["volume"] / area, atol=1e-9)
    budget = irrigated.budget().set_index("time")
    np.testing.assert_allclose(budget["pond_in"] - budget["pond_out"], pond["seepage"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(budget["riv_in"] - budget["riv_out"], canal["seepage"], rtol=1e-9, atol=1e-9)


def test_zone_budget_sums_to_budget(irrigated):
    zones = irrigated.zone_budget()
    assert zones.index.names == ["time", "zone", "aquifer"]
    assert list(zones.index.get_level_values("zone").unique()) == ["West", "East"]
    assert list(zones.index.get_level_values("aquifer").unique()) == ["shallow", "deep"]
    assert irrigated.zone_budget_terms[-1] == "other_units"
    assert list(zones.columns) == [f"{t}_{side}" for t in irrigated.zone_budget_terms for side in ("in", "out")]
    budget = irrigated.budget().set_index("time")
    total = zones.groupby(level="time").sum()
    for term in irrigated.budget_terms:
        for side in ("in", "out"):
            column = f"{term}_{side}"
            np.testing.assert_allclose(total[column], budget[column], rtol=1e-9, atol=1e-6, err_msg=column)
    np.testing.assert_allclose(total["other_units_in"], total["other_units_out"], rtol=1e-9)
    # Each unit's budget closes.
    ins = zones[[c for c in zones.columns if c.endswith("_in")]].sum(axis=1)
    outs = zones[[c for c in zones.columns if c.endswith("_out")]].sum(axis=1)
    np.testing.assert_allclose(ins, outs, rtol=1e-7, atol=1e-6)
    # Where the stresses are: the farm well in East/deep, the district's pumping in West/deep.
    last = zones.xs(month_ends()[4], level="time")
    assert last.loc[("East", "deep"), "wel_out"] == pytest.approx(-s.IRR_WELL_RATE)
    assert last.loc[("West", "deep"), "irr_wel_out"] == pytest.approx(expected_district()["pumping_actual"][4])
    assert irrigated.zones.to_dict() == {1: "West", 2: "East"}
    assert irrigated.aquifers == {"shallow": [1], "deep": [2]}
    assert irrigated.layer_types == ["convertible", "confined"]
    assert irrigated.zone_map()[0].tolist() == [1, 1, 1, 1, 2, 2, 2, 2]


def test_absent_groups_raise_clear_key_errors(transient_run):
    with gwsim.open(transient_run.path) as r:
        with pytest.raises(KeyError, match=r"this result has no irrigation districts \(group /districts missing\)"):
            r.district_balance()
        with pytest.raises(KeyError, match=r"no ponds \(group /ponds missing\)"):
            r.ponds()
        with pytest.raises(KeyError, match=r"no river or canal reaches \(group /reaches missing\)"):
            r.reaches()
        with pytest.raises(KeyError, match="no irrigation maps"):
            r.irrigation_maps()
        # Without zones and aquifers the engine writes one zone and one aquifer per layer.
        zones = r.zone_budget()
        assert list(zones.index.get_level_values("zone").unique()) == ["model"]
        assert list(zones.index.get_level_values("aquifer").unique()) == ["layer_1", "layer_2"]


# -- gwsim compare ----------------------------------------------------------------
def test_open_comparison(comparison_run):
    run, runs = comparison_run
    with gwsim.open_comparison(run.path) as c:
        assert c.base == str(runs["irrigated"].path)
        assert c.scenarios == ["irrigated_less", "irrigated_no_well"]
        assert c.aquifers == ["shallow", "deep"]
        assert c.zones.to_dict() == {1: "West", 2: "East"}
        assert c.recovery_threshold == pytest.approx(0.01)
        ds = c.dataset
        assert ds["volume_saved"].dims == ("scenario", "time", "zone", "aquifer")
        assert ds["volume_saved"].attrs["units"] == "m3"
        assert list(ds["time"].values) == list(month_ends().values)
        assert c.last_common_time("irrigated_no_well") == month_ends()[-1]
        with gwsim.open(runs["irrigated"].path) as base, gwsim.open(runs["irrigated_no_well"].path) as other:
            # Mean head difference of each zone-aquifer unit, by hand from the heads (equal cell areas).
            difference = other.head(-1).values - base.head(-1).values
            for z, (zone, columns) in enumerate([("West", slice(0, 4)), ("East", slice(4, 8))]):
                for a, aquifer in enumerate(["shallow", "deep"]):
                    value = ds["head_difference"].sel(scenario="irrigated_no_well", zone=z + 1,
                                                      aquifer=aquifer).isel(time=-1).item()
                    assert value == pytest.approx(difference[a, :, columns].mean(), rel=1e-9)
            # The confined deep aquifer stores Ss b A dh: volume saved by hand.
            deep = (1.0e-4 * 30.0 * s.IRR_CELL ** 2 * difference[1]).reshape(s.IRR_NROW, 2, 4).sum(axis=(0, 2))
            saved = ds["volume_saved"].sel(scenario="irrigated_no_well", aquifer="deep").isel(time=-1).values
            np.testing.assert_allclose(saved, deep, rtol=1e-9)
        ranking = c.at_last_common_time("volume_saved", "irrigated_no_well")
        assert list(ranking.index) == ["West", "East"]
        np.testing.assert_allclose(ranking, ds["volume_saved"].sel(scenario="irrigated_no_well")
                                   .isel(time=-1).sum("aquifer").values)
        assert (ranking > 0).all()  # pumping less saves water everywhere
        less = c.at_last_common_time("volume_saved", "irrigated_less")
        assert (less < ranking).all()
        with pytest.raises(ValueError, match="compares 2 scenarios .* pass scenario="):
            c.at_last_common_time()
        with pytest.raises(KeyError, match="no aquifer 'middle'"):
            c.at_last_common_time(scenario=0, aquifer="middle")
    assert "zones ranked by groundwater volume saved" in run.stdout


def test_open_comparison_errors(irrigated_run, tmp_path):
    with pytest.raises(ValueError, match=r"is not a gwsim comparison \(root attribute format = 'gwsim-result'"):
        gwsim.open_comparison(irrigated_run.path)
    with pytest.raises(OSError, match="cannot open gwsim comparison"):
        gwsim.open_comparison(tmp_path / "missing.h5")
