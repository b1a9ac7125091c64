// NodeInfo and the small matchers of the model (tolerations, host ports, node selector terms).
#include "actors/scheduler/framework/node_info.hpp"

#include <algorithm>
#include <atomic>

#include "runtime/assert.hpp"

namespace craton::scheduler {

bool Toleration::tolerates(const Taint& taint) const {
  if (effect != TaintEffect::none && effect != taint.effect) return false;
  if (!key.empty() && key != taint.key) return false;
  switch (op) {
    case TolerationOperator::equal:
      return value == taint.value;
    case TolerationOperator::exists:
      return true;
    case TolerationOperator::unknown:
      return false;
  }
  return false;
}

namespace {
bool every_address(const std::string& ip) {
  return ip.empty() || ip == "0.0.0.0";
}
}  // namespace

std::uint64_t next_node_generation() {
  // Process-wide, as Kubernetes' framework.nextGeneration: two NodeInfos never share a
  // generation unless one is a copy of the other, so (address, generation) names one content
  // even when a snapshot frees a NodeInfo and builds another at the same address.
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

bool HostPort::conflicts_with(const HostPort& other) const {
  if (port <= 0 || port != other.port || protocol != other.protocol) return false;
  return every_address(ip) || every_address(other.ip) || ip == other.ip;
}

bool NodeSelectorTerm::matches(const api::Labels& labels, std::string_view node_name) const {
  if (!valid || (expressions.empty() && fields.empty())) return false;
  for (const auto& r : expressions)
    if (!r.matches(labels)) return false;
  for (const auto& f : fields)
    if ((f.node_name == node_name) == f.not_in) return false;
  return true;
}

bool PodAffinityTerm::selects(const PodInfo& pod, const api::Labels* pod_namespace_labels) const {
  if (!selector || !selector->matches(pod.labels)) return false;
  if (all_namespaces ||
      std::find(namespaces.begin(), namespaces.end(), pod.namespace_) != namespaces.end())
    return true;
  return namespace_selector && pod_namespace_labels &&
         namespace_selector->matches(*pod_namespace_labels);
}

NodeInfo::NodeInfo(std::string name, api::Labels labels, std::vector<Taint> taints,
                   bool unschedulable, Resources allocatable)
    : name_(std::move(name)) {
  set_node(std::move(labels), std::move(taints), unschedulable, std::move(allocatable));
}

void NodeInfo::set_node(api::Labels labels, std::vector<Taint> taints, bool unschedulable,
                        Resources allocatable) {
  labels_ = std::move(labels);
  hashed_labels_ = NodeLabels(labels_);
  taints_ = std::move(taints);
  unschedulable_ = unschedulable;
  allocatable_ = std::move(allocatable);
  auto before = generation_;
  generation_ = next_node_generation();
  follow_selected(before, nullptr, 0);
}

void NodeInfo::add_pod(std::shared_ptr<const PodInfo> pod) {
  CRATON_ASSERT(pod != nullptr, "a pod to add");
  requested_.add(pod->requests);
  non_zero_milli_cpu_ += pod->non_zero_milli_cpu;
  non_zero_memory_bytes_ += pod->non_zero_memory_bytes;
  used_ports_.insert(used_ports_.end(), pod->host_ports.begin(), pod->host_ports.end());
  if (pod->has_pod_affinity_terms()) pods_with_affinity_.push_back(pod.get());
  if (!pod->pod_anti_affinity_required.empty())
    pods_with_required_anti_affinity_.push_back(pod.get());
  const PodInfo* added = pod.get();
  count_labels(*added, +1);
  pods_.push_back(std::move(pod));
  auto before = generation_;
  generation_ = next_node_generation();
  follow_selected(before, added, +1);
}

bool NodeInfo::remove_pod(const std::string& uid) {
  auto it = std::find_if(pods_.begin(), pods_.end(), [&](const auto& p) { return p->uid == uid; });
  if (it == pods_.end()) return false;
  const PodInfo& pod = **it;
  requested_.subtract(pod.requests);
  non_zero_milli_cpu_ -= pod.non_zero_milli_cpu;
  non_zero_memory_bytes_ -= pod.non_zero_memory_bytes;
  for (const auto& port : pod.host_ports) {
    auto used = std::find_if(used_ports_.begin(), used_ports_.end(), [&](const HostPort& u) {
      return u.port == port.port && u.protocol == port.protocol && u.ip == port.ip;
    });
    CRATON_ASSERT(used != used_ports_.end(), "a removed pod's port was recorded");
    used_ports_.erase(used);
  }
  std::erase(pods_with_affinity_, &pod);
  std::erase(pods_with_required_anti_affinity_, &pod);
  count_labels(pod, -1);
  auto before = generation_;
  generation_ = next_node_generation();
  follow_selected(before, &pod, -1);
  pods_.erase(it);
  return true;
}

std::int64_t NodeInfo::count_selected(const std::shared_ptr<const Selection>& selection) const {
  CRATON_ASSERT(selection != nullptr && selection->id != 0, "a selection (SelectionIds)");
  if (!selected_) selected_ = std::make_shared<SelectedCounts>();
  SelectedCount* slot = nullptr;
  for (auto& remembered : selected_->slots) {
    if (remembered.selection == nullptr || remembered.selection->id != selection->id) continue;
    if (remembered.generation == generation_) return remembered.count;
    slot = &remembered;  // true for another copy's pods: counted again for these
    break;
  }
  if (slot == nullptr) {
    slot = &selected_->slots[selected_->next];
    selected_->next = (selected_->next + 1) % selected_->slots.size();
  }
  auto n = holds_none(*selection) ? 0 : walk_selected(selection->namespace_, selection->selector);
  *slot = SelectedCount{selection, generation_, n};
  return n;
}

std::int64_t NodeInfo::walk_selected(const std::string& namespace_,
                                     const api::LabelSelector& selector) const {
  std::int64_t n = 0;
  for (const auto& p : pods_)
    if (p->namespace_ == namespace_ && selector.matches(p->labels)) ++n;
  return n;
}

void NodeInfo::count_labels(const PodInfo& pod, int delta) {
  for (const auto& [key, value] : pod.labels) {
    auto hash = label_hash(key, value);
    auto it = std::lower_bound(label_counts_.begin(), label_counts_.end(),
                               std::pair<std::uint64_t, std::uint32_t>{hash, 0});
    if (it == label_counts_.end() || it->first != hash) {
      CRATON_ASSERT(delta > 0, "a removed pod's labels were counted");
      label_counts_.insert(it, {hash, 1});
      continue;
    }
    CRATON_ASSERT(delta > 0 || it->second > 0, "a label count stays non-negative");
    it->second += delta;
    if (it->second == 0) label_counts_.erase(it);
  }
}

bool NodeInfo::holds_none(const Selection& selection) const {
  for (auto hash : selection.required_labels) {
    auto it = std::lower_bound(label_counts_.begin(), label_counts_.end(),
                               std::pair<std::uint64_t, std::uint32_t>{hash, 0});
    if (it == label_counts_.end() || it->first != hash) return true;
  }
  return false;
}

void NodeInfo::follow_selected(std::uint64_t before, const PodInfo* pod, std::int64_t delta) {
  if (!selected_) return;
  for (auto& remembered : selected_->slots) {
    if (remembered.selection == nullptr || remembered.generation != before) continue;
    remembered.generation = generation_;
    if (pod != nullptr && remembered.selection->matches(*pod)) remembered.count += delta;
  }
}

std::string untolerated_taint_reason(const std::string& key, const std::string& value) {
  return "node(s) had untolerated taint {" + key + ": " + value + "}";
}

Taint make_taint(std::string key, std::string value, TaintEffect effect) {
  Taint t{std::move(key), std::move(value), effect, {}};
  t.untolerated_reason = untolerated_taint_reason(t.key, t.value);
  return t;
}

}  // namespace craton::scheduler
