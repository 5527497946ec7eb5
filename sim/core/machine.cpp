#include "core/machine.hpp"

#include <sys/resource.h>
#include <sys/sysinfo.h>

#include <algorithm>

namespace gwsim {

double memory_limit_bytes() {
  double bytes = 0.0;
  struct sysinfo si {};
  if (sysinfo(&si) == 0)
    bytes = (static_cast<double>(si.totalram) + static_cast<double>(si.totalswap)) * si.mem_unit;
  rlimit as{};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
    bytes = bytes > 0.0 ? std::min(bytes, static_cast<double>(as.rlim_cur)) : static_cast<double>(as.rlim_cur);
  return bytes;
}

} // namespace gwsim
