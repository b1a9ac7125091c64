// core/v1 Node, Service and Endpoints: defaults, validation and tables as kube-apiserver has
// them (pkg/apis/core/validation: ValidateNode, ValidateService, ValidateEndpoints;
// pkg/printers/internalversion: printNode, printService, printEndpoints).
#include <arpa/inet.h>

#include <set>

#include "actors/api/convert/string_map.hpp"
#include "actors/api/kinds/checks.hpp"
#include "actors/api/kinds/kind_factories.hpp"
#include "actors/api/kinds/table_cells.hpp"
#include "actors/api/meta/names.hpp"
#include "schemas/api_cluster.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

bool is_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos || slash + 1 >= cidr.size()) return false;
  auto ip = cidr.substr(0, slash);
  unsigned char buffer[16];
  int bits = 0;
  if (inet_pton(AF_INET, ip.c_str(), buffer) == 1)
    bits = 32;
  else if (inet_pton(AF_INET6, ip.c_str(), buffer) == 1)
    bits = 128;
  else
    return false;
  auto prefix = cidr.substr(slash + 1);
  if (prefix.size() > 3 || prefix.find_first_not_of("0123456789") != std::string::npos)
    return false;
  return std::stoi(prefix) <= bits;
}

// ---- Node ----

void check_taints(Causes& causes, const std::string& path, capnp::List<k8s::Taint>::Reader taints) {
  std::set<std::pair<std::string, std::string>> seen;
  for (unsigned i = 0; i < taints.size(); ++i) {
    auto t = taints[i];
    auto field = at(path, i);
    auto key = text(t.getKey());
    if (key.empty())
      required(causes, field + ".key");
    else
      for (const auto& m : check_qualified_name(key)) invalid(causes, field + ".key", key, m);
    for (const auto& m : check_label_value(text(t.getValue())))
      invalid(causes, field + ".value", text(t.getValue()), m);
    auto effect = text(t.getEffect());
    check_enum(causes, field + ".effect", effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"},
               true);
    if (!seen.insert({key, effect}).second)
      duplicate(causes, field, "taints must be unique by key and effect pair");
  }
}

void validate_node(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto node = object.as<k8s::Node>();
  auto spec = node.getSpec();
  check_taints(causes, "spec.taints", spec.getTaints());
  if (spec.getPodCIDR().size() != 0 && !is_cidr(text(spec.getPodCIDR())))
    invalid(causes, "spec.podCIDR", text(spec.getPodCIDR()), "must be a valid CIDR");
  auto cidrs = spec.getPodCIDRs();
  for (unsigned i = 0; i < cidrs.size(); ++i)
    if (!is_cidr(text(cidrs[i])))
      invalid(causes, at("spec.podCIDRs", i), text(cidrs[i]), "must be a valid CIDR");
  auto status = node.getStatus();
  check_resource_list(causes, "status.capacity", status.getCapacity());
  check_resource_list(causes, "status.allocatable", status.getAllocatable());
  if (old == nullptr) return;
  // podCIDR is assigned once (by the network controller), then fixed.
  auto was = old->as<k8s::Node>().getSpec();
  if (was.getPodCIDR().size() != 0 && text(was.getPodCIDR()) != text(spec.getPodCIDR()))
    forbidden(causes, "spec.podCIDR",
              "node updates may not change podCIDR except from \"\" to valid");
  if (was.getProviderID().size() != 0 && text(was.getProviderID()) != text(spec.getProviderID()))
    forbidden(causes, "spec.providerID",
              "node updates may not change providerID except from \"\" to valid");
}

std::string node_status(k8s::Node::Reader node) {
  std::vector<std::string> status;
  for (auto c : node.getStatus().getConditions())
    if (text(c.getType()) == "Ready")
      status.push_back(text(c.getStatus()) == "True" ? "Ready" : "NotReady");
  if (status.empty()) status.push_back("Unknown");
  if (node.getSpec().getUnschedulable()) status.push_back("SchedulingDisabled");
  return join(status);
}

// node-role.kubernetes.io/<role> labels and the older kubernetes.io/role=<role>.
std::string node_roles(k8s::Node::Reader node) {
  std::set<std::string> roles;
  const std::string prefix = "node-role.kubernetes.io/";
  for (const auto& [key, value] : as_map(node.getMetadata().getLabels())) {
    if (key.rfind(prefix, 0) == 0 && key.size() > prefix.size())
      roles.insert(key.substr(prefix.size()));
    else if (key == "kubernetes.io/role" && !value.empty())
      roles.insert(value);
  }
  return or_none(join({roles.begin(), roles.end()}));
}

std::string node_address(k8s::Node::Reader node, const std::string& type) {
  for (auto a : node.getStatus().getAddresses())
    if (text(a.getType()) == type) return text(a.getAddress());
  return "<none>";
}

}  // namespace

Kind node_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Node>();
  // NodeSystemInfo's fields and DaemonEndpoint's Port have no omitempty (and the structs
  // holding them are not pointers): a Node always shows them.
  for (const char* field :
       {"machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion",
        "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture"})
    k.zero_fields.push_back(std::string("status.nodeInfo.") + field);
  k.zero_fields.push_back("status.daemonEndpoints.kubeletEndpoint.Port");
  k.defaults = [](ObjectBuilder object) {
    auto status = object.as<k8s::Node>().getStatus();
    if (status.hasCapacity()) canonicalize(status.getCapacity());
    if (status.hasAllocatable()) canonicalize(status.getAllocatable());
  };
  k.validate = validate_node;
  k.columns = {{"Status", "string", "", "The status of the node"},
               {"Roles", "string", "", "The roles of the node"}};
  k.wide_columns = {
      {"Version", "string", "", "Kubelet Version reported by the node."},
      {"Internal-IP", "string", "", "List of addresses reachable to the node.", 1},
      {"External-IP", "string", "", "List of addresses reachable to the node.", 1},
      {"OS-Image", "string", "", "OS Image reported by the node from /etc/os-release.", 1},
      {"Kernel-Version", "string", "", "Kernel Version reported by the node.", 1},
      {"Container-Runtime", "string", "", "Container Runtime Version reported by the node.", 1}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto node = o.as<k8s::Node>();
    return nlohmann::json::array({node_status(node), node_roles(node)});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    auto node = o.as<k8s::Node>();
    auto info = node.getStatus().getNodeInfo();
    auto unknown = [](std::string s) { return s.empty() ? std::string("<unknown>") : s; };
    return nlohmann::json::array(
        {text(info.getKubeletVersion()), node_address(node, "InternalIP"),
         node_address(node, "ExternalIP"), unknown(text(info.getOsImage())),
         unknown(text(info.getKernelVersion())), unknown(text(info.getContainerRuntimeVersion()))});
  };
  k.fields["spec.unschedulable"] = [](ObjectReader o) {
    return std::string(o.as<k8s::Node>().getSpec().getUnschedulable() ? "true" : "false");
  };
  return k;
}

namespace {

// ---- Service ----

void service_defaults(ObjectBuilder object) {
  auto spec = object.as<k8s::Service>().getSpec();
  if (spec.getType().size() == 0) spec.setType("ClusterIP");
  auto type = text(spec.getType());
  if (type == "ExternalName") return;
  if (spec.getSessionAffinity().size() == 0) spec.setSessionAffinity("None");
  for (auto p : spec.getPorts()) {
    if (p.getProtocol().size() == 0) p.setProtocol("TCP");
    if (!p.hasTargetPort()) p.initTargetPort().setIntVal(p.getPort());
  }
  if (spec.getClusterIP().size() != 0 && spec.getClusterIPs().size() == 0)
    spec.initClusterIPs(1).set(0, spec.getClusterIP());
  if (spec.getClusterIPs().size() != 0 && spec.getClusterIP().size() == 0)
    spec.setClusterIP(spec.getClusterIPs()[0]);
  if (spec.getIpFamilies().size() == 0) {
    auto ip = text(spec.getClusterIP());
    spec.initIpFamilies(1).set(0, ip.find(':') != std::string::npos ? "IPv6" : "IPv4");
  }
  if (spec.getIpFamilyPolicy().size() == 0) spec.setIpFamilyPolicy("SingleStack");
  if (spec.getInternalTrafficPolicy().size() == 0) spec.setInternalTrafficPolicy("Cluster");
  if ((type == "NodePort" || type == "LoadBalancer") && spec.getExternalTrafficPolicy().size() == 0)
    spec.setExternalTrafficPolicy("Cluster");
}

// The node port range kube-apiserver serves by default (--service-node-port-range).
constexpr std::int32_t kNodePortMin = 30000;
constexpr std::int32_t kNodePortMax = 32767;

void validate_service(ObjectReader object, const ObjectReader* old, Causes& causes) {
  auto spec = object.as<k8s::Service>().getSpec();
  auto type = text(spec.getType());
  check_enum(causes, "spec.type", type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"},
             true);
  auto cluster_ip = text(spec.getClusterIP());
  bool headless = cluster_ip == "None";
  if (type == "ExternalName") {
    auto external = text(spec.getExternalName());
    if (external.empty())
      required(causes, "spec.externalName");
    else
      for (const auto& m : check_dns1123_subdomain(external))
        invalid(causes, "spec.externalName", external, m);
  }
  auto ports = spec.getPorts();
  if (ports.size() == 0 && type != "ExternalName" && !headless) required(causes, "spec.ports");
  std::set<std::string> names;
  std::set<std::pair<std::int32_t, std::string>> seen;
  for (unsigned i = 0; i < ports.size(); ++i) {
    auto p = ports[i];
    auto field = at("spec.ports", i);
    auto name = text(p.getName());
    if (ports.size() > 1 && name.empty()) required(causes, field + ".name");
    if (!name.empty()) {
      for (const auto& m : check_dns1123_label(name)) invalid(causes, field + ".name", name, m);
      if (!names.insert(name).second) duplicate(causes, field + ".name", name);
    }
    check_port(causes, field + ".port", p.getPort());
    check_enum(causes, field + ".protocol", text(p.getProtocol()), {"SCTP", "TCP", "UDP"}, true);
    if (!seen.insert({p.getPort(), text(p.getProtocol())}).second)
      duplicate(causes, field, std::to_string(p.getPort()) + "/" + text(p.getProtocol()));
    if (p.hasTargetPort()) {
      auto target = p.getTargetPort();
      if (target.isIntVal())
        check_port(causes, field + ".targetPort", target.getIntVal());
      else
        check_port_name(causes, field + ".targetPort", text(target.getStrVal()));
    }
    if (p.getNodePort() != 0) {
      if (type != "NodePort" && type != "LoadBalancer")
        forbidden(causes, field + ".nodePort", "may not be used when `type` is '" + type + "'");
      else if (p.getNodePort() < kNodePortMin || p.getNodePort() > kNodePortMax)
        invalid(causes, field + ".nodePort", p.getNodePort(),
                "provided port is not in the valid range. The range of valid ports is 30000-32767");
    }
  }
  if (!cluster_ip.empty() && !headless) check_ip(causes, "spec.clusterIP", cluster_ip);
  if (headless && (type == "NodePort" || type == "LoadBalancer"))
    invalid(causes, "spec.clusterIPs[0]", "None",
            "may not be set to 'None' for " + type + " services");
  for (unsigned i = 0; i < spec.getExternalIPs().size(); ++i)
    check_ip(causes, at("spec.externalIPs", i), text(spec.getExternalIPs()[i]));
  check_label_map(causes, "spec.selector", as_map(spec.getSelector()));
  if (type != "ExternalName")
    check_enum(causes, "spec.sessionAffinity", text(spec.getSessionAffinity()),
               {"ClientIP", "None"}, true);
  check_enum(causes, "spec.ipFamilyPolicy", text(spec.getIpFamilyPolicy()),
             {"PreferDualStack", "RequireDualStack", "SingleStack"});
  check_enum(causes, "spec.internalTrafficPolicy", text(spec.getInternalTrafficPolicy()),
             {"Cluster", "Local"});
  check_enum(causes, "spec.externalTrafficPolicy", text(spec.getExternalTrafficPolicy()),
             {"Cluster", "Local"});
  if (old == nullptr) return;
  auto was = old->as<k8s::Service>().getSpec();
  auto was_ip = text(was.getClusterIP());
  // A cluster IP, once allocated, stays (unless the service becomes an ExternalName one).
  if (!was_ip.empty() && type != "ExternalName" && cluster_ip != was_ip)
    invalid(causes, "spec.clusterIPs[0]", cluster_ip, "may not change once set");
}

// getServiceExternalIP
std::string external_ip(k8s::Service::Reader service) {
  auto spec = service.getSpec();
  auto type = text(spec.getType());
  std::vector<std::string> ips;
  for (auto ip : spec.getExternalIPs()) ips.push_back(text(ip));
  if (type == "ExternalName") return text(spec.getExternalName());
  if (type == "LoadBalancer") {
    std::vector<std::string> all;
    for (auto ingress : service.getStatus().getLoadBalancer().getIngress())
      all.push_back(ingress.getIp().size() ? text(ingress.getIp()) : text(ingress.getHostname()));
    all.insert(all.end(), ips.begin(), ips.end());
    return all.empty() ? "<pending>" : join(all);
  }
  return or_none(join(ips));
}

std::string service_ports(k8s::Service::Reader service) {
  std::vector<std::string> parts;
  for (auto p : service.getSpec().getPorts()) {
    auto port = std::to_string(p.getPort());
    if (p.getNodePort() > 0) port += ":" + std::to_string(p.getNodePort());
    parts.push_back(port + "/" + text(p.getProtocol()));
  }
  return or_none(join(parts));
}

}  // namespace

Kind service_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Service>();
  k.name_is_dns_label = true;
  k.defaults = service_defaults;
  k.validate = validate_service;
  k.columns = {{"Type", "string", "", "The type of the service"},
               {"Cluster-IP", "string", "", "The cluster IP of the service"},
               {"External-IP", "string", "", "The external IP of the service"},
               {"Port(s)", "string", "", "The ports of the service"}};
  k.wide_columns = {{"Selector", "string", "", "The label selector of the service", 1}};
  k.cells = [](ObjectReader o, std::int64_t) {
    auto service = o.as<k8s::Service>();
    auto spec = service.getSpec();
    std::string cluster_ip =
        spec.getClusterIPs().size() ? text(spec.getClusterIPs()[0]) : text(spec.getClusterIP());
    return nlohmann::json::array(
        {text(spec.getType()), or_none(cluster_ip), external_ip(service), service_ports(service)});
  };
  k.wide_cells = [](ObjectReader o, std::int64_t) {
    return nlohmann::json::array(
        {format_labels(as_map(o.as<k8s::Service>().getSpec().getSelector()))});
  };
  k.fields["spec.clusterIP"] = [](ObjectReader o) {
    return text(o.as<k8s::Service>().getSpec().getClusterIP());
  };
  k.fields["spec.type"] = [](ObjectReader o) {
    return text(o.as<k8s::Service>().getSpec().getType());
  };
  return k;
}

namespace {

// ---- Endpoints ----

void validate_endpoints(ObjectReader object, const ObjectReader*, Causes& causes) {
  auto subsets = object.as<k8s::Endpoints>().getSubsets();
  for (unsigned i = 0; i < subsets.size(); ++i) {
    auto subset = subsets[i];
    auto field = at("subsets", i);
    for (auto [list, name] : {std::pair{subset.getAddresses(), ".addresses"},
                              std::pair{subset.getNotReadyAddresses(), ".notReadyAddresses"}})
      for (unsigned j = 0; j < list.size(); ++j)
        check_ip(causes, at(field + name, j) + ".ip", text(list[j].getIp()));
    auto ports = subset.getPorts();
    std::set<std::string> names;
    for (unsigned j = 0; j < ports.size(); ++j) {
      auto p = ports[j];
      auto pf = at(field + ".ports", j);
      auto pname = text(p.getName());
      if (ports.size() > 1 && pname.empty()) required(causes, pf + ".name");
      if (!pname.empty() && !names.insert(pname).second) duplicate(causes, pf + ".name", pname);
      check_port(causes, pf + ".port", p.getPort());
      check_enum(causes, pf + ".protocol", text(p.getProtocol()), {"SCTP", "TCP", "UDP"});
    }
  }
}

void endpoints_defaults(ObjectBuilder object) {
  for (auto subset : object.as<k8s::Endpoints>().getSubsets())
    for (auto p : subset.getPorts())
      if (p.getProtocol().size() == 0) p.setProtocol("TCP");
}

// formatEndpoints: the first three ip:port pairs, then "+ N more...".
std::string format_endpoints(k8s::Endpoints::Reader endpoints) {
  auto subsets = endpoints.getSubsets();
  if (subsets.size() == 0) return "<none>";
  constexpr std::size_t kShown = 3;
  std::vector<std::string> list;
  std::size_t count = 0;
  bool more = false;
  for (auto subset : subsets) {
    auto addresses = subset.getAddresses();
    if (subset.getPorts().size() == 0) {
      count += addresses.size();
      for (auto a : addresses) {
        if (list.size() == kShown) {
          more = true;
          break;
        }
        list.push_back(text(a.getIp()));
      }
      continue;
    }
    for (auto p : subset.getPorts()) {
      count += addresses.size();
      for (auto a : addresses) {
        if (list.size() == kShown) {
          more = true;
          break;
        }
        auto ip = text(a.getIp());
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
        list.push_back(ip + ":" + std::to_string(p.getPort()));
      }
    }
  }
  auto out = join(list);
  if (more) out += " + " + std::to_string(count - kShown) + " more...";
  return out;
}

}  // namespace

Kind endpoints_kind() {
  Kind k;
  k.schema = capnp::Schema::from<k8s::Endpoints>();
  k.defaults = endpoints_defaults;
  k.validate = validate_endpoints;
  k.columns = {{"Endpoints", "string", "", "Endpoints of the service"}};
  k.cells = [](ObjectReader o, std::int64_t) {
    return nlohmann::json::array({format_endpoints(o.as<k8s::Endpoints>())});
  };
  return k;
}

}  // namespace craton::api
