// state_files.hpp: JSON encoding of the driver's state files and their atomic writes.
#include "actors/agent/linux/state_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace craton::agent::linux_driver {
namespace {

using nlohmann::json;

template <class T>
Result<T> decode_with(const std::string& text, const char* what, void (*fill)(const json&, T&)) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Error{"malformed", std::string(what) + " is not a JSON object"};
  try {
    T value;
    fill(j, value);
    return value;
  } catch (const json::exception& e) {
    return Error{"malformed", std::string(what) + ": " + e.what()};
  }
}

json optional_id(const std::optional<std::int64_t>& id) {
  return id ? json(*id) : json(nullptr);
}

std::optional<std::int64_t> read_optional_id(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<std::int64_t>();
}

void fill_sandbox(const json& j, SandboxState& s) {
  s.pod_uid = j.at("pod_uid").get<std::string>();
  s.pod_namespace = j.at("pod_namespace").get<std::string>();
  s.pod_name = j.at("pod_name").get<std::string>();
  s.hostname = j.at("hostname").get<std::string>();
  s.host_network = j.at("host_network").get<bool>();
  s.pod_ip = j.at("pod_ip").get<std::string>();
}

void fill_config(const json& j, ShimConfig& c) {
  c.pod_uid = j.at("pod_uid").get<std::string>();
  c.name = j.at("name").get<std::string>();
  c.attempt = j.at("attempt").get<int>();
  c.container_id = j.at("container_id").get<std::string>();
  c.image_id = j.at("image_id").get<std::string>();
  c.attempt_dir = j.at("attempt_dir").get<std::string>();
  c.netns_path = j.at("netns_path").get<std::string>();
  c.ipcns_path = j.at("ipcns_path").get<std::string>();
  c.utsns_path = j.at("utsns_path").get<std::string>();
  c.layer_dirs = j.at("layer_dirs").get<std::vector<std::string>>();
  c.argv = j.at("argv").get<std::vector<std::string>>();
  c.env = j.at("env").get<std::vector<std::string>>();
  c.working_dir = j.at("working_dir").get<std::string>();
  c.image_user = j.at("image_user").get<std::string>();
  c.run_as_user = read_optional_id(j.at("run_as_user"));
  c.run_as_group = read_optional_id(j.at("run_as_group"));
  for (const auto& m : j.at("mounts")) {
    c.mounts.push_back({m.at("source").get<std::string>(), m.at("target").get<std::string>(),
                        m.at("read_only").get<bool>()});
  }
  c.cgroup_version = j.at("cgroup_version").get<int>() == 2 ? CgroupVersion::v2 : CgroupVersion::v1;
  c.cgroup_path = j.at("cgroup_path").get<std::string>();
  const json& r = j.at("resources");
  c.resources.cpu_request_milli = r.at("cpu_request_milli").get<std::int64_t>();
  c.resources.cpu_limit_milli = r.at("cpu_limit_milli").get<std::int64_t>();
  c.resources.memory_limit_bytes = r.at("memory_limit_bytes").get<std::int64_t>();
  c.resources.pids_limit = r.at("pids_limit").get<std::int64_t>();
  c.log_dir = j.at("log_dir").get<std::string>();
  c.log_max_bytes = j.at("log_max_bytes").get<std::int64_t>();
  c.log_max_files = j.at("log_max_files").get<int>();
}

void fill_started(const json& j, ContainerStarted& s) {
  s.pid = j.at("pid").get<int>();
  s.pid_start_ticks = j.at("pid_start_ticks").get<std::int64_t>();
  s.shim_pid = j.at("shim_pid").get<int>();
  s.shim_start_ticks = j.at("shim_start_ticks").get<std::int64_t>();
  s.started_at_ms = j.at("started_at_ms").get<std::int64_t>();
}

void fill_exit(const json& j, ContainerExit& e) {
  e.exit_code = j.at("exit_code").get<int>();
  e.finished_at_ms = j.at("finished_at_ms").get<std::int64_t>();
  e.reason = j.at("reason").get<std::string>();
}

}  // namespace

std::string encode(const SandboxState& s) {
  return json{{"pod_uid", s.pod_uid},           {"pod_namespace", s.pod_namespace},
              {"pod_name", s.pod_name},         {"hostname", s.hostname},
              {"host_network", s.host_network}, {"pod_ip", s.pod_ip}}
      .dump();
}

std::string encode(const ShimConfig& c) {
  json mounts = json::array();
  for (const auto& m : c.mounts)
    mounts.push_back({{"source", m.source}, {"target", m.target}, {"read_only", m.read_only}});
  json resources{{"cpu_request_milli", c.resources.cpu_request_milli},
                 {"cpu_limit_milli", c.resources.cpu_limit_milli},
                 {"memory_limit_bytes", c.resources.memory_limit_bytes},
                 {"pids_limit", c.resources.pids_limit}};
  return json{{"pod_uid", c.pod_uid},
              {"name", c.name},
              {"attempt", c.attempt},
              {"container_id", c.container_id},
              {"image_id", c.image_id},
              {"attempt_dir", c.attempt_dir},
              {"netns_path", c.netns_path},
              {"ipcns_path", c.ipcns_path},
              {"utsns_path", c.utsns_path},
              {"layer_dirs", c.layer_dirs},
              {"argv", c.argv},
              {"env", c.env},
              {"working_dir", c.working_dir},
              {"image_user", c.image_user},
              {"run_as_user", optional_id(c.run_as_user)},
              {"run_as_group", optional_id(c.run_as_group)},
              {"mounts", mounts},
              {"cgroup_version", c.cgroup_version == CgroupVersion::v2 ? 2 : 1},
              {"cgroup_path", c.cgroup_path},
              {"resources", resources},
              {"log_dir", c.log_dir},
              {"log_max_bytes", c.log_max_bytes},
              {"log_max_files", c.log_max_files}}
      .dump();
}

std::string encode(const ContainerStarted& s) {
  return json{{"pid", s.pid},
              {"pid_start_ticks", s.pid_start_ticks},
              {"shim_pid", s.shim_pid},
              {"shim_start_ticks", s.shim_start_ticks},
              {"started_at_ms", s.started_at_ms}}
      .dump();
}

std::string encode(const ContainerExit& e) {
  return json{
      {"exit_code", e.exit_code}, {"finished_at_ms", e.finished_at_ms}, {"reason", e.reason}}
      .dump();
}

Result<SandboxState> decode_sandbox_state(const std::string& text) {
  return decode_with<SandboxState>(text, "sandbox.json", fill_sandbox);
}
Result<ShimConfig> decode_shim_config(const std::string& text) {
  return decode_with<ShimConfig>(text, "config.json", fill_config);
}
Result<ContainerStarted> decode_container_started(const std::string& text) {
  return decode_with<ContainerStarted>(text, "started.json", fill_started);
}
Result<ContainerExit> decode_container_exit(const std::string& text) {
  return decode_with<ContainerExit>(text, "exit.json", fill_exit);
}

bool is_safe_path_component(const std::string& name) {
  if (name.empty() || name.size() > 253 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> directory_entries(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Status write_file_atomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"io", "open " + tmp + ": " + std::strerror(errno)};
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Error{"io", "write " + tmp + ": " + std::strerror(err)};
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return Error{"io", "rename " + tmp + ": " + std::strerror(errno)};
  return Ok{};
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error{"not_found", path + " does not exist"};
    return Error{"io", "open " + path + ": " + std::strerror(errno)};
  }
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Error{"too_large", path + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
  }
  ::close(fd);
  return out;
}

}  // namespace craton::agent::linux_driver
