"""Reading comparison.h5, written by `gwsim compare BASE.h5 OTHER.h5... -o comparison.h5`
(format "gwsim-comparison", format_version 1, netCDF-4 / CF-1.8).

Per scenario (each OTHER result), time saved in both runs, zone and aquifer:
head_difference (m, scenario minus base, area-weighted mean), volume_saved
(m3, groundwater stored in the scenario minus in the base) and recovery_area
(m2 where the head is higher than in the base by more than
recovery_threshold); NaN where a scenario did not save that time.
"""
from __future__ import annotations

import os

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from .result import _text

SUPPORTED_FORMAT_VERSIONS = (1,)
VARIABLES = ("head_difference", "volume_saved", "recovery_area")


def file_format(path) -> str:
    """The root `format` attribute of an HDF5 file ("gwsim-result",
    "gwsim-comparison", ...), or "" when it has none or is not HDF5."""
    try:
        with h5py.File(os.fspath(path), "r") as f:
            return _text(f.attrs.get("format", ""))
    except OSError:
        return ""


def open_comparison(path) -> "Comparison":
    """Open a comparison file written by `gwsim compare`."""
    return Comparison(path)


class Comparison:
    """A comparison file written by `gwsim compare`. Use `gwsim.open_comparison(path)`.

    `dataset` is the whole file as an xarray Dataset whose `scenario` and
    `aquifer` coordinates are names and whose `zone` coordinate holds the zone
    ids (with `zone_name` beside it); times are dates. Close with `close()` or
    `with gwsim.open_comparison(p) as c:`.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        try:
            with h5py.File(self.path, "r") as f:
                attrs = dict(f.attrs)
        except (FileNotFoundError, OSError) as error:
            raise OSError(f"cannot open gwsim comparison {self.path!r}: {error}") from error
        kind = _text(attrs.get("format", ""))
        if kind != "gwsim-comparison":
            hint = " (a run result; make a comparison with `gwsim compare BASE.h5 OTHER.h5 -o comparison.h5`)" \
                if kind == "gwsim-result" else ""
            raise ValueError(f"{self.path} is not a gwsim comparison (root attribute format = {kind!r}, "
                             f"expected 'gwsim-comparison'){hint}")
        version = int(attrs.get("format_version", -1))
        if version not in SUPPORTED_FORMAT_VERSIONS:
            raise ValueError(f"{self.path} has format_version {version}; this gwsim Python package reads "
                             f"{SUPPORTED_FORMAT_VERSIONS}")
        self.base = _text(attrs.get("base", ""))  #: file name of the base result
        self.recovery_threshold = float(attrs.get("recovery_threshold", np.nan))  #: m
        raw = xr.open_dataset(self.path, engine="h5netcdf")
        self._raw = raw
        names = [_text(n) for n in raw["scenario_name"].values]
        aquifers = [_text(n) for n in raw["aquifer_name"].values]
        self.dataset = raw.assign_coords(scenario=names, aquifer=aquifers,
                                         zone_name=("zone", [_text(n) for n in raw["zone_name"].values]))

    def close(self):
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return (f"<gwsim.Comparison {self.path}: base {self.base}, scenarios {', '.join(self.scenarios)}; "
                f"{len(self.zones)} zones x {len(self.aquifers)} aquifers, {self.dataset.sizes['time']} times>")

    @property
    def scenarios(self) -> list:
        """Scenario names (result file stems), in file order."""
        return [str(s) for s in self.dataset["scenario"].values]

    @property
    def aquifers(self) -> list:
        return [str(a) for a in self.dataset["aquifer"].values]

    @property
    def zones(self) -> pd.Series:
        """Zone names indexed by zone id."""
        return pd.Series([str(n) for n in self.dataset["zone_name"].values],
                         index=pd.Index(self.dataset["zone"].values, name="zone_id"), name="zone")

    def __getitem__(self, name) -> xr.DataArray:
        return self.dataset[name]

    def scenario(self, scenario=None) -> str:
        """Name of a scenario: a name, a position, or None for the only one."""
        names = self.scenarios
        if scenario is None:
            if len(names) != 1:
                raise ValueError(f"{self.path} compares {len(names)} scenarios with {self.base} "
                                 f"({', '.join(names)}); pass scenario=")
            return names[0]
        if isinstance(scenario, (int, np.integer)) and not isinstance(scenario, bool):
            if not -len(names) <= scenario < len(names):
                raise IndexError(f"scenario {scenario} is out of range: {len(names)} scenarios")
            return names[scenario]
        if scenario not in names:
            raise KeyError(f"no scenario {scenario!r} in {self.path}; it has: {', '.join(names)}")
        return str(scenario)

    def last_common_time(self, scenario=None) -> pd.Timestamp:
        """Last time saved in both the scenario and the base (NaT if none)."""
        name = self.scenario(scenario)
        return pd.Timestamp(self.dataset["last_common_time"].sel(scenario=name).values)

    def at_last_common_time(self, variable="volume_saved", scenario=None, aquifer=None) -> pd.Series:
        """`variable` (head_difference m, volume_saved m3, recovery_area m2)
        per zone at the scenario's last common time, indexed by zone name.
        `aquifer` is an aquifer name, or None for all aquifers together:
        volume_saved and recovery_area are summed over the aquifers,
        head_difference is their plain (unweighted) mean."""
        if variable not in VARIABLES:
            raise KeyError(f"no variable {variable!r}; a comparison has: {', '.join(VARIABLES)}")
        name = self.scenario(scenario)
        when = self.last_common_time(name)
        if pd.isna(when):
            raise ValueError(f"scenario {name} and the base {self.base} have no saved time in common")
        values = self.dataset[variable].sel(scenario=name, time=when)
        if aquifer is None:
            values = values.mean("aquifer") if variable == "head_difference" else values.sum("aquifer")
        else:
            if aquifer not in self.aquifers:
                raise KeyError(f"no aquifer {aquifer!r} in {self.path}; it has: {', '.join(self.aquifers)}")
            values = values.sel(aquifer=aquifer)
        series = pd.Series(values.values, index=pd.Index(self.zones.values, name="zone"), name=variable)
        series.attrs.update(scenario=name, time=when, aquifer=aquifer, units=self.dataset[variable].attrs.get("units", ""))
        return series
