// DomainCounts lookups.
#include "actors/scheduler/plugins/topology_counts.hpp"

namespace craton::scheduler {

std::int64_t count_in(const DomainCounts& counts, std::string_view domain) {
  auto it = counts.find(domain);
  return it == counts.end() ? 0 : it->second;
}

std::int64_t count_in(const DomainCounts& counts, const LabelValue& domain) {
  auto it = counts.find(domain);
  return it == counts.end() ? 0 : it->second;
}

std::optional<std::int64_t> DomainLookup::for_node(const NodeInfo& node) const {
  auto domain = node.label(table->topology_key);
  if (!domain) return std::nullopt;
  return multiplier * count_in(table->counts, *domain);
}

}  // namespace craton::scheduler
