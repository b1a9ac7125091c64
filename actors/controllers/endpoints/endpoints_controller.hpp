// The Endpoints controller (Kubernetes' pkg/controller/endpoint) as a pure reconcile core: for
// each Service with a selector, an Endpoints object of the same name listing the matching
// pods' addresses and ports (what, exactly: endpoint_subsets.hpp).
//
// One sync of a Service key:
//   - a Service with a selector (and not of type ExternalName): its Endpoints is created, or
//     updated at its cached resourceVersion when its subsets or labels differ from what they
//     should be (so a stale cache costs a 409 and a retry, never a lost write); nothing is
//     written when they agree. Its labels are the Service's, plus
//     service.kubernetes.io/headless for clusterIP None (Kubernetes' rule) and
//     endpointslice.kubernetes.io/skip-mirror=true (as Kubernetes' controller writes), and
//     endpoints.craton.io/managed=true, which marks it as this controller's (skip-mirror alone
//     cannot: the API server's own `kubernetes` Endpoints carries it too).
//   - no such Service any more (deleted, selector removed, or turned ExternalName): the
//     Endpoints is deleted if it carries that mark. An Endpoints without the mark was written by
//     a user for a Service without a selector and is left alone (Kubernetes deletes it when the
//     Service goes, and keeps the controller's when the selector goes: we do neither).
// Keys come from the Service (any change), the pods (a pod's change enqueues every Service of
// its namespace whose selector matches its old or new labels) and the Endpoints themselves (a
// deleted or edited Endpoints of a selector Service is put back).
//
// Left out: the endpoints.kubernetes.io/last-change-trigger-time annotation (kube-proxy's
// latency metric, nothing reads it here), Kubernetes' stale-endpoints tracker (the
// resourceVersion precondition of the update does its job, at the price of one 409), choosing
// the pod IP by the Service's IP family (the pod's first IP is used), and sidecar init
// containers' named ports.
#pragma once

#include <cstddef>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct EndpointsConfig {
  /// Addresses one Endpoints lists at most (Kubernetes' maxCapacity); beyond, it is truncated
  /// and annotated endpoints.kubernetes.io/over-capacity=truncated.
  std::size_t addresses_max = 1000;
};

ControllerFactory endpoints_controller(EndpointsConfig config = {});

}  // namespace craton::controllers
