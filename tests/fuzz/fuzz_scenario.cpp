// libFuzzer target: the scenario reader (YAML, every key check, composition,
// and the rasters a scenario names) on arbitrary text. A well-formed
// rejection is an InputError; anything else (another exception, a crash, a
// leak, a hang) is a finding.
//
// Relative raster paths resolve against corpus/files (the seed rasters), so that
// mutated scenarios still reach the raster readers through `{file: ...}`.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "io/config.hpp"

namespace {

/// Fuzzing is about the reader's logic, not about grids of billions of cells
/// (the reader accepts up to 2e9; allocating them would only exhaust
/// memory): skip inputs whose literal grid has more than a million cells.
bool grid_too_large(const std::string& text) {
  try {
    const YAML::Node grid = YAML::Load(text)["grid"];
    if (!grid || !grid.IsMap()) return false;
    double cells = 1.0;
    for (const char* key : {"nlay", "nrow", "ncol"}) {
      const YAML::Node n = grid[key];
      if (n && n.IsScalar()) cells *= std::max(1.0, std::abs(n.as<double>()));
    }
    return cells > 1e6;
  } catch (const YAML::Exception&) {
    return false; // the reader itself will say what is wrong
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (grid_too_large(text)) return -1; // not added to the corpus
  try {
    (void)gwsim::read_scenario_text(text, "fuzz.yaml", GWSIM_FUZZ_DATA);
  } catch (const gwsim::InputError&) {
    // The expected outcome for almost every mutated input.
  }
  return 0;
}
