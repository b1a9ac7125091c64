// PodVolumes: materialize() over a pod's plans, remove_pod_volumes() of its directory.
#include "actors/agent/volumes/pod_volumes.hpp"

#include <filesystem>

#include "actors/agent/volumes/volume_setup.hpp"

namespace craton::agent::volumes {
namespace {

/// No sources at all: every configMap and secret is missing.
class NoSources final : public VolumeSources {
 public:
  std::optional<SourceObject> find_config_map(const std::string&,
                                              const std::string&) const override {
    return std::nullopt;
  }
  std::optional<SourceObject> find_secret(const std::string&, const std::string&) const override {
    return std::nullopt;
  }
};

bool valid_uid(const std::string& uid) {
  return !uid.empty() && uid != "." && uid != ".." && uid.find('/') == std::string::npos;
}

}  // namespace

PodVolumes::PodVolumes(std::string volume_root, std::shared_ptr<const VolumeSources> sources)
    : root_(std::move(volume_root)),
      sources_(sources ? std::move(sources) : std::make_shared<NoSources>()) {}

Status PodVolumes::prepare(const std::string& pod_uid, const std::vector<VolumePlan>& volumes) {
  if (!valid_uid(pod_uid)) return Error{"invalid_volume", "bad pod uid \"" + pod_uid + "\""};
  std::string pod_dir = root_ + "/" + pod_uid + "/";
  for (const auto& v : volumes) {
    // A plan made for another root (or a forged one) must not write outside the pod's dir.
    if (v.kind != VolumePlan::Kind::host_path && v.host_path.rfind(pod_dir, 0) != 0)
      return Error{"invalid_volume", "volume \"" + v.name + "\" is outside " + pod_dir};
    if (auto s = materialize(v, *sources_); !s) return s;
  }
  return Ok{};
}

Status PodVolumes::remove(const std::string& pod_uid) {
  if (!valid_uid(pod_uid)) return Error{"invalid_volume", "bad pod uid \"" + pod_uid + "\""};
  return remove_pod_volumes(root_ + "/" + pod_uid);
}

Status PodVolumes::sweep(const std::set<std::string>& keep) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> stale;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::string uid = entry.path().filename().string();
    if (!keep.count(uid) && entry.is_directory(ec) && !entry.is_symlink(ec)) stale.push_back(uid);
  }
  if (ec && ec != std::errc::no_such_file_or_directory)
    return Error{"volume_io", "list " + root_ + ": " + ec.message()};
  Status first = Ok{};
  for (const auto& uid : stale)
    if (auto s = remove(uid); !s && first) first = s;
  return first;
}

}  // namespace craton::agent::volumes
