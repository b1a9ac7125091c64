// NodeListChanges: which positions of a cycle's node list hold a node that changed since an
// earlier cycle, for plugins that keep counts across cycles (TopologyIndex), so that bringing
// them up to date costs the changed nodes, not a look at every node. The Snapshot answers it
// (cache/snapshot.hpp); a list that is not a snapshot's (a dry run's copy) has none.
//
// Promises: while layout() stays the same, the list holds the same NodeInfo objects at the same
// positions (each possibly changed in place, with a new generation); a node's generation grows
// with every change and is process-wide unique (node_info.hpp), so "changed after generation
// G" is exactly the positions whose node's generation is above G.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace craton::scheduler {

class NodeListChanges {
 public:
  virtual ~NodeListChanges() = default;
  /// The layout's identity: a new value whenever nodes were added, removed or moved (never
  /// shared by two lists).
  virtual std::uint64_t layout() const = 0;
  /// The newest generation of the list's nodes.
  virtual std::uint64_t newest_generation() const = 0;
  /// Calls `visit(position)` for every position whose node's generation is above `after`.
  virtual void changed_after(std::uint64_t after,
                             const std::function<void(std::size_t)>& visit) const = 0;
};

}  // namespace craton::scheduler
