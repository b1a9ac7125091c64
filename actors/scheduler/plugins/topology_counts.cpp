// DomainCounts lookups.
#include "actors/scheduler/plugins/topology_counts.hpp"

namespace craton::scheduler {

std::int64_t count_in(const DomainCounts& counts, std::string_view domain) {
  auto it = counts.find(domain);
  return it == counts.end() ? 0 : it->second;
}

std::optional<std::int64_t> DomainLookup::for_node(const NodeInfo& node) const {
  auto label = node.labels().find(table->topology_key);
  if (label == node.labels().end()) return std::nullopt;
  return multiplier * count_in(table->counts, label->second);
}

}  // namespace craton::scheduler
