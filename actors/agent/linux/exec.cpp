// linux_driver.hpp: exec, a command run in a container through a `shim exec` process.
#include <unistd.h>

#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/linux/process_info.hpp"
#include "actors/agent/linux/shim_process.hpp"

namespace craton::agent {
using namespace linux_driver;

Result<ExecResult> LinuxDriver::exec(const std::string& pod_uid, const std::string& name,
                                     const std::vector<std::string>& argv,
                                     std::int64_t timeout_ms) {
  if (!is_safe_path_component(pod_uid) || !is_safe_path_component(name))
    return Error{"invalid", "pod uid or container name"};
  if (argv.empty()) return Error{"invalid", "exec needs a command"};
  auto attempts = attempts_of(pod_uid, name);
  if (attempts.empty())
    return Error{driver_error::no_container, "no container " + name + " in pod " + pod_uid};
  std::string dir = attempt_dir(pod_uid, name, attempts.back());
  auto text = read_file(dir + "/started.json");
  auto started =
      text ? decode_container_started(text.value()) : Result<ContainerStarted>(text.error());
  if (!started || !process_is(started->pid, started->pid_start_ticks))
    return Error{driver_error::no_container, "container " + name + " is not running"};
  int output[2];
  if (auto s = make_pipe(output); !s) return s.error();
  std::vector<std::string> command = config_.shim_command;
  command.insert(command.end(), {"exec", dir + "/config.json", std::to_string(started->pid)});
  command.insert(command.end(), argv.begin(), argv.end());
  auto pid = spawn_shim(command, output[1], -1);
  ::close(output[1]);
  if (!pid) {
    ::close(output[0]);
    return pid.error();
  }
  auto said = read_with_deadline(output[0], timeout_ms, config_.exec_output_bytes_max, false);
  ::close(output[0]);
  // On timeout the shim is killed; its command dies with it (parent-death signal).
  auto code = wait_for_exit(*pid, said ? timeout_ms : 0);
  if (!said) return Error{driver_error::timeout, "exec in " + name + " timed out"};
  if (!code) return Error{driver_error::timeout, "exec in " + name + " timed out"};
  return ExecResult{*code, said.value()};
}

}  // namespace craton::agent
