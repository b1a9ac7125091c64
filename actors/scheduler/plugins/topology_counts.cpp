// TopologyCounts: counts per topology domain.
#include "actors/scheduler/plugins/topology_counts.hpp"

namespace craton::scheduler {

void TopologyCounts::add(std::string_view key, std::string_view value, std::int64_t amount) {
  auto it = counts_.find(std::pair<std::string_view, std::string_view>(key, value));
  if (it == counts_.end())
    it = counts_.emplace(std::pair<std::string, std::string>(key, value), 0).first;
  it->second += amount;
  if (it->second == 0) counts_.erase(it);  // as kube: a domain back at zero is forgotten
}

std::int64_t TopologyCounts::get(std::string_view key, std::string_view value) const {
  auto it = counts_.find(std::pair<std::string_view, std::string_view>(key, value));
  return it == counts_.end() ? 0 : it->second;
}

bool TopologyCounts::add_for_node(const NodeInfo& node, const std::string& key,
                                  std::int64_t amount) {
  auto label = node.labels().find(key);
  if (label == node.labels().end()) return false;
  add(key, label->second, amount);
  return true;
}

std::optional<std::int64_t> TopologyCounts::get_for_node(const NodeInfo& node,
                                                         const std::string& key) const {
  auto label = node.labels().find(key);
  if (label == node.labels().end()) return std::nullopt;
  return get(key, label->second);
}

}  // namespace craton::scheduler
