// The pod start benchmark (issue 14: "API create -> Running, p50/p99"; Kubernetes' SLO is
// p99 <= 5 s, ours 1 s): N pods created through the API of a whole single-host cluster (what
// `craton up` runs, started by `craton bench pods`), all at once or at a fixed rate, each
// timed from the moment its create was sent until a watch on the API shows it bound
// (spec.nodeName), and Running with every container running. DriverTimings, a PodDriver
// wrapped around the agent's, adds when the agent's calls for the pod began and ended (sandbox,
// container), so the report says where the time went. Afterwards every pod is deleted and the
// run waits until the driver holds none of them.
//
// Process code for the benchmark only: blocking HTTP, threads and the steady clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/agent/driver/forwarding_driver.hpp"
#include "bench/latency_stats.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

inline constexpr std::size_t kPodStartPodsMax = 1000;

/// The steady times (ns since the clock's epoch) the agent's driver calls for one pod began
/// and ended; 0: not seen.
struct DriverCallTimes {
  std::int64_t sandbox_begin_ns = 0;
  std::int64_t sandbox_end_ns = 0;
  std::int64_t container_begin_ns = 0;  ///< the first start_container
  std::int64_t container_end_ns = 0;    ///< the first start_container that succeeded
};

/// A PodDriver that forwards every call to `inner` and remembers, per pod uid, when the
/// sandbox and the first container start were called and answered. Thread-safe (one mutex
/// around the table; the calls themselves run unlocked, side by side).
class DriverTimings final : public agent::ForwardingDriver {
 public:
  using ForwardingDriver::ForwardingDriver;

  /// What was seen for this pod (zeros if nothing).
  DriverCallTimes times_of(const std::string& pod_uid) const;

  Result<agent::SandboxStatus> start_sandbox(const agent::SandboxSpec& spec) override;
  Result<agent::ContainerStatus> start_container(const std::string& pod_uid,
                                                 const agent::ContainerSpec& spec,
                                                 int attempt) override;

 private:
  void mark(const std::string& pod_uid, std::int64_t DriverCallTimes::*field, bool first_only);

  mutable std::mutex mutex_;
  std::map<std::string, DriverCallTimes> times_;
};

struct PodStartOptions {
  std::size_t pods = 100;
  double rate_per_s = 0;  ///< pods created per second; 0: all at once
  std::uint16_t api_port = 0;
  std::string image = "busybox:craton";
  std::string name_space = "default";
  /// The whole run (cluster ready, pods Running, pods gone) at most.
  std::int64_t timeout_ms = 300'000;
  /// CPU milliseconds used so far by the processes the driver left running for the pods
  /// (shims, containers), which this process never waits for; empty: none (fake driver).
  std::function<double()> pod_processes_cpu_ms;
};

/// What starting the pods cost in CPU (user + system), from the first create until every pod
/// ran: this process (the whole stack: store, API, scheduler, controllers, agent, driver) with
/// the helpers it waited for, plus the pods' own processes. A figure that a busy machine does
/// not distort the way it does latencies: cores x seconds / cost is the start rate at best.
struct PodStartCpu {
  double process_ms = 0;        ///< this process and the children it reaped meanwhile
  double pod_processes_ms = 0;  ///< PodStartOptions::pod_processes_cpu_ms at the end
  double per_pod_ms = 0;        ///< (process_ms + pod_processes_ms) / pods
};

/// One phase's latencies over the pods that reached it, in milliseconds.
struct PhaseFigures {
  std::string name;  ///< "create->bound", ...
  std::size_t pods = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

struct PodStartReport {
  std::size_t pods = 0;
  double rate_per_s = 0;
  std::size_t running = 0;            ///< pods that reached Running in time
  double seconds_to_all_running = 0;  ///< first create sent -> last pod Running
  double running_per_s = 0;           ///< running / seconds_to_all_running
  std::vector<PhaseFigures> phases;   ///< from create, and between the agent's steps
  double cleanup_seconds = 0;         ///< delete all -> the driver holds none
  PodStartCpu cpu;
  std::vector<std::string> problems;  ///< pods that never ran, errors while cleaning up
};

/// Waits for the cluster (a Ready node, the namespace), runs the load, deletes the pods and
/// waits until `timings` lists none. Errors: "timeout" (the cluster never came up), "api"
/// (a create or delete was refused).
Result<PodStartReport> run_pod_start_load(const PodStartOptions& options, DriverTimings& timings);

std::string pod_start_text(const PodStartReport& report);
std::string pod_start_json(const PodStartReport& report);

}  // namespace craton::bench
