// A whole single-host cluster in this process: one store replica, the API server, the
// controller manager, the scheduler and a node agent with the Linux or the fake driver. What
// `craton up` runs until a signal, and what `craton bench pods` starts on ports, a bridge and a
// data directory of its own, measures, and stops (its load ends the run with SIGTERM to the
// process, as a Ctrl-C would). One way to start it: both commands call run_single_host().
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cmd/agent_runtime.hpp"

namespace craton::cmd {

struct SingleHostFlags {
  std::string data = "craton-data";
  std::string http = "127.0.0.1:6443";
  std::string listen = "127.0.0.1:2380";  ///< the store replica's link (nobody else dials it)
  std::string pod_cidr = "10.244.0.0/24";
  std::string driver = "linux";
  std::string bridge = "craton0";
  std::string cgroup_root = "craton";
  std::size_t workers = AgentFlags{}.workers;
  int port = 10250;
  bool verbose = false;
  bool banner = true;  ///< print how to use kubectl with it
};

/// What a caller adds to the run (each may be empty).
struct SingleHostHooks {
  /// Sees the agent's runtime before the agent gets it; may replace runtime.driver (a wrapper
  /// around it) and keep what it needs of it for later (the network, to tear it down).
  std::function<void(AgentRuntime& runtime)> runtime;
  /// Runs once the agent actor is spawned, on the thread starting the components; must not
  /// block (start a thread).
  std::function<void()> started;
};

/// Runs the cluster until SIGINT or SIGTERM; the process's exit code (2: bad flags).
int run_single_host(const SingleHostFlags& flags, const std::vector<std::string>& extras,
                    const SingleHostHooks& hooks, const std::string& role);

}  // namespace craton::cmd
