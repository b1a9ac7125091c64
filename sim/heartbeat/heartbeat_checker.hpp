// The heartbeat scenario's checker (pure).
//
// After the network heals, every node that is still down must end up suspected by each live
// node that watches it, and every live node must end up trusted by each live watcher. The
// final opinion of a watcher is rebuilt from its observations ("suspect X" / "trust X") in its
// last incarnation, starting from "everyone trusted" (the detector's documented start state).
#pragma once

#include <cstddef>

#include "sim/world/run_history.hpp"

namespace craton::sim {

/// `watchers` is K of the ring plan (see actors/detector/core.hpp).
CheckResult check_heartbeat_history(const RunHistory& history, std::size_t watchers);

}  // namespace craton::sim
