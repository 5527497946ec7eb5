// Restart points: a run resumed from the end of a stress period reports
// exactly what the uninterrupted run reported (heads bitwise, every per-step
// row), and a damaged restart point is refused with an InputError, never a
// crash (every truncation, every flipped byte).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "io/restart.hpp"
#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"

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
    dir = fs::temp_directory_path() / ("gwsim_restart_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "out.h5.restart").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  /// Run `m` to the end through a recorder, keeping a copy of the restart
  /// point written after `keep_after` periods (restored before returning).
  void run_keeping(const ModelData& m, int keep_after, RecordingSink& sink) {
    RestartRecorder rec(sink, m, path, 1);
    fs::path heads;
    Simulation(m).run(rec, {}, nullptr, [&](const SimulationState& st) {
      rec.period_end(st);
      if (st.next_period != keep_after) return;
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
  RestartRecorder rec(resumed, m, path, 1, &rp);
  Simulation(m).run(rec, {}, nullptr, [&](const SimulationState& st) { rec.period_end(st); },
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
  EXPECT_TRUE(fs::is_empty(dir)) << "restart files left after the resumed run finished";
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

TEST_F(Restart, EveryTruncationAndEveryFlippedByteIsRefused) {
  const ModelData m = three_period_model();
  RecordingSink full;
  run_keeping(m, 2, full);
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

} // namespace
} // namespace gwsim
