// StoreCalls: the store client for code that runs inside an actor and so never blocks (the
// API actor). It is the asynchronous half of what StoreClient does for plain threads, as a
// pure state machine: the shell sends what it returns and feeds it the replies and the time.
//
// A call goes to the leader as last known (at first the node's own replica). The answer
// completes it, except where the store's error class says it was not applied and another
// try may succeed (store_error.hpp): retry_elsewhere with a leader hint goes to that leader at
// once, without one (or retry_later) to the local replica after backoff_ms; at most
// attempts_max sends per call. A call with no answer after timeout_ms completes with
// "timeout" (the outcome of a write is then unknown). A call that expires unanswered also ends
// the trust in the leader it was sent to: the next calls go to the local replica, whose answer
// names the leader now (without this, a leader that crashed kept every later call: found by
// the controllers simulation, seed 1035, where no write completed for the last 45 s). At most
// pending_max calls wait; beyond, "busy" at once.
//
// Client sessions (storage/session_table.hpp, Raft thesis 6.3): given a session id, every
// write (a WriteRequest: put, delete, txn) carries this client's session and its own sequence,
// kept by all its sends, so the store applies it at most once however often it arrives. That
// makes a second send safe where the first got no answer: with attempt_timeout_ms set, a write
// silent that long is sent again (to the local replica, whose answer names the leader); and a
// copy the network duplicated is refused instead of applied twice. The refusal ("duplicate":
// applied once, its answer lost) completes the call with that error; the caller may read back
// what it wrote (the API server does). Other calls (reads, leases, watches) carry no session
// and are never sent again after silence. The store refuses a write more than
// SessionLimits::sequences_max (1024) past the session's oldest unanswered one, so at most
// that many session writes are in flight: later ones wait, unsent and in sequence order, until
// the oldest is answered (the answer that moves the window sends them) or times out (the tick
// that expires it does); one still unsent at its deadline ends "busy" (surely not applied).
// Held writes went out only on the API actor's 100 ms tick once: at ~1,000 writes per tick
// that capped a whole cluster at ~10,000 writes (~1,600 pods) per second, however idle the
// store was (simulator, 1,000 to 5,000 nodes). Without the window a burst (a ReplicaSet's 500
// creates beside the agents' status writes) was refused "invalid" by the store: 1,048 of 3,958 pod
// creates in the 100-node simulation.
// CAF-free.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/store/codec/store_protocol.hpp"
#include "schemas/envelope.capnp.h"
#include "storage/session_table.hpp"

namespace craton::store {

struct StoreCallsConfig {
  std::int64_t timeout_ms = 5000;  ///< per call, all its sends together
  int attempts_max = 6;
  std::int64_t backoff_ms = 200;
  std::size_t pending_max = 4096;
  /// With a session: a write unanswered this long is sent again (same session and sequence);
  /// 0: never. Off by default: a resend makes a write more likely to take effect after its
  /// caller was told "timeout", and a caller that takes a timeout for "not applied" then
  /// repeats it (the controllers simulation, seed 1010 over 5 nodes: a ReplicaSet's create
  /// resent through a partition was applied, reported as a timeout, and a fifth pod of four
  /// was made). Turn it on only for callers that read back after a timeout.
  std::int64_t attempt_timeout_ms = 0;
  /// Session writes sent past the oldest unanswered one: the store's bound.
  std::uint64_t session_window = storage::SessionLimits{}.sequences_max;
};

/// The store's encoding of a request into an envelope's body, and of the reply out of one
/// ("malformed" when the body is no storeResponse).
/// With `session`, the request carries that client session (writes only).
void write_request(schema::Envelope::Body::Builder body, const StoreRequest& request,
                   const std::optional<storage::ClientSession>& session = std::nullopt);
Result<StoreReply> read_reply(schema::Envelope::Body::Reader body);

class StoreCalls {
 public:
  using Done = std::function<void(Result<StoreReply>)>;
  /// An envelope to send: the request to "<node>/store" with this correlation id.
  struct Send {
    std::string node;
    std::uint64_t correlation = 0;
    StoreRequest request;
    std::optional<storage::ClientSession> session;  ///< set on the request when present
  };

  /// `first_correlation`: where this incarnation's ids start (unique across restarts).
  /// `session_id`: this client's session, non-zero and unique per incarnation (a random
  /// number); 0 sends writes without one (never de-duplicated, never sent again after silence).
  StoreCalls(std::string local_node, std::uint64_t first_correlation, StoreCallsConfig config,
             std::uint64_t session_id = 0);

  /// Starts a call. Returns what to send, or nothing when it was refused (done ran: busy) or
  /// waits for the session window (the answer or tick that moves it sends it).
  std::optional<Send> call(StoreRequest request, std::int64_t now_ms, Done done);
  /// A storeResponse with this correlation id arrived (unknown ids are ignored). Returns the
  /// resend when the call goes on elsewhere at once, then the held writes the answer let into
  /// the window.
  std::vector<Send> on_reply(std::uint64_t correlation, Result<StoreReply> reply,
                             std::int64_t now_ms);
  /// Completes calls past their deadline with "timeout" and returns the resends now due.
  std::vector<Send> tick(std::int64_t now_ms);
  std::size_t pending() const { return calls_.size(); }
  /// Ends every call with "unavailable" (the actor is going away).
  void fail_all();

 private:
  struct Call {
    StoreRequest request;
    Done done;
    std::int64_t deadline_ms = 0;
    int attempts = 0;
    std::optional<std::int64_t> resend_at_ms;  ///< waiting out a back-off
    std::string sent_to;                       ///< the node of its latest send
    std::int64_t sent_at_ms = 0;               ///< when its latest send left
    std::uint64_t sequence = 0;                ///< its place in the session; 0: none
    bool held = false;                         ///< not sent yet: outside the session window
  };
  /// Whether a session write with this sequence may be sent now.
  bool in_window(std::uint64_t sequence) const {
    return sequence - *unanswered_.begin() < config_.session_window;
  }
  Send send(std::uint64_t correlation, Call& call, const std::string& node, std::int64_t now_ms);
  /// Completes `call` with `result` and forgets its sequence.
  void finish(Call& call, Result<StoreReply> result);
  /// Sends the held writes that fit the window now, oldest first, onto `out`.
  void release_held(std::int64_t now_ms, std::vector<Send>& out);

  std::string local_node_;
  std::string leader_node_;  ///< where calls go first
  std::uint64_t next_correlation_;
  StoreCallsConfig config_;
  std::map<std::uint64_t, Call> calls_;  ///< by the correlation id of their latest send
  std::uint64_t session_id_ = 0;
  std::uint64_t last_sequence_ = 0;
  std::set<std::uint64_t> unanswered_;  ///< sequences of the writes not yet completed
  /// Correlation ids of the held writes in sequence order (ids rise with sequences); ids of
  /// calls that ended meanwhile are dropped when they reach the front.
  std::deque<std::uint64_t> held_;
};

}  // namespace craton::store
