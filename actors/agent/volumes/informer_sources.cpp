// InformerVolumeSources: informer objects decoded once, held under a mutex.
#include "actors/agent/volumes/informer_sources.hpp"

#include "actors/agent/volumes/source_objects.hpp"

namespace craton::agent::volumes {

Status InformerVolumeSources::upsert_config_map(const api::InformerObject& object) {
  auto decoded = config_map_object(object.as<schema::k8s::ConfigMap>());
  if (!decoded)
    return Error{decoded.error().code, "configmap " + object.name_space() + "/" + object.name() +
                                           ": " + decoded.error().message};
  std::lock_guard lock(mutex_);
  map_.put_config_map(object.name_space(), object.name(), std::move(*decoded));
  return Ok{};
}

Status InformerVolumeSources::upsert_secret(const api::InformerObject& object) {
  auto decoded = secret_object(object.as<schema::k8s::Secret>());
  if (!decoded)
    return Error{decoded.error().code, "secret " + object.name_space() + "/" + object.name() +
                                           ": " + decoded.error().message};
  std::lock_guard lock(mutex_);
  map_.put_secret(object.name_space(), object.name(), std::move(*decoded));
  return Ok{};
}

void InformerVolumeSources::remove_config_map(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  map_.erase_config_map(ns, name);
}

void InformerVolumeSources::remove_secret(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mutex_);
  map_.erase_secret(ns, name);
}

std::optional<SourceObject> InformerVolumeSources::find_config_map(const std::string& ns,
                                                                   const std::string& name) const {
  std::lock_guard lock(mutex_);
  return map_.find_config_map(ns, name);
}

std::optional<SourceObject> InformerVolumeSources::find_secret(const std::string& ns,
                                                               const std::string& name) const {
  std::lock_guard lock(mutex_);
  return map_.find_secret(ns, name);
}

}  // namespace craton::agent::volumes
