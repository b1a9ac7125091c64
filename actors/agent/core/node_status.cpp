// NodeStatus: the Node object and status as the kubelet writes them (see the header).
#include "actors/agent/core/node_status.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/meta/ip_range.hpp"
#include "actors/api/meta/names.hpp"
#include "actors/api/meta/quantity.hpp"

namespace craton::agent {
namespace {

using nlohmann::json;

Error invalid(const std::string& message) {
  return Error{"invalid", message};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

// kubelet's --node-labels rule (kubelet/apis/well_known_labels.go): in the kubernetes.io and
// k8s.io namespaces only these keys and the kubelet.kubernetes.io / node.kubernetes.io
// sub-namespaces; node-role.kubernetes.io is the cluster admin's, not the node's.
bool label_allowed(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return true;
  std::string ns = key.substr(0, slash);
  auto in = [&](const std::string& domain) {
    return ns == domain ||
           (ns.size() > domain.size() &&
            ns.compare(ns.size() - domain.size() - 1, std::string::npos, "." + domain) == 0);
  };
  if (!in("kubernetes.io") && !in("k8s.io")) return true;
  static const char* const allowed[] = {"kubernetes.io/hostname",
                                        "kubernetes.io/os",
                                        "kubernetes.io/arch",
                                        "node.kubernetes.io/instance-type",
                                        "topology.kubernetes.io/region",
                                        "topology.kubernetes.io/zone",
                                        "beta.kubernetes.io/os",
                                        "beta.kubernetes.io/arch",
                                        "beta.kubernetes.io/instance-type"};
  for (const char* a : allowed)
    if (key == a) return true;
  return in("kubelet.kubernetes.io") || in("node.kubernetes.io");
}

Status check_reservation(const char* flag, const Reservation& r) {
  if (r.cpu_milli < 0 || r.memory_bytes < 0 || r.ephemeral_storage_bytes < 0)
    return invalid(std::string(flag) + ": a reservation cannot be negative");
  return Ok{};
}

Status check_taint(const NodeTaint& t) {
  if (auto problems = api::check_qualified_name(t.key); !problems.empty())
    return invalid("taint key \"" + t.key + "\": " + problems.front());
  if (auto problems = api::check_label_value(t.value); !problems.empty())
    return invalid("taint value \"" + t.value + "\": " + problems.front());
  if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute")
    return invalid("taint " + t.key +
                   ": the effect must be NoSchedule, PreferNoSchedule or "
                   "NoExecute, not \"" +
                   t.effect + "\"");
  return Ok{};
}

std::int64_t at_least_zero(std::int64_t v) {
  return std::max<std::int64_t>(v, 0);
}

std::int64_t storage_threshold_bytes(const HostFacts& facts, const NodeConfig& config) {
  return facts.storage_bytes / 100 * config.eviction_storage_percent;
}

NodeCondition condition(const char* type, bool on, const char* reason_on, const char* message_on,
                        const char* reason_off, const char* message_off) {
  return NodeCondition{type, on ? "True" : "False", on ? reason_on : reason_off,
                       on ? message_on : message_off};
}

// As kube's IsExtendedResourceName: domain-qualified, not in the kubernetes.io namespace
// (kube's own resources live there), and an integer count.
Status check_extended_resource(const std::string& name, std::int64_t count) {
  auto slash = name.find('/');
  if (slash == std::string::npos)
    return invalid("extended resource \"" + name + "\": needs a domain prefix (example.com/" +
                   name + ")");
  if (auto problems = api::check_qualified_name(name); !problems.empty())
    return invalid("extended resource \"" + name + "\": " + problems.front());
  auto domain = name.substr(0, slash);
  auto in = [&](const std::string& ns) {
    return domain == ns ||
           (domain.size() > ns.size() &&
            domain.compare(domain.size() - ns.size() - 1, std::string::npos, "." + ns) == 0);
  };
  if (in("kubernetes.io") || in("k8s.io"))
    return invalid("extended resource \"" + name +
                   "\": the kubernetes.io and k8s.io namespaces hold kube's own resources");
  if (count < 0)
    return invalid("extended resource \"" + name + "\": count " + std::to_string(count) +
                   " is negative");
  return Ok{};
}

void add_extended(json& resources, const NodeConfig& config) {
  for (const auto& [name, count] : config.extended_resources)
    resources[name] = std::to_string(count);
}

json condition_json(const NodeCondition& c) {
  return json{{"type", c.type},
              {"status", c.status},
              {"lastHeartbeatTime", api::kube_time(c.heartbeat_ms)},
              {"lastTransitionTime", api::kube_time(c.transition_ms)},
              {"reason", c.reason},
              {"message", c.message}};
}

json resources_json(const std::string& cpu, std::int64_t memory, std::int64_t storage,
                    std::int64_t pods) {
  return json{{"cpu", cpu},
              {"memory", byte_quantity(memory)},
              {"ephemeral-storage", byte_quantity(storage)},
              {"hugepages-1Gi", "0"},
              {"hugepages-2Mi", "0"},
              {"pods", std::to_string(pods)}};
}

json allocatable_json(const HostFacts& facts, const NodeConfig& config) {
  const auto& s = config.system_reserved;
  const auto& k = config.kube_reserved;
  std::int64_t cpu = at_least_zero(facts.cpu_cores * 1000 - s.cpu_milli - k.cpu_milli);
  std::int64_t memory = at_least_zero(facts.memory_bytes - s.memory_bytes - k.memory_bytes -
                                      config.eviction_memory_bytes);
  std::int64_t storage =
      at_least_zero(facts.storage_bytes - s.ephemeral_storage_bytes - k.ephemeral_storage_bytes -
                    storage_threshold_bytes(facts, config));
  auto out =
      resources_json(api::Quantity::from_milli(cpu).canonical(), memory, storage, config.max_pods);
  add_extended(out, config);
  return out;
}

json addresses_json(const HostFacts& facts, const NodeConfig& config) {
  json addresses = json::array();
  if (!facts.internal_ip.empty())
    addresses.push_back({{"type", "InternalIP"}, {"address", facts.internal_ip}});
  // kubelet writes the hostname it registers under (the node name when overridden).
  addresses.push_back({{"type", "Hostname"}, {"address", config.name}});
  return addresses;
}

json node_info_json(const HostFacts& facts, const NodeConfig& config) {
  json info{{"machineID", facts.machine_id},
            {"systemUUID", facts.machine_id},
            {"bootID", facts.boot_id},
            {"kernelVersion", facts.kernel_version},
            {"osImage", facts.os_image},
            {"containerRuntimeVersion", "craton://" + config.version},
            {"kubeletVersion", config.version},
            {"kubeProxyVersion", ""},
            {"operatingSystem", facts.operating_system},
            {"architecture", facts.architecture}};
  return info;
}

}  // namespace

Status check_node_config(const NodeConfig& config) {
  if (config.name.empty()) return invalid("the node needs a name (--node-name)");
  if (auto problems = api::check_dns1123_subdomain(config.name); !problems.empty())
    return invalid("node name \"" + config.name + "\": " + problems.front());
  if (auto problems = api::check_labels(config.labels); !problems.empty())
    return invalid("label " + problems.front());
  for (const auto& [key, value] : config.labels)
    if (!label_allowed(key))
      return invalid("label " + key +
                     ": the kubernetes.io and k8s.io namespaces are not the node's to set, "
                     "except kubelet.kubernetes.io/, node.kubernetes.io/ and the well-known "
                     "topology, os, arch, hostname and instance-type labels");
  if (!config.instance_type.empty())
    if (auto problems = api::check_label_value(config.instance_type); !problems.empty())
      return invalid("instance type \"" + config.instance_type + "\": " + problems.front());
  for (const auto& taint : config.taints)
    if (auto checked = check_taint(taint); !checked) return checked;
  if (!config.pod_cidr.empty())
    if (auto range = api::Ipv4Range::parse(config.pod_cidr); !range)
      return invalid("pod CIDR \"" + config.pod_cidr + "\": " + range.error().message);
  if (auto r = check_reservation("--system-reserved", config.system_reserved); !r) return r;
  if (auto r = check_reservation("--kube-reserved", config.kube_reserved); !r) return r;
  if (config.eviction_memory_bytes < 0 || config.eviction_storage_percent < 0 ||
      config.eviction_storage_percent > 100)
    return invalid("eviction thresholds must be a positive size and a percentage");
  if (config.max_pods <= 0) return invalid("max pods must be positive");
  for (const auto& [name, count] : config.extended_resources)
    if (auto checked = check_extended_resource(name, count); !checked) return checked;
  return Ok{};
}

Status check_host_facts(const HostFacts& facts) {
  const auto& ip = facts.internal_ip;
  if (ip.empty()) return Ok{};
  unsigned char address[16];
  if (inet_pton(AF_INET, ip.c_str(), address) == 1 || inet_pton(AF_INET6, ip.c_str(), address) == 1)
    return Ok{};
  return invalid("the host's internal IP \"" + ip +
                 "\" is not an IP address: the API would refuse every pod status naming it");
}

std::vector<NodeCondition> node_conditions(const HostFacts& facts, const NodeConfig& config,
                                           const NodeHealth& health) {
  bool memory = facts.memory_available_bytes < config.eviction_memory_bytes;
  bool disk = facts.storage_available_bytes < storage_threshold_bytes(facts, config);
  bool ready = health.not_ready_message.empty();
  std::vector<NodeCondition> out;
  out.push_back(condition("MemoryPressure", memory, "KubeletHasInsufficientMemory",
                          "kubelet has insufficient memory available", "KubeletHasSufficientMemory",
                          "kubelet has sufficient memory available"));
  out.push_back(condition("DiskPressure", disk, "KubeletHasDiskPressure",
                          "kubelet has disk pressure", "KubeletHasNoDiskPressure",
                          "kubelet has no disk pressure"));
  // PID pressure needs a pid-available threshold the agent does not keep yet: never True.
  out.push_back(condition("PIDPressure", false, "KubeletHasInsufficientPID",
                          "kubelet has insufficient PID available", "KubeletHasSufficientPID",
                          "kubelet has sufficient PID available"));
  out.push_back(
      NodeCondition{"Ready", ready ? "True" : "False", ready ? "KubeletReady" : "KubeletNotReady",
                    ready ? "kubelet is posting ready status" : health.not_ready_message});
  return out;
}

void ConditionTimes::stamp(std::vector<NodeCondition>& conditions, std::int64_t now_wall_ms) {
  for (auto& c : conditions) {
    auto [it, fresh] = seen_.try_emplace(c.type, Seen{c.status, now_wall_ms});
    if (!fresh && it->second.status != c.status) it->second = Seen{c.status, now_wall_ms};
    c.heartbeat_ms = now_wall_ms;
    c.transition_ms = it->second.since_ms;
  }
}

std::map<std::string, std::string> node_labels(const HostFacts& facts, const NodeConfig& config) {
  std::map<std::string, std::string> labels{
      {"kubernetes.io/hostname", lower(config.name)},
      {"kubernetes.io/os", facts.operating_system},
      {"kubernetes.io/arch", facts.architecture},
      // kubelet still writes the deprecated beta labels; workloads select on them.
      {"beta.kubernetes.io/os", facts.operating_system},
      {"beta.kubernetes.io/arch", facts.architecture}};
  if (!config.instance_type.empty()) {
    labels["node.kubernetes.io/instance-type"] = config.instance_type;
    labels["beta.kubernetes.io/instance-type"] = config.instance_type;
  }
  for (const auto& [key, value] : config.labels) labels[key] = value;
  return labels;
}

nlohmann::json node_status_json(const HostFacts& facts, const NodeConfig& config,
                                const std::vector<NodeCondition>& conditions) {
  json list = json::array();
  for (const auto& c : conditions) list.push_back(condition_json(c));
  auto capacity = resources_json(std::to_string(facts.cpu_cores), facts.memory_bytes,
                                 facts.storage_bytes, config.max_pods);
  add_extended(capacity, config);
  return json{{"capacity", std::move(capacity)},
              {"allocatable", allocatable_json(facts, config)},
              {"conditions", std::move(list)},
              {"addresses", addresses_json(facts, config)},
              {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", config.daemon_port}}}}},
              {"nodeInfo", node_info_json(facts, config)}};
}

nlohmann::json node_json(const HostFacts& facts, const NodeConfig& config,
                         const std::vector<NodeCondition>& conditions) {
  json labels = json::object();
  for (const auto& [key, value] : node_labels(facts, config)) labels[key] = value;
  json spec = json::object();
  if (!config.pod_cidr.empty()) {
    spec["podCIDR"] = config.pod_cidr;
    spec["podCIDRs"] = json::array({config.pod_cidr});
  }
  if (!config.taints.empty()) {
    json taints = json::array();
    for (const auto& t : config.taints) {
      json taint{{"key", t.key}, {"effect", t.effect}};
      if (!t.value.empty()) taint["value"] = t.value;
      taints.push_back(std::move(taint));
    }
    spec["taints"] = std::move(taints);
  }
  return json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", config.name}, {"labels", std::move(labels)}}},
              {"spec", std::move(spec)},
              {"status", node_status_json(facts, config, conditions)}};
}

std::string status_fingerprint(const nlohmann::json& status) {
  json copy = status;
  if (auto it = copy.find("conditions"); it != copy.end() && it->is_array())
    for (auto& c : *it) c.erase("lastHeartbeatTime");
  return copy.dump();
}

std::string byte_quantity(std::int64_t bytes) {
  if (bytes > 0 && bytes % 1024 == 0) {
    auto q = api::Quantity::parse(std::to_string(bytes / 1024) + "Ki");
    if (q) return q->canonical();
  }
  return std::to_string(bytes);
}

Result<Reservation> parse_reservation(const std::string& text) {
  Reservation r;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) return invalid("\"" + item + "\" is not RESOURCE=QUANTITY");
    std::string name = item.substr(0, eq);
    auto q = api::Quantity::parse(item.substr(eq + 1));
    if (!q) return invalid(name + ": " + q.error().message);
    if (*q < api::Quantity::from_milli(0)) return invalid(name + ": cannot be negative");
    if (name == "cpu")
      r.cpu_milli = q->milli_value();
    else if (name == "memory")
      r.memory_bytes = q->value();
    else if (name == "ephemeral-storage")
      r.ephemeral_storage_bytes = q->value();
    else
      return invalid("\"" + name + "\" cannot be reserved (cpu, memory, ephemeral-storage)");
  }
  return r;
}

}  // namespace craton::agent
