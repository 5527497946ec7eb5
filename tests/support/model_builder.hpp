#pragma once
/// Builds small ModelData objects in code for engine tests, without YAML.
#include <string>

#include "model/model_data.hpp"

namespace gwsim::test {

/// A uniform confined model: nlay x nrow x ncol cells of size dx x dy, each
/// layer `thickness` thick below `top`, horizontal K `k`, vertical K `k33`,
/// specific storage `ss`, initial head h0 everywhere, one steady period.
inline ModelData uniform_model(Index nlay, Index nrow, Index ncol, double dx, double dy,
                               double top, double thickness, double k, double k33, double ss,
                               double h0) {
  ModelData m;
  m.name = "test";
  Grid& g = m.grid;
  g.nlay = nlay;
  g.nrow = nrow;
  g.ncol = ncol;
  g.delr.assign(static_cast<std::size_t>(ncol), dx);
  g.delc.assign(static_cast<std::size_t>(nrow), dy);
  g.top.assign(static_cast<std::size_t>(nrow * ncol), top);
  g.bottom.resize(static_cast<std::size_t>(g.ncell()));
  for (Index n = 0; n < g.ncell(); ++n)
    g.bottom[static_cast<std::size_t>(n)] = top - thickness * static_cast<double>(g.layer_of(n) + 1);
  g.active.assign(static_cast<std::size_t>(g.ncell()), 1);
  const auto nc = static_cast<std::size_t>(g.ncell());
  m.aquifer.layer_type.assign(static_cast<std::size_t>(nlay), LayerType::confined);
  m.aquifer.k.assign(nc, k);
  m.aquifer.k33.assign(nc, k33);
  m.aquifer.ss.assign(nc, ss);
  m.aquifer.sy.assign(nc, 0.1);
  m.time.start = Date{2015, 1, 1};
  m.time.periods.push_back(StressPeriod{1.0, 1, 1.0, true});
  m.initial_head.assign(nc, h0);
  m.output.save_heads = SaveHeads::every_step;
  m.solver.kind = SolverKind::multigrid;
  m.solver.residual_tolerance = 1e-12;
  m.solver.head_tolerance = 1e-9;
  m.solver.max_iterations = 20000;
  return m;
}

/// Constant head `head` on the first column of layer `layer` (zero-based),
/// named "west".
inline ConstantHead west_edge(const Grid& g, double head, Index layer = 0) {
  ConstantHead c;
  c.name = "west";
  for (Index r = 0; r < g.nrow; ++r) c.cells.push_back(g.index(layer, r, 0));
  c.head.set(0, head);
  return c;
}

inline Well well(const std::string& name, Index cell, double rate) {
  Well w;
  w.name = name;
  w.cell = cell;
  w.rate.set(0, rate);
  return w;
}

} // namespace gwsim::test
