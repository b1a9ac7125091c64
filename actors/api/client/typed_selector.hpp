// A metav1.LabelSelector as objects carry it (a ReplicaSet's spec.selector, a PDB's, a pod
// affinity term's), matched against a typed object's labels: what a controller or the scheduler
// asks of the objects in its informer caches. Semantics of apimachinery's
// LabelSelectorAsSelector: matchLabels and every matchExpressions requirement (In, NotIn,
// Exists, DoesNotExist) must hold; a selector with neither matches everything; an unknown
// operator matches nothing (the API refuses such selectors, so a stored one never has it).
#pragma once

#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::api {

bool selector_matches(schema::k8s::LabelSelector::Reader selector,
                      schema::k8s::StringMap::Reader labels);

/// labels[key], or nullptr when the key is absent.
const char* label_value(schema::k8s::StringMap::Reader labels, kj::StringPtr key);

/// True when every label of `subset` is in `labels` with the same value (a template's labels
/// against a pod's: ReplicaSet's fullyLabeledReplicas).
bool labels_contain(schema::k8s::StringMap::Reader labels, schema::k8s::StringMap::Reader subset);

}  // namespace craton::api
