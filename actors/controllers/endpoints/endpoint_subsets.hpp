// EndpointSubsets: what an Endpoints object should list for a Service (Kubernetes'
// pkg/controller/endpoint and pkg/api/v1/endpoints' RepackSubsets), as plain values that
// compare with ==, so the controller writes an Endpoints only when what it would write differs.
//
// Promises of desired_subsets(service, pods):
//   - a pod counts when it is in the Service's namespace, matches its selector, is not
//     Succeeded or Failed, has status.podIP, and is not being deleted (being deleted is
//     tolerated when the Service publishes not-ready addresses);
//   - a counted pod is a ready address when its Ready condition is True or the Service has
//     publishNotReadyAddresses, a not-ready address otherwise; each address carries ip,
//     nodeName, hostname (spec.hostname, when spec.subdomain names the Service) and a targetRef
//     (kind Pod, namespace, name, uid);
//   - each Service port becomes an endpoint port (its name, protocol and appProtocol, the pod's
//     port number): targetPort by number, or by the NAME of a container port of the same
//     protocol on each pod; a pod without that named port is left out of that port's subset;
//     a headless Service without ports lists its pods in one subset without ports;
//   - the result is canonical: addresses grouped by the exact set of ports they serve (one
//     subset per set), addresses sorted by (ip, pod uid), ports by (name, port, protocol),
//     subsets by their ports. Kubernetes orders ports and subsets by an md5 of Go's object
//     dump, which nothing can rely on; ours is just as stable and readable.
//   - at most addresses_max addresses (Kubernetes' maxCapacity, 1000): beyond it, not-ready
//     addresses go first, then ready ones, each subset keeping its share (truncate()).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "schemas/api_cluster.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {

struct EndpointAddress {
  std::string ip, hostname, node_name;
  std::string target_kind, target_namespace, target_name, target_uid;  ///< the targetRef
  auto operator<=>(const EndpointAddress&) const = default;
};

struct EndpointPort {
  std::string name;
  std::int32_t port = 0;
  std::string protocol, app_protocol;
  auto operator<=>(const EndpointPort&) const = default;
};

struct EndpointSubset {
  std::vector<EndpointPort> ports;
  std::vector<EndpointAddress> addresses;            ///< ready
  std::vector<EndpointAddress> not_ready_addresses;  ///< not ready
  auto operator<=>(const EndpointSubset&) const = default;
};

using EndpointSubsets = std::vector<EndpointSubset>;

/// The subsets the Endpoints of `service` should hold, given the pods of its namespace (the
/// ones that do not match its selector are skipped). Precondition: the Service has a selector.
EndpointSubsets desired_subsets(schema::k8s::Service::Reader service,
                                const std::vector<schema::k8s::Pod::Reader>& pods);

/// Cuts the subsets down to addresses_max addresses as Kubernetes' truncateEndpoints does
/// (not-ready ones first; each subset keeps its share, rounded up). True when it cut.
bool truncate(EndpointSubsets& subsets, std::size_t addresses_max);

/// The subsets an Endpoints object holds now, as written (not repacked).
EndpointSubsets subsets_of(schema::k8s::Endpoints::Reader endpoints);

/// Writes `subsets` into an Endpoints object, replacing what it held.
void set_subsets(schema::k8s::Endpoints::Builder endpoints, const EndpointSubsets& subsets);

}  // namespace craton::controllers
