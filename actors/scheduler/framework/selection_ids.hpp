// SelectionIds: one number per distinct (namespace, label selector) pair, the name under which
// NodeInfo::count_selected() remembers a node's count. A cycle names its selections once (one
// map lookup of the selector's canonical text); every node it scores then compares numbers,
// where comparing the texts on each node was the cost (11.7% of a 2,000-node simulated run).
//
// Promises: equal ids mean equal pairs (ids come from a process-wide counter and are never given
// to another text, so two instances, or one after it forgot, never collide; the same pair may
// get a new id, which only costs a recount). Bounded: past kTextsMax texts it forgets them all
// and numbers afresh. Not thread-safe; one per plugin instance. No CAF.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "actors/api/meta/label_selector.hpp"

namespace craton::scheduler {

class SelectionIds {
 public:
  static constexpr std::size_t kTextsMax = 65'536;

  /// The id of `selector` in `namespace_` (never 0).
  std::uint64_t id_of(const std::string& namespace_, const api::LabelSelector& selector);

 private:
  std::unordered_map<std::string, std::uint64_t> ids_;
};

}  // namespace craton::scheduler
