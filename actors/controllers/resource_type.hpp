// ResourceType: a kind of object the controllers read and write, as the API addresses it
// (group, version, plural) and as it is decoded (its Cap'n Proto struct). One value per kind,
// so a call or an informer can never name a resource one way and decode it another.
#pragma once

#include <capnp/schema.h>

#include <string>

#include "actors/api/client/api_protocol.hpp"

namespace craton::controllers {

struct ResourceType {
  std::string group;  ///< "" for the core group
  std::string version;
  std::string resource;  ///< plural
  std::string kind;
  capnp::StructSchema schema;

  /// "apps/v1" or "v1": an ownerReference's apiVersion.
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  /// A call on this resource: the verb, namespace and name filled in.
  api::ApiCall call(api::ApiVerb verb, const std::string& namespace_ = "",
                    const std::string& name = "") const;
};

const ResourceType& pods_resource();
const ResourceType& replicasets_resource();
const ResourceType& deployments_resource();
const ResourceType& daemonsets_resource();
const ResourceType& jobs_resource();
const ResourceType& nodes_resource();
const ResourceType& namespaces_resource();
const ResourceType& services_resource();
const ResourceType& endpoints_resource();
const ResourceType& leases_resource();
const ResourceType& events_resource();

/// "namespace/name" (or "name"), and back.
std::string object_key(const std::string& namespace_, const std::string& name);
std::pair<std::string, std::string> split_key(const std::string& key);

}  // namespace craton::controllers
