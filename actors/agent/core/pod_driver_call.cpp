// perform(): a DriverCall onto the PodDriver's methods.
#include "actors/agent/core/pod_driver_call.hpp"

namespace craton::agent {

const char* driver_call_kind_name(DriverCallKind kind) {
  switch (kind) {
    case DriverCallKind::start_sandbox:
      return "start_sandbox";
    case DriverCallKind::start_container:
      return "start_container";
    case DriverCallKind::signal:
      return "signal";
    case DriverCallKind::exec_hook:
      return "exec_hook";
    case DriverCallKind::exec_probe:
      return "exec_probe";
    case DriverCallKind::http_probe:
      return "http_probe";
    case DriverCallKind::tcp_probe:
      return "tcp_probe";
    case DriverCallKind::remove_container:
      return "remove_container";
    case DriverCallKind::remove_sandbox:
      return "remove_sandbox";
    case DriverCallKind::prepare_volumes:
      return "prepare_volumes";
  }
  return "unknown";
}

DriverOutcome perform(PodDriver& driver, const DriverCall& c, VolumeHost* volumes) {
  switch (c.kind) {
    case DriverCallKind::start_sandbox:
      return driver.start_sandbox(c.sandbox);
    case DriverCallKind::start_container:
      return driver.start_container(c.pod_uid, c.container, c.attempt);
    case DriverCallKind::signal:
      return driver.signal_container(c.pod_uid, c.container_name, c.signal);
    case DriverCallKind::exec_hook:
    case DriverCallKind::exec_probe:
      return driver.exec(c.pod_uid, c.container_name, c.argv, c.timeout_ms);
    case DriverCallKind::http_probe:
      return driver.probe_http(c.http);
    case DriverCallKind::tcp_probe:
      return driver.probe_tcp(c.tcp);
    case DriverCallKind::remove_container:
      return driver.remove_container(c.pod_uid, c.container_name, c.attempt);
    case DriverCallKind::remove_sandbox: {
      // The volumes go after the sandbox: no container holds them any more.
      Status removed = driver.remove_sandbox(c.pod_uid);
      if (!removed || volumes == nullptr) return removed;
      return volumes->remove(c.pod_uid);
    }
    case DriverCallKind::prepare_volumes:
      if (volumes == nullptr) return Status{Ok{}};
      return volumes->prepare(c.pod_uid, c.volumes);
  }
  return Status{Error{"bad_call", "unknown driver call kind"}};
}

}  // namespace craton::agent
