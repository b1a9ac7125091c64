// DriverCall: one PodDriver method call the pod core (PodSync) asks its shell to make, with
// the arguments as the driver takes them, and DriverOutcome, what the call returned. The shell
// runs calls off its actor threads (they block) and hands each outcome back with the call's
// id; perform() is the one place that maps a call onto the driver, for the shell and tests.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

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
  remove_sandbox,    ///< pod_uid
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
};

/// start_sandbox: Result<SandboxStatus>; start_container: Result<ContainerStatus>; signal,
/// remove_container, remove_sandbox: Status; exec_hook, exec_probe: Result<ExecResult>;
/// http_probe, tcp_probe: ProbeOutcome.
using DriverOutcome = std::variant<Result<SandboxStatus>, Result<ContainerStatus>, Status,
                                   Result<ExecResult>, ProbeOutcome>;

/// Makes the call on `driver` (blocking as the driver does) and returns its outcome.
DriverOutcome perform(PodDriver& driver, const DriverCall& call);

}  // namespace craton::agent
