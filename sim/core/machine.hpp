#pragma once
/// What this machine lets a run use.
#include <filesystem>
#include <string>

namespace gwsim {

/// Bytes of memory this process can use at most: physical memory plus swap
/// (sysinfo), or less if an address-space limit (`ulimit -v`) or a control
/// group's memory limit (a container's, or a batch scheduler's job: Slurm
/// and Kubernetes set one) says so; 0 if unknown.
double memory_limit_bytes();

/// The tightest memory limit of the control groups a process is in, 0 if
/// none: `proc_self_cgroup` is the text of /proc/self/cgroup, `root` where
/// the hierarchies are mounted (/sys/fs/cgroup). cgroup v2: `memory.max` of
/// the process's group and of each group above it (at `root`, or at
/// `root`/unified beside v1 hierarchies); cgroup v1: `memory.limit_in_bytes`
/// of its memory group and the groups above. A group path that is not
/// under `root` (a container with its own cgroup namespace sees "/") is
/// read from `root`'s own group.
double cgroup_memory_limit_bytes(const std::string& proc_self_cgroup, const std::filesystem::path& root);

} // namespace gwsim
