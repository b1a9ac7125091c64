// materialize(): emptyDir, hostPath, configMap and secret on the host; remove_pod_volumes().
#include "actors/agent/volumes/volume_setup.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actors/agent/volumes/host_path_check.hpp"

namespace craton::agent::volumes {
namespace {

namespace fs = std::filesystem;

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool octal = true;
      for (std::size_t j = 1; j <= 3; ++j) {
        char c = s[i + j];
        if (c < '0' || c > '7') octal = false;
        v = v * 8 + (c - '0');
      }
      if (octal) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool is_mount_point(const std::string& path) {
  auto mounts = mounts_under(path);
  return std::find(mounts.begin(), mounts.end(), path) != mounts.end();
}

Status make_dir(const std::string& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Error{"volume_io", "mkdir " + path + ": " + ec.message()};
  // chmod after mkdir: the process umask must not narrow the mode kube promises.
  if (::chmod(path.c_str(), mode) != 0)
    return Error{"volume_io", "chmod " + path + ": " + std::strerror(errno)};
  return Ok{};
}

/// A tmpfs on `path` unless one is there already (the agent restarted; keep the content).
Status mount_tmpfs(const std::string& path, std::int64_t size_bytes, mode_t mode) {
  if (is_mount_point(path)) return Ok{};
  std::ostringstream options;
  options << "mode=" << std::oct << mode << std::dec;
  if (size_bytes > 0) options << ",size=" << size_bytes;
  if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.str().c_str()) != 0)
    return Error{"volume_io", "mount tmpfs on " + path + ": " + std::strerror(errno)};
  return Ok{};
}

Status empty_dir(const VolumePlan& plan) {
  if (auto s = make_dir(plan.host_path, 0777); !s) return s;
  if (!plan.memory_medium) return Ok{};
  return mount_tmpfs(plan.host_path, plan.size_limit_bytes, 0777);
}

Status projected(const VolumePlan& plan, const VolumeSources& sources) {
  auto payload = projected_payload(plan, sources);
  if (!payload) return payload.error();
  if (auto s = make_dir(plan.host_path, 0755); !s) return s;
  if (plan.kind == VolumePlan::Kind::secret)
    if (auto s = mount_tmpfs(plan.host_path, 0, 0755); !s) return s;
  return write_atomic(plan.host_path, *payload);
}

}  // namespace

std::vector<std::string> mounts_under(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devices, root, point;
    if (!(fields >> id >> parent >> devices >> root >> point)) continue;
    point = unescape(point);
    if (point == path || point.rfind(path + "/", 0) == 0) out.push_back(point);
  }
  // Deepest first, so a mount is unmounted before the one it sits on; duplicates (a mount
  // stacked twice) stay, one umount each.
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

Result<Payload> projected_payload(const VolumePlan& plan, const VolumeSources& sources) {
  bool secret = plan.kind == VolumePlan::Kind::secret;
  const char* kind = secret ? "secret" : "configmap";
  auto object = secret ? sources.find_secret(plan.source_namespace, plan.source_name)
                       : sources.find_config_map(plan.source_namespace, plan.source_name);
  Payload payload;
  if (!object) {
    if (plan.optional) return payload;  // kube: an optional missing source is an empty volume
    return Error{"volume_source_missing",
                 std::string(kind) + " \"" + plan.source_name + "\" not found"};
  }
  auto find = [&](const std::string& key) -> const std::string* {
    if (auto it = object->data.find(key); it != object->data.end()) return &it->second;
    if (auto it = object->binary_data.find(key); it != object->binary_data.end())
      return &it->second;
    return nullptr;
  };
  if (plan.items.empty()) {
    for (const auto* map : {&object->data, &object->binary_data})
      for (const auto& [key, value] : *map) payload[key] = FileContent{value, plan.default_mode};
  } else {
    for (const auto& item : plan.items) {
      const std::string* value = find(item.key);
      if (value == nullptr) {
        if (plan.optional) continue;
        return Error{"volume_source_missing",
                     secret ? "references non-existent secret key: " + item.key
                            : "configmap references non-existent config key: " + item.key};
      }
      payload[item.path] = FileContent{*value, item.mode.value_or(plan.default_mode)};
    }
  }
  for (const auto& [path, content] : payload)
    if (!valid_payload_path(path))
      return Error{"invalid_volume", std::string(kind) + " \"" + plan.source_name +
                                         "\": key or path \"" + path + "\" cannot be a file name"};
  return payload;
}

Status materialize(const VolumePlan& plan, const VolumeSources& sources) {
  auto fail = [&](const Error& e) -> Status {
    return Error{e.code, "volume \"" + plan.name + "\": " + e.message};
  };
  if (plan.host_path.empty() || plan.host_path[0] != '/')
    return fail(Error{"invalid_volume", "path \"" + plan.host_path + "\" is not absolute"});
  Status s = Ok{};
  switch (plan.kind) {
    case VolumePlan::Kind::empty_dir:
      s = empty_dir(plan);
      break;
    case VolumePlan::Kind::host_path:
      s = check_host_path(plan.host_path, plan.host_path_type);
      break;
    case VolumePlan::Kind::config_map:
    case VolumePlan::Kind::secret:
      s = projected(plan, sources);
      break;
  }
  if (!s) return fail(s.error());
  return Ok{};
}

Status remove_pod_volumes(const std::string& pod_dir) {
  if (pod_dir.empty() || pod_dir[0] != '/' || pod_dir == "/")
    return Error{"invalid_volume", "refusing to remove \"" + pod_dir + "\""};
  for (const auto& point : mounts_under(pod_dir)) {
    if (::umount2(point.c_str(), 0) == 0 || errno == EINVAL || errno == ENOENT) continue;
    // Busy (a process still has a file open): detach it, the kernel frees it when unused.
    if (::umount2(point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      return Error{"volume_io", "umount " + point + ": " + std::strerror(errno)};
  }
  if (!mounts_under(pod_dir).empty())
    return Error{"volume_io", "mounts remain under " + pod_dir};  // never delete into a mount
  std::error_code ec;
  fs::remove_all(pod_dir, ec);
  if (ec) return Error{"volume_io", "remove " + pod_dir + ": " + ec.message()};
  return Ok{};
}

}  // namespace craton::agent::volumes
