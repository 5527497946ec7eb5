// FlowModel::fix_rows: constant-head and inactive cells are identity rows
// with no coupling to any other cell, after every assembly, including one
// that follows a use of the system's diagonal and right-hand side as
// scratch (the zone budget does that), for confined (symmetric) and
// convertible (nonsymmetric) models. Conductances lent to a confined
// model's system assemble the same system and come back whole.
#include <gtest/gtest.h>

#include "flow/flow_model.hpp"
#include "support/model_builder.hpp"

namespace gwsim {
namespace {

/// Every row of a non-free cell is an identity, and no row couples to it.
void expect_fixed_rows(const StencilSystem& A, std::span<const CellRole> role) {
  const Index n = A.size(), nc = A.ncol, nrc = A.nrow * nc;
  const bool sym = A.symmetric();
  auto u = [](Index i) { return static_cast<std::size_t>(i); };
  for (Index i = 0; i < n; ++i) {
    if (role[u(i)] == CellRole::free) continue;
    SCOPED_TRACE(::testing::Message() << "cell " << i << (role[u(i)] == CellRole::fixed ? " (fixed)" : " (inactive)"));
    EXPECT_EQ(A.diag[u(i)], 1.0);
    EXPECT_EQ(A.rhs[u(i)], 0.0);
    // Its own row and the neighbours' couplings to it.
    std::vector<double> c = {A.east[u(i)], A.south[u(i)]};
    if (i + nrc < n) c.push_back(A.down[u(i)]);
    if (i >= 1) c.push_back(A.east[u(i - 1)]);
    if (i >= nc) c.push_back(A.south[u(i - nc)]);
    if (i >= nrc) c.push_back(A.down[u(i - nrc)]);
    if (!sym) {
      c.insert(c.end(), {A.west[u(i)], A.north[u(i)], A.up[u(i)]});
      if (i + 1 < n) c.push_back(A.west[u(i + 1)]);
      if (i + nc < n) c.push_back(A.north[u(i + nc)]);
      if (i + nrc < n) c.push_back(A.up[u(i + nrc)]);
    }
    for (double v : c) EXPECT_EQ(v, 0.0);
  }
}

TEST(FlowModel, FixedAndInactiveRowsAreIdentitiesAfterEveryAssembly) {
  for (const bool convertible : {false, true}) {
    SCOPED_TRACE(convertible ? "convertible" : "confined");
    ModelData m = test::uniform_model(2, 9, 12, 100.0, 100.0, 20.0, 10.0, 5.0, 1.0, 1e-5, 15.0);
    if (convertible) m.aquifer.layer_type[0] = LayerType::convertible;
    Grid& g = m.grid;
    std::vector<CellRole> role(static_cast<std::size_t>(g.ncell()), CellRole::free);
    // Inactive: a corner block of the top layer and a column through both
    // layers; fixed: the west column of the top layer and a cell beside an
    // inactive one.
    for (Index l = 0; l < g.nlay; ++l)
      for (Index r = 0; r < g.nrow; ++r)
        for (Index c = 0; c < g.ncol; ++c) {
          const Index n = g.index(l, r, c);
          if ((l == 0 && r < 3 && c > 8) || c == 6) g.active[static_cast<std::size_t>(n)] = 0;
        }
    for (Index n = 0; n < g.ncell(); ++n)
      if (!g.is_active(n)) role[static_cast<std::size_t>(n)] = CellRole::inactive;
    for (Index r = 0; r < g.nrow; ++r) role[static_cast<std::size_t>(g.index(0, r, 0))] = CellRole::fixed;
    role[static_cast<std::size_t>(g.index(1, 4, 5))] = CellRole::fixed;
    const FlowModel flow(g, m.aquifer);
    ASSERT_EQ(flow.nonlinear(), convertible);
    std::vector<double> h(static_cast<std::size_t>(g.ncell())), h_old(h.size());
    for (std::size_t i = 0; i < h.size(); ++i) {
      h[i] = 12.0 + 0.01 * static_cast<double>(i % 17);
      h_old[i] = 12.5;
    }
    const FlowModel::NotFree cells = FlowModel::not_free(role);
    EXPECT_EQ(cells.fixed.size(), static_cast<std::size_t>(g.nrow + 1));
    StencilSystem A;
    flow.assemble(A, h, h_old, 10.0, false, role);
    flow.fix_rows(A, cells);
    expect_fixed_rows(A, role);
    const StencilSystem first = A;
    // The zone budget writes every cell's diagonal and right-hand side.
    std::fill(A.diag.begin(), A.diag.end(), 7.0);
    std::fill(A.rhs.begin(), A.rhs.end(), -3.0);
    flow.assemble(A, h, h_old, 10.0, false, role);
    flow.fix_rows(A, cells);
    expect_fixed_rows(A, role);
    EXPECT_EQ(A.diag, first.diag);
    EXPECT_EQ(A.rhs, first.rhs);
    EXPECT_EQ(A.east, first.east);
    EXPECT_EQ(A.south, first.south);
    EXPECT_EQ(A.down, first.down);
    EXPECT_EQ(A.west, first.west);
  }
}

/// Flow through every face and the constant-head term of `flow` at heads h.
std::vector<double> face_flows(const FlowModel& flow, std::span<const double> h, std::span<const CellRole> role) {
  std::vector<double> q;
  flow.for_each_face(h, role, 0, flow.grid().ncell(), [&](Index, Index, double f) { q.push_back(f); });
  BudgetTerm chd;
  flow.fixed_head_budget(chd, h, role, FlowModel::not_free(role).fixed);
  q.insert(q.end(), {chd.in, chd.out});
  return q;
}

TEST(FlowModel, LentConductancesAssembleTheSameSystemAndComeBackWhole) {
  ModelData m = test::uniform_model(3, 8, 11, 100.0, 100.0, 20.0, 10.0, 5.0, 1.0, 1e-5, 15.0);
  Grid& g = m.grid;
  const auto cell = [](Index n) { return static_cast<std::size_t>(n); };
  for (Index r = 0; r < 3; ++r) g.active[cell(g.index(1, r, 10))] = 0;
  std::vector<CellRole> role(cell(g.ncell()), CellRole::free);
  for (Index n = 0; n < g.ncell(); ++n)
    if (!g.is_active(n)) role[cell(n)] = CellRole::inactive;
  // Constant heads at a west column of the top layer, a cell inside the
  // middle layer (couplings in all six directions) and a bottom-layer cell.
  for (Index r = 0; r < g.nrow; ++r) role[cell(g.index(0, r, 0))] = CellRole::fixed;
  role[cell(g.index(1, 4, 5))] = CellRole::fixed;
  role[cell(g.index(2, 7, 10))] = CellRole::fixed;
  FlowModel flow(g, m.aquifer);
  ASSERT_FALSE(flow.nonlinear());
  std::vector<double> h(cell(g.ncell())), h_old(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) {
    h[i] = 12.0 + 0.01 * static_cast<double>(i % 17);
    h_old[i] = 12.5;
  }
  const std::vector<double> before = face_flows(flow, h, role);
  // Two solves with different constant heads: each cuts its own couplings.
  std::vector<CellRole> later = role;
  later[cell(g.index(1, 4, 5))] = CellRole::free;
  later[cell(g.index(0, 2, 3))] = CellRole::fixed;
  for (const auto* r : {&role, &later, &role}) {
    const FlowModel::NotFree cells = FlowModel::not_free(*r);
    StencilSystem copied, lent;
    flow.assemble(copied, h, h_old, 10.0, false, *r);
    flow.fix_rows(copied, cells);
    flow.lend_conductances(lent, cells);
    EXPECT_TRUE(flow.lent());
    flow.assemble(lent, h, h_old, 10.0, false, *r);
    flow.fix_rows(lent, cells);
    expect_fixed_rows(lent, *r);
    EXPECT_EQ(lent.diag, copied.diag);
    EXPECT_EQ(lent.rhs, copied.rhs);
    EXPECT_EQ(lent.east, copied.east);
    EXPECT_EQ(lent.south, copied.south);
    EXPECT_EQ(lent.down, copied.down);
    EXPECT_TRUE(lent.symmetric());
    flow.take_back_conductances(lent);
    EXPECT_FALSE(flow.lent());
    EXPECT_TRUE(lent.east.empty() && lent.south.empty() && lent.down.empty());
    EXPECT_EQ(lent.diag.size(), h.size()); // still there for the zone budget's scratch
    EXPECT_EQ(face_flows(flow, h, role), before);
  }
}

} // namespace
} // namespace gwsim
