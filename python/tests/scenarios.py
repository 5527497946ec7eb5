"""Small scenarios the tests run with the real binary, with the numbers the
analytic checks need. Units: m, d, m/d, m3/d."""

# -- Thiem: one confined layer, fixed head on all four edges, a pumping well
# in the middle. Between radii r1 and r2 well inside the island,
# h(r2) - h(r1) = Q / (2 pi T) ln(r2 / r1).
THIEM_N = 61          # rows = columns
THIEM_CELL = 50.0     # m
THIEM_K = 10.0        # m/d
THIEM_B = 20.0        # m, layer thickness
THIEM_Q = 2000.0      # m3/d pumped
THIEM_H0 = 20.0       # m, edge head
THIEM = f"""
name: Thiem well
grid: {{nlay: 1, nrow: {THIEM_N}, ncol: {THIEM_N}, delr: {THIEM_CELL}, delc: {THIEM_CELL},
        xorigin: 1000.0, yorigin: 5000.0, top: 0.0, bottom: [{-THIEM_B}]}}
aquifer: {{k: {THIEM_K}, ss: 1.0e-5}}
time: {{start: 2021-03-01, periods: [{{length: 1, steady: true}}]}}
initial_head: {THIEM_H0}
stresses:
  chd:
    - {{name: north, cells: {{layer: 1, row: 1, cols: [1, {THIEM_N}]}}, head: {THIEM_H0}}}
    - {{name: south, cells: {{layer: 1, row: {THIEM_N}, cols: [1, {THIEM_N}]}}, head: {THIEM_H0}}}
    - {{name: west, cells: {{layer: 1, rows: [2, {THIEM_N - 1}], col: 1}}, head: {THIEM_H0}}}
    - {{name: east, cells: {{layer: 1, rows: [2, {THIEM_N - 1}], col: {THIEM_N}}}, head: {THIEM_H0}}}
  wel:
    - {{name: well, layer: 1, row: {THIEM_N // 2 + 1}, col: {THIEM_N // 2 + 1}, rate: {-THIEM_Q}}}
output: {{save_heads: period_end}}
solver: {{method: pcg, head_tolerance: 1.0e-9, residual_tolerance: 1.0e-12}}
"""

# -- Linear: confined flow between two fixed-head columns; the finite-difference
# solution is exactly linear, h(x) = H_WEST + (H_EAST - H_WEST) (x - x1) / (x_n - x1).
LINEAR_NCOL = 21
LINEAR_NROW = 3
LINEAR_CELL = 100.0
LINEAR_K = 4.0
LINEAR_B = 25.0
LINEAR_H_WEST = 30.0
LINEAR_H_EAST = 20.0
LINEAR = f"""
name: Linear confined flow
grid: {{nlay: 1, nrow: {LINEAR_NROW}, ncol: {LINEAR_NCOL}, delr: {LINEAR_CELL}, delc: {LINEAR_CELL},
        top: 50.0, bottom: [{50.0 - LINEAR_B}]}}
aquifer: {{k: {LINEAR_K}, ss: 1.0e-5}}
time: {{start: 2000-01-01, periods: [{{length: 1, steady: true}}]}}
initial_head: 25.0
stresses:
  chd:
    - {{name: west, cells: {{layer: 1, rows: [1, {LINEAR_NROW}], col: 1}}, head: {LINEAR_H_WEST}}}
    - {{name: east, cells: {{layer: 1, rows: [1, {LINEAR_NROW}], col: {LINEAR_NCOL}}}, head: {LINEAR_H_EAST}}}
output: {{save_heads: period_end}}
solver: {{method: direct}}
"""

# -- Transient: two confined layers, fixed head on the west, recharge, a well
# in layer 2 from period 2, observations, heads saved every step.
TRANSIENT_START = "2018-01-01"
TRANSIENT_PERIODS = [(1.0, 1, 1.0), (60.0, 3, 1.5), (30.0, 2, 1.0)]  # length d, steps, multiplier
TRANSIENT_NROW, TRANSIENT_NCOL, TRANSIENT_CELL = 15, 20, 100.0
TRANSIENT_TOP, TRANSIENT_BOTTOMS = 10.0, (-10.0, -40.0)
TRANSIENT_SS = 1.0e-4
TRANSIENT_RCH = 5.0e-4
TRANSIENT_WELL = (2, 8, 12)   # layer, row, col
TRANSIENT_OBS = {"well_cell": (2, 8, 12), "shallow": (1, 4, 6)}


def transient(name, rate, save_heads="every_step"):
    periods = ", ".join(f"{{length: {length}, steps: {steps}, multiplier: {m}"
                        + (", steady: true}" if i == 0 else "}")
                        for i, (length, steps, m) in enumerate(TRANSIENT_PERIODS))
    layer, row, col = TRANSIENT_WELL
    shallow = TRANSIENT_OBS["shallow"]
    # The shallow point is given by coordinates (cell centre of row 4, col 6).
    x = (shallow[2] - 0.5) * TRANSIENT_CELL
    y = (TRANSIENT_NROW - shallow[1] + 0.5) * TRANSIENT_CELL
    return f"""
name: {name}
grid: {{nlay: 2, nrow: {TRANSIENT_NROW}, ncol: {TRANSIENT_NCOL}, delr: {TRANSIENT_CELL}, delc: {TRANSIENT_CELL},
        top: {TRANSIENT_TOP}, bottom: {list(TRANSIENT_BOTTOMS)}}}
aquifer: {{k: [5.0, 20.0], k33: [0.1, 2.0], ss: {TRANSIENT_SS}}}
time:
  start: {TRANSIENT_START}
  periods: [{periods}]
initial_head: 5.0
stresses:
  chd:
    - {{name: west, cells: {{layer: [1, 2], rows: [1, {TRANSIENT_NROW}], col: 1}}, head: 5.0}}
  wel:
    - {{name: pump, layer: {layer}, row: {row}, col: {col}, rate: {{2: {rate}}}}}
  rch:
    rate: {TRANSIENT_RCH}
observations:
  - {{name: well_cell, layer: {layer}, row: {row}, col: {col}}}
  - {{name: shallow, layer: {shallow[0]}, x: {x}, y: {y}}}
output: {{save_heads: {save_heads}}}
solver: {{method: direct}}
"""


TRANSIENT_RATE = -500.0
TRANSIENT = transient("Two-layer transient", TRANSIENT_RATE)
PUMPED = transient("Two-layer transient, pumped harder", 2 * TRANSIENT_RATE, "period_end")

# -- Water table: layer 1 convertible and dry in the west (the fixed head in
# layer 2 there is below layer 1's bottom), an inactive block in layer 1, one
# column inactive in both layers, and uneven column widths (pcolormesh).
WATER_TABLE_DELR = [100.0, 100.0, 150.0, 150.0, 200.0, 200.0, 200.0, 150.0, 150.0, 100.0, 100.0, 100.0]
WATER_TABLE_ACTIVE_1 = [[1] * 12, [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1],
                        [1] * 12, [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]]
WATER_TABLE_ACTIVE_2 = [[1] * 12, [1] * 12, [1] * 12, [1] * 12, [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]]
WATER_TABLE_TOP = 20.0
WATER_TABLE_BOTTOMS = (0.0, -50.0)
WATER_TABLE = f"""
name: Water table
grid: {{nlay: 2, nrow: 5, ncol: 12, delr: {WATER_TABLE_DELR}, delc: 100.0, top: {WATER_TABLE_TOP},
        bottom: {list(WATER_TABLE_BOTTOMS)}, active: [{WATER_TABLE_ACTIVE_1}, {WATER_TABLE_ACTIVE_2}]}}
aquifer: {{layer_type: [convertible, confined], k: 10.0, k33: 1.0, ss: 1.0e-5, sy: 0.2}}
time: {{start: 2020-01-01, periods: [{{length: 1, steady: true}}]}}
initial_head: 5.0
stresses:
  chd:
    - {{name: west, cells: {{layer: 2, rows: [1, 5], col: 1}}, head: -5.0}}
    - {{name: east, cells: {{layer: 1, rows: [1, 5], col: 12}}, head: 15.0}}
output: {{save_heads: period_end}}
solver: {{method: pcg, head_tolerance: 1.0e-9, residual_tolerance: 1.0e-12}}
"""

# -- No heads: the Thiem model with save_heads none.
NO_HEADS = THIEM.replace("save_heads: period_end", "save_heads: none").replace("Thiem well", "No heads")

# -- Irrigated: one irrigation district (one crop, flood irrigation) fed by a
# canal and by deep pumping up to a yearly allotment, a pond filled from the
# canal in summer, two zones (West, East) and two named aquifers, a farm well
# in the east. One step per calendar month of 2015, so each step's Kc and
# reference ET are those of its month. The fixed head is on the east edge,
# outside the district (pumping from fixed-head cells would not count).
IRR_START = "2015-01-01"
IRR_MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
IRR_NROW, IRR_NCOL, IRR_CELL = 6, 8, 100.0
IRR_ET0 = [0.001, 0.0015, 0.0025, 0.004, 0.005, 0.0055, 0.005, 0.0045, 0.0035, 0.0025, 0.0015, 0.001]
IRR_RAIN = [0.0001, 0.0002, 0.0003, 0.0008, 0.0011, 0.0025, 0.0048, 0.0045, 0.0015, 0.0007, 0.0003, 0.0001]
IRR_EFFECTIVE = 0.7
IRR_KC = [0.4, 0.5, 0.8, 1.1, 1.15, 0.3, 0, 0, 0, 0.5, 0.6, 0.5]
IRR_EFFICIENCY, IRR_PERCOLATION = 0.6, 0.8
IRR_CROP_SHARE = 0.5
IRR_DISTRICT_ROWS, IRR_DISTRICT_COLS = (3, 6), (1, 4)   # one-based, inclusive
IRR_SW_CAPACITY, IRR_CONVEYANCE, IRR_CONVEYANCE_PERC = 100.0, 0.75, 0.8
IRR_GW_ALLOTMENT = 30000.0   # m3 per year; deficit: short
IRR_POND_CELLS = 4
IRR_POND_RAIN, IRR_POND_EVAP, IRR_POND_FLOOR, IRR_POND_STAGE0 = 0.001, 0.003, 17.0, 17.5
IRR_CONNECTION_MONTHS, IRR_CONNECTION_RATE = [5, 6, 7, 8, 9], 500.0
IRR_WELL_RATE = -300.0


def irrigated(name, well_rate=IRR_WELL_RATE):
    (r0, r1), (c0, c1) = IRR_DISTRICT_ROWS, IRR_DISTRICT_COLS
    district_map = [[1 if r0 <= r <= r1 and c0 <= c <= c1 else 0 for c in range(1, IRR_NCOL + 1)]
                    for r in range(1, IRR_NROW + 1)]
    zone_map = [[1 if c <= IRR_NCOL // 2 else 2 for c in range(1, IRR_NCOL + 1)] for _ in range(IRR_NROW)]
    periods = ", ".join(f"{{length: {d}}}" for d in IRR_MONTH_DAYS)
    return f"""
name: {name}
grid: {{nlay: 2, nrow: {IRR_NROW}, ncol: {IRR_NCOL}, delr: {IRR_CELL}, delc: {IRR_CELL}, top: 20.0,
        bottom: [0.0, -30.0]}}
aquifer: {{layer_type: [convertible, confined], k: [5.0, 20.0], k33: [0.5, 2.0], ss: 1.0e-4, sy: 0.1}}
time: {{start: {IRR_START}, periods: [{periods}]}}
initial_head: 15.0
stresses:
  chd:
    - {{name: east, cells: {{layer: [1, 2], rows: [1, {IRR_NROW}], col: {IRR_NCOL}}}, head: 15.0}}
  riv:
    - {{name: canal, cells: {{layer: 1, row: 1, cols: [2, 7]}}, length: 100.0, width: 5.0, bed_k: 0.1,
       bed_thickness: 1.0, bed_bottom: 17.0, depth: {{1: 1.0}}}}
  ponds:
    - {{name: pond, cells: {{layer: 1, rows: [4, 5], cols: [6, 7]}}, bed_k: 0.01, bed_thickness: 1.0,
       floor: {IRR_POND_FLOOR}, max_stage: 20.0, initial_stage: {IRR_POND_STAGE0}, rain: {IRR_POND_RAIN},
       evaporation: {IRR_POND_EVAP}}}
  connections:
    - {{name: canal_to_pond, canal: canal, pond: pond, months: {IRR_CONNECTION_MONTHS},
       max_rate: {IRR_CONNECTION_RATE}}}
  wel:
    - {{name: farm, layer: 2, row: 3, col: 7, rate: {well_rate}}}
irrigation:
  reference_et: {IRR_ET0}
  precipitation: {IRR_RAIN}
  effective_precipitation: {IRR_EFFECTIVE}
  crops:
    - {{name: wheat, kc: {IRR_KC}}}
  methods:
    - {{name: flood, efficiency: {IRR_EFFICIENCY}, percolation: {IRR_PERCOLATION}}}
  district_map: {district_map}
  districts:
    - name: south_west
      id: 1
      crops: {{wheat: {IRR_CROP_SHARE}}}
      methods: {{2015: {{flood: 1.0}}}}
      surface_water: {{canal: canal, capacity: {IRR_SW_CAPACITY}, conveyance_efficiency: {IRR_CONVEYANCE},
                      conveyance_percolation: {IRR_CONVEYANCE_PERC}}}
      groundwater: {{layers: {{2: 1.0}}, allotment: {IRR_GW_ALLOTMENT}, deficit: short}}
zones:
  map: {zone_map}
  names: {{1: West, 2: East}}
aquifers:
  shallow: [1]
  deep: [2]
output: {{save_heads: period_end}}
solver: {{method: direct}}
"""


IRRIGATED = irrigated("Irrigated plain")
IRRIGATED_LESS = irrigated("Less pumping", IRR_WELL_RATE / 3)
IRRIGATED_NO_WELL = irrigated("No farm well", 0.0)
