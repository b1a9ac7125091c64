// What the API server does to an object's metadata on create and update, as kube-apiserver's
// generic registry does (before anything kind-specific): names (given, or generated from
// generateName), the namespace against the request path, label and annotation syntax, and
// the fields the server owns (uid, creationTimestamp, generation, resourceVersion,
// deletionTimestamp). Problems come back as Kubernetes' StatusCauses, so a 422 Invalid lists
// each field ("metadata.name: Required value: name or generateName is required").
//
// Keys in the store follow etcd-backed Kubernetes: /registry/<resource>/<namespace>/<name>,
// /registry/<resource>/<name> for cluster-scoped kinds (what `etcdctl get --prefix
// /registry/pods` shows on a Kubernetes cluster).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "schemas/api_meta.capnp.h"

namespace craton::api {

struct StatusCause {
  std::string reason;  ///< FieldValueRequired, FieldValueInvalid, FieldValueForbidden, ...
  std::string field;   ///< metadata.name, ...
  std::string message;
  bool operator==(const StatusCause&) const = default;
};

/// The store key of an object (namespace "" for cluster-scoped kinds).
std::string registry_key(const std::string& resource, const std::string& namespace_,
                         const std::string& name);
/// The prefix listing a resource, in one namespace or ("") in all.
std::string registry_prefix(const std::string& resource, const std::string& namespace_);

struct CreateContext {
  bool namespaced = true;
  std::string path_namespace;      ///< the namespace of the request URL ("" for cluster-scoped)
  bool name_is_dns_label = false;  ///< namespaces, services: RFC 1123 label, not subdomain
  std::string now;                 ///< RFC 3339, from the caller's clock
  std::string uid;                 ///< a fresh UUID from the caller
  /// Random characters for generateName (5 of Kubernetes' alphabet), from the caller's Rng.
  std::function<std::string()> name_suffix;
};

/// Checks and fills `meta` for a create; an empty result means it may be stored.
std::vector<StatusCause> prepare_create(schema::k8s::ObjectMeta::Builder meta,
                                        const CreateContext& context);

/// Checks an update of `old` to `meta` and carries over what the server owns; `spec_changed`
/// bumps generation. An empty result means it may be stored (the caller compares
/// resourceVersion with the store: a stale one is a 409 Conflict, not a cause).
std::vector<StatusCause> prepare_update(schema::k8s::ObjectMeta::Builder meta,
                                        schema::k8s::ObjectMeta::Reader old, bool spec_changed);

}  // namespace craton::api
