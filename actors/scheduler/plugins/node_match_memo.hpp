// NodeMatchMemo: how many pods of one node a label selector selects in one namespace,
// remembered per node (address and generation) so that a scheduling cycle recounts only the
// nodes that changed since the last one. PodTopologySpread's scoring counts the matching pods
// of every node in every cycle (kube's PreScore walks all nodes); walking each node's pods for
// it made that O(all pods) per pod (11% of a 100-node, 2,910-pod simulated run, growing with
// the square of the pods), where a node's count only changes with its pods.
//
// Promises: count() equals the walk over node.pods() it replaces (same namespace test, same
// selector match), because an entry is used only for the same address and generation
// (generations are unique per node content in the process, node_info.hpp) and the same key,
// which the caller makes from the namespace and the selector's canonical text. Bounded: at most
// kKeysPerNodeMax keys per node (the oldest goes) and kNodesMax nodes (all are forgotten when
// full). Not thread-safe; one per plugin instance. No CAF.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/api/meta/label_selector.hpp"
#include "actors/scheduler/framework/node_info.hpp"

namespace craton::scheduler {

class NodeMatchMemo {
 public:
  static constexpr std::size_t kKeysPerNodeMax = 8;
  static constexpr std::size_t kNodesMax = 100'000;

  /// The key of (namespace, selector) for count(): equal keys mean equal selections. The hash
  /// is compared first: a cycle looks a key up on every node it scores, and most entries are
  /// other keys.
  struct Key {
    std::string text;
    std::uint64_t hash = 0;
    bool operator==(const Key& other) const { return hash == other.hash && text == other.text; }
  };
  static Key key_of(const std::string& namespace_, const api::LabelSelector& selector);

  /// The pods of `node` in `namespace_` that `selector` matches; `key` is key_of() of both.
  std::int64_t count(const NodeInfo& node, const std::string& namespace_,
                     const api::LabelSelector& selector, const Key& key);

 private:
  struct Entry {
    std::uint64_t generation = 0;
    std::vector<std::pair<Key, std::int64_t>> counts;  ///< by key, oldest first
  };
  std::unordered_map<const NodeInfo*, Entry> nodes_;
};

}  // namespace craton::scheduler
