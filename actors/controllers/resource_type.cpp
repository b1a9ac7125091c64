// The resources the controllers use, named once.
#include "actors/controllers/resource_type.hpp"

#include "schemas/api_apps.capnp.h"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

api::ApiCall ResourceType::call(api::ApiVerb verb, const std::string& namespace_,
                                const std::string& name) const {
  api::ApiCall c;
  c.verb = verb;
  c.group = group;
  c.version = version;
  c.resource = resource;
  c.namespace_ = namespace_;
  c.name = name;
  return c;
}

const ResourceType& pods_resource() {
  static const ResourceType r{"", "v1", "pods", "Pod", capnp::Schema::from<schema::k8s::Pod>()};
  return r;
}

const ResourceType& replicasets_resource() {
  static const ResourceType r{"apps", "v1", "replicasets", "ReplicaSet",
                              capnp::Schema::from<schema::k8s::ReplicaSet>()};
  return r;
}

const ResourceType& deployments_resource() {
  static const ResourceType r{"apps", "v1", "deployments", "Deployment",
                              capnp::Schema::from<schema::k8s::Deployment>()};
  return r;
}

const ResourceType& daemonsets_resource() {
  static const ResourceType r{"apps", "v1", "daemonsets", "DaemonSet",
                              capnp::Schema::from<schema::k8s::DaemonSet>()};
  return r;
}

const ResourceType& jobs_resource() {
  static const ResourceType r{"batch", "v1", "jobs", "Job",
                              capnp::Schema::from<schema::k8s::Job>()};
  return r;
}

const ResourceType& nodes_resource() {
  static const ResourceType r{"", "v1", "nodes", "Node", capnp::Schema::from<schema::k8s::Node>()};
  return r;
}

const ResourceType& namespaces_resource() {
  static const ResourceType r{"", "v1", "namespaces", "Namespace",
                              capnp::Schema::from<schema::k8s::Namespace>()};
  return r;
}

const ResourceType& services_resource() {
  static const ResourceType r{"", "v1", "services", "Service",
                              capnp::Schema::from<schema::k8s::Service>()};
  return r;
}

const ResourceType& endpoints_resource() {
  static const ResourceType r{"", "v1", "endpoints", "Endpoints",
                              capnp::Schema::from<schema::k8s::Endpoints>()};
  return r;
}

const ResourceType& leases_resource() {
  static const ResourceType r{"coordination.k8s.io", "v1", "leases", "Lease",
                              capnp::Schema::from<schema::k8s::Lease>()};
  return r;
}

const ResourceType& events_resource() {
  static const ResourceType r{"", "v1", "events", "Event",
                              capnp::Schema::from<schema::k8s::Event>()};
  return r;
}

std::string object_key(const std::string& namespace_, const std::string& name) {
  return namespace_.empty() ? name : namespace_ + "/" + name;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace craton::controllers
