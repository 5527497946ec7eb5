#pragma once
/// The data files a scenario reads (rasters, CSV arrays, time series), noted
/// as the reader opens them, so that a restart point can tell when one of
/// them has changed since it was written (the scenario text alone does not
/// say: `k: {file: k.asc}` reads the same whatever k.asc holds).
#include <cstdint>
#include <string>
#include <string_view>

namespace gwsim {

/// 64-bit FNV-1a of `bytes`, continuing from `seed`.
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed = 14695981039346656037ull);

/// While alive, collects every file the io readers on this thread note
/// (nested scopes restore the outer one when they end).
class InputFileScope {
public:
  InputFileScope();
  ~InputFileScope();
  InputFileScope(const InputFileScope&) = delete;
  InputFileScope& operator=(const InputFileScope&) = delete;

  /// FNV-1a over every noted file's path and bytes, in the order read.
  std::uint64_t digest() const { return digest_; }
  int count() const { return count_; }

  /// Called by the readers with the bytes they read; does nothing when no
  /// scope is active.
  static void note(const std::string& path, std::string_view bytes);

private:
  std::uint64_t digest_ = 14695981039346656037ull;
  int count_ = 0;
  InputFileScope* outer_ = nullptr;
};

} // namespace gwsim
