// The host the agent service's tests register: 2 cores, 4 GiB, 50 GB of disk, at 10.0.0.5.
#pragma once

#include "actors/agent/core/node_status.hpp"

namespace craton::agent::testing {

inline HostFacts sample_host_facts() {
  HostFacts f;
  f.cpu_cores = 2;
  f.memory_bytes = 4LL << 30;
  f.memory_available_bytes = 3LL << 30;
  f.storage_bytes = 50LL << 30;
  f.storage_available_bytes = 40LL << 30;
  f.kernel_version = "6.1.0";
  f.os_image = "Debian GNU/Linux 12 (bookworm)";
  f.architecture = "amd64";
  f.hostname = "host-1";
  f.internal_ip = "10.0.0.5";
  return f;
}

}  // namespace craton::agent::testing
