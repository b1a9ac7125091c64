// The store's client library: an actor that carries requests to replicas, and StoreClient, a
// small blocking C++ API over it for tools (`craton kv`, `craton store status`) and tests.
//
// spawn_store_client registers as "client" with its node's router. A (call_atom, WireEnvelope)
// request names the replica in the envelope's `to`; the actor stamps its own address as `from`
// and a fresh correlation id, sends it, and answers the requester with the replica's
// storeResponse envelope, or with an error after timeout_ms (found by a periodic sweep: up to
// a tenth of timeout_ms, at most 100 ms, late). Pending calls are bounded.
//
// StoreClient (blocking: call it from a plain thread, never from inside an actor):
// - Endpoints are given as the replicas' ids and addresses ("1=h:p,2=h:p", the same list as
//   `craton store --peers`) or as bare "h:p". connect() asks each bare endpoint for its id
//   (a status request through a link named "via-<n>", which the replica's router delivers
//   whatever its id: runtime/router.hpp), then links to it by id. An endpoint that does not
//   answer within timeout_ms keeps id 0 and is reported unreachable.
// - Membership changes and leader transfers go to the leader like writes; a member list is
//   answered by any member.
// - Finding the leader: status requests to the members (safe to repeat); the newest term's
//   leader wins. Redirects (not_leader with a hint) are followed.
// - Retries are bounded (attempts_max) and only where safe: reads and status always; writes
//   on answers that prove the write was not applied (not_leader, no_leader, busy,
//   proposal_dropped) and, because every write carries this client's session (one random
//   session id per StoreClient, a sequence per write, kept by its retries), after a timeout
//   too: the replicas apply a write at most once. A retry that finds the write applied gets
//   the error "duplicate" (it took effect once; its result was in the lost answer). A write
//   still unanswered after the last attempt is reported as "timeout" (outcome unknown).
//   Leader-only requests (lease keep-alive, time-to-live, list) go where writes go and are
//   retried on any failure too: they change nothing replicated.
//
// Watches (StoreClient::watch -> StoreWatch, implemented in store_watch.cpp):
//   auto w = client->watch(request);            // created on one replica (any member)
//   while (auto batch = (*w)->next(1000ms))     // events of whole revisions, in order
//     ...;                                      // "timeout" error: nothing yet, still watching
//   (*w)->cancel();
// The client actor sends the create like a call and then forwards every later response
// carrying the create's correlation id to the StoreWatch (watch_event_atom), and stream-wide
// progress (correlation id 0) to every watch on that replica. Every watch_keepalive_ms it
// sends each such replica a watch progress request: that keeps the stream open there (a
// replica closes silent streams) and its answer proves the replica alive. If the replica goes
// silent (watch_silence_ms) or its link goes down, the StoreWatch resumes the watch on the
// next endpoint from (last revision it returned or was promised by progress) + 1, so the
// caller sees no gap and no duplicate (etcd's resumable guarantee). A StoreWatch must not
// outlive its StoreClient; one thread uses one StoreWatch.
// A caller slower than its watch: the StoreWatch tells the client actor what it took
// (watch_taken_atom); past watch_buffer_bytes_max forwarded and not yet taken, the client
// actor cancels the watch on its replica and sends watch_paused_atom behind what it
// forwarded. When the caller has taken all that, the StoreWatch resumes the watch on the
// same replica from the next revision, which the replica reads from its store (etcd moves a
// slow watcher to its unsynced set the same way). So a slow caller costs at most the bound
// (plus one response) of memory and loses nothing, unless the store compacts past it
// meanwhile ("compacted", as in etcd).
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/store/codec/store_protocol.hpp"
#include "runtime/environment.hpp"
#include "runtime/node_host.hpp"
#include "runtime/peer_list.hpp"
#include "storage/session_table.hpp"

namespace craton {
class NodeHost;
}

namespace craton::store {

using call_atom = caf::atom_constant<caf::atom("storecall")>;
using watch_atom = caf::atom_constant<caf::atom("storewatch")>;
using unwatch_atom = caf::atom_constant<caf::atom("unwatch")>;
using watch_event_atom = caf::atom_constant<caf::atom("watchevt")>;
using watch_lost_atom = caf::atom_constant<caf::atom("watchlost")>;
using watch_paused_atom = caf::atom_constant<caf::atom("watchpause")>;
using watch_taken_atom = caf::atom_constant<caf::atom("watchtaken")>;

struct ClientActorConfig {
  std::int64_t timeout_ms = 5000;          ///< per call
  std::size_t pending_max = 1024;          ///< calls in flight; beyond, refused at once
  std::int64_t watch_keepalive_ms = 1000;  ///< progress request per replica with watches
  /// Per watch: response bytes forwarded to its StoreWatch and not yet taken (see "Watches").
  std::size_t watch_buffer_bytes_max = std::size_t{16} << 20;
};

caf::actor spawn_store_client(caf::actor_system& sys, const NodeContext& node,
                              ClientActorConfig config);

/// A reply as the client actor delivers it: the envelope's correlation id and the store's
/// reply ("malformed" when the envelope is not a store response).
struct DecodedStoreResponse {
  std::uint64_t correlation = 0;
  Result<StoreReply> reply = Error{"malformed", "not a store response"};
};
DecodedStoreResponse decode_store_response(const WireEnvelope& wire);

/// A replica as a client addresses it.
struct StoreEndpoint {
  raft::NodeId id = 0;
  Endpoint endpoint;
};

/// Parses "1=h:p,2=h:p" or "h:p,h:p" (id 0: asked at connect), at most kPeersMax entries;
/// no id or address twice.
Result<std::vector<StoreEndpoint>> parse_store_endpoints(std::string_view text);

struct StoreClientOptions {
  std::vector<StoreEndpoint> endpoints;
  std::int64_t timeout_ms = 5000;          ///< per attempt
  int attempts_max = 6;                    ///< per call
  std::int64_t backoff_ms = 200;           ///< between attempts that wait for an election
  std::uint64_t seed = 0;                  ///< 0: from the OS (this is process code, not an actor)
  std::int64_t watch_keepalive_ms = 1000;  ///< see "Watches" above
  std::int64_t watch_silence_ms = 5000;    ///< no response this long: resume elsewhere
  /// How the client's links are secured. With TLS the client speaks as a session of its
  /// certificate (cert_name, default "admin"): node id `admin@<hex>`.
  LinkSecurity security;
};

/// What StoreWatch::next() returns: the events of whole revisions in order, or a progress
/// notification (no events): every event at or below header_revision has been returned.
/// An events batch's header_revision is the replica's revision when it was queued (etcd's
/// header), NOT progress: a watch catching up gets old events under a newer header.
struct WatchEvents {
  std::int64_t header_revision = 0;
  std::vector<storage::Event> events;
  bool is_progress() const { return events.empty(); }
};

class StoreClient;

/// One watch, followed across replicas (see "Watches" above). Not thread-safe.
class StoreWatch {
 public:
  ~StoreWatch();  ///< cancels the watch without waiting for the answer
  StoreWatch(const StoreWatch&) = delete;
  StoreWatch& operator=(const StoreWatch&) = delete;

  /// Waits up to `timeout` for the next batch. Errors: "timeout" (nothing yet; the watch goes
  /// on), "compacted" (the next revision was compacted away: re-list, watch again; final),
  /// "canceled" (final), "unavailable" (no endpoint accepted the watch again).
  /// Progress notifications are returned only if the request asked for progress_notify.
  Result<WatchEvents> next(std::chrono::milliseconds timeout);
  /// Cancels the watch on its replica; next() then reports "canceled".
  Status cancel();
  /// Every event at or below this revision has been returned (or promised absent).
  std::int64_t revision() const { return revision_; }
  raft::NodeId replica() const { return replica_; }

 private:
  friend class StoreClient;
  StoreWatch(StoreClient& client, WatchRequest request);
  Status start(std::size_t first_endpoint);
  Status resume();
  void drop_current();
  void on_event(std::uint64_t id, const WireEnvelope& wire,
                std::optional<Result<WatchEvents>>& result);
  bool receive_one(std::chrono::milliseconds wait, std::optional<Result<WatchEvents>>& result);
  std::optional<Result<WatchEvents>> handle(const StoreReply& reply);

  StoreClient& client_;
  WatchRequest request_;
  std::unique_ptr<caf::scoped_actor> self_;
  std::size_t endpoint_ = 0;  ///< index of the replica holding the watch
  raft::NodeId replica_ = 0;
  std::uint64_t correlation_ = 0;  ///< of the current create; 0: no live watch
  WatchId watch_id_ = 0;
  std::int64_t revision_ = 0;
  bool started_ = false;  ///< revision_ is meaningful (after the first create)
  bool canceled_ = false;
  bool paused_ = false;  ///< resume on the same replica (the caller fell behind)
  std::optional<Error> final_;
  std::chrono::steady_clock::time_point last_heard_;
};

class StoreClient {
 public:
  /// Starts a small client node (actor system, router, links to the endpoints).
  static Result<std::unique_ptr<StoreClient>> connect(StoreClientOptions options);
  ~StoreClient();

  /// Sends a write to the leader, a read or status to the leader or else any member, with the
  /// retry rules above. The reply's own error (e.g. an MVCC error) is returned as an Error.
  Result<StoreReply> call(const StoreRequest& request);
  /// A serializable read or a status request to one replica, no redirects.
  Result<StoreReply> call_member(raft::NodeId id, const StoreRequest& request);
  /// Status of every endpoint (an Error per unreachable one).
  std::vector<std::pair<StoreEndpoint, Result<MemberStatus>>> status_all();
  /// Creates a watch on the first endpoint that accepts it (see "Watches" above). Errors:
  /// the replica's (e.g. "invalid"), or "unavailable" when no endpoint answers.
  Result<std::unique_ptr<StoreWatch>> watch(const WatchRequest& request);

  const std::vector<StoreEndpoint>& endpoints() const { return options_.endpoints; }

 private:
  friend class StoreWatch;
  explicit StoreClient(StoreClientOptions options);
  Result<StoreReply> send(raft::NodeId id, const StoreRequest& request,
                          const std::optional<storage::ClientSession>& session = std::nullopt);
  Result<StoreReply> send_to(const std::string& node, const StoreRequest& request,
                             const std::optional<storage::ClientSession>& session = std::nullopt);
  void discover_ids();
  Result<StoreReply> call_leader(const StoreRequest& request,
                                 const std::optional<storage::ClientSession>& session);
  storage::ClientSession begin_write();
  void end_write(std::uint64_t sequence);
  Result<StoreReply> call_any(const StoreRequest& request);
  bool knows(raft::NodeId id) const;
  raft::NodeId find_leader();

  StoreClientOptions options_;
  std::unique_ptr<NodeHost> host_;
  caf::actor actor_;
  raft::NodeId leader_ = 0;
  std::uint64_t session_id_ = 0;  ///< this client's session (storage/session_table.hpp)
  std::mutex session_mutex_;
  std::uint64_t last_sequence_ = 0;
  std::set<std::uint64_t> unanswered_;  ///< sequences of writes in flight
};

}  // namespace craton::store
