// NodeTree: zone keys and the round-robin listing.
#include "actors/scheduler/cache/node_tree.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::scheduler {

namespace {

std::string label_or(const api::Labels& labels, const char* key, const char* fallback) {
  if (auto it = labels.find(key); it != labels.end()) return it->second;
  if (auto it = labels.find(fallback); it != labels.end()) return it->second;
  return {};
}

}  // namespace

std::string zone_key(const api::Labels& labels) {
  std::string zone =
      label_or(labels, "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone");
  std::string region =
      label_or(labels, "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region");
  if (zone.empty() && region.empty()) return {};
  std::string key = std::move(region);
  key += ":";
  key += '\0';
  key += ":";
  key += zone;
  return key;
}

NodeTree::Zone& NodeTree::zone_named(const std::string& key) {
  auto it = std::find_if(zones_.begin(), zones_.end(), [&](const Zone& z) { return z.key == key; });
  if (it != zones_.end()) return *it;
  zones_.push_back(Zone{key, {}});
  return zones_.back();
}

bool NodeTree::add(const std::string& name, const api::Labels& labels) {
  if (zone_of_.contains(name)) return false;
  std::string key = zone_key(labels);
  zone_named(key).nodes.push_back(name);
  zone_of_.emplace(name, std::move(key));
  return true;
}

bool NodeTree::remove(const std::string& name) {
  auto held = zone_of_.find(name);
  if (held == zone_of_.end()) return false;
  auto zone = std::find_if(zones_.begin(), zones_.end(),
                           [&](const Zone& z) { return z.key == held->second; });
  CRATON_ASSERT(zone != zones_.end(), "a held node's zone is in the rotation");
  auto erased = std::erase(zone->nodes, name);
  CRATON_ASSERT(erased == 1, "a held node is in its zone once");
  // Dropping the zone keeps the others' relative order, so the listing stays deterministic.
  if (zone->nodes.empty()) zones_.erase(zone);
  zone_of_.erase(held);
  return true;
}

bool NodeTree::update(const std::string& name, const api::Labels& labels) {
  auto held = zone_of_.find(name);
  CRATON_ASSERT(held != zone_of_.end(), "update of a node the tree holds");
  if (held->second == zone_key(labels)) return false;
  remove(name);
  add(name, labels);
  return true;
}

bool NodeTree::contains(std::string_view name) const {
  return zone_of_.find(name) != zone_of_.end();
}

std::vector<std::string_view> NodeTree::list() const {
  std::vector<std::string_view> out;
  out.reserve(size());
  // Zones are never empty, so every pass over them adds at least one name until all are out.
  for (std::size_t index = 0; out.size() < size(); ++index) {
    CRATON_ASSERT(index < size(), "each pass over the zones lists at least one node");
    for (const Zone& zone : zones_)
      if (index < zone.nodes.size()) out.push_back(zone.nodes[index]);
  }
  return out;
}

}  // namespace craton::scheduler
