// ObjectConverter: Cap'n Proto objects into the scheduler's model (see the header).
#include "actors/scheduler/framework/object_converter.hpp"

#include <algorithm>
#include <charconv>

#include "actors/api/meta/quantity.hpp"
#include "actors/api/meta/time.hpp"

namespace craton::scheduler {

namespace k8s = schema::k8s;

namespace {

api::Labels labels_of(k8s::StringMap::Reader map) {
  api::Labels out;
  for (auto e : map.getEntries()) out.emplace(e.getKey().cStr(), e.getValue().cStr());
  return out;
}

/// A ResourceList as a resource vector: cpu in milli-units, everything else in whole units.
Result<Resources> resources_of(k8s::ResourceList::Reader list, ResourceNames& names,
                               const std::string& where) {
  Resources out;
  for (auto e : list.getEntries()) {
    auto q = api::Quantity::parse(e.getValue().cStr());
    if (!q) return Error{"malformed", where + ": " + e.getKey().cStr() + ": " + q.error().message};
    ResourceId id = names.intern(e.getKey().cStr());
    out.set(id, id == kCpu ? q->milli_value() : q->value());
  }
  return out;
}

bool has_resource(k8s::ResourceList::Reader list, std::string_view name) {
  for (auto e : list.getEntries())
    if (std::string_view(e.getKey().cStr()) == name) return true;
  return false;
}

TaintEffect effect_of(std::string_view text) {
  if (text == "NoSchedule") return TaintEffect::no_schedule;
  if (text == "PreferNoSchedule") return TaintEffect::prefer_no_schedule;
  if (text == "NoExecute") return TaintEffect::no_execute;
  return TaintEffect::none;
}

bool is_integer(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

/// A node selector requirement on labels; false when Kubernetes would refuse it.
bool label_requirement(k8s::NodeSelectorTerm::Requirement::Reader r, api::Requirement& out) {
  out.key = r.getKey().cStr();
  for (auto v : r.getValues()) out.values.emplace_back(v.cStr());
  std::sort(out.values.begin(), out.values.end());
  std::string_view op = r.getOperator().cStr();
  if (op == "In" || op == "NotIn") {
    out.op = op == "In" ? api::SelectorOp::in : api::SelectorOp::not_in;
    return !out.values.empty();
  }
  if (op == "Exists" || op == "DoesNotExist") {
    out.op = op == "Exists" ? api::SelectorOp::exists : api::SelectorOp::does_not_exist;
    return out.values.empty();
  }
  if (op == "Gt" || op == "Lt") {
    out.op = op == "Gt" ? api::SelectorOp::greater : api::SelectorOp::less;
    return out.values.size() == 1 && is_integer(out.values.front());
  }
  return false;
}

/// A matchFields requirement: metadata.name with In or NotIn and exactly one value.
bool field_requirement(k8s::NodeSelectorTerm::Requirement::Reader r, FieldRequirement& out) {
  std::string_view op = r.getOperator().cStr();
  if (std::string_view(r.getKey().cStr()) != "metadata.name" || r.getValues().size() != 1 ||
      (op != "In" && op != "NotIn"))
    return false;
  out.not_in = op == "NotIn";
  out.node_name = r.getValues()[0].cStr();
  return true;
}

NodeSelectorTerm term_of(k8s::NodeSelectorTerm::Reader t) {
  NodeSelectorTerm out;
  for (auto r : t.getMatchExpressions()) {
    out.expressions.emplace_back();
    out.valid = label_requirement(r, out.expressions.back()) && out.valid;
  }
  for (auto r : t.getMatchFields()) {
    out.fields.emplace_back();
    out.valid = field_requirement(r, out.fields.back()) && out.valid;
  }
  return out;
}

api::LabelSelector selector_of(k8s::LabelSelector::Reader s) {
  std::vector<api::Requirement> reqs;
  for (auto e : s.getMatchLabels().getEntries())
    reqs.push_back({e.getKey().cStr(), api::SelectorOp::equals, {e.getValue().cStr()}});
  for (auto r : s.getMatchExpressions()) {
    api::Requirement req{r.getKey().cStr(), api::SelectorOp::exists, {}};
    for (auto v : r.getValues()) req.values.emplace_back(v.cStr());
    std::sort(req.values.begin(), req.values.end());
    std::string_view op = r.getOperator().cStr();
    if (op == "In") req.op = api::SelectorOp::in;
    if (op == "NotIn") req.op = api::SelectorOp::not_in;
    if (op == "DoesNotExist") req.op = api::SelectorOp::does_not_exist;
    reqs.push_back(std::move(req));
  }
  return api::LabelSelector::from_requirements(std::move(reqs));
}

std::optional<api::LabelSelector> optional_selector(bool present, k8s::LabelSelector::Reader s) {
  if (!present) return std::nullopt;
  return selector_of(s);
}

std::vector<PodAffinityTerm> affinity_terms(k8s::PodAffinity::Reader a, bool preferred,
                                            const std::string& own_namespace) {
  std::vector<PodAffinityTerm> out;
  auto add = [&](k8s::PodAffinityTerm::Reader t, std::int32_t weight) {
    PodAffinityTerm term;
    term.selector = optional_selector(t.hasLabelSelector(), t.getLabelSelector());
    term.topology_key = t.getTopologyKey().cStr();
    term.weight = weight;
    for (auto n : t.getNamespaces()) term.namespaces.emplace_back(n.cStr());
    if (t.hasNamespaceSelector()) {
      auto ns = t.getNamespaceSelector();
      term.all_namespaces =
          ns.getMatchLabels().getEntries().size() == 0 && ns.getMatchExpressions().size() == 0;
      if (!term.all_namespaces) term.namespace_selector = selector_of(ns);
    } else if (term.namespaces.empty()) {
      term.namespaces.push_back(own_namespace);
    }
    out.push_back(std::move(term));
  };
  if (preferred) {
    for (auto w : a.getPreferredDuringSchedulingIgnoredDuringExecution())
      add(w.getPodAffinityTerm(), w.getWeight());
  } else {
    for (auto t : a.getRequiredDuringSchedulingIgnoredDuringExecution()) add(t, 0);
  }
  return out;
}

void read_affinity(k8s::Affinity::Reader a, PodInfo& out) {
  auto node = a.getNodeAffinity();
  if (node.hasRequiredDuringSchedulingIgnoredDuringExecution()) {
    std::vector<NodeSelectorTerm> terms;
    for (auto t : node.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
      terms.push_back(term_of(t));
    out.required_node_affinity = std::move(terms);
  }
  for (auto p : node.getPreferredDuringSchedulingIgnoredDuringExecution()) {
    auto term = term_of(p.getPreference());
    if (p.getWeight() == 0 || (term.expressions.empty() && term.fields.empty())) continue;
    out.preferred_node_affinity.push_back({p.getWeight(), std::move(term)});
  }
  const auto& ns = out.namespace_;
  out.pod_affinity_required = affinity_terms(a.getPodAffinity(), false, ns);
  out.pod_affinity_preferred = affinity_terms(a.getPodAffinity(), true, ns);
  out.pod_anti_affinity_required = affinity_terms(a.getPodAntiAffinity(), false, ns);
  out.pod_anti_affinity_preferred = affinity_terms(a.getPodAntiAffinity(), true, ns);
}

Toleration toleration_of(k8s::Toleration::Reader t) {
  Toleration out{t.getKey().cStr(), TolerationOperator::equal, t.getValue().cStr(),
                 effect_of(t.getEffect().cStr()), std::nullopt};
  std::string_view op = t.getOperator().cStr();
  if (op == "Exists") out.op = TolerationOperator::exists;
  if (!op.empty() && op != "Exists" && op != "Equal") out.op = TolerationOperator::unknown;
  if (t.hasTolerationSeconds()) out.toleration_seconds = t.getTolerationSeconds().getValue();
  return out;
}

TopologySpreadConstraint spread_of(k8s::TopologySpreadConstraint::Reader c) {
  TopologySpreadConstraint out;
  out.max_skew = c.getMaxSkew();
  out.topology_key = c.getTopologyKey().cStr();
  if (std::string_view(c.getWhenUnsatisfiable().cStr()) == "ScheduleAnyway")
    out.when_unsatisfiable = WhenUnsatisfiable::schedule_anyway;
  out.selector = optional_selector(c.hasLabelSelector(), c.getLabelSelector());
  if (c.hasMinDomains()) out.min_domains = c.getMinDomains().getValue();
  out.node_affinity_policy_honor = std::string_view(c.getNodeAffinityPolicy().cStr()) != "Ignore";
  out.node_taints_policy_honor = std::string_view(c.getNodeTaintsPolicy().cStr()) == "Honor";
  for (auto k : c.getMatchLabelKeys()) out.match_label_keys.emplace_back(k.cStr());
  return out;
}

/// The ownerReference with controller: true, its kind as default spreading reads it (kube's
/// rcKind v1, rsKind and ssKind apps/v1; any other group or kind is `other`).
std::optional<ControllerRef> controller_of(schema::k8s::ObjectMeta::Reader meta) {
  for (auto o : meta.getOwnerReferences()) {
    if (!o.getController()) continue;
    std::string_view api_version = o.getApiVersion().cStr(), kind = o.getKind().cStr();
    ControllerRef out{ControllerKind::other, o.getName().cStr()};
    if (api_version == "v1" && kind == "ReplicationController")
      out.kind = ControllerKind::replication_controller;
    if (api_version == "apps/v1" && kind == "ReplicaSet") out.kind = ControllerKind::replica_set;
    if (api_version == "apps/v1" && kind == "StatefulSet") out.kind = ControllerKind::stateful_set;
    return out;
  }
  return std::nullopt;
}

PortProtocol protocol_of(std::string_view text) {
  if (text == "UDP") return PortProtocol::udp;
  if (text == "SCTP") return PortProtocol::sctp;
  return PortProtocol::tcp;
}

/// What preemption reads: the policy, the nomination, termination and the start time. An
/// unreadable start time counts as not started, as Kubernetes treats a pod without one.
void read_preemption_fields(k8s::Pod::Reader pod, PodInfo& out) {
  out.preemption_never = std::string_view(pod.getSpec().getPreemptionPolicy().cStr()) == "Never";
  out.terminating = pod.getMetadata().hasDeletionTimestamp() &&
                    pod.getMetadata().getDeletionTimestamp().size() > 0;
  auto status = pod.getStatus();
  out.nominated_node_name = status.getNominatedNodeName().cStr();
  for (auto c : status.getConditions()) {
    if (std::string_view(c.getType().cStr()) != "DisruptionTarget") continue;
    out.preempted_by_scheduler = std::string_view(c.getStatus().cStr()) == "True" &&
                                 std::string_view(c.getReason().cStr()) == "PreemptionByScheduler";
    break;  // kube looks at the first DisruptionTarget condition only
  }
  if (status.getStartTime().size() > 0)
    out.start_time_s = api::parse_rfc3339(status.getStartTime().cStr());
}

}  // namespace

Result<PodInfo> ObjectConverter::pod(k8s::Pod::Reader pod) const {
  PodInfo out;
  auto meta = pod.getMetadata();
  auto spec = pod.getSpec();
  out.namespace_ = meta.getNamespace().cStr();
  out.name = meta.getName().cStr();
  out.uid = meta.getUid().cStr();
  out.labels = labels_of(meta.getLabels());
  out.controller = controller_of(meta);
  for (auto e : meta.getAnnotations().getEntries())
    if (std::string_view(e.getKey().cStr()) == "craton.io/gpu-index")
      out.gpu_index = e.getValue().cStr();
  out.priority = spec.hasPriority() ? spec.getPriority().getValue() : 0;
  out.scheduler_name = spec.getSchedulerName().cStr();
  out.node_name = spec.getNodeName().cStr();
  out.node_selector = labels_of(spec.getNodeSelector());
  const std::string where = "pod " + out.namespace_ + "/" + out.name;

  // Kubernetes' PodRequests: the containers' sum, raised to any single init container's request
  // (init containers run one at a time, before the others), plus the pod overhead. The non-zero
  // variant counts a container without a cpu or memory request as 100m / 200Mi (scoring only).
  std::int64_t nz_cpu = 0, nz_mem = 0, nz_init_cpu = 0, nz_init_mem = 0;
  auto container_requests = [&](k8s::Container::Reader c, std::int64_t& cpu,
                                std::int64_t& mem) -> Result<Resources> {
    auto list = c.getResources().getRequests();
    auto r = resources_of(list, resources_, where + " container " + c.getName().cStr());
    if (!r) return r;
    cpu = has_resource(list, "cpu") ? r->milli_cpu : kDefaultMilliCpuRequest;
    mem = has_resource(list, "memory") ? r->memory_bytes : kDefaultMemoryRequestBytes;
    return r;
  };
  for (auto c : spec.getContainers()) {
    std::int64_t cpu = 0, mem = 0;
    auto r = container_requests(c, cpu, mem);
    if (!r) return r.error();
    out.requests.add(*r);
    nz_cpu += cpu;
    nz_mem += mem;
    for (auto p : c.getPorts())
      if (p.getHostPort() > 0)
        out.host_ports.push_back(
            {p.getHostIP().cStr(), protocol_of(p.getProtocol().cStr()), p.getHostPort()});
  }
  for (auto c : spec.getInitContainers()) {
    std::int64_t cpu = 0, mem = 0;
    auto r = container_requests(c, cpu, mem);
    if (!r) return r.error();
    out.requests.raise_to(*r);
    nz_init_cpu = std::max(nz_init_cpu, cpu);
    nz_init_mem = std::max(nz_init_mem, mem);
  }
  auto overhead = resources_of(spec.getOverhead(), resources_, where + " overhead");
  if (!overhead) return overhead.error();
  out.requests.add(*overhead);
  out.requests.pods = 1;
  out.non_zero_milli_cpu = std::max(nz_cpu, nz_init_cpu) + overhead->milli_cpu;
  out.non_zero_memory_bytes = std::max(nz_mem, nz_init_mem) + overhead->memory_bytes;

  if (spec.hasAffinity()) read_affinity(spec.getAffinity(), out);
  for (auto t : spec.getTolerations()) out.tolerations.push_back(toleration_of(t));
  for (auto c : spec.getTopologySpreadConstraints())
    out.topology_spread_constraints.push_back(spread_of(c));
  read_preemption_fields(pod, out);
  return out;
}

Result<NodeInfo> ObjectConverter::node(k8s::Node::Reader node) const {
  std::string name = node.getMetadata().getName().cStr();
  auto allocatable =
      resources_of(node.getStatus().getAllocatable(), resources_, "node " + name + " allocatable");
  if (!allocatable) return allocatable.error();
  std::vector<Taint> taints;
  for (auto t : node.getSpec().getTaints())
    taints.push_back(
        make_taint(t.getKey().cStr(), t.getValue().cStr(), effect_of(t.getEffect().cStr())));
  return NodeInfo(std::move(name), labels_of(node.getMetadata().getLabels()), std::move(taints),
                  node.getSpec().getUnschedulable(), std::move(*allocatable));
}

Result<PodDisruptionBudget> ObjectConverter::pod_disruption_budget(
    k8s::PodDisruptionBudget::Reader pdb) const {
  PodDisruptionBudget out;
  out.namespace_ = pdb.getMetadata().getNamespace().cStr();
  out.name = pdb.getMetadata().getName().cStr();
  out.selector = optional_selector(pdb.getSpec().hasSelector(), pdb.getSpec().getSelector());
  out.disruptions_allowed = pdb.getStatus().getDisruptionsAllowed();
  for (auto e : pdb.getStatus().getDisruptedPods().getEntries())
    out.disrupted_pods.emplace_back(e.getKey().cStr());
  return out;
}

ServiceSelector ObjectConverter::service(k8s::Service::Reader service) {
  ServiceSelector out;
  out.namespace_ = service.getMetadata().getNamespace().cStr();
  out.name = service.getMetadata().getName().cStr();
  // kube's GetPodServices skips a Service whose selector is nil (it selects nothing, not
  // everything); an empty map is kept, and selects every pod while adding no requirement.
  if (service.getSpec().hasSelector()) out.selector = labels_of(service.getSpec().getSelector());
  return out;
}

api::LabelSelector ObjectConverter::replica_set_selector(k8s::ReplicaSet::Reader replica_set) {
  // The API requires spec.selector; should one be absent anyway, its requirements are none
  // and default spreading adds nothing for it (the Services still count).
  return selector_of(replica_set.getSpec().getSelector());
}

NamespaceLabels ObjectConverter::namespace_labels(k8s::Namespace::Reader ns) {
  return {ns.getMetadata().getName().cStr(), labels_of(ns.getMetadata().getLabels())};
}

}  // namespace craton::scheduler
