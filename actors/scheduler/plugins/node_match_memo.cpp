// NodeMatchMemo: the per-node counts and their bounds (see the header).
#include "actors/scheduler/plugins/node_match_memo.hpp"

#include "runtime/stable_hash.hpp"

namespace craton::scheduler {

NodeMatchMemo::Key NodeMatchMemo::key_of(const std::string& namespace_,
                                         const api::LabelSelector& selector) {
  // A namespace name holds no newline, so the split between the two parts is unambiguous.
  Key key{namespace_ + "\n" + selector.to_string()};
  key.hash = stable_hash(key.text);
  return key;
}

std::int64_t NodeMatchMemo::count(const NodeInfo& node, const std::string& namespace_,
                                  const api::LabelSelector& selector, const Key& key) {
  auto found = nodes_.find(&node);
  if (found == nodes_.end()) {
    if (nodes_.size() >= kNodesMax) nodes_.clear();
    found = nodes_.emplace(&node, Entry{node.generation(), {}}).first;
  }
  Entry& entry = found->second;
  if (entry.generation != node.generation()) {  // the node changed (or another took its address)
    entry.generation = node.generation();
    entry.counts.clear();
  }
  for (const auto& [k, n] : entry.counts)
    if (k == key) return n;
  std::int64_t n = 0;
  for (const auto& p : node.pods())
    if (p->namespace_ == namespace_ && selector.matches(p->labels)) ++n;
  if (entry.counts.size() >= kKeysPerNodeMax) entry.counts.erase(entry.counts.begin());
  entry.counts.emplace_back(key, n);
  return n;
}

}  // namespace craton::scheduler
