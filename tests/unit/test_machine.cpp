// The memory limit a control group sets, read from a fake /sys/fs/cgroup
// tree: cgroup v2 (alone and beside v1 hierarchies), v1, limits set above
// the process's own group, "max" and v1's "unlimited", and a group path that
// is not under the mount (a container's own cgroup namespace).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/machine.hpp"
#include "support/scratch_dir.hpp"

namespace gwsim {
namespace {

namespace fs = std::filesystem;

class CgroupLimit : public ::testing::Test {
protected:
  void SetUp() override { root = test::fresh_test_dir("gwsim_cgroup"); }
  void TearDown() override { fs::remove_all(root); }
  void put(const fs::path& file, const std::string& text) {
    fs::create_directories((root / file).parent_path());
    std::ofstream(root / file) << text << "\n";
  }
  fs::path root;
};

constexpr double GiB = 1073741824.0;

TEST_F(CgroupLimit, Version2TheTightestOfTheGroupAndTheGroupsAboveIt) {
  put("cgroup.controllers", "cpu memory");
  put("memory.max", "max"); // the root group has none
  put("slurm/job_42/memory.max", std::to_string(static_cast<long long>(8 * GiB)));
  put("slurm/job_42/step_0/memory.max", "max");
  EXPECT_EQ(cgroup_memory_limit_bytes("0::/slurm/job_42/step_0\n", root), 8 * GiB);
  put("slurm/memory.max", std::to_string(static_cast<long long>(4 * GiB)));
  EXPECT_EQ(cgroup_memory_limit_bytes("0::/slurm/job_42/step_0\n", root), 4 * GiB);
}

TEST_F(CgroupLimit, Version2BesideVersion1HierarchiesIsMountedAtUnified) {
  put("unified/cgroup.controllers", "");
  put("unified/box/memory.max", "1073741824");
  EXPECT_EQ(cgroup_memory_limit_bytes("4:memory:/\n0::/box\n", root), GiB);
}

TEST_F(CgroupLimit, Version1MemoryHierarchyAndItsUnlimitedValue) {
  put("memory/memory.limit_in_bytes", "9223372036854771712"); // no limit
  put("memory/process_api/a0f2/memory.limit_in_bytes", "9223372036854771712");
  const std::string self = "9:name=systemd:/\n4:memory:/process_api/a0f2\n3:cpuset:/\n0::/\n";
  EXPECT_EQ(cgroup_memory_limit_bytes(self, root), 0.0);
  put("memory/process_api/memory.limit_in_bytes", "2147483648");
  EXPECT_EQ(cgroup_memory_limit_bytes(self, root), 2 * GiB);
  // The controller may share its hierarchy with others.
  EXPECT_EQ(cgroup_memory_limit_bytes("4:cpu,memory:/process_api/a0f2\n", root), 2 * GiB);
}

TEST_F(CgroupLimit, AGroupNotUnderTheMountIsReadFromTheMountsOwnGroup) {
  put("cgroup.controllers", "memory");
  put("memory.max", "536870912");
  EXPECT_EQ(cgroup_memory_limit_bytes("0::/kubepods/pod7/abc\n", root), 0.5 * GiB);
}

TEST_F(CgroupLimit, NoLimitOrNothingReadable) {
  EXPECT_EQ(cgroup_memory_limit_bytes("", root), 0.0);
  EXPECT_EQ(cgroup_memory_limit_bytes("0::/\n", root), 0.0); // no cgroup.controllers: not mounted here
  put("cgroup.controllers", "memory");
  put("memory.max", "not a number");
  EXPECT_EQ(cgroup_memory_limit_bytes("0::/\n", root), 0.0);
  EXPECT_EQ(cgroup_memory_limit_bytes("garbage without colons\n", root), 0.0);
}

} // namespace
} // namespace gwsim
