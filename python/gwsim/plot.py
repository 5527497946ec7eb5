"""The common pictures of a gwsim result, one call each.

Every function draws into `ax` (a new figure when None) and returns the Axes.
Maps draw the grid as one image (imshow on regular grids, pcolormesh when
delr/delc vary), never one patch per cell, and contour a decimated copy of
large fields, so a 10-million-cell layer draws in seconds. Units are in the
axis and colour-bar labels: m for lengths and heads, m3/d for rates.
"""
from __future__ import annotations

import math
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import collections as mcollections, colors, lines as mlines, ticker

from .result import Result

#: Largest number of points along each axis that contours are computed on.
CONTOUR_POINTS = 1200
DATE_FORMAT = "%Y-%m-%d"


def _point_colours(n):
    """n distinguishable colours: tab10 or tab20 while they suffice, else
    evenly spaced along a rainbow colour map."""
    if n <= 10:
        return [plt.get_cmap("tab10")(i) for i in range(n)]
    if n <= 20:
        return [plt.get_cmap("tab20")(i) for i in range(n)]
    return [plt.get_cmap("turbo")(i / (n - 1)) for i in range(n)]


def _axes(ax, figsize=(8, 6)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _map_size(grid):
    """Figure size (inches) that fits a map of the grid plus its colour bar."""
    west, east, south, north = grid.extent
    aspect = (north - south) / (east - west)
    width = 8.0 if aspect <= 1.0 else max(4.5, 6.0 / aspect + 1.5)
    return (width, min(9.0, max(3.5, (width - 1.5) * aspect + 1.2)))


def _stride(grid) -> int:
    return max(1, math.ceil(max(grid.nrow, grid.ncol) / CONTOUR_POINTS))


def _image(ax, grid, values, cmap, norm):
    """Draw a (nrow, ncol) field on the grid; NaN cells are transparent.
    Matplotlib masks the NaNs itself; the colour range comes from nanmin and
    nanmax, which is much quicker than autoscaling a masked array."""
    cmap = plt.get_cmap(cmap).copy()
    cmap.set_bad(alpha=0.0)
    if norm is None:
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        norm = colors.Normalize(low, high if high > low else low + 1.0)
    if grid.regular:
        return ax.imshow(values, extent=grid.extent, origin="upper", cmap=cmap, norm=norm,
                         interpolation="nearest", aspect="equal")
    mesh = ax.pcolormesh(grid.x_edges, grid.y_edges, values, cmap=cmap, norm=norm, shading="flat")
    ax.set_aspect("equal")
    return mesh


def _contours(ax, grid, values, levels, color="k"):
    """Labelled contour lines of a field, on a decimated copy of large grids."""
    s = _stride(grid)
    data = np.ma.masked_invalid(values[::s, ::s])
    if data.count() < 4 or np.ptp(data.compressed()) == 0:
        return None
    lines = ax.contour(grid.x[::s], grid.y[::s], data, levels=levels, colors=color, linewidths=0.6)
    ax.clabel(lines, fontsize=7, fmt="%g")
    _set_gid(lines, "contours")
    return lines


def _outline(ax, result, color="k"):
    """Model outline: the 0.5 contour of layer 1's active mask. The mask is
    padded by one inactive cell all round, so that active cells on the grid
    edge close the line, and on small grids split into 2 x 2 sub-cells, so
    that the line follows cell edges and cuts corners by a quarter cell only."""
    grid = result.grid
    s = _stride(grid)
    mask = grid.active_layer(1)[::s, ::s].astype(np.float32)
    x, y = grid.x[::s], grid.y[::s]
    dx, dy = grid.delr[::s] * s, grid.delc[::s] * s
    if s == 1 and max(grid.nrow, grid.ncol) <= 600:
        mask = mask.repeat(2, axis=0).repeat(2, axis=1)
        x = np.column_stack([x - dx / 4, x + dx / 4]).ravel()
        y = np.column_stack([y + dy / 4, y - dy / 4]).ravel()
        dx, dy = dx.repeat(2) / 2, dy.repeat(2) / 2
    mask = np.pad(mask, 1)
    x = np.concatenate([[grid.x_edges[0] - 0.5 * dx[0]], x, [grid.x_edges[-1] + 0.5 * dx[-1]]])
    y = np.concatenate([[grid.y_edges[0] + 0.5 * dy[0]], y, [grid.y_edges[-1] - 0.5 * dy[-1]]])
    lines = ax.contour(x, y, mask, levels=[0.5], colors=color, linewidths=1.2)
    _set_gid(lines, "model-outline")
    return lines


def _set_gid(contour_set, gid):
    """Tag a contour set's artists (one Collection since matplotlib 3.8, a list before)."""
    if isinstance(contour_set, mcollections.Collection):
        contour_set.set_gid(gid)
    else:
        for collection in contour_set.collections:
            collection.set_gid(gid)


def _finish_map(ax, result, image, label, title, outline):
    grid = result.grid
    if outline:
        _outline(ax, result)
    ax.set_xlim(grid.extent[0], grid.extent[1])
    ax.set_ylim(grid.extent[2], grid.extent[3])
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_title(title)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    colorbar.set_label(label)
    ax.ticklabel_format(style="plain", useOffset=False)
    return ax


def _points(ax, result, layer):
    """Mark the observation points of `layer` (all points for the water table)."""
    try:
        points = result.observation_points
    except KeyError:
        return
    if layer != "water_table":
        points = points[points["layer"] == layer]
    if len(points):
        ax.plot(points["x"], points["y"], "o", mfc="w", mec="k", ms=4, zorder=5)
        for name, p in points.iterrows():
            ax.annotate(name, (p["x"], p["y"]), xytext=(3, 3), textcoords="offset points", fontsize=7)


def head_map(result: Result, time=-1, layer=1, kind="head", contours=True, outline=True,
             points=True, cmap=None, ax=None):
    """Map of heads (`kind="head"`, one layer), the water table (`"water_table"`)
    or depth to water (`"depth_to_water"`) at one saved time, with labelled
    contours (True, a number of levels, or a list of levels), the model
    outline and the observation points. Reads one (time, layer) slice for a
    head map."""
    t = result.time_index(time)
    if kind == "head":
        field = result.head(t, layer).values
        what, label, default_cmap = f"Head, layer {layer}", "head (m)", "viridis"
    elif kind == "water_table":
        field = result.water_table(t).values
        what, label, default_cmap, layer = "Water table", "water table (m)", "viridis", "water_table"
    elif kind == "depth_to_water":
        field = result.depth_to_water(t).values
        what, label, default_cmap, layer = "Depth to water", "depth to water (m)", "viridis_r", "water_table"
    else:
        raise ValueError(f"kind must be 'head', 'water_table' or 'depth_to_water', got {kind!r}")
    if not np.isfinite(field).any():
        raise ValueError(f"{what.lower()} at {result.times[t]:{DATE_FORMAT}} has no values: every cell is "
                         f"inactive or dry")
    ax = _axes(ax, _map_size(result.grid))
    image = _image(ax, result.grid, field, cmap or default_cmap, None)
    if contours is not False:
        _contours(ax, result.grid, field, 10 if contours is True else contours)
    if points:
        _points(ax, result, layer)
    return _finish_map(ax, result, image, label, f"{what}, {result.times[t]:{DATE_FORMAT}} — {result.name}", outline)


def depth_to_water_map(result: Result, time=-1, **options):
    """Map of depth to water below the model top, m; see head_map."""
    return head_map(result, time, kind="depth_to_water", **options)


def _diverging(ax, result, field, label, title, contours, outline, cmap, limit):
    if not np.isfinite(field).any():
        raise ValueError(f"{label} has no values: every cell is inactive or dry")
    if limit is None:
        limit = float(np.nanmax(np.abs(field)))
    limit = limit or 1.0
    norm = colors.TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    image = _image(ax, result.grid, field, cmap, norm)
    if contours is not False:
        levels = contours if contours is not True else ticker.MaxNLocator(10, symmetric=True).tick_values(-limit, limit)
        _contours(ax, result.grid, field, levels)
    return _finish_map(ax, result, image, label, title, outline)


def drawdown_map(result: Result, time=-1, layer=1, reference=None, reference_time=None, contours=True,
                 outline=True, cmap="RdBu_r", limit=None, ax=None):
    """Drawdown (reference head minus head, m) on a diverging colour scale
    centred on zero (red: heads fell). The reference is the first saved time
    unless `reference` names another time or another Result (see
    Result.drawdown). `limit` fixes the colour range to +-limit m."""
    field = result.drawdown(time, layer, reference, reference_time)
    where = "water table" if layer == "water_table" else f"layer {layer}"
    ax = _axes(ax, _map_size(result.grid))
    title = (f"Drawdown, {where}, {field.time.dt.strftime(DATE_FORMAT).item()} — {result.name}\n"
             f"reference: {field.attrs['reference']}")
    return _diverging(ax, result, field.values, "drawdown (m)", title, contours, outline, cmap, limit)


def difference_map(result: Result, other: Result, time=-1, layer=1, other_time=None, contours=True,
                   outline=True, cmap="RdBu", limit=None, ax=None):
    """Scenario difference: heads of `result` minus heads of `other`, m, on a
    diverging colour scale centred on zero (blue: `result` is higher)."""
    field = result.head_difference(other, time, layer, other_time)
    where = "water table" if layer == "water_table" else f"layer {layer}"
    ax = _axes(ax, _map_size(result.grid))
    title = f"Head difference, {where}, {field.time.dt.strftime(DATE_FORMAT).item()}\n{result.name} minus {other.name}"
    return _diverging(ax, result, field.values, "head difference (m)", title, contours, outline, cmap, limit)


# -- cross sections -----------------------------------------------------------
def _polyline_cells(grid, line):
    """Cells crossed by a polyline of (x, y) vertices in m: zero-based rows,
    cols and the distances along the line where each crossing starts and
    ends. The line is sampled at a quarter of the smallest cell size."""
    line = np.asarray(line, dtype=float)
    if line.ndim != 2 or line.shape[1] != 2 or len(line) < 2:
        raise ValueError("line must be a list of at least two (x, y) points in m")
    step = 0.25 * min(grid.delr.min(), grid.delc.min())
    lengths = np.hypot(*np.diff(line, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    s = np.arange(0.0, along[-1] + 0.5 * step, step)
    s[-1] = min(s[-1], along[-1])
    x = np.interp(s, along, line[:, 0])
    y = np.interp(s, along, line[:, 1])
    col = np.searchsorted(grid.x_edges, x, side="right") - 1
    row = np.searchsorted(-grid.y_edges, -y, side="right") - 1
    inside = (col >= 0) & (col < grid.ncol) & (row >= 0) & (row < grid.nrow)
    if not inside.any():
        raise ValueError(f"the section line does not cross the grid {grid.extent}")
    cells = np.where(inside, row * grid.ncol + col, -1)
    change = np.flatnonzero(np.diff(cells)) + 1
    boundary = 0.5 * (s[change - 1] + s[change])  # a crossing changes cell between two samples
    first = np.concatenate([[0], change])
    start = np.concatenate([[s[0]], boundary])
    end = np.concatenate([boundary, [s[-1]]])
    keep = cells[first] >= 0
    c = cells[first][keep]
    return c // grid.ncol, c % grid.ncol, start[keep], end[keep]


def cross_section(result: Result, row=None, col=None, line=None, time=-1, ax=None):
    """Vertical section along one row, one column (one-based) or a polyline
    `line=[(x, y), ...]` in m: layer geometry (inactive cells left blank),
    the head of each layer and the water table at one saved time. Reads only
    the window of cells the section crosses."""
    grid = result.grid
    if sum(v is not None for v in (row, col, line)) != 1:
        raise ValueError("give exactly one of row=, col= or line=")
    t = result.time_index(time)
    if row is not None:
        r = _check_index(row, grid.nrow, "row")
        rows, cols = np.full(grid.ncol, r), np.arange(grid.ncol)
        start, end = grid.x_edges[:-1] - grid.x_edges[0], grid.x_edges[1:] - grid.x_edges[0]
        xlabel, where = f"distance along row {row}, west to east (m)", f"row {row}"
    elif col is not None:
        c = _check_index(col, grid.ncol, "column")
        rows, cols = np.arange(grid.nrow), np.full(grid.nrow, c)
        start, end = grid.y_edges[0] - grid.y_edges[:-1], grid.y_edges[0] - grid.y_edges[1:]
        xlabel, where = f"distance along column {col}, north to south (m)", f"column {col}"
    else:
        rows, cols, start, end = _polyline_cells(grid, line)
        xlabel, where = "distance along the section line (m)", "section line"

    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    file = result._file
    pick = (slice(None), rows - r0, cols - c0)
    head = np.asarray(file["head"][t, :, r0:r1, c0:c1], dtype=float)[pick]
    head[head <= -1e29] = np.nan
    bottom = file["bottom"][:, r0:r1, c0:c1][pick]
    active = (file["active"][:, r0:r1, c0:c1] != 0)[pick]
    top = file["top"][r0:r1, c0:c1][rows - r0, cols - c0]
    interfaces = np.vstack([top[None, :], bottom])  # (nlay + 1, n)

    ax = _axes(ax, figsize=(10, 5))
    xx = np.column_stack([start, end]).ravel()  # two points per cell: a flat top and bottom
    shades = plt.get_cmap("Greys")(np.linspace(0.15, 0.45, grid.nlay))
    lines = plt.get_cmap("tab10")
    for k in range(grid.nlay):
        upper = np.where(active[k], interfaces[k], np.nan).repeat(2)
        lower = np.where(active[k], interfaces[k + 1], np.nan).repeat(2)
        ax.fill_between(xx, lower, upper, color=shades[k], linewidth=0, label=f"layer {k + 1}")
    centre = 0.5 * (start + end)
    wet = active & np.isfinite(head) & (head > bottom)
    for k in range(grid.nlay):
        h = np.where(wet[k], head[k], np.nan)  # a dry cell's head is not a water level
        if np.isfinite(h).any():
            ax.plot(centre, h, color=lines(k % 10), lw=1.2, label=f"head, layer {k + 1}")
    first = np.argmax(wet, axis=0)
    table = np.where(wet.any(axis=0), head[first, np.arange(head.shape[1])], np.nan)
    ax.plot(centre, table, color="tab:blue", lw=2.2, ls="--", label="water table")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("elevation (m)")
    ax.set_xlim(start.min(), end.max())
    ax.set_title(f"Cross section, {where}, {result.times[t]:{DATE_FORMAT}} — {result.name}")
    ax.legend(loc="best", fontsize=8)
    return ax


def _check_index(value, n, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be a one-based {what} number, got {value!r}")
    if not 1 <= value <= n:
        raise ValueError(f"{what} {value} is out of range: this model has {what}s 1..{n}")
    return int(value) - 1


# -- time series and budgets ---------------------------------------------------
def _as_list(results):
    return [results] if isinstance(results, Result) else list(results)


def _labels(results, labels):
    if labels is not None:
        if len(labels) != len(results):
            raise ValueError(f"{len(labels)} labels for {len(results)} results")
        return list(labels)
    names = [r.name for r in results]
    if len(set(names)) < len(names):
        import os
        names = [os.path.splitext(os.path.basename(r.path))[0] for r in results]
    return names


def hydrographs(results, names=None, labels=None, ax=None):
    """Observed heads (m) against date at observation points `names` (default:
    all points of the first result) for one or several results on one axis:
    one colour per point, one line style per result."""
    results = _as_list(results)
    if not results:
        raise ValueError("hydrographs needs at least one result")
    labels = _labels(results, labels)
    series = [r.observed_heads() for r in results]  # KeyError when a result has no observations
    if names is None:
        names = list(series[0].columns)
    elif isinstance(names, str):
        names = [names]
    for r, frame in zip(results, series):
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise KeyError(f"{r.path} has no observation named {', '.join(map(repr, missing))}; "
                           f"it has: {', '.join(frame.columns)}")
    # Two legends, colours for points and line styles for results, in a
    # panel of their own beside the axes: one entry per point and result
    # (23 points x 5 scenarios in the Hengshui report) would not fit, and the
    # axes would collapse. On axes passed in, the legends go inside.
    per_column = 16
    point_columns = max(1, math.ceil(len(names) / per_column))
    if ax is None:
        _, (ax, panel) = plt.subplots(1, 2, figsize=(10 + 1.8 * point_columns, 5), layout="constrained",
                                      gridspec_kw={"width_ratios": [10, 1.8 * point_columns]})
        panel.axis("off")
    else:
        panel = ax
    # Six distinguishable line styles (the Hengshui set compares five runs).
    styles = ["-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2))]
    colour = _point_colours(len(names))
    for i, name in enumerate(names):
        for j, (label, frame) in enumerate(zip(labels, series)):
            text = name if len(results) == 1 else f"{name} — {label}"
            ax.plot(frame.index, frame[name], color=colour[i], ls=styles[j % len(styles)], label=text)
    ax.set_xlabel("date")
    ax.set_ylabel("head (m)")
    ax.set_title("Hydrographs" + (f" — {labels[0]}" if len(results) == 1 else ""))
    points = [mlines.Line2D([], [], color=colour[i], label=name) for i, name in enumerate(names)]
    legend = panel.legend(handles=points, title="observation point", loc="upper left", fontsize=8,
                          title_fontsize=8, ncol=point_columns)
    if len(results) > 1:
        panel.add_artist(legend)
        runs = [mlines.Line2D([], [], color="0.2", ls=styles[j % len(styles)], label=label)
                for j, label in enumerate(labels)]
        panel.legend(handles=runs, title="result", loc="lower left", fontsize=8, title_fontsize=8)
    ax.grid(alpha=0.3)
    ax.tick_params(axis="x", labelrotation=30)
    return ax


#: Runs with more stress periods than this get budget (and, in reports,
#: district) bars per year by default.
YEARLY_BEYOND_PERIODS = 60


def budget_bars(result: Result, terms=None, per=None, ax=None):
    """Stacked bars of the time-weighted mean budget rates (m3/d) per stress
    period (`per="period"`) or per calendar year of the period midpoints
    (`per="year"`): inflows (<term>_in) above zero, outflows (<term>_out)
    below, one colour per budget term from /budget's `terms` attribute. The
    default (None) is per period up to 60 periods and per year beyond, where
    hundreds of monthly bars would be unreadable (and slow to draw)."""
    table = result.period_budget()
    all_terms = result.budget_terms
    terms = all_terms if terms is None else list(terms)
    unknown = [t for t in terms if t not in all_terms]
    if unknown:
        raise KeyError(f"no budget term {', '.join(map(repr, unknown))}; this result has: {', '.join(all_terms)}")
    if per is None:
        per = "period" if len(table) <= YEARLY_BEYOND_PERIODS else "year"
    if per == "year":
        mid = table["start"] + (table["end"] - table["start"]) / 2
        year = pd.DatetimeIndex(mid).year.rename("year")
        rates = [c for c in table.columns if c.endswith(("_in", "_out"))]
        length = table["length_days"]
        table = table[rates].mul(length, axis=0).groupby(year).sum().div(length.groupby(year).sum(), axis=0)
        xlabel, title = "year", "per year"
    elif per == "period":
        xlabel, title = "stress period", "per stress period"
    else:
        raise ValueError(f"per must be 'period', 'year' or None, got {per!r}")
    ax = _axes(ax, figsize=(10, 5))
    periods = table.index.to_numpy()
    palette = plt.get_cmap("tab10")
    up = np.zeros(len(periods))
    down = np.zeros(len(periods))
    for i, term in enumerate(terms):
        inflow = table.get(f"{term}_in", pd.Series(0.0, index=table.index)).to_numpy()
        outflow = table.get(f"{term}_out", pd.Series(0.0, index=table.index)).to_numpy()
        if not (np.any(inflow) or np.any(outflow)):
            continue
        colour = palette(i % 10)
        ax.bar(periods, inflow, bottom=up, color=colour, label=term, width=0.8)
        ax.bar(periods, -outflow, bottom=-down, color=colour, alpha=0.6, hatch="//", width=0.8,
               label=f"_{term}_out")  # a leading underscore keeps it out of the legend
        up += inflow
        down += outflow
    ax.axhline(0.0, color="k", lw=0.8)
    span = max(up.max(initial=0.0), down.max(initial=0.0)) or 1.0
    ax.set_ylim(-1.08 * max(down.max(initial=0.0), 0.05 * span), 1.08 * max(up.max(initial=0.0), 0.05 * span))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("rate (m3/d): in > 0, out < 0 (hatched)")
    ax.set_title(f"Water budget {title} (time-weighted mean) — {result.name}")
    if len(periods) <= 30:
        ax.set_xticks(periods)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="term")
    return ax


# -- irrigation -----------------------------------------------------------------
#: Supply columns of Result.district_balance(), stacked in this order, and their labels.
DISTRICT_COLUMNS = {"surface_water_delivered": "surface water delivered",
                    "pumping_actual": "groundwater pumping", "unmet": "unmet demand"}
#: Column names of the older per-district summary table and their Result.district_balance() names.
LEGACY_DISTRICT_COLUMNS = {"demand": "gross_demand", "surface_water": "surface_water_delivered",
                           "pumping": "pumping_actual"}


def _is_path(source) -> bool:
    return isinstance(source, (str, bytes)) or hasattr(source, "__fspath__")


def _monthly_mean(table: pd.DataFrame, columns, freq="M") -> pd.DataFrame:
    """Time-weighted mean rates per calendar month (freq "M") or year ("Y")
    of the step midpoints (rate x dt summed over the steps, divided by their
    days)."""
    mid = table.index - pd.to_timedelta(table["dt"].to_numpy() / 2.0, unit="D")
    month = pd.PeriodIndex(mid, freq=freq)
    weighted = table[columns].mul(table["dt"], axis=0).groupby(month).sum()
    return weighted.div(table["dt"].groupby(month).sum(), axis=0)


def _district_series(table: pd.DataFrame, district, per: str) -> tuple:
    """(rates per bar, what) from a Result.district_balance() table: one
    district, or all districts summed, per month or per step."""
    names = list(dict.fromkeys(table.index.get_level_values("district")))
    if district is None:
        what = names[0] if len(names) == 1 else f"all {len(names)} districts"
        rates = table.drop(columns=["step"], errors="ignore").groupby(level="time").sum()
        rates["dt"] = table["dt"].groupby(level="time").first()
    else:
        if district not in names:
            raise KeyError(f"no irrigation district named {district!r}; this result has: {', '.join(names)}")
        what = str(district)
        rates = table.xs(district, level="district")
    columns = ["gross_demand", *DISTRICT_COLUMNS, "return_flow"]
    if per in ("month", "year"):
        if "dt" not in rates:
            raise KeyError(f"the district table has no dt column (step length, d) to weight the {per}ly means")
        rates = _monthly_mean(rates, columns, "M" if per == "month" else "Y")
        rates.index = rates.index.strftime("%Y-%m" if per == "month" else "%Y")
        rates.index.name = per
    elif per == "step":
        rates = rates[columns].copy()
        rates.index = rates.index.strftime("%Y-%m-%d")
        rates.index.name = "end of time step"
    else:
        raise ValueError(f"per must be 'month', 'year' or 'step', got {per!r}")
    return rates, what


def district_balance(source, district=None, per="month", units="m3/d", ax=None):
    """Irrigation district water balance: stacked bars of surface water
    delivered, groundwater pumping (actual) and unmet demand, with the gross
    demand as a line (the bars reach it) and the return flow to the water
    table as a second line.

    `source` is a Result, the path of a result, or a DataFrame of
    Result.district_balance() (index (time, district)); bars are per calendar
    month (`per="month"`, time-weighted mean rates in m3/d, a step counted in
    the month of its midpoint) or per time step (`per="step"`), for one
    `district` or, with None, all districts summed. A DataFrame indexed by
    district with columns demand, surface_water, pumping, unmet, return_flow
    (a per-district summary, in `units`) draws one bar per district instead.
    """
    if _is_path(source):
        from .result import open as open_result
        with open_result(source) as result:
            return district_balance(result, district, per, units, ax)
    name = None
    if isinstance(source, Result):
        name = source.name
        table = source.district_balance()  # KeyError when the result has no districts
    else:
        table = pd.DataFrame(source)
    if isinstance(table.index, pd.MultiIndex) and "district" in table.index.names:
        rates, what = _district_series(table, district, per)
        xlabel = rates.index.name
        lines = True
    else:  # a per-district (or other per-category) summary table
        rates = table.rename(columns=LEGACY_DISTRICT_COLUMNS)
        if district is not None:
            rates = rates.loc[[district]]
        what, xlabel, lines = "per district", table.index.name or "district", False
    needed = ["gross_demand", *DISTRICT_COLUMNS, "return_flow"]
    missing = [c for c in needed if c not in rates.columns]
    if missing:
        raise KeyError(f"district balance table lacks column(s) {', '.join(missing)}; needs {', '.join(needed)} "
                       f"(Result.district_balance()) or demand, surface_water, pumping, unmet, return_flow")
    ax = _axes(ax, figsize=(10, 5))
    x = np.arange(len(rates))
    bottom = np.zeros(len(rates))
    for (column, label), colour in zip(DISTRICT_COLUMNS.items(), ["tab:blue", "tab:orange", "tab:red"]):
        values = rates[column].to_numpy(dtype=float)
        ax.bar(x, values, 0.7, bottom=bottom, color=colour, label=label)
        bottom += values
    style = {"marker": "o", "ms": 4} if lines else {"marker": "_", "ms": 30, "ls": "none", "mew": 2}
    ax.plot(x, rates["gross_demand"].to_numpy(dtype=float), color="k", lw=1.5, label="gross demand",
            zorder=5, **style)
    ax.plot(x, rates["return_flow"].to_numpy(dtype=float), color="tab:green", lw=1.5,
            ls="--" if lines else "none", label="return flow", zorder=5,
            **{k: v for k, v in style.items() if k != "ls"})
    ax.set_xticks(x)
    ax.set_xticklabels([str(i) for i in rates.index], rotation=45 if len(rates) > 6 else 0,
                       ha="right" if len(rates) > 6 else "center")
    ax.set_xlabel(xlabel)
    mean = " (time-weighted mean)" if lines and per in ("month", "year") else ""
    ax.set_ylabel(f"rate ({units}){mean}")
    ax.set_title(f"Irrigation district water balance, {what}" + (f" — {name}" if name else ""))
    ax.set_ylim(bottom=0.0)
    ax.legend(loc="best", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return ax


# -- scenario comparisons ----------------------------------------------------------
def county_ranking(source, scenario=None, aquifer=None, variable="volume_saved", column=None, units=None,
                   top=None, ax=None):
    """Horizontal bar chart of the zones (counties) of a comparison ranked by
    groundwater volume saved (million m3) at the scenario's last common time
    with the base, largest first.

    `source` is a Comparison (gwsim.open_comparison) or the path of a
    comparison.h5 written by `gwsim compare`; `scenario` a scenario name or
    position (None when the file has only one), `aquifer` an aquifer name or
    None for all aquifers summed; `variable` may also be head_difference (m,
    mean over the aquifers) or recovery_area (km2). A DataFrame or Series
    indexed by county is ranked by `column` (default its first numeric column)
    in `units`."""
    from .comparison import Comparison, open_comparison
    if isinstance(source, Result):
        raise ValueError(f"{source.path} is a gwsim result, not a comparison: rank counties from the "
                         f"comparison.h5 that `gwsim compare BASE.h5 OTHER.h5 -o comparison.h5` writes")
    if _is_path(source):
        with open_comparison(source) as comparison:
            return county_ranking(comparison, scenario, aquifer, variable, column, units, top, ax)
    if isinstance(source, Comparison):
        series = source.at_last_common_time(variable, scenario, aquifer)
        scale, units, label = {"volume_saved": (1e-6, "million m3", "volume saved"),
                               "head_difference": (1.0, "m", "mean head difference"),
                               "recovery_area": (1e-6, "km2", "recovery area")}[variable]
        where = "all aquifers" if aquifer is None else f"aquifer {aquifer}"
        title = (f"Zones ranked by {label}, {where}\n{series.attrs['scenario']} vs {os.path.basename(source.base)} at "
                 f"{series.attrs['time']:{DATE_FORMAT}}")
        ranked = (series * scale).dropna().sort_values(ascending=False)
        ylabel, xlabel = "zone", f"{label} ({units})"
    else:
        table = source.to_frame() if isinstance(source, pd.Series) else pd.DataFrame(source)
        numeric = table.select_dtypes("number")
        if numeric.empty:
            raise ValueError("the county comparison table has no numeric column to rank by")
        column = column or numeric.columns[0]
        if column not in table.columns:
            raise KeyError(f"no column {column!r}; the table has: {', '.join(map(str, table.columns))}")
        ranked = table[column].dropna().sort_values(ascending=False)
        xlabel = f"{column} ({units})" if units else str(column)
        ylabel, title = table.index.name or "county", f"Counties ranked by {column}"
    if top:
        ranked = ranked.iloc[:top]
    ax = _axes(ax, figsize=(8, max(3, 0.3 * len(ranked) + 1.5)))
    colours = np.where(ranked.to_numpy() >= 0, "tab:blue", "tab:red")
    ax.barh(np.arange(len(ranked)), ranked.to_numpy(), color=colours)
    ax.set_yticks(np.arange(len(ranked)))
    ax.set_yticklabels([str(i) for i in ranked.index])
    ax.invert_yaxis()
    ax.axvline(0.0, color="k", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax
