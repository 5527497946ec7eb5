// Irrigation districts against hand computation: the district balance, the
// efficiency paradox, surface water replacing pumping, fallowing, and the
// whole-model budget with districts active.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/parallel.hpp"
#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"

namespace gwsim {
namespace {

using test::RecordingSink;

/// Records district balances per step.
struct IrrigationSink : RecordingSink {
  std::vector<std::vector<DistrictBalance>> districts;
  std::vector<std::vector<double>> pumping_maps;
  void irrigation(const StepInfo&, std::span<const DistrictBalance> d, std::span<const double> p,
                  std::span<const double>) override {
    districts.emplace_back(d.begin(), d.end());
    pumping_maps.emplace_back(p.begin(), p.end());
  }
};

// June only: reference ET `et` and rain `rain` (m/d), 70% of the rain
// effective, one crop "crop" with coefficient 1.2.
void june_one_crop(IrrigationData& irr, double et, double rain) {
  irr.reference_et.fill(0.0);
  irr.precipitation.fill(0.0);
  irr.reference_et[5] = et;
  irr.precipitation[5] = rain;
  irr.effective_precipitation = 0.7;
  Crop crop;
  crop.name = "crop";
  crop.kc[5] = 1.2;
  irr.crops = {crop};
}

// 1 x 10 x 10 cells of 100 m; the district is the 4 x 4 block in the middle
// (16 cells, 16 ha), half of each cell under the crop: 8 ha irrigated.
// June: reference ET 5 mm/d, rain 2 mm/d of which 70% is effective, crop
// coefficient 1.2.
ModelData district_model(std::vector<IrrigationMethod> methods, std::vector<double> mix) {
  ModelData m = test::uniform_model(1, 10, 10, 100.0, 100.0, 0.0, 50.0, 10.0, 10.0, 1e-5, 0.0);
  m.time.start = Date{2015, 6, 1};
  m.time.periods = {StressPeriod{30.0, 3, 1.0, false}};
  ConstantHead edge;
  edge.name = "edge";
  for (Index i = 0; i < 10; ++i)
    for (Index j = 0; j < 10; ++j)
      if (i == 0 || j == 0 || i == 9 || j == 9) edge.cells.push_back(m.grid.index(0, i, j));
  edge.head.set(0, 0.0);
  m.stresses.chd.push_back(edge);
  IrrigationData& irr = m.irrigation;
  june_one_crop(irr, 0.005, 0.002);
  irr.methods = std::move(methods);
  District d;
  d.name = "district";
  for (Index i = 3; i < 7; ++i)
    for (Index j = 3; j < 7; ++j) d.columns.push_back(i * 10 + j);
  d.crop_fraction.assign(d.columns.size(), 0.5);
  d.methods = {MethodMix{2000, std::move(mix)}};
  d.pumping_layers = {0};
  d.pumping_shares = {1.0};
  irr.districts = {d};
  return m;
}

// Hand computation (m3/d): crop ET 0.006 m/d x 80 000 m2 = 480; effective
// rain min(0.7 x 0.002, 0.006) x 80 000 = 112; net 368.
constexpr double kCropUse = 480.0, kRain = 112.0, kNet = 368.0;

void expect_rel(double got, double expected, const char* what) {
  EXPECT_NEAR(got, expected, 1e-10 * std::abs(expected)) << what;
}

TEST(Irrigation, OneDistrictBalanceByHand) {
  ModelData m = district_model({{"flood", 0.6, 0.8}}, {1.0});
  District& d = m.irrigation.districts[0];
  d.imported = true;            // surface water from outside the model
  d.sw_capacity = 200.0;        // m3/d at the canal head
  d.conveyance_efficiency = 0.8;
  d.conveyance_percolation = 0.5;
  IrrigationSink sink;
  Simulation(m).run(sink);
  ASSERT_EQ(sink.districts.size(), 3u);
  const double gross = kNet / 0.6;              // 613.33
  const double delivered = 0.8 * 200.0;         // capacity binds: 160
  const double pumped = gross - delivered;      // 453.33 (confined: all delivered)
  const double ret = (gross * 0.4 * 0.8 / gross) * (delivered + pumped); // 0.32 x applied
  for (const auto& step : sink.districts) {
    const DistrictBalance& b = step[0];
    expect_rel(b.irrigated_area, 80000.0, "irrigated area");
    expect_rel(b.crop_water_use, kCropUse, "crop water use");
    expect_rel(b.effective_precipitation, kRain, "effective precipitation");
    expect_rel(b.net_requirement, kNet, "net requirement");
    expect_rel(b.gross_demand, gross, "gross demand");
    expect_rel(b.surface_water_diverted, 200.0, "diverted");
    expect_rel(b.surface_water_delivered, delivered, "delivered");
    expect_rel(b.conveyance_loss, 40.0, "conveyance loss");
    expect_rel(b.conveyance_recharge, 20.0, "conveyance recharge");
    expect_rel(b.pumping_requested, pumped, "pumping requested");
    expect_rel(b.pumping_actual, pumped, "pumping actual");
    EXPECT_EQ(b.unmet, 0.0);
    expect_rel(b.return_flow, ret, "return flow");
    expect_rel(b.surface_water_delivered + b.pumping_actual + b.unmet, b.gross_demand, "supply = demand");
  }
  // The same numbers are the groundwater budget terms.
  expect_rel(sink.term(0, "irr_wel").out, pumped, "irr_wel");
  expect_rel(sink.term(0, "irr_rch").in, ret, "irr_rch");
  expect_rel(sink.term(0, "irr_canal").in, 20.0, "irr_canal");
  for (const auto& b : sink.budgets) EXPECT_LT(std::abs(b.percent_discrepancy), 1e-6);
  // The pumping map spreads the pumping over the 16 cells: 453.33 / 16 per
  // 10 000 m2 cell, in m/d.
  EXPECT_NEAR(sink.pumping_maps.back()[4 * 10 + 4], pumped / 16.0 / 1e4, 1e-15);
}

// Flood (0.6) to drip (0.9): pumping falls by the hand-computed amount, but
// return flow falls too, so the net withdrawal falls by less.
TEST(Irrigation, DripCutsPumpingMoreThanNetWithdrawal) {
  IrrigationSink flood, drip;
  const std::vector<IrrigationMethod> methods = {{"flood", 0.6, 0.8}, {"drip", 0.9, 0.8}};
  Simulation(district_model(methods, {1.0, 0.0})).run(flood);
  Simulation(district_model(methods, {0.0, 1.0})).run(drip);
  const DistrictBalance& f = flood.districts[0][0];
  const DistrictBalance& d = drip.districts[0][0];
  const double pump_flood = kNet / 0.6, pump_drip = kNet / 0.9; // 613.33, 408.89
  const double ret_flood = pump_flood * 0.4 * 0.8, ret_drip = pump_drip * 0.1 * 0.8; // 196.27, 32.71
  expect_rel(f.pumping_actual, pump_flood, "flood pumping");
  expect_rel(d.pumping_actual, pump_drip, "drip pumping");
  expect_rel(f.return_flow, ret_flood, "flood return");
  expect_rel(d.return_flow, ret_drip, "drip return");
  const double pumping_cut = f.pumping_actual - d.pumping_actual;                      // 204.44
  const double net_cut = (f.pumping_actual - f.return_flow) - (d.pumping_actual - d.return_flow); // 40.89
  EXPECT_NEAR(pumping_cut, 204.444444444, 1e-6);
  EXPECT_NEAR(net_cut, 40.888888889, 1e-6);
  EXPECT_LT(net_cut, 0.25 * pumping_cut) << "the efficiency paradox";
}

// Surface water replaces pumping one for one after conveyance losses, until
// the canal capacity or the yearly allotment binds.
TEST(Irrigation, SurfaceWaterReplacesPumpingUntilCapacityOrAllotmentBinds) {
  const double gross = kNet / 0.6;
  auto run = [&](double capacity, double allotment) {
    ModelData m = district_model({{"flood", 0.6, 0.8}}, {1.0});
    District& d = m.irrigation.districts[0];
    d.imported = true;
    d.sw_capacity = capacity;
    d.sw_allotment = allotment;
    d.conveyance_efficiency = 0.75;
    IrrigationSink sink;
    Simulation(m).run(sink);
    return sink.districts;
  };
  // Capacity 300 m3/d binds: 225 m3/d delivered, pumping falls by exactly 225.
  const auto cap = run(300.0, 0.0);
  expect_rel(cap[0][0].surface_water_delivered, 225.0, "delivered");
  expect_rel(cap[0][0].pumping_actual, gross - 225.0, "pumping");
  // Capacity ample: all demand met by the canal, no pumping.
  const auto ample = run(1e6, 0.0);
  expect_rel(ample[0][0].surface_water_diverted, gross / 0.75, "diverted");
  EXPECT_NEAR(ample[0][0].pumping_actual, 0.0, 1e-9);
  // Allotment of 4000 m3 for the year: the first 10-day step may divert
  // 400 m3/d (delivers 300), then nothing is left and pumping takes over.
  const auto allot = run(1e6, 4000.0);
  expect_rel(allot[0][0].surface_water_diverted, 400.0, "first step diversion");
  expect_rel(allot[0][0].pumping_actual, gross - 300.0, "first step pumping");
  EXPECT_EQ(allot[1][0].surface_water_diverted, 0.0);
  expect_rel(allot[1][0].pumping_actual, gross, "second step pumping");
}

// Fallowing a share of a crop removes exactly that share of its demand.
TEST(Irrigation, FallowingRemovesExactlyItsDemand) {
  ModelData m = district_model({{"pipe", 0.8, 0.5}}, {1.0});
  Crop maize;
  maize.name = "maize";
  maize.kc[5] = 0.5;
  m.irrigation.crops.push_back(maize);
  District& d = m.irrigation.districts[0];
  d.crop_fraction.resize(2 * d.columns.size(), 0.25); // maize on a quarter of each cell
  IrrigationSink full, fallow;
  Simulation(m).run(full);
  d.fallowing = {Fallowing{0, 0.4, {6}, {2015}}}; // 40% of the first crop idle in June 2015
  Simulation(m).run(fallow);
  const double crop1_net = kNet;                                         // as above
  const double maize_net = (0.5 * 0.005 - std::min(0.0014, 0.0025)) * 40000.0; // 44
  expect_rel(full.districts[0][0].net_requirement, crop1_net + maize_net, "both crops");
  expect_rel(fallow.districts[0][0].net_requirement, 0.6 * crop1_net + maize_net, "with fallowing");
  expect_rel(full.districts[0][0].gross_demand - fallow.districts[0][0].gross_demand, 0.4 * crop1_net / 0.8,
             "gross demand removed");
}

// Pumping from a thin unconfined aquifer dries cells: pumping is reduced,
// the shortfall is reported as unmet, and the whole-model budget closes.
TEST(Irrigation, DryingCellsShowUnmetDemandAndBudgetCloses) {
  ModelData m = district_model({{"flood", 0.6, 0.8}}, {1.0});
  for (auto& t : m.aquifer.layer_type) t = LayerType::convertible;
  std::fill(m.aquifer.sy.begin(), m.aquifer.sy.end(), 0.05);
  std::fill(m.aquifer.k.begin(), m.aquifer.k.end(), 0.5);
  std::fill(m.initial_head.begin(), m.initial_head.end(), -48.0); // 2 m saturated above the bottom at -50
  m.stresses.chd[0].head = {};
  m.stresses.chd[0].head.set(0, -48.0);
  m.irrigation.reference_et[5] = 0.02; // a hot month: 4x the demand
  m.newton.time_step_cuts = 3;
  IrrigationSink sink;
  ASSERT_NO_THROW(Simulation(m).run(sink));
  const DistrictBalance& b = sink.districts.back()[0];
  EXPECT_GT(b.unmet, 0.05 * b.gross_demand) << "drying cells could not deliver";
  EXPECT_LT(b.pumping_actual, b.pumping_requested);
  expect_rel(b.surface_water_delivered + b.pumping_actual + b.unmet, b.gross_demand, "supply = demand");
  expect_rel(sink.term(2, "irr_wel").requested_out - sink.term(2, "irr_wel").out, b.unmet, "shortfall = unmet");
  for (const auto& bud : sink.budgets) EXPECT_LT(std::abs(bud.percent_discrepancy), 0.01);
}

// Pump cells are many in a real model (about 70 000 in Hengshui), so their
// loops run in parallel: each entry's pumping into its own cell when no cell
// is pumped by two districts, the district totals from per-entry values
// summed in entry order. Two districts of 120 x 60 columns each, pumping
// from both layers of a convertible over a confined layer (28 800 pump
// entries, above the length from which loops use both threads), the pumps
// of the first five rows, which start with 0.5 m of water, drying. 1 and 2
// threads must give the same heads and balances bit for bit, with the
// districts apart and with one column pumped by both (the entry-order
// path). A change of 1e-10 in the pumping of one thread's cells fails it.
TEST(Irrigation, SameResultsOnOneAndTwoThreadsWithManyPumpCells) {
  for (bool overlap : {false, true}) {
    SCOPED_TRACE(overlap ? "overlapping districts" : "separate districts");
    ModelData m = test::uniform_model(2, 120, 120, 100.0, 100.0, 0.0, 25.0, 2.0, 0.5, 1e-5, -10.0);
    m.aquifer.layer_type[0] = LayerType::convertible;
    std::fill(m.aquifer.sy.begin(), m.aquifer.sy.end(), 0.05);
    for (Index n = 0; n < 5 * 120; ++n) m.initial_head[static_cast<std::size_t>(n)] = -24.5; // rows 1-5: 0.5 m left
    m.time.start = Date{2015, 6, 1};
    m.time.periods = {StressPeriod{30.0, 2, 1.0, false}};
    IrrigationData& irr = m.irrigation;
    june_one_crop(irr, 0.006, 0.0);
    irr.methods = {{"flood", 0.6, 0.8}};
    for (int k = 0; k < 2; ++k) {
      District d;
      d.name = k == 0 ? "west" : "east";
      for (Index i = 0; i < 120; ++i)
        for (Index j = 60 * k; j < 60 * (k + 1); ++j) d.columns.push_back(i * 120 + j);
      if (overlap && k == 1) d.columns.push_back(0); // also pumped by "west"
      d.crop_fraction.assign(d.columns.size(), 0.8);
      d.methods = {MethodMix{2000, {1.0}}};
      d.pumping_layers = {0, 1};
      d.pumping_shares = {0.4, 0.6};
      irr.districts.push_back(d);
    }
    const int threads = max_threads();
    std::array<IrrigationSink, 2> sink;
    for (int t : {1, 2}) {
      set_threads(t);
      ASSERT_NO_THROW(Simulation(m).run(sink[static_cast<std::size_t>(t - 1)]));
    }
    set_threads(threads);
    ASSERT_EQ(sink[0].heads.size(), sink[1].heads.size());
    for (std::size_t s = 0; s < sink[0].heads.size(); ++s) EXPECT_EQ(sink[0].heads[s], sink[1].heads[s]) << "step " << s;
    ASSERT_EQ(sink[0].districts.size(), sink[1].districts.size());
    for (std::size_t s = 0; s < sink[0].districts.size(); ++s)
      for (std::size_t d = 0; d < 2; ++d) {
        const DistrictBalance& a = sink[0].districts[s][d];
        const DistrictBalance& b = sink[1].districts[s][d];
        EXPECT_EQ(a.pumping_actual, b.pumping_actual) << "step " << s << ", district " << d;
        EXPECT_EQ(a.unmet, b.unmet) << "step " << s << ", district " << d;
        expect_rel(a.surface_water_delivered + a.pumping_actual + a.unmet, a.gross_demand, "supply = demand");
      }
    // The drying top layer must have cut the pumping somewhere, or the
    // saturation-dependent path was not exercised.
    EXPECT_GT(sink[0].districts.back()[0].unmet, 0.0);
    for (const auto& bud : sink[0].budgets) EXPECT_LT(std::abs(bud.percent_discrepancy), 0.01);
  }
}

} // namespace
} // namespace gwsim
