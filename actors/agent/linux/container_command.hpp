// How a container's process is assembled from its image and its pod spec, as Kubernetes does
// it (pkg/kubelet/kuberuntime: command replaces ENTRYPOINT and drops CMD; args alone replace
// CMD), plus the environment merge and the image user's parsing. Pure functions: no I/O, so the
// rules are testable without root.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/result.hpp"
#include "storage/images/image_types.hpp"

namespace craton::agent::linux_driver {

/// The argv a container runs: Kubernetes' combination of the pod's command/args with the
/// image's ENTRYPOINT/CMD. Empty when neither says anything (the caller reports it).
std::vector<std::string> combine_command(const images::ImageConfig& image,
                                         const std::vector<std::string>& command,
                                         const std::vector<std::string>& args);

/// The container's environment as "NAME=value": the image's, then the pod's overriding by name
/// (keeping the first position of each name), PATH defaulted as Docker and runc do, and
/// HOSTNAME set to the pod's hostname.
std::vector<std::string> merge_env(const std::vector<std::string>& image_env,
                                   const std::vector<std::pair<std::string, std::string>>& pod_env,
                                   const std::string& hostname);

/// The value of NAME in an environment of "NAME=value" entries; empty when absent.
std::string env_value(const std::vector<std::string>& env, const std::string& name);

/// User and group a container runs as.
struct UserIds {
  std::int64_t uid = 0;
  std::int64_t gid = 0;
};

/// Resolves an image's USER ("uid", "uid:gid", "name", "name:group"; empty = root) against the
/// container's /etc/passwd and /etc/group texts (empty when the image has none), then applies
/// the pod's runAsUser/runAsGroup. A name not found is an error ("unable to find user app").
Result<UserIds> resolve_user(const std::string& image_user, const std::string& passwd_text,
                             const std::string& group_text, std::optional<std::int64_t> run_as_user,
                             std::optional<std::int64_t> run_as_group);

/// The absolute path execve should run for argv0 inside the container: argv0 itself when it
/// holds a '/', otherwise the first PATH entry (from the container's env) where `is_executable`
/// says yes. Error "executable file not found in $PATH" as runc says it.
template <class IsExecutable>
Result<std::string> find_executable(const std::string& argv0, const std::string& path_value,
                                    IsExecutable&& is_executable) {
  if (argv0.find('/') != std::string::npos) return argv0;
  std::size_t begin = 0;
  while (begin <= path_value.size()) {
    std::size_t end = path_value.find(':', begin);
    if (end == std::string::npos) end = path_value.size();
    std::string dir = path_value.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + argv0;
    if (is_executable(candidate)) return candidate;
    begin = end + 1;
  }
  return Error{"start_failed", "exec: \"" + argv0 + "\": executable file not found in $PATH"};
}

}  // namespace craton::agent::linux_driver
