// StoreWatcher: a simulated watch client for the store scenario, whose observations the
// watch checker (sim/store/watch_checker.hpp) judges against etcd's watch guarantees.
//
// One watcher per node watches every workload key (prefix "k") on its own node's replica,
// through the node's router (like a local workload client: no SimNetwork faults on that hop).
// It persists the last revision it delivered in its data directory, in the same message as
// it reports the events, so a crash and restart of the node (replica and watcher together)
// resumes the watch from that revision + 1: the resumable guarantee, across incarnations.
// It sends a watch progress request every keepalive_ms (the replica closes silent streams)
// and re-creates the watch from the same revision if it hears nothing for silence_ms.
//
// Observations (one per response, in delivery order):
//   watch <node> start <start revision>                     a create is sent
//   watch <node> ev <rev>/<p|d>/<key>/<value> ...           one response's events
//   watch <node> canceled <compact revision>                the replica ended the watch
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>

#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct StoreWatcherConfig {
  std::string name = "watcher";
  std::string prefix = "k";
  std::int64_t keepalive_ms = 1000;
  std::int64_t silence_ms = 5000;
};

/// Spawns the node's watcher; it reports to `observe` (WatchEvent).
caf::actor spawn_store_watcher(caf::actor_system& sys, const NodeContext& node,
                               ObservationSink observe, StoreWatcherConfig config);

}  // namespace craton::sim
