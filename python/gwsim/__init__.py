"""gwsim: read and plot results of the gwsim groundwater simulator.

    import gwsim
    r = gwsim.open("example.h5")          # lazy: metadata only
    r.heads                               # xarray DataArray (time, layer, y, x), m
    r.water_table(), r.depth_to_water(), r.drawdown(layer=2)
    r.budget(), r.period_budget(), r.observed_heads()
    r.district_balance(), r.ponds(), r.reaches(), r.zone_budget(), r.irrigation_maps()
    c = gwsim.open_comparison("comparison.h5")   # written by `gwsim compare`
    gwsim.plot.head_map(r, layer=1)       # one call per picture, returns the Axes

Command line: python -m gwsim report RESULT.h5 [OTHER.h5 ...] [--comparison CMP.h5] -o DIR
"""
from . import plot
from .comparison import Comparison, open_comparison
from .result import Grid, Result, open

__version__ = "0.1.0"
__all__ = ["open", "open_comparison", "Result", "Comparison", "Grid", "plot", "__version__"]
