// TopologyCounts: counts per topology domain, a (topology key, node label value) pair such as
// (topology.kubernetes.io/zone, eu-1a), as the pod affinity and topology spread plugins keep
// them. Looked up with string_views so Filter and Score never build a string per node.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "actors/scheduler/framework/node_info.hpp"

namespace craton::scheduler {

class TopologyCounts {
 public:
  void add(std::string_view key, std::string_view value, std::int64_t amount);
  /// The count of the domain, 0 when unknown.
  std::int64_t get(std::string_view key, std::string_view value) const;
  bool empty() const { return counts_.empty(); }
  /// Adds `amount` to the node's domain of `key`; false when the node has no such label.
  bool add_for_node(const NodeInfo& node, const std::string& key, std::int64_t amount);
  /// The node's domain count for `key`; nullopt when the node has no such label.
  std::optional<std::int64_t> get_for_node(const NodeInfo& node, const std::string& key) const;
  const auto& entries() const { return counts_; }

 private:
  struct Less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  std::map<std::pair<std::string, std::string>, std::int64_t, Less> counts_;
};

}  // namespace craton::scheduler
