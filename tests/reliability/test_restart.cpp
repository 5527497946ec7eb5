// Restart points: a run resumed from the end of a stress period reports
// exactly what the uninterrupted run reported (heads bitwise, every per-step
// row, district balances and irrigation maps), and a damaged restart point
// is refused with an InputError, never a crash (every truncation, every
// flipped byte, an older format version, a heads file of another layout).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "io/config.hpp"
#include "io/restart.hpp"
#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"
#include "support/scratch_dir.hpp"

namespace gwsim {
namespace {

namespace fs = std::filesystem;
using test::RecordingSink;

/// Two layers, a well switched on in period 2 and reversed in period 3,
/// heads saved at period ends only (so the heads file is sparse).
ModelData three_period_model() {
  ModelData m = test::uniform_model(2, 9, 11, 100.0, 100.0, 0.0, 20.0, 10.0, 1.0, 1e-4, 10.0);
  m.source_text = "three periods";
  m.time.periods = {StressPeriod{1.0, 1, 1.0, true}, StressPeriod{30.0, 3, 1.2, false},
                    StressPeriod{60.0, 2, 1.0, false}};
  m.output.save_heads = SaveHeads::period_end;
  for (Index r = 0; r < m.grid.nrow; ++r) m.stresses.chd.push_back({"west", {m.grid.index(0, r, 0)}, {}});
  for (auto& c : m.stresses.chd) c.head.set(0, 10.0);
  Well w = test::well("w", m.grid.index(1, 4, 6), 0.0);
  w.rate.set(1, -800.0);
  w.rate.set(2, 300.0);
  m.stresses.wel.push_back(w);
  m.observations.push_back({"obs", m.grid.index(1, 4, 5), 0.0, 0.0});
  return m;
}

/// Confined, heads saved at every step, several geometric steps per period
/// and the same well from period 2 on, far enough from the fixed heads that
/// the cone still grows at the end: the first step of a period starts from
/// the last step's head change (SimulationState::head_change and last_dt),
/// and a resumed run must start from it too. Jacobi-preconditioned CG with a
/// scenario's default tolerances stops where a different first guess leaves
/// the heads about 1e-7 m apart (multigrid would solve this small grid to
/// round-off and hide it).
ModelData transient_model() {
  ModelData m = test::uniform_model(2, 15, 25, 100.0, 100.0, 0.0, 20.0, 10.0, 1.0, 1e-3, 10.0);
  m.source_text = "transient, several steps per period";
  m.time.periods = {StressPeriod{1.0, 1, 1.0, true}, StressPeriod{40.0, 4, 1.3, false},
                    StressPeriod{40.0, 4, 1.3, false}, StressPeriod{40.0, 4, 1.3, false}};
  m.solver.kind = SolverKind::pcg;
  m.solver.head_tolerance = SolverSettings{}.head_tolerance;
  m.solver.residual_tolerance = SolverSettings{}.residual_tolerance;
  for (Index r = 0; r < m.grid.nrow; ++r) m.stresses.chd.push_back({"west", {m.grid.index(0, r, 0)}, {}});
  for (auto& c : m.stresses.chd) c.head.set(0, 10.0);
  Well w = test::well("w", m.grid.index(1, 7, 20), 0.0);
  w.rate.set(1, -1500.0);
  m.stresses.wel.push_back(w);
  m.observations.push_back({"obs", m.grid.index(1, 7, 19), 0.0, 0.0});
  return m;
}

/// One irrigation district (16 cells of 1 ha, half under a crop that needs
/// 5 mm/d all year, flood irrigation at 80%: 500 m3/d gross) over two
/// calendar years, in periods of 73 days (two steps each): surface water
/// 200 m3/d up to an allotment of 30 000 m3/yr (used up on day 150), then
/// pumping from the lower layer up to 75 000 m3/yr (used up on day 210), the
/// rest left unmet until the allotments start again on 1 January 2016. Heads
/// and irrigation maps are saved at period ends.
ModelData district_model() {
  ModelData m = test::uniform_model(2, 10, 10, 100.0, 100.0, 0.0, 20.0, 10.0, 1.0, 1e-4, 10.0);
  m.source_text = "one district, binding allotments";
  m.time.start = Date{2015, 1, 1};
  m.time.periods.assign(10, StressPeriod{73.0, 2, 1.0, false});
  m.output.save_heads = SaveHeads::period_end;
  ConstantHead edge{"edge", {}, {}};
  for (Index i = 0; i < 10; ++i)
    for (Index j = 0; j < 10; ++j)
      if (i == 0 || j == 0 || i == 9 || j == 9) edge.cells.push_back(m.grid.index(0, i, j));
  edge.head.set(0, 10.0);
  m.stresses.chd.push_back(edge);
  IrrigationData& irr = m.irrigation;
  irr.reference_et.fill(0.005);
  irr.precipitation.fill(0.0);
  Crop crop;
  crop.name = "crop";
  crop.kc.fill(1.0);
  irr.crops = {crop};
  irr.methods = {{"flood", 0.8, 0.5}};
  District d;
  d.name = "district";
  for (Index i = 3; i < 7; ++i)
    for (Index j = 3; j < 7; ++j) d.columns.push_back(i * 10 + j);
  d.crop_fraction.assign(d.columns.size(), 0.5);
  d.methods = {MethodMix{2000, {1.0}}};
  d.imported = true;
  d.sw_capacity = 200.0;
  d.sw_allotment = 30000.0;
  d.pumping_layers = {1};
  d.pumping_shares = {1.0};
  d.gw_allotment = 75000.0;
  d.irrigate_short = true;
  irr.districts = {d};
  m.observations.push_back({"obs", m.grid.index(1, 5, 5), 0.0, 0.0});
  return m;
}

/// Also keeps what OutputSink::irrigation was given.
struct IrrigationSink : RecordingSink {
  std::vector<std::vector<DistrictBalance>> districts;     ///< per step
  std::vector<std::vector<double>> pumping, return_flow;   ///< per step (empty without maps)
  void irrigation(const StepInfo&, std::span<const DistrictBalance> d, std::span<const double> p,
                  std::span<const double> r) override {
    districts.emplace_back(d.begin(), d.end());
    pumping.emplace_back(p.begin(), p.end());
    return_flow.emplace_back(r.begin(), r.end());
  }
};

double largest_difference(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double d = 0.0;
  for (std::size_t n = 0; n < std::min(a.size(), b.size()); ++n) d = std::max(d, std::abs(a[n] - b[n]));
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return std::move(s).str();
}

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

class Restart : public ::testing::Test {
protected:
  void SetUp() override {
    dir = test::fresh_test_dir("gwsim_restart");
    path = (dir / "out.h5.restart").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  /// Run `m` to the end through a recorder, keeping a copy of the restart
  /// point written after `keep_after` periods (restored before returning).
  void run_keeping(const ModelData& m, int keep_after, RecordingSink& sink) {
    RestartRecorder rec(sink, m, path, RestartInterval::every_periods(1));
    fs::path heads;
    Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) {
      const int next_period = st.next_period;
      rec.period_end(st);
      rec.wait_for_writer(); // written in the background
      if (next_period != keep_after) return;
      for (const auto& e : fs::directory_iterator(dir)) fs::copy_file(e.path(), e.path().string() + ".kept");
    });
    // A finished run removes its restart point.
    for (const auto& e : fs::directory_iterator(dir))
      ASSERT_TRUE(e.path().extension() == ".kept") << e.path();
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string kept = e.path().string();
      fs::rename(kept, kept.substr(0, kept.size() - 5));
    }
  }

  /// Resume `m` from the restart point at `path` to the end.
  void resume(const ModelData& m, RecordingSink& sink) {
    RestartPoint rp = read_restart(path, m);
    RestartRecorder rec(sink, m, path, RestartInterval::every_periods(1), &rp);
    Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) { rec.period_end(st); },
                      &rp.state);
  }

  /// Every truncation and every flipped byte (of 2000 evenly spread) of the
  /// restart point at `path` is an InputError.
  void expect_every_damage_refused(const ModelData& m) {
    const std::string good = slurp(path);
    ASSERT_NO_THROW(read_restart(path, m));
    const std::size_t stride = std::max<std::size_t>(1, good.size() / 2000);
    for (std::size_t n = 0; n < good.size(); n += stride) {
      spit(path, good.substr(0, n));
      EXPECT_THROW(read_restart(path, m), InputError) << "truncated to " << n << " bytes";
    }
    for (std::size_t i = 0; i < good.size(); i += stride) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ 0x5a);
      spit(path, bad);
      EXPECT_THROW(read_restart(path, m), InputError) << "byte " << i << " flipped";
    }
  }

  /// Rewrite the restart point's format version, with a valid checksum.
  void set_version(std::uint32_t version) {
    std::string bytes = slurp(path);
    std::memcpy(bytes.data() + 8, &version, sizeof version);
    const std::uint64_t sum = fnv1a64(std::string_view(bytes).substr(0, bytes.size() - 8));
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, sizeof sum);
    spit(path, bytes);
  }

  fs::path dir;
  std::string path;
};

TEST_F(Restart, ResumedRunReportsWhatTheUninterruptedRunReported) {
  const ModelData m = three_period_model();
  RecordingSink full;
  run_keeping(m, 2, full);

  RestartPoint rp = read_restart(path, m);
  EXPECT_EQ(rp.state.next_period, 2);
  EXPECT_EQ(rp.state.steps_done, 4);
  EXPECT_EQ(rp.saved_heads, 2u);
  RecordingSink resumed;
  RestartRecorder rec(resumed, m, path, RestartInterval::every_periods(1), &rp);
  Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) { rec.period_end(st); },
                    &rp.state);

  ASSERT_TRUE(resumed.finished);
  ASSERT_EQ(resumed.info.size(), full.info.size());
  for (std::size_t s = 0; s < full.info.size(); ++s) {
    EXPECT_EQ(resumed.info[s].time, full.info[s].time) << "step " << s;
    EXPECT_EQ(resumed.info[s].solver_iterations, full.info[s].solver_iterations) << "step " << s;
    EXPECT_EQ(resumed.info[s].save_heads, full.info[s].save_heads) << "step " << s;
    EXPECT_EQ(resumed.observed[s], full.observed[s]) << "step " << s;
    EXPECT_EQ(resumed.budgets[s].percent_discrepancy, full.budgets[s].percent_discrepancy);
    if (full.info[s].save_heads) {
      EXPECT_EQ(resumed.heads[s], full.heads[s]) << "step " << s;
    }
  }
  EXPECT_EQ(resumed.summary.steps, full.summary.steps);
  EXPECT_EQ(resumed.summary.solver_iterations, full.summary.solver_iterations);
  EXPECT_EQ(resumed.summary.newton_iterations, full.summary.newton_iterations);
  EXPECT_EQ(resumed.summary.time_step_cuts, full.summary.time_step_cuts);
  EXPECT_TRUE(fs::is_empty(dir)) << "restart files left after the resumed run finished";
}

// The last period's state goes into the result, not into a restart point
// that would be synced and removed a moment later (nor are the run's last
// saved heads appended to the heads file); only when the result cannot be
// finished (a full disk, say) are both written, and --resume then finishes
// the result without running a step again: its last saved heads come from
// the record written then.
TEST_F(Restart, LastPeriodIsARestartPointOnlyWhenTheResultCannotBeFinished) {
  const ModelData m = three_period_model(); // heads saved at each period's end
  const int nper = static_cast<int>(m.time.periods.size());
  RecordingSink full;
  {
    RestartRecorder rec(full, m, path, RestartInterval::every_periods(1));
    std::vector<int> committed;
    Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) {
      rec.period_end(st);
      rec.wait_for_writer();
      committed.push_back(rec.committed_periods());
    });
    EXPECT_EQ(committed, (std::vector<int>{1, 2, 2})) << "a restart point for the last period";
    ASSERT_TRUE(full.finished);
    EXPECT_TRUE(fs::is_empty(dir));
  }

  struct FinishFails : RecordingSink {
    void finish(const RunSummary&) override { throw OutputError("cannot write the result: disk full"); }
  } failing;
  {
    RestartRecorder rec(failing, m, path, RestartInterval::every_periods(1));
    EXPECT_THROW(Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) { rec.period_end(st); }),
                 OutputError);
    EXPECT_TRUE(failing.aborted);
    EXPECT_EQ(rec.committed_periods(), nper);
  }
  RestartPoint rp = read_restart(path, m);
  EXPECT_EQ(rp.state.next_period, nper);
  EXPECT_EQ(rp.state.steps_done, static_cast<int>(full.info.size()));
  RecordingSink resumed;
  int steps_run = 0;
  RestartRecorder rec(resumed, m, path, RestartInterval::every_periods(1), &rp);
  Simulation(m).run(
      rec, [&](const StepInfo&, const StepBudget&, int) { ++steps_run; }, nullptr,
      [&](SimulationState& st) { rec.period_end(st); }, &rp.state);
  EXPECT_EQ(steps_run, 0);
  ASSERT_TRUE(resumed.finished);
  ASSERT_EQ(resumed.info.size(), full.info.size());
  for (std::size_t s = 0; s < full.info.size(); ++s) {
    EXPECT_EQ(resumed.observed[s], full.observed[s]) << "step " << s;
    if (full.info[s].save_heads) {
      EXPECT_EQ(resumed.heads[s], full.heads[s]) << "step " << s;
    }
  }
  EXPECT_EQ(resumed.summary.solver_iterations, full.summary.solver_iterations);
  EXPECT_TRUE(fs::is_empty(dir)) << "restart files left after the resumed run finished";
}

// By default a restart point is written at the first period end at least
// RestartInterval::seconds of wall time after the run's start or the last
// restart point; the simulation builds the state only when the recorder
// wants it (the last period's always: kept for abort()).
TEST_F(Restart, ByWallTimeAPeriodEndIsARestartPointOnlyOnceTheIntervalHasPassed) {
  const ModelData m = three_period_model(); // 1, 3 and 2 steps
  struct Seen {
    int taken = 0;
    std::vector<int> committed;
  };
  auto run = [&](RestartInterval every, double pause_per_step) {
    RecordingSink sink;
    RestartRecorder rec(sink, m, path, every);
    Seen seen;
    Simulation(m).run(
        rec,
        [&](const StepInfo&, const StepBudget&, int) {
          std::this_thread::sleep_for(std::chrono::duration<double>(pause_per_step));
        },
        nullptr,
        Simulation::PeriodEnd([&](int next) { return rec.due(next); },
                              [&](SimulationState& st) {
                                ++seen.taken;
                                rec.period_end(st);
                                rec.wait_for_writer();
                                seen.committed.push_back(rec.committed_periods());
                              }));
    EXPECT_TRUE(sink.finished);
    EXPECT_TRUE(fs::is_empty(dir)) << "restart files left after the run finished";
    return seen;
  };
  // The default interval (30 s) never passes in this run: no restart point,
  // and only the last period's state is built.
  Seen s = run(RestartInterval{}, 0.0);
  EXPECT_EQ(s.taken, 1);
  EXPECT_EQ(s.committed, (std::vector<int>{0}));
  // 0 s: every period end, as every_periods(1).
  s = run(RestartInterval::every_seconds(0.0), 0.0);
  EXPECT_EQ(s.taken, 3);
  EXPECT_EQ(s.committed, (std::vector<int>{1, 2, 2}));
  // 0.25 s with 0.1 s per step: about 0.1 s at the end of period 1 (not
  // due), about 0.4 s at the end of period 2 (due).
  s = run(RestartInterval::every_seconds(0.25), 0.1);
  EXPECT_EQ(s.taken, 2);
  EXPECT_EQ(s.committed, (std::vector<int>{2, 2}));
}

TEST_F(Restart, OtherScenarioOrGridIsRefused) {
  ModelData m = three_period_model();
  RecordingSink full;
  run_keeping(m, 2, full);
  ModelData edited = m;
  edited.source_text += " ";
  EXPECT_THROW(read_restart(path, edited), InputError);
  ModelData bigger = test::uniform_model(2, 9, 12, 100.0, 100.0, 0.0, 20.0, 10.0, 1.0, 1e-4, 10.0);
  bigger.source_text = m.source_text;
  try {
    read_restart(path, bigger);
    FAIL() << "a restart point of another grid was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("2 x 9 x 11 grid"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_restart((dir / "missing.restart").string(), m), InputError);
}

TEST_F(Restart, ChangedDataFileIsRefused) {
  // The scenario text names the file; its bytes are in the digest, so a
  // restart point written before k.csv changed is refused.
  const fs::path data = fs::path(GWSIM_TEST_DATA_DIR);
  for (const char* f : {"valid.yaml", "k.csv", "top.asc"}) fs::copy_file(data / f, dir / f);
  const std::string yaml = (dir / "valid.yaml").string();
  const ModelData m = read_scenario(yaml, {});
  EXPECT_NE(m.input_files_digest, 0u);
  EXPECT_EQ(read_scenario(yaml, {}).input_files_digest, m.input_files_digest) << "same files, same digest";
  RecordingSink full;
  full.keep_heads = false;
  RestartRecorder rec(full, m, path, RestartInterval::every_periods(1));
  Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) {
    const int next_period = st.next_period;
    rec.period_end(st);
    rec.wait_for_writer();
    if (next_period == 1)
      for (const auto& e : fs::directory_iterator(dir))
        if (e.path().string().find(".restart") != std::string::npos)
          fs::copy_file(e.path(), e.path().string() + ".kept");
  });
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string p = e.path().string();
    if (p.size() > 5 && p.substr(p.size() - 5) == ".kept") fs::rename(p, p.substr(0, p.size() - 5));
  }
  ASSERT_NO_THROW(read_restart(path, read_scenario(yaml, {})));
  std::string k = slurp(dir / "k.csv");
  k[k.find('1')] = '2'; // one conductivity value changes; the YAML does not
  spit(dir / "k.csv", k);
  const ModelData edited = read_scenario(yaml, {});
  EXPECT_NE(edited.input_files_digest, m.input_files_digest);
  try {
    read_restart(path, edited);
    FAIL() << "a restart point written before a data file changed was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("or a data file it reads has changed"), std::string::npos) << e.what();
  }
}

// The first step after the restart point starts from the projection on the
// last steps' head changes; without them in the restart point the resumed
// run starts from zero, takes more solver iterations and ends slightly
// elsewhere.
TEST_F(Restart, ResumedTransientRunStartsFromTheSameFirstGuess) {
  const ModelData m = transient_model();
  RecordingSink full;
  run_keeping(m, 3, full);
  {
    const RestartPoint rp = read_restart(path, m);
    EXPECT_EQ(rp.state.steps_done, 9);
    ASSERT_EQ(rp.state.head_changes.newest_first.size(), 4u);
    for (const auto& c : rp.state.head_changes.newest_first)
      EXPECT_EQ(c.size(), static_cast<std::size_t>(m.grid.ncell()));
    EXPECT_NE(rp.state.head_changes.fingerprint, 0u);
    // The steps of the period just ended and of the one before (four
    // each), for the first guesses of the same steps of later periods.
    ASSERT_EQ(rp.state.head_changes.periods.size(), 2u);
    for (const auto& period : rp.state.head_changes.periods) {
      EXPECT_EQ(period.size(), 4u);
      for (const auto& c : period) EXPECT_EQ(c.size(), static_cast<std::size_t>(m.grid.ncell()));
    }
  }
  RecordingSink resumed;
  resume(m, resumed);
  ASSERT_TRUE(resumed.finished);
  ASSERT_EQ(resumed.info.size(), full.info.size());
  for (std::size_t s = 0; s < full.info.size(); ++s) {
    EXPECT_EQ(resumed.info[s].solver_iterations, full.info[s].solver_iterations) << "step " << s;
    EXPECT_LE(largest_difference(resumed.heads[s], full.heads[s]), 1e-10) << "step " << s;
    EXPECT_EQ(resumed.budgets[s].percent_discrepancy, full.budgets[s].percent_discrepancy) << "step " << s;
  }
  EXPECT_EQ(resumed.summary.solver_iterations, full.summary.solver_iterations);
  EXPECT_EQ(resumed.summary.newton_iterations, full.summary.newton_iterations);
  EXPECT_EQ(resumed.summary.time_step_cuts, full.summary.time_step_cuts);
}

// Resumed in the middle of 2015 with both allotments partly used: the rest
// of 2015 must run out of them on the same days (an allotment use reset to
// zero would deliver canal water and pump for another 150 days), 2016
// starts afresh, and the replayed steps carry their district balances and
// maps.
TEST_F(Restart, ResumedDistrictRunUsesTheSameAllotments) {
  const ModelData m = district_model();
  IrrigationSink full;
  run_keeping(m, 2, full);
  ASSERT_EQ(full.districts.size(), 20u);
  // The allotments bind after the restart point (step 4) and before 2016
  // (step 10), and not before.
  for (std::size_t s = 0; s < 4; ++s) EXPECT_EQ(full.districts[s][0].unmet, 0.0) << "step " << s;
  EXPECT_LT(full.districts[4][0].surface_water_diverted, 200.0);
  EXPECT_GT(full.districts[9][0].unmet, 400.0);
  EXPECT_EQ(full.districts[10][0].unmet, 0.0);
  {
    const RestartPoint rp = read_restart(path, m);
    EXPECT_EQ(rp.state.allotment_use.year, 2015);
    ASSERT_EQ(rp.state.allotment_use.sw_used.size(), 1u);
    EXPECT_NEAR(rp.state.allotment_use.sw_used[0], 200.0 * 146.0, 1e-6);
    EXPECT_NEAR(rp.state.allotment_use.gw_used[0], 300.0 * 146.0, 1e-6);
  }

  IrrigationSink resumed;
  resume(m, resumed);
  ASSERT_TRUE(resumed.finished);
  ASSERT_EQ(resumed.info.size(), full.info.size());
  ASSERT_EQ(resumed.districts.size(), full.districts.size());
  for (std::size_t s = 0; s < full.info.size(); ++s) {
    EXPECT_EQ(resumed.info[s].save_heads, full.info[s].save_heads) << "step " << s;
    if (full.info[s].save_heads) {
      EXPECT_LE(largest_difference(resumed.heads[s], full.heads[s]), 1e-10) << "step " << s;
      EXPECT_EQ(full.pumping[s].size(), static_cast<std::size_t>(m.grid.ncell_layer()));
    }
    EXPECT_EQ(resumed.observed[s], full.observed[s]) << "step " << s;
    ASSERT_EQ(resumed.districts[s].size(), 1u);
    EXPECT_EQ(std::memcmp(&resumed.districts[s][0], &full.districts[s][0], sizeof(DistrictBalance)), 0)
        << "district balance of step " << s << ": unmet " << resumed.districts[s][0].unmet << " vs "
        << full.districts[s][0].unmet;
    EXPECT_EQ(resumed.pumping[s], full.pumping[s]) << "pumping map of step " << s;
    EXPECT_EQ(resumed.return_flow[s], full.return_flow[s]) << "return-flow map of step " << s;
  }
  EXPECT_TRUE(fs::is_empty(dir)) << "restart files left after the resumed run finished";
}

// Restart points are written by a background thread: a failure there
// (here the folder is gone when the first one is written) must still end
// the run with an output error at the next restart point, and the run must
// not report that failed point as committed.
TEST_F(Restart, FailureOfTheBackgroundWriterEndsTheRun) {
  const ModelData m = transient_model();
  const fs::path sub = dir / "sub";
  fs::create_directories(sub);
  RecordingSink sink;
  RestartRecorder rec(sink, m, (sub / "out.h5.restart").string(), RestartInterval::every_periods(1));
  try {
    Simulation(m).run(rec, {}, nullptr, [&](SimulationState& st) {
      if (st.next_period == 1) fs::remove_all(sub); // the heads file stays open
      rec.period_end(st);
    });
    FAIL() << "a restart point that could not be written went unnoticed";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("restart"), std::string::npos) << e.what();
  }
  EXPECT_EQ(rec.committed_periods(), 0);
  EXPECT_FALSE(sink.finished);
  EXPECT_TRUE(sink.aborted);
}

TEST_F(Restart, OlderFormatOrOtherHeadsLayoutIsRefused) {
  const ModelData m = district_model();
  IrrigationSink full;
  run_keeping(m, 2, full);
  const std::string good = slurp(path);
  set_version(2);
  try {
    read_restart(path, m);
    FAIL() << "a version 2 restart point was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("restart point format version 2 is not supported (this "
                                         "gwsim reads version 6)"),
              std::string::npos)
        << e.what();
  }
  // A heads file whose records hold heads only (no irrigation maps).
  spit(path, good);
  RestartPoint rp = read_restart(path, m);
  std::string heads = slurp(rp.heads_file);
  const std::uint64_t ncell = static_cast<std::uint64_t>(m.grid.ncell());
  std::memcpy(heads.data() + 16, &ncell, sizeof ncell);
  spit(rp.heads_file, heads);
  IrrigationSink resumed;
  RestartRecorder rec(resumed, m, path, RestartInterval::every_periods(1), &rp);
  try {
    rec.begin(m);
    FAIL() << "a heads file of another record length was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("restart heads file has records of 200 values, this model "
                                         "needs 400"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(Restart, EveryTruncationAndEveryFlippedByteIsRefused) {
  for (const ModelData& m : {three_period_model(), district_model()}) {
    SCOPED_TRACE(m.source_text);
    fs::remove_all(dir);
    fs::create_directories(dir);
    RecordingSink full;
    run_keeping(m, 2, full);
    expect_every_damage_refused(m);
  }
}

} // namespace
} // namespace gwsim
