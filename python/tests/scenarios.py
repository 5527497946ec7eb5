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
