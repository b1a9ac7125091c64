// The subsets of an Endpoints object: computing them from a Service and its pods, repacking
// them into canonical form, truncating them, and reading and writing them (see the header).
#include "actors/controllers/endpoints/endpoint_subsets.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "actors/api/client/typed_selector.hpp"
#include "actors/controllers/pods.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

// Stands for "no port" in the grouping: a headless Service without ports still lists its pods
// (Kubernetes' RepackSubsets uses the same sentinel).
const EndpointPort kNoPort{"", -1, "", ""};

std::string text(capnp::Text::Reader t) {
  return {t.cStr(), t.size()};
}

// Kubernetes' LessEndpointAddress: by ip, then by the target's uid.
bool address_less(const EndpointAddress& a, const EndpointAddress& b) {
  if (a.ip != b.ip) return a.ip < b.ip;
  return a.target_uid < b.target_uid;
}

// The pod's first IP, "" when it has none yet.
std::string pod_ip(k8s::Pod::Reader pod) {
  auto status = pod.getStatus();
  if (status.getPodIP().size() > 0) return text(status.getPodIP());
  if (status.getPodIPs().size() > 0) return text(status.getPodIPs()[0].getIp());
  return "";
}

// endpointsliceutil.ShouldPodBeInEndpoints.
bool pod_counts(k8s::Pod::Reader pod, bool include_terminating) {
  auto phase = pod.getStatus().getPhase();
  if (phase == "Succeeded" || phase == "Failed") return false;
  if (pod_ip(pod).empty()) return false;
  return include_terminating || pod.getMetadata().getDeletionTimestamp().size() == 0;
}

EndpointAddress address_of(k8s::Service::Reader service, k8s::Pod::Reader pod) {
  auto meta = pod.getMetadata();
  auto spec = pod.getSpec();
  EndpointAddress a{pod_ip(pod),
                    "",
                    text(spec.getNodeName()),
                    "Pod",
                    text(meta.getNamespace()),
                    text(meta.getName()),
                    text(meta.getUid())};
  auto svc = service.getMetadata();
  if (spec.getHostname().size() > 0 && spec.getSubdomain() == svc.getName() &&
      meta.getNamespace() == svc.getNamespace())
    a.hostname = text(spec.getHostname());
  return a;
}

std::string protocol_or_tcp(capnp::Text::Reader protocol) {
  return protocol.size() > 0 ? text(protocol) : "TCP";
}

// podutil.FindPort: the pod's number for a Service port, none when a named targetPort is not
// among the pod's container ports of that protocol.
std::optional<std::int32_t> find_port(k8s::Pod::Reader pod, k8s::Service::Port::Reader port) {
  if (!port.hasTargetPort()) return port.getPort();
  auto target = port.getTargetPort();
  if (target.isIntVal()) return target.getIntVal();
  auto protocol = protocol_or_tcp(port.getProtocol());
  for (auto container : pod.getSpec().getContainers())
    for (auto p : container.getPorts())
      if (p.getName() == target.getStrVal() && protocol_or_tcp(p.getProtocol()) == protocol)
        return p.getContainerPort();
  return std::nullopt;
}

// Every (port, address) pair, addresses deduplicated by (ip, uid); not ready wins over ready
// (RepackSubsets' mapAddressByPort).
class PortMap {
 public:
  void add(const EndpointPort& port, const EndpointAddress& address, bool ready) {
    auto [it, inserted] =
        by_port_[port].try_emplace({address.ip, address.target_uid}, address, ready);
    if (!inserted) it->second.second = it->second.second && ready;
  }
  // One subset per distinct set of (address, readiness), holding every port that set serves.
  EndpointSubsets repack() const {
    using Members = std::vector<std::pair<EndpointAddress, bool>>;
    std::map<Members, std::vector<EndpointPort>> groups;
    for (const auto& [port, members] : by_port_) {
      Members key;
      for (const auto& [id, member] : members) key.push_back(member);
      std::sort(key.begin(), key.end(),
                [](const auto& a, const auto& b) { return address_less(a.first, b.first); });
      groups[key].push_back(port);
    }
    EndpointSubsets out;
    for (const auto& [members, ports] : groups) out.push_back(subset(members, ports));
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  static EndpointSubset subset(const std::vector<std::pair<EndpointAddress, bool>>& members,
                               std::vector<EndpointPort> ports) {
    EndpointSubset s;
    std::sort(ports.begin(), ports.end());
    if (!(ports.size() == 1 && ports[0] == kNoPort)) s.ports = std::move(ports);
    for (const auto& [address, ready] : members)
      (ready ? s.addresses : s.not_ready_addresses).push_back(address);
    return s;
  }
  std::map<EndpointPort,
           std::map<std::pair<std::string, std::string>, std::pair<EndpointAddress, bool>>>
      by_port_;
};

void read_addresses(capnp::List<k8s::Endpoints::Address>::Reader list,
                    std::vector<EndpointAddress>& out) {
  for (auto a : list) {
    auto ref = a.getTargetRef();
    out.push_back({text(a.getIp()), text(a.getHostname()), text(a.getNodeName()),
                   text(ref.getKind()), text(ref.getNamespace()), text(ref.getName()),
                   text(ref.getUid())});
  }
}

void write_addresses(capnp::List<k8s::Endpoints::Address>::Builder list,
                     const std::vector<EndpointAddress>& addresses) {
  for (unsigned i = 0; i < addresses.size(); ++i) {
    const auto& a = addresses[i];
    auto out = list[i];
    out.setIp(a.ip);
    if (!a.hostname.empty()) out.setHostname(a.hostname);
    if (!a.node_name.empty()) out.setNodeName(a.node_name);
    if (a.target_kind.empty() && a.target_uid.empty() && a.target_name.empty()) continue;
    auto ref = out.initTargetRef();
    ref.setKind(a.target_kind);
    ref.setNamespace(a.target_namespace);
    ref.setName(a.target_name);
    ref.setUid(a.target_uid);
  }
}

}  // namespace

EndpointSubsets desired_subsets(k8s::Service::Reader service,
                                const std::vector<k8s::Pod::Reader>& pods) {
  auto spec = service.getSpec();
  bool publish_not_ready = spec.getPublishNotReadyAddresses();
  PortMap map;
  for (auto pod : pods) {
    if (pod.getMetadata().getNamespace() != service.getMetadata().getNamespace()) continue;
    if (!api::labels_contain(pod.getMetadata().getLabels(), spec.getSelector())) continue;
    if (!pod_counts(pod, publish_not_ready)) continue;
    auto address = address_of(service, pod);
    bool ready = publish_not_ready || pod_ready(pod);
    if (spec.getPorts().size() == 0 && spec.getClusterIP() == "None")
      map.add(kNoPort, address, ready);
    for (auto port : spec.getPorts()) {
      auto number = find_port(pod, port);
      if (!number) continue;  // this pod does not serve that port
      map.add(
          {text(port.getName()), *number, text(port.getProtocol()), text(port.getAppProtocol())},
          address, ready);
    }
  }
  return map.repack();
}

bool truncate(EndpointSubsets& subsets, std::size_t addresses_max) {
  std::size_t ready = 0, not_ready = 0;
  for (const auto& s : subsets) {
    ready += s.addresses.size();
    not_ready += s.not_ready_addresses.size();
  }
  if (ready + not_ready <= addresses_max) return false;
  bool cut_ready = ready > addresses_max;  // then every not-ready address goes
  std::size_t room = cut_ready ? addresses_max : addresses_max - ready;
  std::size_t total = cut_ready ? ready : not_ready;
  std::size_t left = room;
  for (auto& s : subsets) {
    auto& cut = cut_ready ? s.addresses : s.not_ready_addresses;
    auto share = std::min((cut.size() * room + total - 1) / total, left);  // rounded up
    if (cut.size() > share) cut.resize(share);
    if (cut_ready) s.not_ready_addresses.clear();
    left -= cut.size();
  }
  return true;
}

EndpointSubsets subsets_of(k8s::Endpoints::Reader endpoints) {
  EndpointSubsets out;
  for (auto s : endpoints.getSubsets()) {
    EndpointSubset subset;
    for (auto p : s.getPorts())
      subset.ports.push_back(
          {text(p.getName()), p.getPort(), text(p.getProtocol()), text(p.getAppProtocol())});
    read_addresses(s.getAddresses(), subset.addresses);
    read_addresses(s.getNotReadyAddresses(), subset.not_ready_addresses);
    out.push_back(std::move(subset));
  }
  return out;
}

void set_subsets(k8s::Endpoints::Builder endpoints, const EndpointSubsets& subsets) {
  auto list = endpoints.initSubsets(unsigned(subsets.size()));
  for (unsigned i = 0; i < subsets.size(); ++i) {
    const auto& s = subsets[i];
    auto out = list[i];
    if (!s.addresses.empty())
      write_addresses(out.initAddresses(unsigned(s.addresses.size())), s.addresses);
    if (!s.not_ready_addresses.empty())
      write_addresses(out.initNotReadyAddresses(unsigned(s.not_ready_addresses.size())),
                      s.not_ready_addresses);
    if (s.ports.empty()) continue;
    auto ports = out.initPorts(unsigned(s.ports.size()));
    for (unsigned j = 0; j < s.ports.size(); ++j) {
      ports[j].setName(s.ports[j].name);
      ports[j].setPort(s.ports[j].port);
      ports[j].setProtocol(s.ports[j].protocol);
      if (!s.ports[j].app_protocol.empty()) ports[j].setAppProtocol(s.ports[j].app_protocol);
    }
  }
}

}  // namespace craton::controllers
