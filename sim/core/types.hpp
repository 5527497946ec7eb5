#pragma once
/// Basic index types shared by every gwsim library.
#include <cstdint>

namespace gwsim {

/// Linear cell index: n = (layer * nrow + row) * ncol + col, all zero-based.
/// Signed 64-bit so that models beyond 2^31 cells and index arithmetic with
/// negative offsets (n - ncol) are both safe.
using Index = std::int64_t;

} // namespace gwsim
