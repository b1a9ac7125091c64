// The API scenario's clients (sim/api/api_scenario.hpp): simulated components that use the cluster
// API through the API actor of their node ("<node>/api"), in envelopes.
//
// ApiWriter: one operation at a time on the ConfigMaps cm-0..cm-(keys-1) in "default": an
// upsert (PUT of data.v = a fresh value; on 404 a POST) or a delete. Each is recorded as a
// store operation on the ConfigMap's registry key ("op ...", a write of the value, a delete a
// write of "") so the linearizability checker judges them: 2xx ok; 400/404/409/422 fail (not
// applied); anything else, or no answer within op_timeout_ms, info (outcome unknown).
//
// ApiWatcher: watches ConfigMaps in "default" from the last resourceVersion it delivered
// (persisted in its data directory, so a crash and restart of the node resumes from there),
// and reports what it gets as the store watchers do ("watch <node> start|ev|canceled"), for
// the watch checker: ordered, no duplicates, no gaps, resumable. A closed watch (timeout,
// the API going away) or a refusal (cache not ready) is watched again from the same point;
// a watch silent for silence_ms is stopped and watched again. A 410 is reported as a
// cancellation (the checker fails it: the API replays the store's history into its caches,
// so a resume stays inside the window).
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>

#include "actors/api/client/api_protocol.hpp"
#include "runtime/environment.hpp"
#include "sim/world/observation.hpp"

namespace craton::sim {

struct ApiWriterConfig {
  std::size_t keys = 3;
  std::int64_t think_ms_max = 200;
  std::int64_t op_timeout_ms = 15000;
  double delete_chance = 0.25;
};

struct ApiWatcherConfig {
  std::int64_t check_ms = 1000;     ///< how often it looks at its watch
  std::int64_t timeout_s = 30;      ///< the watch's timeoutSeconds: the server closes it
  std::int64_t silence_ms = 40000;  ///< nothing at all this long: watch again
};

// ApiInformer: an Informer over envelopes (actors/api/informer/envelope_session.hpp) on the
// same ConfigMaps, as a controller would keep one; every report_ms, once synced, it reports
// its cache and the revision it is at ("cache <node>/informer <rev> key=value ..."), which the
// scenario's checker compares with the store's history at that revision.
struct ApiInformerConfig {
  std::int64_t tick_ms = 200;
  std::int64_t report_ms = 1000;
  std::int64_t watch_timeout_s = 30;
};

/// Sends a call to the API actor of the sender's node.
void send_api_call(caf::event_based_actor* self, ActorEnv& env, std::uint64_t correlation,
                   const api::ApiCall& call);

/// The ConfigMap's registry key, as the writer records its operations.
std::string config_map_key(const std::string& name);

caf::actor spawn_api_writer(caf::actor_system& sys, const NodeContext& node,
                            ObservationSink observe, ApiWriterConfig config);
caf::actor spawn_api_watcher(caf::actor_system& sys, const NodeContext& node,
                             ObservationSink observe, ApiWatcherConfig config);
caf::actor spawn_api_informer(caf::actor_system& sys, const NodeContext& node,
                              ObservationSink observe, ApiInformerConfig config);

}  // namespace craton::sim
