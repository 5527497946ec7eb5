// PondPackage::add_to: the pond's part of the Newton Jacobian (diagonal and
// rank-one terms) against central finite differences of the pond's flows
// into the aquifer, cell by cell, in the regimes where a cell's seepage
// depends on other cells' heads: a stage between floor and spill with
// connected and perched cells (nonsymmetric and symmetric systems), and a
// pond that empties within the step, its losing cells sharing the water
// there is.
#include <gtest/gtest.h>

#include <cmath>

#include "boundaries/surface_water.hpp"
#include "core/date.hpp"
#include "solver/stencil.hpp"

namespace gwsim {
namespace {

/// A 1 x 3 x 4 grid with a pond on its 6 cells of the middle and last rows
/// (bed conductance C per cell, bed bottom 10 m, floor 11 m, vertical walls
/// of area `area` up to 20 m).
struct PondCase {
  std::vector<Pond> ponds;
  std::vector<Connection> none;
  std::vector<CellRole> role = std::vector<CellRole>(12, CellRole::free);
  explicit PondCase(double area, double inflow, double evaporation) {
    Pond p;
    p.name = "pond";
    for (Index n = 4; n < 12; ++n)
      if (n != 7 && n != 11) p.cells.push_back(n);
    p.conductance = {300.0, 500.0, 400.0, 200.0, 600.0, 350.0}; // m2/d
    p.bed_bottom = 10.0;
    p.table_stage = {11.0, 20.0};
    p.table_area = {area, area};
    p.table_volume = {0.0, 9.0 * area};
    p.max_stage = 20.0;
    p.initial_stage = 12.0;
    p.inflow.set(0, inflow);
    p.evaporation.set(0, evaporation);
    ponds.push_back(p);
  }
};

/// The Jacobian column j of the package's flows, -d(rhs)/dh_j, as add_to()
/// assembles it (diag and rank-one terms), and by central differences.
void expect_jacobian_matches_differences(const PondCase& pc, const std::vector<double>& h, bool symmetric,
                                         double dt) {
  PondPackage pkg(pc.ponds, pc.none, nullptr);
  pkg.start_period(0);
  pkg.start_step(dt, Date{2015, 3, 15});
  auto assemble = [&](const std::vector<double>& x) {
    StencilSystem A;
    A.resize(1, 3, 4);
    if (!symmetric) A.make_nonsymmetric();
    pkg.add_to(A, x, pc.role);
    return A;
  };
  const StencilSystem J = assemble(h);
  // The flows are linear between kinks (bed bottom, floor), which every
  // head here is 0.1 m or more away from; the stage comes from a bisection
  // to 1e-12 relative, which a larger step keeps out of the difference.
  const double eps = 1e-3; // m
  for (Index j = 0; j < 12; ++j) {
    std::vector<double> e(12, 0.0), col(12);
    e[static_cast<std::size_t>(j)] = 1.0;
    apply(J, e, col);
    std::vector<double> hp = h, hm = h;
    hp[static_cast<std::size_t>(j)] += eps;
    hm[static_cast<std::size_t>(j)] -= eps;
    const StencilSystem P = assemble(hp), M = assemble(hm);
    for (Index i = 0; i < 12; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const double fd = -(P.rhs[k] - M.rhs[k]) / (2.0 * eps);
      EXPECT_NEAR(col[k], fd, 1e-6 * (1.0 + std::abs(fd))) << "row " << i << ", column " << j;
    }
  }
}

TEST(PondJacobian, StageBetweenFloorAndSpillWithPerchedCells) {
  // Heads above the bed bottom (10 m) in 3 cells, below it in 3: the
  // perched cells' seepage follows the stage, which follows the connected
  // cells' heads. A small pond (its stage moves with the heads).
  const PondCase pc(2000.0, 4000.0, 0.0);
  const std::vector<double> h = {9, 9, 9, 9, 10.6, 9.3, 11.2, 9, 9.6, 10.9, 9.1, 9};
  expect_jacobian_matches_differences(pc, h, false, 10.0);
}

TEST(PondJacobian, ConnectedCellsOnlyInASymmetricSystem) {
  // Every pond cell connected: the symmetric rank-one term alone is exact.
  const PondCase pc(2000.0, 4000.0, 0.0);
  const std::vector<double> h = {9, 9, 9, 9, 10.6, 10.3, 11.2, 9, 10.4, 10.9, 10.1, 9};
  expect_jacobian_matches_differences(pc, h, true, 10.0);
}

TEST(PondJacobian, EmptyingPondSharesWhatThereIs) {
  // No inflow, a little water left and strong evaporation: the pond runs
  // dry within the step, and its losing cells share the water there is in
  // proportion to C (floor - max(h, bed bottom)); one cell gains (head
  // above the floor), adding to that water.
  const PondCase pc(2000.0, 0.0, 0.05);
  const std::vector<double> h = {9, 9, 9, 9, 10.6, 9.3, 11.4, 9, 9.6, 10.2, 9.1, 9};
  expect_jacobian_matches_differences(pc, h, false, 10.0);
}

} // namespace
} // namespace gwsim
