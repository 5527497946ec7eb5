#include "core/error.hpp"

namespace gwsim {

namespace {
std::string format_location(const SourceLocation& w, const std::string& message) {
  std::string s;
  if (!w.file.empty()) {
    s += w.file;
    if (w.line > 0) {
      s += ':' + std::to_string(w.line);
      if (w.column > 0) s += ':' + std::to_string(w.column);
    }
    s += ": ";
  }
  if (!w.key_path.empty()) s += w.key_path + ": ";
  return s + message;
}
} // namespace

InputError::InputError(SourceLocation where, const std::string& message)
    : Error(format_location(where, message)), where_(std::move(where)), message_(message) {}

} // namespace gwsim
