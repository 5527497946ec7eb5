"""`python -m gwsim report`: the standard figures of one or several results as
PNG files and a self-contained index.html that shows them with key numbers.
With several results, difference maps and observation changes are against
the first result."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import plot
from .comparison import file_format, open_comparison
from .result import Result, open as open_result

#: Most layers drawn as separate maps per result.
MAX_MAP_LAYERS = 4
#: Most irrigation districts drawn as separate balance figures per result (beyond: all districts summed).
MAX_DISTRICTS = 6


def _map_layers(result: Result) -> list:
    layers = [int(k) for k in result.grid.layers]
    if len(layers) <= MAX_MAP_LAYERS:
        return layers
    picks = np.linspace(0, len(layers) - 1, MAX_MAP_LAYERS).round().astype(int)
    return [layers[i] for i in sorted(set(picks))]


class _Figures:
    """Draws figures into PNG files, noting those that do not apply. With
    `jobs` processes, each draws the figures whose position in the (same,
    deterministic) sequence of add() calls is its `rank` modulo `jobs`."""

    def __init__(self, directory: Path, dpi: int, rank: int = 0, jobs: int = 1):
        self.directory = directory
        self.dpi = dpi
        self.rank, self.jobs = rank, jobs
        self.count = 0
        self.entries = []  # (position, drawn?, file name or caption, caption or reason)

    def add(self, name: str, caption: str, draw):
        position = self.count
        self.count += 1
        if position % self.jobs != self.rank:
            return
        try:
            ax = draw()
        except (ValueError, KeyError, IndexError) as error:
            plt.close("all")
            reason = error.args[0] if error.args else str(error)
            self.entries.append((position, False, caption, str(reason)))
            return
        ax.figure.savefig(self.directory / name, dpi=self.dpi)
        plt.close(ax.figure)
        self.entries.append((position, True, name, caption))

    def skip(self, entry):
        """A figure that does not apply (caption, reason), counted in the sequence."""
        position = self.count
        self.count += 1
        if position % self.jobs == self.rank:
            self.entries.append((position, False, entry[0], str(entry[1])))

    @property
    def drawn(self) -> list:
        return [(a, b) for _, ok, a, b in sorted(self.entries) if ok]

    @property
    def skipped(self) -> list:
        return [(a, b) for _, ok, a, b in sorted(self.entries) if not ok]


def _final_head_range(result: Result):
    if len(result.days) == 0:
        return np.nan, np.nan
    low, high = np.inf, -np.inf
    for layer in result.grid.layers:
        values = result.head(-1, int(layer)).values
        if np.isfinite(values).any():
            low, high = min(low, np.nanmin(values)), max(high, np.nanmax(values))
    return (low, high) if np.isfinite(low) else (np.nan, np.nan)


def key_numbers(result: Result) -> dict:
    """The numbers the report's summary table shows for one result."""
    grid = result.grid
    numbers = {"model": result.name, "file": os.path.basename(result.path)}
    try:
        budget = result.budget()
        numbers["period"] = (f"{result.start_date:%Y-%m-%d} to {budget['time'].iloc[-1]:%Y-%m-%d} "
                             f"({budget['period'].max()} stress periods, {len(budget)} steps)")
        numbers["worst budget discrepancy (%)"] = f"{result.worst_percent_discrepancy:.2e}"
    except KeyError:
        numbers["period"] = f"from {result.start_date:%Y-%m-%d} (no budget)"
    active = int(sum(np.count_nonzero(grid.active_layer(int(k))) for k in grid.layers))
    numbers["grid"] = f"{grid.nlay} layers x {grid.nrow} rows x {grid.ncol} columns ({active} active cells)"
    numbers["saved head times"] = str(len(result.days))
    low, high = _final_head_range(result)
    numbers["final heads min / max (m)"] = f"{low:.3f} / {high:.3f}" if np.isfinite(low) else "no saved heads"
    meta = result.metadata
    if meta:
        numbers["run"] = (f"gwsim {meta.get('gwsim_version', '?')}, solver {meta.get('solver', '?')}, "
                          f"{meta.get('threads', '?')} threads, {float(meta.get('wall_time_seconds', np.nan)):.1f} s")
        phases = [(label, meta.get(f"{key}_seconds")) for label, key in
                  (("solve", "solve"), ("assembly", "assembly"), ("first guess", "first_guess"),
                   ("budget", "budget"), ("output", "output"))]
        if all(v is not None for _, v in phases):  # results of gwsim before the phases were recorded lack them
            numbers["time by phase"] = ", ".join(f"{label} {float(v):.2f} s" for label, v in phases)
    if not result.completed:
        numbers["warning"] = "the run did not complete (root attribute completed missing)"
    return numbers


def _largest_difference(result: Result, base: Result) -> str:
    """Largest |head - head of base| over all cells at both results' last saved times."""
    if not result.grid.same_as(base.grid):
        return "different grids"
    if not len(result.days) or not len(base.days):
        return "no saved heads"
    largest, where = 0.0, ""
    for layer in result.grid.layers:
        difference = result.head(-1, int(layer)).values - base.head(-1, int(layer)).values
        if np.isfinite(difference).any():
            i = int(np.nanargmax(np.abs(difference)))
            if abs(difference.flat[i]) >= abs(largest):
                row, col = divmod(i, result.grid.ncol)
                largest, where = difference.flat[i], f"layer {layer}, row {row + 1}, col {col + 1}"
    return f"{largest:+.3f} ({where})" if where else "no common active cells"


def observation_table(results: list) -> pd.DataFrame:
    """Final head and change over the run at each observation point of each
    result; with several results, final-head difference against the first."""
    rows = []
    first_final = {}
    for i, result in enumerate(results):
        try:
            heads = result.observed_heads()
        except KeyError:
            continue
        for name in heads.columns:
            final, initial = heads[name].iloc[-1], heads[name].iloc[0]
            row = {"result": result.name if len(results) == 1 else f"{i + 1}: {result.name}", "observation": name,
                   "final head (m)": final, "change over run (m)": final - initial}
            if i == 0:
                first_final[name] = final
            elif name in first_final:
                row["minus result 1 (m)"] = final - first_final[name]
            rows.append(row)
    return pd.DataFrame(rows)


def _figures_for(result: Result, index: int, figures: _Figures):
    prefix = f"r{index + 1}_"
    grid = result.grid
    if len(result.days):
        for layer in _map_layers(result):
            figures.add(f"{prefix}head_layer{layer}.png", f"{result.name}: head, layer {layer}, final time",
                        lambda layer=layer: plot.head_map(result, -1, layer))
        figures.add(f"{prefix}depth_to_water.png", f"{result.name}: depth to water, final time",
                    lambda: plot.depth_to_water_map(result, -1))
        if len(result.days) > 1:
            for layer in _map_layers(result):
                figures.add(f"{prefix}drawdown_layer{layer}.png",
                            f"{result.name}: drawdown, layer {layer}, final time against the first saved time",
                            lambda layer=layer: plot.drawdown_map(result, -1, layer))
        row = (grid.nrow + 1) // 2
        figures.add(f"{prefix}section_row{row}.png", f"{result.name}: cross section along row {row}, final time",
                    lambda: plot.cross_section(result, row=row))
    else:
        figures.skip((f"{result.name}: maps and sections", "no saved heads (output.save_heads: none)"))
    long_run = len(result.period_budget()) > plot.YEARLY_BEYOND_PERIODS  # bars per year
    figures.add(f"{prefix}budget.png", f"{result.name}: water budget per {'year' if long_run else 'stress period'}",
                lambda: plot.budget_bars(result))
    figures.add(f"{prefix}hydrographs.png", f"{result.name}: hydrographs", lambda: plot.hydrographs(result))
    if "districts" in result._file:
        districts = list(dict.fromkeys(result.district_balance().index.get_level_values("district")))
        if len(districts) == 1 or len(districts) > MAX_DISTRICTS:
            figures.add(f"{prefix}district_balance.png",
                        f"{result.name}: irrigation district water balance per {'year' if long_run else 'month'}"
                        + ("" if len(districts) == 1 else f" (all {len(districts)} districts)"),
                        lambda: plot.district_balance(result, per="year" if long_run else "month"))
        else:
            for i, name in enumerate(districts, start=1):
                figures.add(f"{prefix}district{i}_balance.png",
                            f"{result.name}: water balance of irrigation district {name} per "
                            f"{'year' if long_run else 'month'}",
                            lambda name=name: plot.district_balance(result, district=name,
                                                                    per="year" if long_run else "month"))


def _comparison_section(path, index: int, figures: _Figures) -> pd.DataFrame:
    """County ranking figures of one comparison file (one per scenario) and
    its summary rows: total volume saved and mean head difference per scenario."""
    rows = []
    with open_comparison(path) as comparison:
        for j, scenario in enumerate(comparison.scenarios, start=1):
            name = f"c{index + 1}_s{j}_county_ranking.png"
            figures.add(name, f"{scenario} vs {os.path.basename(comparison.base)}: zones ranked by groundwater volume saved, "
                              f"last common time", lambda scenario=scenario: plot.county_ranking(comparison, scenario))
            when = comparison.last_common_time(scenario)
            row = {"comparison": os.path.basename(comparison.path), "scenario": scenario, "base": os.path.basename(comparison.base),
                   "last common time": "none" if pd.isna(when) else f"{when:%Y-%m-%d}"}
            if not pd.isna(when):
                saved = comparison.at_last_common_time("volume_saved", scenario)
                area = comparison.at_last_common_time("recovery_area", scenario)
                row["volume saved, all zones (million m3)"] = saved.sum() / 1e6
                row["recovery area, all zones and aquifers (km2)"] = area.sum() / 1e6
                row["zone saving most"] = saved.idxmax() if saved.notna().any() else ""
            rows.append(row)
    return pd.DataFrame(rows)


def _comparison_figures(results: list, figures: _Figures):
    base = results[0]
    for i, other in enumerate(results[1:], start=2):
        if not other.grid.same_as(base.grid):
            figures.skip((f"{other.name} minus {base.name}", "different grids"))
            continue
        for layer in _map_layers(other):
            figures.add(f"diff_r{i}_r1_layer{layer}.png",
                        f"head difference, layer {layer}, final time: {other.name} minus {base.name}",
                        lambda other=other, layer=layer: plot.difference_map(
                            other, base, -1, layer, other_time=base.times[-1] if len(base.days) else None))
    observed = []
    for result in results:
        try:
            observed.append((result, list(result.observation_points.index)))
        except KeyError:
            figures.skip((f"{result.name}: hydrographs", "no observations (group /observations missing)"))
    if len(observed) > 1:
        common = [n for n in observed[0][1] if all(n in names for _, names in observed[1:])]
        if common:
            figures.add("hydrographs_all.png", "hydrographs of the results with observations (line style = result)",
                        lambda: plot.hydrographs([r for r, _ in observed], names=common))


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="", border=0, classes="numbers")


STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 1200px; color: #222; }
table.numbers, table.summary { border-collapse: collapse; margin: 1em 0; }
table.numbers td, table.numbers th, table.summary td, table.summary th {
  border: 1px solid #bbb; padding: 3px 8px; text-align: left; }
th { background: #eee; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure img { max-width: 560px; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; max-width: 560px; }
.skipped { color: #777; font-size: 0.9em; }
"""


def _draw(result_paths, comparisons, directory, dpi, rank, jobs, tables=True):
    """This rank's figures, and (if `tables`) the comparison, key-number and
    observation tables of the report."""
    results = [open_result(p) for p in result_paths]
    numbers, observations = [], pd.DataFrame()
    try:
        figures = _Figures(directory, dpi, rank, jobs)
        compared = [_comparison_section(p, i, figures) for i, p in enumerate(comparisons)]
        compared = pd.concat(compared, ignore_index=True) if compared else pd.DataFrame()
        for i, result in enumerate(results):
            _figures_for(result, i, figures)
        if len(results) > 1:
            _comparison_figures(results, figures)
        if tables:
            numbers = [key_numbers(r) for r in results]
            for result, row in zip(results[1:], numbers[1:]):
                row["largest final head difference vs result 1 (m)"] = _largest_difference(result, results[0])
            observations = observation_table(results)
    finally:
        for result in results:
            result.close()
    return figures, compared, numbers, observations


def write_report(paths, directory, dpi: int = 110, comparisons=(), jobs=None) -> Path:
    """Write the figures and index.html of the results at `paths` into
    `directory`; returns the path of index.html. Comparison files written by
    `gwsim compare` (`comparisons`, or among `paths`: recognised by their
    root attribute format = "gwsim-comparison") add county rankings. Figures
    are drawn by `jobs` processes (default: one per core, at most 8)."""
    directory = Path(directory)
    comparisons = list(comparisons)
    result_paths = []
    for p in paths:
        (comparisons if file_format(p) == "gwsim-comparison" else result_paths).append(p)
    for p in comparisons:
        kind = file_format(p)
        if kind != "gwsim-comparison":
            open_comparison(p)  # raises the clear error (missing file, or not a comparison)
    if not result_paths and not comparisons:
        raise ValueError("nothing to report: give at least one gwsim result or comparison file")
    directory.mkdir(parents=True, exist_ok=True)
    # The figures are independent: with several cores, forked processes draw
    # their share (each opens the files itself) while this one draws its own
    # and computes the tables; the entries come back through pipes.
    jobs = max(1, min(jobs if jobs else (os.cpu_count() or 1), 8)) if hasattr(os, "fork") else 1
    children = []
    for rank in range(1, jobs):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: draw this rank's figures, send the entries, exit without cleanup
            status = 1
            try:
                os.close(read_end)
                figures, _, _, _ = _draw(result_paths, comparisons, directory, dpi, rank, jobs, tables=False)
                with os.fdopen(write_end, "w") as out:
                    json.dump(figures.entries, out)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    try:
        figures, compared, numbers, observations = _draw(result_paths, comparisons, directory, dpi, 0, jobs)
    finally:  # collect every worker, also when this process failed
        received = []
        for pid, read_end in children:
            with os.fdopen(read_end) as inp:
                text = inp.read()
            _, status = os.waitpid(pid, 0)
            received.append((status, text))
    for status, text in received:
        if status != 0 or not text:
            raise RuntimeError(f"a report worker process failed (exit status {status}); "
                               f"rerun with --jobs 1 to see its error")
        figures.entries += [tuple(e) for e in json.loads(text)]

    models = [n["model"] for n in numbers] or [os.path.basename(str(p)) for p in comparisons]
    keys = list(dict.fromkeys(k for n in numbers for k in n))
    head = "".join(f"<th>{html.escape(str(i + 1))}</th>" for i in range(len(numbers)))
    body = "".join(f"<tr><th>{html.escape(k)}</th>"
                   + "".join(f"<td>{html.escape(str(n.get(k, '')))}</td>" for n in numbers) + "</tr>"
                   for k in keys)
    parts = [
        "<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
        f"<title>gwsim report: {html.escape(', '.join(models))}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>gwsim report: {html.escape(' vs '.join(models))}</h1>",
    ]
    if numbers:
        parts += ["<h2>Key numbers</h2>", f"<table class='summary'><tr><th></th>{head}</tr>{body}</table>"]
    if len(compared):
        parts += ["<h2>Scenario comparisons</h2>",
                  "<p>From <code>gwsim compare</code>: groundwater volume saved and recovery area against the "
                  "base at the last time saved in both runs.</p>",
                  compared.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0,
                                   classes="numbers")]
    if len(observations):
        parts += ["<h2>Observation points</h2>",
                  "<p>Final head, change from the first to the last step"
                  + (", and final head minus that of result 1." if len(result_paths) > 1 else ".") + "</p>",
                  _table(observations)]
    parts.append("<h2>Figures</h2>")
    for name, caption in figures.drawn:
        parts.append(f"<figure><a href='{html.escape(name)}'><img src='{html.escape(name)}' "
                     f"alt='{html.escape(caption)}'></a><figcaption>{html.escape(caption)}</figcaption></figure>")
    if figures.skipped:
        parts.append("<h3>Not drawn</h3><ul class='skipped'>"
                     + "".join(f"<li>{html.escape(c)}: {html.escape(r)}</li>" for c, r in figures.skipped)
                     + "</ul>")
    parts.append("</body></html>")
    index = directory / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index
