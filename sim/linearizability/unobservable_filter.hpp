// Which unknown-outcome operations can matter, and until when. This keeps histories with many
// lost requests cheap to check.
//
// An unknown write, cas or append matters only if its effect could be observed: if it took
// effect, the value it left is current until overwritten, and every read or cas in between sees
// it. Its observers are the completed reads that returned, and the cas operations that expected,
// a value containing what it wrote (as a substring when the key has appends, else equal).
// - With no observer, any linearization that uses it is still one without it: it is dropped.
// - Once its last observer is linearized, using it can no longer help: the search skips it.
// Past a work bound every unknown operation counts as observable forever (that only costs time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/linearizability/operation.hpp"
#include "sim/linearizability/state_space.hpp"

namespace craton::linearizability {

struct Observability {
  static constexpr std::uint32_t kAlways = UINT32_MAX;
  std::vector<std::size_t> kept;  ///< indices (ascending) of the operations worth checking
  /// Per kept operation: for an unknown mutation, the index (into `kept`) of its last completed
  /// observer, or kAlways if it may matter until the end (e.g. an unknown cas observes it).
  /// kAlways for every other operation.
  std::vector<std::uint32_t> last_observer;
};

/// Analyzes one key's operations (in invocation order).
Observability analyze_observability(const std::vector<Operation>& ops, Model model);

}  // namespace craton::linearizability
