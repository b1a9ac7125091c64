// The API actor: the cluster API (ApiService, actors/api/server/) as an actor, for Craton's
// own components and the simulator. It registers as "api" with its node's router and answers
// apiRequest envelopes (schemas/api.capnp; values in actors/api/client/api_protocol.hpp) with
// an apiResponse carrying the request's correlation id; a watch is answered by apiWatchEvents
// with that id until the watch ends (an `error` or `closed` event is its last) or the
// requester sends stopWatch with the same id. The semantics are kube-apiserver's, because
// the requests run through the same ApiService as HTTP requests (api_call_http.hpp).
//
// Store: the actor reaches the store replicas with envelopes, through StoreCalls (leader
// following, back-off, deadlines; actors/store/client/store_calls.hpp), starting at its own
// node's replica ("<node>/store"). Requests never block: each is a coroutine that suspends
// at its store calls.
//
// The cache feed: at start the actor reads the store's current revision H, then watches
// /registry/ from revision 1 on its node's replica, so the watch caches replay the store's
// history (a watch from any revision still in the store's history and in the cache window
// resumes after this actor restarted, instead of a 410); reads wait until the caches reach H.
// If the store compacted that history away, it lists /registry/ and watches from there. The
// feed asks the replica for progress every feed_keepalive_ms and re-creates the watch from
// the last revision it applied + 1 after feed_silence_ms without a word; a cancelled watch
// (compaction) means a fresh list: the service ends its watchers, whose clients watch again.
//
// Time: the service's clock is the node's (ActorEnv::now_ms), plus wall_clock_base_s for the
// timestamps objects carry; uids and generated names come from the actor's seeded Rng. So
// the actor is deterministic under the simulator.
#pragma once

#include <caf/all.hpp>

#include <cstdint>

#include "actors/api/server/api_service.hpp"
#include "actors/store/client/store_calls.hpp"
#include "runtime/environment.hpp"

namespace craton::api {

struct ApiActorConfig {
  ApiServiceOptions service;  ///< now_s, monotonic_ms, new_uid, name_suffix: set by the actor
  store::StoreCallsConfig store;
  /// Seconds since the epoch at the node clock's zero (processes: the time they started; the
  /// simulator: a fixed date).
  std::int64_t wall_clock_base_s = 1'800'000'000;
  std::int64_t tick_ms = 100;  ///< service.tick(), store call deadlines, feed checks
  std::int64_t feed_keepalive_ms = 1000;
  std::int64_t feed_silence_ms = 5000;
  /// How often the `kubernetes` Endpoints are reconciled (kube-apiserver: 10 s; below
  /// service.endpoint_lease_s, so a live server's lease never runs out).
  std::int64_t endpoint_reconcile_ms = 10'000;
};

caf::actor spawn_api(caf::actor_system& sys, const NodeContext& node, ApiActorConfig config);

}  // namespace craton::api
