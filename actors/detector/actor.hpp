// The failure-detector actor: a thin CAF shell around detector::FailureDetector.
//
// It registers with its node's router as "detector", ticks on CAF's actor clock (simulated
// time in the simulator) every heartbeat interval, sends Heartbeat envelopes to the
// "detector" actor of each peer in its send set, and feeds received heartbeats to the core.
// Every suspect/trust transition is logged and reported through env.observe as
// "suspect <node>" or "trust <node>", which the simulator's checker reads. Malformed or
// unexpected envelopes are counted and dropped.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "actors/detector/core.hpp"
#include "runtime/environment.hpp"

namespace craton::detector {

inline constexpr const char* kActorName = "detector";

struct DetectorActorConfig {
  std::vector<std::string> cluster;  ///< every node id, in ring order
  std::size_t watchers = 0;          ///< K; 0 means default_watchers(cluster.size())
  DetectorConfig timing;
};

/// Spawns the detector of the node described by `node` (its router must be running).
caf::actor spawn_detector(caf::actor_system& sys, NodeContext node, DetectorActorConfig config);

}  // namespace craton::detector
