// linux_driver.hpp: construction, paths and reading an attempt's state back from disk. The
// verbs are split by subject: sandbox.cpp, container_start.cpp, container_state.cpp (signal,
// remove, list, logs), exec.cpp, probes.cpp.
#include "actors/agent/linux/linux_driver.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "actors/agent/linux/cgroups.hpp"
#include "actors/agent/linux/process_info.hpp"

namespace craton::agent {
namespace fs = std::filesystem;
using namespace linux_driver;

LinuxDriver::LinuxDriver(LinuxDriverConfig config, images::ImageResolver& images,
                         SandboxNetwork& network)
    : config_(std::move(config)),
      images_(images),
      network_(network),
      cgroup_version_(detect_cgroup_version()) {}

std::string LinuxDriver::pod_dir(const std::string& pod_uid) const {
  return config_.state_dir + "/pods/" + pod_uid;
}

std::string LinuxDriver::attempt_dir(const std::string& uid, const std::string& name,
                                     int attempt) const {
  return pod_dir(uid) + "/containers/" + name + "/" + std::to_string(attempt);
}

std::string LinuxDriver::attempt_log_dir(const std::string& uid, const std::string& name,
                                         int attempt) const {
  return config_.log_dir + "/" + uid + "/" + name + "/" + std::to_string(attempt);
}

std::string LinuxDriver::pod_cgroup(const std::string& uid) const {
  return config_.cgroup_root + "/" + uid;
}

std::vector<int> LinuxDriver::attempts_of(const std::string& uid, const std::string& name) const {
  std::vector<int> attempts;
  for (const auto& text : directory_entries(pod_dir(uid) + "/containers/" + name)) {
    int attempt = 0;
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), attempt);
    if (err == std::errc{} && end == text.data() + text.size() && attempt >= 0)
      attempts.push_back(attempt);
  }
  std::sort(attempts.begin(), attempts.end());
  return attempts;
}

std::optional<ContainerStatus> LinuxDriver::attempt_status(const std::string& uid,
                                                           const std::string& name,
                                                           int attempt) const {
  std::string dir = attempt_dir(uid, name, attempt);
  auto config_text = read_file(dir + "/config.json");
  auto started_text = read_file(dir + "/started.json");
  if (!config_text || !started_text) return std::nullopt;  // never started: not a container
  auto config = decode_shim_config(config_text.value());
  auto started = decode_container_started(started_text.value());
  if (!config || !started) return std::nullopt;
  ContainerStatus status;
  status.pod_uid = uid;
  status.name = name;
  status.attempt = attempt;
  status.container_id = "craton://" + config->container_id;
  status.image_id = config->image_id;
  status.started_at_ms = started->started_at_ms;
  if (auto exit_text = read_file(dir + "/exit.json")) {
    if (auto exit = decode_container_exit(exit_text.value())) {
      status.state = ContainerState::exited;
      status.finished_at_ms = exit->finished_at_ms;
      status.exit_code = exit->exit_code;
      status.reason = exit->reason;
      return status;
    }
  }
  // A live shim is about to write exit.json: the attempt still counts as running until then.
  if (process_is(started->pid, started->pid_start_ticks) ||
      process_is(started->shim_pid, started->shim_start_ticks)) {
    status.state = ContainerState::running;
    return status;
  }
  // Container and shim gone without a record (killed together, or the host rebooted).
  status.state = ContainerState::exited;
  status.exit_code = 137;
  status.reason = "Error";
  return status;
}

}  // namespace craton::agent
