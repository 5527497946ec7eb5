#pragma once
/// The scenario reader: one YAML file in, one validated ModelData out.
///
/// The format is described in README.md ("Scenario format"). Reading is
/// strict: an unknown key, a missing required key, a value of the wrong type
/// or out of range, a cell outside the grid or inactive, a raster of the
/// wrong shape all stop with an InputError whose message reads
/// `file:line:col: key.path = value: what was expected`. List items in key
/// paths are numbered from 0 (`aquifer.k[1]` is the second layer); layer,
/// row and column numbers in messages are one-based, as in the YAML.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "model/model_data.hpp"

namespace gwsim {

/// Read and validate a scenario file. Throws InputError on any problem.
/// Relative paths in the file (rasters, output.file) are resolved against
/// the folder of the file that holds them. The scenario may name a `base:`
/// scenario, and `overrides` (`key.path=value`, from `gwsim run --set`) are
/// applied last; see io/compose.hpp for the merge rules.
ModelData read_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Same from text (tests); `display_name` is used in messages, `base_dir`
/// resolves relative paths.
ModelData read_scenario_text(const std::string& text, const std::string& display_name,
                             const std::string& base_dir);
ModelData read_scenario_text(const std::string& text, const std::string& display_name,
                             const std::string& base_dir, const std::vector<std::string>& overrides);

} // namespace gwsim
