// The DaemonSet controller's node predicates: node affinity, taints and tolerations.
#include "actors/controllers/daemon/node_eligibility.hpp"

#include <charconv>
#include <cstdint>

#include "actors/api/client/typed_selector.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

using Requirement = k8s::NodeSelectorTerm::Requirement;

std::optional<std::int64_t> parse_int(kj::StringPtr text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.begin(), text.end(), v);
  if (text.size() == 0 || ec != std::errc{} || end != text.end()) return std::nullopt;
  return v;
}

bool contains(capnp::List<capnp::Text>::Reader values, kj::StringPtr value) {
  for (auto v : values)
    if (v == value) return true;
  return false;
}

// One requirement against the value of its key (nullptr: the node has no such key).
bool requirement_holds(Requirement::Reader r, const char* value) {
  auto op = r.getOperator();
  if (op == "In") return value != nullptr && contains(r.getValues(), value);
  if (op == "NotIn") return value == nullptr || !contains(r.getValues(), value);
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  if (op == "Gt" || op == "Lt") {
    if (value == nullptr || r.getValues().size() != 1) return false;
    auto have = parse_int(value);
    auto bound = parse_int(r.getValues()[0]);
    if (!have || !bound) return false;
    return op == "Gt" ? *have > *bound : *have < *bound;
  }
  return false;  // an operator the API refuses
}

// matchFields knows one field of a node, metadata.name, and only In and NotIn.
bool field_holds(Requirement::Reader r, k8s::Node::Reader node) {
  if (r.getKey() != "metadata.name") return false;
  if (r.getOperator() != "In" && r.getOperator() != "NotIn") return false;
  return requirement_holds(r, node.getMetadata().getName().cStr());
}

bool term_matches(k8s::NodeSelectorTerm::Reader term, k8s::Node::Reader node) {
  if (term.getMatchExpressions().size() == 0 && term.getMatchFields().size() == 0) return false;
  auto labels = node.getMetadata().getLabels();
  for (auto r : term.getMatchExpressions())
    if (!requirement_holds(r, api::label_value(labels, r.getKey()))) return false;
  for (auto r : term.getMatchFields())
    if (!field_holds(r, node)) return false;
  return true;
}

bool required_affinity_matches(k8s::PodSpec::Reader spec, k8s::Node::Reader node) {
  if (!spec.hasAffinity() || !spec.getAffinity().hasNodeAffinity()) return true;
  auto affinity = spec.getAffinity().getNodeAffinity();
  if (!affinity.hasRequiredDuringSchedulingIgnoredDuringExecution()) return true;
  for (auto term :
       affinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
    if (term_matches(term, node)) return true;
  return false;
}

TolerationValue value_of(k8s::Toleration::Reader t) {
  return {t.getKey(), t.getOperator(), t.getValue(), t.getEffect()};
}

bool tolerated(const std::vector<TolerationValue>& tolerations, k8s::Taint::Reader taint) {
  for (const auto& t : tolerations)
    if (tolerates(t, taint)) return true;
  return false;
}

}  // namespace

std::vector<TolerationValue> daemon_tolerations(bool host_network) {
  std::vector<TolerationValue> out{
      {"node.kubernetes.io/not-ready", "Exists", "", "NoExecute"},
      {"node.kubernetes.io/unreachable", "Exists", "", "NoExecute"},
      {"node.kubernetes.io/disk-pressure", "Exists", "", "NoSchedule"},
      {"node.kubernetes.io/memory-pressure", "Exists", "", "NoSchedule"},
      {"node.kubernetes.io/pid-pressure", "Exists", "", "NoSchedule"},
      {"node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"},
  };
  if (host_network)
    out.push_back({"node.kubernetes.io/network-unavailable", "Exists", "", "NoSchedule"});
  return out;
}

bool tolerates(const TolerationValue& t, k8s::Taint::Reader taint) {
  if (!t.effect.empty() && t.effect != taint.getEffect().cStr()) return false;
  if (!t.key.empty() && t.key != taint.getKey().cStr()) return false;
  if (t.operator_ == "Exists") return true;
  if (t.operator_.empty() || t.operator_ == "Equal") return t.value == taint.getValue().cStr();
  return false;
}

bool node_affinity_matches(k8s::PodSpec::Reader spec, k8s::Node::Reader node) {
  auto labels = node.getMetadata().getLabels();
  for (auto entry : spec.getNodeSelector().getEntries()) {
    auto value = api::label_value(labels, entry.getKey());
    if (value == nullptr || entry.getValue() != value) return false;
  }
  return required_affinity_matches(spec, node);
}

NodeVerdict daemon_pod_fits(k8s::PodSpec::Reader spec, k8s::Node::Reader node) {
  if (!node_affinity_matches(spec, node)) return {false, false};
  auto tolerations = daemon_tolerations(spec.getHostNetwork());
  for (auto t : spec.getTolerations()) tolerations.push_back(value_of(t));
  bool untolerated_no_schedule = false;
  for (auto taint : node.getSpec().getTaints()) {
    if (tolerated(tolerations, taint)) continue;
    if (taint.getEffect() == "NoExecute") return {false, false};
    if (taint.getEffect() == "NoSchedule") untolerated_no_schedule = true;
  }
  return {!untolerated_no_schedule, true};
}

std::optional<std::string> target_node(k8s::Pod::Reader pod) {
  auto spec = pod.getSpec();
  if (spec.getNodeName().size() > 0) return std::string(spec.getNodeName());
  auto affinity = spec.getAffinity().getNodeAffinity();
  for (auto term :
       affinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
    for (auto r : term.getMatchFields())
      if (r.getKey() == "metadata.name" && r.getOperator() == "In")
        return r.getValues().size() == 1 ? std::optional<std::string>(r.getValues()[0])
                                         : std::nullopt;
  return std::nullopt;
}

}  // namespace craton::controllers
