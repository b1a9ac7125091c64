// InformerVolumeSources: the VolumeSources a node agent's service fills from its ConfigMap
// and Secret informers. Thread-safe (one mutex): the service updates it on its actor thread
// while volume preparation reads it from the blocking-call threads; each lookup copies the
// object out, so a reader never sees a half-applied update.
//
// An object whose base64 does not decode is refused (Error, the previous content kept), so a
// pod sees either the last good version or "not found", never garbage.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "actors/agent/core/volume_sources.hpp"
#include "actors/api/informer/informer_object.hpp"
#include "runtime/result.hpp"

namespace craton::agent::volumes {

class InformerVolumeSources final : public VolumeSources {
 public:
  /// An informer add or update of a ConfigMap.
  Status upsert_config_map(const api::InformerObject& object);
  /// An informer add or update of a Secret.
  Status upsert_secret(const api::InformerObject& object);
  void remove_config_map(const std::string& ns, const std::string& name);
  void remove_secret(const std::string& ns, const std::string& name);

  std::optional<SourceObject> find_config_map(const std::string& ns,
                                              const std::string& name) const override;
  std::optional<SourceObject> find_secret(const std::string& ns,
                                          const std::string& name) const override;

 private:
  mutable std::mutex mutex_;
  MapVolumeSources map_;
};

}  // namespace craton::agent::volumes
