// DriverCall: one PodDriver method call the pod core (PodSync) asks its shell to make, with
// the arguments as the driver takes them, and DriverOutcome, what the call returned. The shell
// runs calls off its actor threads (they block) and hands each outcome back with the call's
// id; perform() is the one place that maps a call onto the driver, for the shell and tests.
//
// Volumes are not the driver's (it only bind-mounts directories): prepare_volumes is made on
// the shell's VolumeHost (actors/agent/volumes/pod_volumes.hpp writes them on a real host),
// and a pod's volume directories go with its sandbox, after remove_sandbox succeeded.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "actors/agent/core/pod_plan.hpp"
#include "actors/agent/driver/pod_driver.hpp"

namespace craton::agent {

enum class DriverCallKind {
  start_sandbox,     ///< sandbox
  start_container,   ///< container, attempt
  signal,            ///< container_name, signal
  exec_hook,         ///< container_name, argv, timeout_ms (a preStop exec hook)
  exec_probe,        ///< container_name, argv, timeout_ms
  http_probe,        ///< http
  tcp_probe,         ///< tcp
  remove_container,  ///< container_name, attempt
  remove_sandbox,    ///< pod_uid (the VolumeHost then removes the pod's volumes)
  prepare_volumes,   ///< volumes: create or refresh them (before the sandbox, then periodically)
};

const char* driver_call_kind_name(DriverCallKind kind);

struct DriverCall {
  std::uint64_t id = 0;  ///< unique per PodSync; hand it back with the outcome
  DriverCallKind kind = DriverCallKind::start_sandbox;
  std::string pod_uid;
  SandboxSpec sandbox;
  ContainerSpec container;
  std::string container_name;
  int attempt = 0;
  int signal = 0;
  std::vector<std::string> argv;
  std::int64_t timeout_ms = 0;
  HttpProbe http;
  TcpProbe tcp;
  std::vector<VolumePlan> volumes;
};

/// Where a pod's volumes are made: blocking file work the shell runs like a driver call.
class VolumeHost {
 public:
  virtual ~VolumeHost() = default;
  /// Creates what is missing and rewrites configMap and secret contents; idempotent.
  virtual Status prepare(const std::string& pod_uid, const std::vector<VolumePlan>& volumes) = 0;
  /// Unmounts and deletes every volume directory of the pod (never a hostPath).
  virtual Status remove(const std::string& pod_uid) = 0;
};

/// start_sandbox: Result<SandboxStatus>; start_container: Result<ContainerStatus>; signal,
/// remove_container, remove_sandbox, prepare_volumes: Status; exec_hook, exec_probe:
/// Result<ExecResult>; http_probe, tcp_probe: ProbeOutcome.
using DriverOutcome = std::variant<Result<SandboxStatus>, Result<ContainerStatus>, Status,
                                   Result<ExecResult>, ProbeOutcome>;

/// Makes the call on `driver` (blocking as the driver does) and returns its outcome. Without
/// a VolumeHost, prepare_volumes succeeds doing nothing (the simulator's pods have no files).
DriverOutcome perform(PodDriver& driver, const DriverCall& call, VolumeHost* volumes = nullptr);

}  // namespace craton::agent
