#pragma once
/// A fresh, empty folder for one test: under the system's temporary
/// directory, named after `prefix`, the process and the running test (so
/// that parallel ctest processes and the tests of one program never share
/// one). The caller removes it (TearDown).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace gwsim::test {

inline std::filesystem::path fresh_test_dir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    (prefix + "_" + std::to_string(::getpid()) + "_" +
                                     (info ? std::string(info->name()) : std::string("no_test")));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

} // namespace gwsim::test
