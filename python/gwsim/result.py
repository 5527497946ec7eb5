"""Reading a gwsim HDF5 result (format_version 1, netCDF-4 / CF-1.8).

Opening a result reads attributes and the 1-D coordinates only; 2-D and 3-D
fields (top, bottom, active, heads) are read when first asked for, and a head
map reads one (time, layer) slice. Layer, row and column numbers are one-based
as in the scenario YAML; time positions (`time=-1`) are Python indices into
the saved times, and dates (`time="2016-01-01"`) select a saved time exactly.
"""
from __future__ import annotations

import os
from functools import cached_property

import h5py
import numpy as np
import pandas as pd
import xarray as xr

FILL_VALUE = -1e30
SUPPORTED_FORMAT_VERSIONS = (1,)


def open(path) -> "Result":  # noqa: A001 - gwsim.open mirrors xarray.open_dataset
    """Open a gwsim result file lazily (metadata only)."""
    return Result(path)


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _dates(start: pd.Timestamp, days) -> pd.DatetimeIndex:
    """Dates `days` after `start`, rounded to the second: elapsed days are sums
    of step lengths and carry rounding noise of a few nanoseconds."""
    return pd.DatetimeIndex(start + pd.to_timedelta(np.asarray(days, dtype=float) * 86400.0, unit="s").round("s"))


def _masked(values: np.ndarray) -> np.ndarray:
    """Heads with the fill value of inactive cells replaced by NaN."""
    values = np.asarray(values, dtype=float)
    values[values <= 0.5 * FILL_VALUE] = np.nan
    return values


class Grid:
    """The structured grid of a result: coordinates in m, layers, cell geometry.

    Rows run north to south (`y` decreases with row), columns west to east.
    `top`, `bottom` and `active` are read from the file on first use.
    """

    def __init__(self, file: h5py.File):
        self._file = file
        self.x = file["x"][:]  #: cell-centre x, m, one per column
        self.y = file["y"][:]  #: cell-centre y, m, one per row (decreasing)
        self.layers = file["layer"][:]  #: layer numbers, 1 = top
        self.delr = file["delr"][:]  #: column widths along x, m
        self.delc = file["delc"][:]  #: row widths along y, m

    @property
    def nlay(self) -> int:
        return len(self.layers)

    @property
    def nrow(self) -> int:
        return len(self.y)

    @property
    def ncol(self) -> int:
        return len(self.x)

    @property
    def shape(self) -> tuple:
        """(nlay, nrow, ncol)"""
        return (self.nlay, self.nrow, self.ncol)

    @cached_property
    def x_edges(self) -> np.ndarray:
        """Column edges along x, m, west to east (ncol + 1)."""
        west = self.x[0] - 0.5 * self.delr[0]
        return west + np.concatenate([[0.0], np.cumsum(self.delr)])

    @cached_property
    def y_edges(self) -> np.ndarray:
        """Row edges along y, m, north to south (nrow + 1)."""
        north = self.y[0] + 0.5 * self.delc[0]
        return north - np.concatenate([[0.0], np.cumsum(self.delc)])

    @property
    def extent(self) -> tuple:
        """(west, east, south, north) in m, as matplotlib's imshow wants it."""
        return (self.x_edges[0], self.x_edges[-1], self.y_edges[-1], self.y_edges[0])

    @property
    def regular(self) -> bool:
        """True when all columns have one width and all rows one height."""
        return bool(np.ptp(self.delr) <= 1e-9 * self.delr.max() and np.ptp(self.delc) <= 1e-9 * self.delc.max())

    @cached_property
    def top(self) -> np.ndarray:
        """Model top, m, (nrow, ncol)."""
        return self._file["top"][:]

    @cached_property
    def bottom(self) -> np.ndarray:
        """Layer bottoms, m, (nlay, nrow, ncol)."""
        return self._file["bottom"][:]

    @cached_property
    def active(self) -> np.ndarray:
        """Active-cell mask, bool, (nlay, nrow, ncol)."""
        return self._file["active"][:] != 0

    def check_layer(self, layer: int) -> int:
        """Zero-based index of the one-based `layer`, or a ValueError."""
        if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, (int, np.integer)):
            raise TypeError(f"layer must be a one-based layer number, got {layer!r}")
        if not 1 <= layer <= self.nlay:
            raise ValueError(f"layer {layer} is out of range: this model has layers 1..{self.nlay}")
        return int(layer) - 1

    def active_layer(self, layer: int) -> np.ndarray:
        """Active mask of one layer (one-based), bool (nrow, ncol); reads that layer only."""
        k = self.check_layer(layer)
        if "active" in self.__dict__:
            return self.active[k]
        return self._file["active"][k] != 0

    def bottom_layer(self, layer: int) -> np.ndarray:
        """Bottom of one layer (one-based), m, (nrow, ncol)."""
        k = self.check_layer(layer)
        if "bottom" in self.__dict__:
            return self.bottom[k]
        return self._file["bottom"][k]

    def cell(self, x: float, y: float) -> tuple:
        """One-based (row, col) of the cell holding point (x, y), or a ValueError."""
        col = np.searchsorted(self.x_edges, x, side="right")
        row = np.searchsorted(-self.y_edges, -y, side="right")
        if not (1 <= col <= self.ncol and 1 <= row <= self.nrow):
            raise ValueError(f"point ({x}, {y}) is outside the grid {self.extent}")
        return int(row), int(col)

    def same_as(self, other: "Grid") -> bool:
        return (self.shape == other.shape and np.allclose(self.x, other.x) and np.allclose(self.y, other.y))

    def __repr__(self) -> str:
        return (f"Grid({self.nlay} layers x {self.nrow} rows x {self.ncol} columns, "
                f"x {self.x_edges[0]:g}..{self.x_edges[-1]:g} m, y {self.y_edges[-1]:g}..{self.y_edges[0]:g} m)")


class Result:
    """A gwsim result file, opened lazily. Use `gwsim.open(path)`.

    Heads are in m, rates in m3/d, times are dates (pandas Timestamps) with
    elapsed days in `days`. Close with `close()` or use `with gwsim.open(p) as r:`.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        try:
            self._file = h5py.File(self.path, "r")
        except (FileNotFoundError, OSError) as error:
            raise OSError(f"cannot open gwsim result {self.path!r}: {error}") from error
        attrs = self._file.attrs
        if _text(attrs.get("format", "")) != "gwsim-result":
            self._file.close()
            raise ValueError(f"{self.path} is not a gwsim result (root attribute format != 'gwsim-result')")
        version = int(attrs.get("format_version", -1))
        if version not in SUPPORTED_FORMAT_VERSIONS:
            self._file.close()
            raise ValueError(f"{self.path} has format_version {version}; this gwsim Python package reads "
                             f"{SUPPORTED_FORMAT_VERSIONS}")
        self.title = _text(attrs.get("title", ""))  #: model name from the scenario
        self.start_date = pd.Timestamp(_text(attrs["start_date"]))  #: calendar date of t = 0
        self.completed = bool(attrs.get("completed", 0))  #: False for a run that stopped early
        self.grid = Grid(self._file)
        self.days = self._file["time"][:]  #: saved times, days since start_date
        self._dataset = None

    # -- housekeeping ---------------------------------------------------------
    def close(self):
        if self._dataset is not None:
            self._dataset.close()
            self._dataset = None
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        span = (f"{self.times[0]:%Y-%m-%d}..{self.times[-1]:%Y-%m-%d}" if len(self.days) else "no saved heads")
        return f"<gwsim.Result {self.title!r} {self.path}: {self.grid}, {len(self.days)} saved times ({span})>"

    @property
    def name(self) -> str:
        """Model name, or the file name when the scenario has none."""
        return self.title or os.path.splitext(os.path.basename(self.path))[0]

    @cached_property
    def metadata(self) -> dict:
        """Run metadata: gwsim_version, threads, wall_time_seconds, solver, steps, periods, ..."""
        if "metadata" not in self._file:
            return {}
        return {key: (_text(v) if isinstance(v, (bytes, str)) else v.item() if hasattr(v, "item") else v)
                for key, v in self._file["metadata"].attrs.items()}

    @cached_property
    def scenario(self) -> str:
        """The scenario YAML text the result was run from."""
        if "metadata/scenario" not in self._file:
            return ""
        return _text(self._file["metadata/scenario"][()])

    # -- times ----------------------------------------------------------------
    @cached_property
    def times(self) -> pd.DatetimeIndex:
        """Dates of the saved heads (end of each saved time step)."""
        return _dates(self.start_date, self.days)

    @cached_property
    def periods(self) -> np.ndarray:
        """One-based stress period of each saved time."""
        return self._file["period"][:]

    def time_index(self, time=-1) -> int:
        """Position of a saved time: an int position (negative counts from the
        end) or a date (str, datetime, numpy/pandas) that must match a saved time."""
        n = len(self.days)
        if n == 0:
            raise ValueError(f"{self.path} has no saved heads (output.save_heads: none)")
        if isinstance(time, (int, np.integer)) and not isinstance(time, (bool, np.bool_)):
            if not -n <= time < n:
                raise IndexError(f"time index {time} is out of range: {n} saved times")
            return int(time) % n
        try:
            wanted = pd.Timestamp(time)
        except (TypeError, ValueError) as error:
            raise TypeError(f"time must be a saved-time index or a date, got {time!r}") from error
        offsets = np.abs((self.times - wanted) / pd.Timedelta(days=1))
        best = int(np.argmin(offsets))
        if offsets[best] > 1e-6:
            raise KeyError(f"no heads saved at {wanted}; the nearest saved time is {self.times[best]} "
                           f"(index {best})")
        return best

    # -- heads ----------------------------------------------------------------
    @property
    def dataset(self) -> xr.Dataset:
        """The root group as a lazy xarray Dataset (heads and cell properties)."""
        if self._dataset is None:
            self._dataset = xr.open_dataset(self.path, engine="h5netcdf")
        return self._dataset

    @property
    def heads(self) -> xr.DataArray:
        """All saved heads, m, as a lazy DataArray (time, layer, y, x); NaN in
        inactive cells. Nothing is read until values are asked for, and then
        only the selected part: `r.heads.sel(layer=2).isel(time=-1).values`."""
        head = self.dataset["head"].assign_coords(time=self.times)
        head.attrs.setdefault("units", "m")
        return head

    def _read_head(self, t: int, k) -> np.ndarray:
        return _masked(self._file["head"][t, k])

    def _coords(self, layer=None, t=None) -> dict:
        coords = {"y": self.grid.y, "x": self.grid.x}
        if layer is not None:
            coords["layer"] = layer
        if t is not None:
            coords["time"] = self.times[t]
        return coords

    def head(self, time=-1, layer=None) -> xr.DataArray:
        """Heads at one saved time, m: (layer, y, x), or (y, x) for one layer.
        Reads only that time (and layer)."""
        t = self.time_index(time)
        if layer is None:
            values = self._read_head(t, slice(None))
            return xr.DataArray(values, dims=("layer", "y", "x"), name="head", attrs={"units": "m"},
                                coords={"layer": self.grid.layers, **self._coords(t=t)})
        k = self.grid.check_layer(layer)
        return xr.DataArray(self._read_head(t, k), dims=("y", "x"), name="head", attrs={"units": "m"},
                            coords=self._coords(layer=layer, t=t))

    def water_table(self, time=-1) -> xr.DataArray:
        """Head of the uppermost wet cell (active, head above its bottom), m,
        (y, x); NaN where every cell of the column is inactive or dry. Reads
        layers from the top down and stops once every column is resolved."""
        t = self.time_index(time)
        table = np.full((self.grid.nrow, self.grid.ncol), np.nan)
        unresolved = np.ones(table.shape, dtype=bool)
        for layer in self.grid.layers:
            k = int(layer) - 1
            head = self._read_head(t, k)
            wet = unresolved & np.isfinite(head) & (head > self.grid.bottom_layer(layer))
            table[wet] = head[wet]
            unresolved &= ~wet
            if not unresolved.any():
                break
        return xr.DataArray(table, dims=("y", "x"), name="water_table", coords=self._coords(t=t),
                            attrs={"units": "m", "long_name": "water table (head of the uppermost wet cell)"})

    def depth_to_water(self, time=-1) -> xr.DataArray:
        """Model top minus water table, m, (y, x): positive below ground."""
        depth = self.grid.top - self.water_table(time)
        depth.name = "depth_to_water"
        depth.attrs = {"units": "m", "long_name": "depth to water below the model top"}
        return depth

    def _field(self, time, layer) -> xr.DataArray:
        """Heads of one layer, all layers (None), or the water table."""
        if isinstance(layer, str):
            if layer != "water_table":
                raise ValueError(f"layer must be a layer number, None or 'water_table', got {layer!r}")
            return self.water_table(time)
        return self.head(time, layer)

    def drawdown(self, time=-1, layer=1, reference=None, reference_time=None) -> xr.DataArray:
        """Drawdown s = h_reference - h, m (positive where heads fell).

        The result file does not store initial heads, so by default the
        reference is this result's first saved time (for a model that starts
        with a steady period, the pre-development state). `reference` may be a
        time of this result (index or date) or another Result on the same grid
        (a scenario difference; it is read at `reference_time`, by default the
        same date as `time`). `layer` is a layer number, None for all layers,
        or "water_table".
        """
        t = self.time_index(time)
        if isinstance(reference, Result):
            if not self.grid.same_as(reference.grid):
                raise ValueError(f"cannot compare {self.path} with {reference.path}: different grids "
                                 f"({self.grid.shape} vs {reference.grid.shape})")
            other = reference
            rt = reference.time_index(self.times[t] if reference_time is None else reference_time)
        else:
            if reference is not None and reference_time is not None:
                raise TypeError("give the reference time either as reference= or reference_time=, not both")
            other = self
            rt = self.time_index(0 if reference is None and reference_time is None
                                 else reference if reference is not None else reference_time)
            if rt == t:
                raise ValueError(f"drawdown of saved time {t} ({self.times[t]:%Y-%m-%d}) against itself is zero: "
                                 f"this result has {len(self.days)} saved time(s); pass reference= another "
                                 f"time or another result")
        now = self._field(t, layer)
        before = other._field(rt, layer)
        values = before.values - now.values
        out = now.copy(data=values)
        out.name = "drawdown"
        out.attrs = {"units": "m", "long_name": "drawdown (reference head minus head)",
                     "reference": f"{other.path} at {other.times[rt]:%Y-%m-%d}"}
        return out

    def head_difference(self, other: "Result", time=-1, layer=1, other_time=None) -> xr.DataArray:
        """Scenario difference h_self - h_other, m (positive where this result's heads are higher)."""
        difference = -self.drawdown(time, layer, reference=other, reference_time=other_time)
        difference.name = "head_difference"
        difference.attrs = {"units": "m", "long_name": f"head difference ({self.name} minus {other.name})"}
        return difference

    # -- budgets --------------------------------------------------------------
    def _group(self, name: str, what: str) -> h5py.Group:
        if name not in self._file:
            raise KeyError(f"this result has no {what} (group /{name} missing): {self.path}")
        return self._file[name]

    @cached_property
    def budget_terms(self) -> list:
        """Budget term names in file order (storage, chd, wel, ...)."""
        terms = _text(self._group("budget", "budget").attrs.get("terms", ""))
        return [t for t in terms.split(",") if t]

    def budget(self) -> pd.DataFrame:
        """Water budget of every converged time step, indexed by global step.

        Every 1-D variable of /budget along `step` is a column (rates in m3/d,
        percent_discrepancy in percent, solver counters, ...); `time` is the
        date at the end of the step and `days` the elapsed days."""
        group = self._group("budget", "budget")
        steps = group["step"][:]
        columns = {}
        for name, item in group.items():
            if name == "step" or not isinstance(item, h5py.Dataset) or item.ndim != 1 or len(item) != len(steps):
                continue
            scales = [scale.name for scale in item.dims[0].values()] if item.dims[0] else []
            if scales and not scales[0].endswith("/step"):
                continue
            columns[name] = item[:]
        frame = pd.DataFrame(columns, index=pd.Index(steps, name="step"))
        if "time" in frame:
            frame.insert(0, "days", frame.pop("time"))
            frame.insert(0, "time", _dates(self.start_date, frame["days"]))
        return frame

    def budget_units(self) -> dict:
        """Units of each /budget column, from the file's `units` attributes."""
        group = self._group("budget", "budget")
        return {name: _text(item.attrs.get("units", "")) for name, item in group.items()
                if isinstance(item, h5py.Dataset)}

    def period_budget(self) -> pd.DataFrame:
        """Budget per stress period: every m3/d column as the time-weighted mean
        rate over the period (sum of rate x dt / period length), plus start and
        end dates, length in days and the worst |percent_discrepancy|."""
        frame = self.budget()
        units = self.budget_units()
        rates = [c for c in frame.columns if units.get(c) == "m3/d"]
        dt = frame["dt"]
        grouped = frame.groupby("period")
        out = pd.DataFrame({c: (frame[c] * dt).groupby(frame["period"]).sum() for c in rates})
        length = dt.groupby(frame["period"]).sum()
        out = out.div(length, axis=0)
        out.insert(0, "length_days", length)
        out.insert(0, "end", grouped["time"].max())
        out.insert(0, "start", out["end"] - pd.to_timedelta(length, unit="D"))
        if "percent_discrepancy" in frame:
            out["worst_percent_discrepancy"] = frame["percent_discrepancy"].abs().groupby(frame["period"]).max()
        return out

    @property
    def worst_percent_discrepancy(self) -> float:
        """Largest |percent_discrepancy| over all steps."""
        return float(np.abs(self._group("budget", "budget")["percent_discrepancy"][:]).max())

    # -- observations ---------------------------------------------------------
    @cached_property
    def observation_points(self) -> pd.DataFrame:
        """Observation points: name (index), layer, row, col (1-based), x, y (m)."""
        group = self._group("observations", "observations")
        names = [_text(n) for n in group["name"][:]]
        frame = pd.DataFrame({c: group[c][:] for c in ("layer", "row", "col", "x", "y")},
                             index=pd.Index(names, name="name"))
        return frame

    def observed_heads(self) -> pd.DataFrame:
        """Heads at the observation points at every time step, m: one column per
        point, indexed by date."""
        group = self._group("observations", "observations")
        times = _dates(self.start_date, group["time"][:])
        return pd.DataFrame(group["head"][:], index=pd.DatetimeIndex(times, name="time"),
                            columns=pd.Index(self.observation_points.index, name="observation"))

    def observation(self, name: str) -> pd.Series:
        """Head series of one observation point, m, indexed by date."""
        heads = self.observed_heads()
        if name not in heads.columns:
            raise KeyError(f"no observation named {name!r} in {self.path}; it has: {', '.join(heads.columns)}")
        series = heads[name]
        series.name = name
        return series

    # -- per-step tables of ponds, reaches and irrigation districts ----------
    def _step_dt(self, steps: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Length in days of each global `step`: from /budget when it has the
        step, else the difference of the elapsed days."""
        dt = np.diff(np.concatenate([[0.0], days]))
        if "budget" in self._file and "dt" in self._file["budget"]:
            budget = self._file["budget"]
            lookup = dict(zip(budget["step"][:].tolist(), budget["dt"][:].tolist()))
            dt = np.array([lookup.get(int(s), d) for s, d in zip(steps, dt)])
        return dt

    def _step_table(self, name: str, what: str, item: str) -> pd.DataFrame:
        """A (step, item) group (/ponds, /reaches, /districts) as a DataFrame
        indexed by (time, item name); one column per (step, item) variable,
        after `step` (global step number) and `dt` (step length, d)."""
        group = self._group(name, what)
        names = [_text(n) for n in group["name"][:]]
        steps = group["step"][:]
        days = group["time"][:]
        times = _dates(self.start_date, days)
        index = pd.MultiIndex.from_product([times, names], names=["time", item])
        columns = {"step": np.repeat(steps, len(names)), "dt": np.repeat(self._step_dt(steps, days), len(names))}
        for key, dataset in group.items():
            if isinstance(dataset, h5py.Dataset) and dataset.shape == (len(steps), len(names)):
                columns[key] = dataset[:].reshape(-1)
        return pd.DataFrame(columns, index=index)

    def _step_units(self, name: str) -> dict:
        group = self._group(name, name)
        return {key: _text(d.attrs.get("units", "")) for key, d in group.items()
                if isinstance(d, h5py.Dataset) and "units" in d.attrs}

    def district_balance(self) -> pd.DataFrame:
        """Water balance of the irrigation districts at every time step, from
        /districts: index (time, district), time the date at the end of the
        step; columns `step`, `dt` (d), irrigated_area (m2) and the rates in
        m3/d: crop_water_use, effective_precipitation, net_requirement,
        gross_demand, surface_water_diverted, surface_water_delivered,
        conveyance_loss, pumping_requested, pumping_actual, unmet, return_flow,
        conveyance_recharge (every (step, district) variable of the file).
        gross_demand = surface_water_delivered + pumping_actual + unmet."""
        return self._step_table("districts", "irrigation districts", "district")

    def ponds(self) -> pd.DataFrame:
        """Pond water balance at every time step, from /ponds: index (time,
        pond); columns `step`, `dt` (d), stage (m), volume (m3) and the rates
        in m3/d: inflow, connections, rain, evaporation, seepage, spill,
        imbalance."""
        return self._step_table("ponds", "ponds", "pond")

    def reaches(self) -> pd.DataFrame:
        """River and canal reaches at every time step, from /reaches: index
        (time, reach); columns `step`, `dt` (d), seepage and diverted (m3/d),
        has_water (1/0)."""
        return self._step_table("reaches", "river or canal reaches", "reach")

    def table_units(self, group: str) -> dict:
        """Units of the columns of district_balance ("districts"), ponds(),
        reaches() or zone_budget() ("zone_budget"), from the file."""
        return self._step_units(group)

    # -- zones, aquifers and zone budgets --------------------------------------
    @cached_property
    def zones(self) -> pd.Series:
        """Zone names indexed by zone id (from /zones)."""
        group = self._group("zones", "zones")
        return pd.Series([_text(n) for n in group["name"][:]], index=pd.Index(group["id"][:], name="zone_id"),
                         name="zone")

    def zone_map(self) -> np.ndarray:
        """Zone id of every (row, col), 0 outside every zone, (nrow, ncol)."""
        return self._group("zones", "zones")["map"][:]

    @cached_property
    def aquifers(self) -> dict:
        """Aquifer name -> list of its one-based layers (from /aquifers)."""
        group = self._group("aquifers", "aquifers")
        member = group["layers"][:] != 0
        return {_text(n): [int(k) for k in self.grid.layers[member[i]]]
                for i, n in enumerate(group["name"][:])}

    @cached_property
    def layer_types(self) -> list:
        """'convertible' or 'confined' for each layer (root layer_type)."""
        if "layer_type" not in self._file:
            return ["confined"] * self.grid.nlay
        return ["convertible" if t else "confined" for t in self._file["layer_type"][:]]

    @cached_property
    def zone_budget_terms(self) -> list:
        """Zone budget terms in file order: the budget terms, then other_units."""
        terms = _text(self._group("zone_budget", "zone budget").attrs.get("terms", ""))
        return [t for t in terms.split(",") if t]

    def zone_budget(self) -> pd.DataFrame:
        """Budget of every zone-aquifer unit at every time step, m3/d, from
        /zone_budget: index (time, zone name, aquifer name), columns
        <term>_in and <term>_out in file order. other_units is the flow to and
        from the other units, so each unit's budget closes; summed over all
        units the other terms equal /budget's."""
        group = self._group("zone_budget", "zone budget")
        zones = [_text(n) for n in group["zone_name"][:]]
        aquifers = [_text(n) for n in group["aquifer_name"][:]]
        steps = group["step"][:]
        times = _dates(self.start_date, group["time"][:])
        index = pd.MultiIndex.from_product([times, zones, aquifers], names=["time", "zone", "aquifer"])
        shape = (len(steps), len(zones), len(aquifers))
        columns = {}
        for term in self.zone_budget_terms:
            for side in ("in", "out"):
                key = f"{term}_{side}"
                if key in group and group[key].shape == shape:
                    columns[key] = group[key][:].reshape(-1)
        return pd.DataFrame(columns, index=index)

    # -- irrigation maps -------------------------------------------------------
    def irrigation_maps(self, time=-1) -> xr.Dataset:
        """Irrigation pumping and return flow per unit area, m/d, (y, x), at one
        saved time: variables `pumping` (summed over the pumped layers) and
        `return` (percolating field losses reaching the water table)."""
        if "irrigation_pumping" not in self._file:
            raise KeyError(f"this result has no irrigation maps (no irrigation districts): {self.path}")
        t = self.time_index(time)
        attrs = {"units": "m/d"}
        return xr.Dataset(
            {"pumping": (("y", "x"), self._file["irrigation_pumping"][t],
                         {**attrs, "long_name": "irrigation pumping per unit area"}),
             "return": (("y", "x"), self._file["irrigation_return"][t],
                        {**attrs, "long_name": "irrigation return flow per unit area"})},
            coords=self._coords(t=t))
