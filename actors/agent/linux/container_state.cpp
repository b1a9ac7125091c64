// linux_driver.hpp: signal_container, remove_container, list and read_log, all answered from
// the state directory and /proc (nothing is remembered in memory).
#include <signal.h>

#include <filesystem>

#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/log_file.hpp"
#include "actors/agent/linux/process_info.hpp"

namespace craton::agent {
namespace fs = std::filesystem;
using namespace linux_driver;

Status LinuxDriver::signal_container(const std::string& pod_uid, const std::string& name,
                                     int signal) {
  if (!is_safe_path_component(pod_uid) || !is_safe_path_component(name))
    return Error{"invalid", "pod uid or container name"};
  auto attempts = attempts_of(pod_uid, name);
  if (attempts.empty())
    return Error{driver_error::no_container, "no container " + name + " in pod " + pod_uid};
  auto text = read_file(attempt_dir(pod_uid, name, attempts.back()) + "/started.json");
  if (!text) return Error{driver_error::no_container, "container " + name + " never started"};
  auto started = decode_container_started(text.value());
  if (!started) return started.error();
  // Already gone is success: the agent escalates to SIGKILL without knowing whether TERM worked.
  if (process_is(started->pid, started->pid_start_ticks)) ::kill(started->pid, signal);
  return Ok{};
}

Status LinuxDriver::remove_container(const std::string& pod_uid, const std::string& name,
                                     int attempt) {
  if (!is_safe_path_component(pod_uid) || !is_safe_path_component(name) || attempt < 0)
    return Error{"invalid", "pod uid, container name or attempt"};
  auto status = attempt_status(pod_uid, name, attempt);
  if (status && status->state == ContainerState::running)
    return Error{"running", "attempt " + std::to_string(attempt) + " of " + name + " still runs"};
  std::error_code ec;
  fs::remove_all(attempt_dir(pod_uid, name, attempt), ec);
  if (ec) return Error{"busy", "remove attempt of " + name + ": " + ec.message()};
  fs::remove_all(attempt_log_dir(pod_uid, name, attempt), ec);
  if (ec) return Error{"busy", "remove log of " + name + ": " + ec.message()};
  return Ok{};
}

std::vector<PodRecord> LinuxDriver::list() {
  std::vector<PodRecord> pods;
  for (const auto& uid : directory_entries(config_.state_dir + "/pods")) {
    auto text = read_file(pod_dir(uid) + "/sandbox.json");
    if (!text) continue;  // being created or removed
    auto state = decode_sandbox_state(text.value());
    if (!state) continue;
    PodRecord record{{state->pod_uid, state->pod_ip}, state->pod_namespace, state->pod_name, {}};
    for (const auto& name : directory_entries(pod_dir(uid) + "/containers")) {
      for (int attempt : attempts_of(uid, name)) {
        if (auto status = attempt_status(uid, name, attempt))
          record.containers.push_back(std::move(status.value()));
      }
    }
    pods.push_back(std::move(record));
  }
  return pods;
}

Result<LogChunk> LinuxDriver::read_log(const std::string& pod_uid, const std::string& name,
                                       const LogQuery& query) {
  if (!is_safe_path_component(pod_uid) || !is_safe_path_component(name))
    return Error{"invalid", "pod uid or container name"};
  int attempt = query.attempt;
  if (attempt < 0) {
    auto attempts = attempts_of(pod_uid, name);
    if (attempts.empty())
      return Error{driver_error::no_container, "no container " + name + " in pod " + pod_uid};
    attempt = attempts.back();
  }
  auto status = attempt_status(pod_uid, name, attempt);
  if (!status)
    return Error{driver_error::no_container,
                 "no attempt " + std::to_string(attempt) + " of " + name + " in pod " + pod_uid};
  return read_log_dir(attempt_log_dir(pod_uid, name, attempt), query,
                      status->state == ContainerState::exited);
}

}  // namespace craton::agent
