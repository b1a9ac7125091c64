// The store's client library: an actor that carries requests to replicas, and StoreClient, a
// small blocking C++ API over it for tools (`craton kv`, `craton store status`) and tests.
//
// spawn_store_client registers as "client" with its node's router. A (call_atom, WireEnvelope)
// request names the replica in the envelope's `to`; the actor stamps its own address as `from`
// and a fresh correlation id, sends it, and answers the requester with the replica's
// storeResponse envelope, or with an error after timeout_ms. Pending calls are bounded.
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

#include "actors/store/store_protocol.hpp"
#include "storage/session_table.hpp"
#include "runtime/environment.hpp"
#include "runtime/peer_list.hpp"

namespace craton {
class NodeHost;
}

namespace craton::store {

using call_atom = caf::atom_constant<caf::atom("storecall")>;

struct ClientActorConfig {
  std::int64_t timeout_ms = 5000;  ///< per call
  std::size_t pending_max = 1024;  ///< calls in flight; beyond, refused at once
};

caf::actor spawn_store_client(caf::actor_system& sys, const NodeContext& node,
                              ClientActorConfig config);

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
  std::int64_t timeout_ms = 5000;  ///< per attempt
  int attempts_max = 6;            ///< per call
  std::int64_t backoff_ms = 200;   ///< between attempts that wait for an election
  std::uint64_t seed = 0;          ///< 0: from the OS (this is process code, not an actor)
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

  const std::vector<StoreEndpoint>& endpoints() const { return options_.endpoints; }

 private:
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
