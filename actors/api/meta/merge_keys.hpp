// Kubernetes' strategic-merge rules for list fields (the patchStrategy and patchMergeKey tags of
// k8s.io/api's types), by field name: what the server's strategic merge patch applies
// (server/patch.cpp) and what the OpenAPI documents tell kubectl (x-kubernetes-patch-strategy
// and x-kubernetes-patch-merge-key), so that the patch `kubectl apply` computes from them and
// the server's reading of it agree.
#pragma once

#include <string>
#include <string_view>

namespace craton::api {

/// The merge key of a list of objects named `field` (containers by name, ownerReferences by
/// uid, ...), or "" when such a list is replaced whole. "ports" is keyed by containerPort in a
/// container and by port elsewhere (a Service): `elements_have_container_port` says which.
std::string list_merge_key(std::string_view field, bool elements_have_container_port);

/// Whether a list of strings named `field` merges as a set (patchStrategy "merge" on a list of
/// primitives): finalizers.
bool list_merges_as_set(std::string_view field);

}  // namespace craton::api
