// Which pods a ReplicaSet deletes first when it scales down: Kubernetes' order
// (controller.ActivePods in pkg/controller/controller_utils.go), least valuable first:
//   1. not yet scheduled (no spec.nodeName) before scheduled;
//   2. phase Pending before Unknown before Running (others last);
//   3. not Ready before Ready;
//   4. lower controller.kubernetes.io/pod-deletion-cost annotation (default 0) first;
//   5. Ready for less time first (the later Ready transition);
//   6. more container restarts first;
//   7. newer (later creationTimestamp) first;
// then by name, so the order is total. Kubernetes also ranks pods by how many of their
// siblings share their node (spreading) before 4; not here yet.
// Timestamps are compared as text: the API writes RFC 3339 in UTC with whole seconds, so text
// order is time order. Pure.
#pragma once

#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

/// True when `a` goes before `b` in a scale-down.
bool delete_before(schema::k8s::Pod::Reader a, schema::k8s::Pod::Reader b);

}  // namespace craton::controllers
