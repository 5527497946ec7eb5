#pragma once
/// What this machine lets a run use.

namespace gwsim {

/// Bytes of memory this process can use at most: physical memory plus swap
/// (sysinfo), or less if an address-space limit (`ulimit -v`, as some batch
/// schedulers set) says so; 0 if unknown. A control group's limit is not
/// read (cgroup v1 and v2 differ); the kernel's out-of-memory killer still
/// stops a run that exceeds one.
double memory_limit_bytes();

} // namespace gwsim
