#include "core/machine.hpp"

#include <sys/resource.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gwsim {

namespace {

/// A limit file's value in bytes; 0 for none ("max", a v1 "unlimited"
/// near 2^63, missing or unreadable).
double read_limit(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return 0.0;
  try {
    const double v = std::stod(text);
    return v > 0.0 && v < 0x1p62 ? v : 0.0;
  } catch (const std::exception&) {
    return 0.0;
  }
}

/// The smallest nonzero limit in `file_name` of group `group` of the
/// hierarchy mounted at `mount`, and of every group above it.
double tightest(const std::filesystem::path& mount, const std::string& group, const char* file_name) {
  std::error_code ec;
  std::filesystem::path dir = mount / std::filesystem::path(group).relative_path();
  if (!std::filesystem::is_directory(dir, ec)) dir = mount; // another cgroup namespace
  double limit = 0.0;
  for (;;) {
    const double v = read_limit(dir / file_name);
    if (v > 0.0) limit = limit > 0.0 ? std::min(limit, v) : v;
    if (dir == mount || !dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return limit;
}

} // namespace

double cgroup_memory_limit_bytes(const std::string& proc_self_cgroup, const std::filesystem::path& root) {
  double limit = 0.0;
  auto take = [&](double v) {
    if (v > 0.0) limit = limit > 0.0 ? std::min(limit, v) : v;
  };
  std::istringstream lines(proc_self_cgroup);
  std::string line;
  std::error_code ec;
  while (std::getline(lines, line)) {
    // hierarchy-ID:controller-list:cgroup-path
    const auto a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1), group = line.substr(b + 1);
    if (id == "0" && controllers.empty()) {
      for (const auto& mount : {root, root / "unified"})
        if (std::filesystem::exists(mount / "cgroup.controllers", ec)) take(tightest(mount, group, "memory.max"));
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      take(tightest(root / "memory", group, "memory.limit_in_bytes"));
    }
  }
  return limit;
}

double memory_limit_bytes() {
  double bytes = 0.0;
  auto take = [&](double v) {
    if (v > 0.0) bytes = bytes > 0.0 ? std::min(bytes, v) : v;
  };
  struct sysinfo si {};
  if (sysinfo(&si) == 0)
    take((static_cast<double>(si.totalram) + static_cast<double>(si.totalswap)) * si.mem_unit);
  rlimit as{};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) take(static_cast<double>(as.rlim_cur));
  std::ifstream self("/proc/self/cgroup");
  std::stringstream text;
  text << self.rdbuf();
  take(cgroup_memory_limit_bytes(text.str(), "/sys/fs/cgroup"));
  return bytes;
}

} // namespace gwsim
