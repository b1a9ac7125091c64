// linux_driver.hpp: start_container, which hands a resolved container to a new shim.
#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "actors/agent/linux/container_command.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/shim_process.hpp"

namespace craton::agent {
namespace fs = std::filesystem;
using namespace linux_driver;

namespace {

/// 32 hex digits from the kernel's random source: a container id nobody else has.
std::string new_container_id() {
  unsigned char bytes[16] = {};
  std::size_t done = 0;
  while (done < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + done, sizeof bytes - done, 0);
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  std::string id;
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    id += hex;
  }
  return id;
}

}  // namespace

Result<ShimConfig> LinuxDriver::shim_config(const std::string& uid, const SandboxState& sandbox,
                                            const ContainerSpec& spec, int attempt) {
  auto image = images_.resolve(spec.image);
  if (!image) return image.error();
  ShimConfig c;
  c.pod_uid = uid;
  c.name = spec.name;
  c.attempt = attempt;
  c.container_id = new_container_id();
  c.image_id = image->image_id;
  c.attempt_dir = attempt_dir(uid, spec.name, attempt);
  std::string ns = pod_dir(uid) + "/ns/";
  c.ipcns_path = ns + "ipc";
  if (!sandbox.host_network) {
    c.utsns_path = ns + "uts";
    c.netns_path = ns + "net";
  }
  c.layer_dirs = image->layer_dirs;
  c.argv = combine_command(image->config, spec.command, spec.args);
  if (c.argv.empty())
    return Error{driver_error::create_failed,
                 "no command specified: neither the pod nor the image says"};
  c.env = merge_env(image->config.env, spec.env, sandbox.hostname);
  c.working_dir = !spec.working_dir.empty()            ? spec.working_dir
                  : !image->config.working_dir.empty() ? image->config.working_dir
                                                       : "/";
  c.image_user = image->config.user;
  c.run_as_user = spec.run_as_user;
  c.run_as_group = spec.run_as_group;
  c.mounts = spec.mounts;
  c.cgroup_version = cgroup_version_;
  c.cgroup_path = pod_cgroup(uid) + "/" + spec.name + "_" + std::to_string(attempt);
  c.resources = spec.resources;
  c.log_dir = attempt_log_dir(uid, spec.name, attempt);
  c.log_max_bytes = spec.log_max_bytes;
  c.log_max_files = spec.log_max_files;
  return c;
}

Result<ContainerStatus> LinuxDriver::launch(const ShimConfig& config) {
  int report[2];
  if (auto s = make_pipe(report); !s) return s.error();
  std::vector<std::string> argv = config_.shim_command;
  argv.insert(argv.end(), {"start", config.attempt_dir + "/config.json"});
  auto pid = spawn_shim(argv, -1, report[1]);
  ::close(report[1]);
  if (!pid) {
    ::close(report[0]);
    return pid.error();
  }
  // The first shim process forks the supervisor and exits at once; the supervisor reports.
  // The report is read first: it ends as soon as the line (or, if no supervisor was forked,
  // the pipe) does, so the first process has exited by then and is reaped without the
  // polling back-off of wait_for_exit, which used to add up to half the shim's start again.
  auto said = read_with_deadline(report[0], config_.shim_timeout_ms, 64 * 1024, true);
  ::close(report[0]);
  auto forked = wait_for_exit(*pid, config_.shim_timeout_ms);
  if (!said) return Error{driver_error::create_failed, "shim: " + said.error().message};
  std::string line = said.value();
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (line != "ok") {
    if (line.empty())
      return Error{driver_error::create_failed,
                   "shim exited without a report" +
                       (forked ? " (code " + std::to_string(*forked) + ")" : std::string())};
    auto tab = line.find('\t');
    if (tab == std::string::npos) return Error{driver_error::create_failed, line};
    return Error{line.substr(0, tab), line.substr(tab + 1)};
  }
  auto status = attempt_status(config.pod_uid, config.name, config.attempt);
  if (!status) return Error{driver_error::create_failed, "shim reported ok but wrote no state"};
  return status.value();
}

Result<ContainerStatus> LinuxDriver::start_container(const std::string& pod_uid,
                                                     const ContainerSpec& spec, int attempt) {
  if (!is_safe_path_component(pod_uid)) return Error{"invalid", "pod uid '" + pod_uid + "'"};
  if (!is_safe_path_component(spec.name))
    return Error{"invalid", "container name '" + spec.name + "'"};
  if (attempt < 0) return Error{"invalid", "attempt must not be negative"};
  if (spec.log_max_bytes < 1 || spec.log_max_files < 0)
    return Error{"invalid", "log_max_bytes must be positive and log_max_files not negative"};
  auto sandbox_text = read_file(pod_dir(pod_uid) + "/sandbox.json");
  if (!sandbox_text) return Error{driver_error::no_sandbox, "pod " + pod_uid + " has no sandbox"};
  auto sandbox = decode_sandbox_state(sandbox_text.value());
  if (!sandbox) return sandbox.error();
  if (auto existing = attempt_status(pod_uid, spec.name, attempt)) return existing.value();
  std::string dir = attempt_dir(pod_uid, spec.name, attempt);
  std::string log_dir = attempt_log_dir(pod_uid, spec.name, attempt);
  std::error_code ec;
  fs::remove_all(dir, ec);  // left by a start that never got as far as started.json
  fs::remove_all(log_dir, ec);
  auto config = shim_config(pod_uid, sandbox.value(), spec, attempt);
  if (!config) return config.error();
  fs::create_directories(dir, ec);
  if (ec) return Error{driver_error::create_failed, "create " + dir + ": " + ec.message()};
  if (auto s = write_file_atomic(dir + "/config.json", encode(config.value())); !s) {
    fs::remove_all(dir, ec);
    return Error{driver_error::create_failed, s.error().message};
  }
  auto status = launch(config.value());
  if (!status) {
    fs::remove_all(dir, ec);
    fs::remove_all(log_dir, ec);
  }
  return status;
}

}  // namespace craton::agent
