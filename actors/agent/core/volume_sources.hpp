// VolumeSources: the ConfigMaps and Secrets a node agent can see, as a lookup by namespace and
// name. The agent's service fills an implementation from its informers; the pod core reads
// env references through it (pod_env.hpp) and the volume library writes configMap and secret
// volumes from it (actors/agent/volumes/). Values are the bytes as a container sees them:
// a Secret's base64 is already decoded, a ConfigMap's binaryData too.
//
// A lookup answers what the informer holds now; it never blocks and never fails otherwise
// than "not found" (std::nullopt), so a caller treats absence as Kubernetes does: an error
// for a required source, nothing for an optional one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace craton::agent {

/// One ConfigMap or Secret's content. Secrets hold everything in `data`.
struct SourceObject {
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> binary_data;  ///< ConfigMap binaryData (volumes only)
};

class VolumeSources {
 public:
  virtual ~VolumeSources() = default;
  virtual std::optional<SourceObject> find_config_map(const std::string& ns,
                                                      const std::string& name) const = 0;
  virtual std::optional<SourceObject> find_secret(const std::string& ns,
                                                  const std::string& name) const = 0;
};

/// Sources held in maps: the tests', and what a service without informers passes.
class MapVolumeSources final : public VolumeSources {
 public:
  void put_config_map(const std::string& ns, const std::string& name, SourceObject object) {
    config_maps_[{ns, name}] = std::move(object);
  }
  void put_secret(const std::string& ns, const std::string& name, SourceObject object) {
    secrets_[{ns, name}] = std::move(object);
  }
  void erase_config_map(const std::string& ns, const std::string& name) {
    config_maps_.erase({ns, name});
  }
  void erase_secret(const std::string& ns, const std::string& name) { secrets_.erase({ns, name}); }

  std::optional<SourceObject> find_config_map(const std::string& ns,
                                              const std::string& name) const override {
    auto it = config_maps_.find({ns, name});
    if (it == config_maps_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<SourceObject> find_secret(const std::string& ns,
                                          const std::string& name) const override {
    auto it = secrets_.find({ns, name});
    if (it == secrets_.end()) return std::nullopt;
    return it->second;
  }

 private:
  using Key = std::pair<std::string, std::string>;
  std::map<Key, SourceObject> config_maps_;
  std::map<Key, SourceObject> secrets_;
};

}  // namespace craton::agent
