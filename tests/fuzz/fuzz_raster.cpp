// libFuzzer target: the ESRI ASCII grid and CSV matrix readers on arbitrary
// bytes. The first byte picks the format and the options (expected shape,
// NODATA allowed or not); the rest is the file. A well-formed rejection is
// an InputError; anything else is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "io/raster.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  // The readers take a path: one scratch file per fuzzing process.
  static const std::string base = "/tmp/gwsim_fuzz_raster_" + std::to_string(::getpid());
  const std::string path = base + ((mode & 1) ? ".csv" : ".asc");
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
  } else {
    return 0;
  }
  gwsim::RasterOptions options;
  // Shapes of the seeds (60 x 80, 3 x 4, 2 x 3) and a few others.
  static constexpr gwsim::Index shapes[8][2] = {{60, 80}, {3, 4}, {2, 3}, {1, 1},
                                                {3, 2},   {1, 5},  {5, 1}, {4, 4}};
  options.nrow = shapes[(mode >> 1) & 7][0];
  options.ncol = shapes[(mode >> 1) & 7][1];
  if (mode & 16) options.nodata_fill = 0.0;
  try {
    (void)gwsim::read_raster(path, options);
  } catch (const gwsim::InputError&) {
  }
  std::remove(path.c_str());
  return 0;
}
