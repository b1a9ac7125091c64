// Raft: one replica's consensus state machine, in the shape of etcd's raft package.
//
// Pure: no I/O, no clock, no threads, no global randomness. The caller feeds it network
// messages (step), logical time (tick) and requests (propose, read_index, membership changes,
// transfer_leadership), then drains a Ready batch (see raft_message.hpp for the order in which
// a Ready must be handled) and calls advance(). Restarting a replica means constructing it from
// exactly what earlier Readys asked to persist (PersistentState).
//
// Implemented: leader election with randomized timeouts drawn from a per-node seeded Rng,
// pre-vote, check-quorum, log replication with batching, pipelining under a bounded in-flight
// window and fast back-off on mismatch, commit by counting only current-term entries,
// ReadIndex, snapshots with log compaction and InstallSnapshot, one-at-a-time membership
// changes with learners, and leader transfer (timeout_now).
//
// The caller (the actor shell) must: call tick() at a steady rate (election_tick ticks make an
// election timeout); handle each Ready completely and in order before calling advance(); call
// report_snapshot() for every snap message it sends (a transport that cannot observe delivery
// may report success once the message is handed off: a lost snapshot then shows up at the next
// probe and is sent again); wait for apply before answering a proposal or a ReadState.
//
// Errors a caller can act on (not leader, too large, change in progress, malformed message)
// are returned as values; a broken internal invariant aborts (CRATON_ASSERT, on in every build).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/raft/membership.hpp"
#include "actors/store/raft/progress.hpp"
#include "actors/store/raft/raft_log.hpp"
#include "actors/store/raft/raft_message.hpp"
#include "actors/store/raft/read_only.hpp"
#include "runtime/result.hpp"
#include "runtime/rng.hpp"

namespace craton::raft {

struct RaftConfig {
  NodeId id = 0;
  /// The initial configuration. With empty storage, a replica given voters bootstraps a new
  /// cluster: it writes them to its log as committed conf_change entries of term 1. A
  /// replica joining an existing cluster passes none and learns them from the leader. After
  /// a restart these must be the same as at bootstrap (or empty when joined later).
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  /// Bootstrap only: a context (ConfChange::context) for each initial member's entry, e.g.
  /// its address. Must be the same on every initial member, like the voters.
  std::map<NodeId, std::string> bootstrap_contexts;
  int election_tick = 10;                 ///< election timeout is drawn from [election_tick, 2x)
  int heartbeat_tick = 1;                 ///< ticks between leader heartbeats; < election_tick
  bool pre_vote = true;                   ///< campaign only after a pre-vote majority (thesis 9.6)
  bool check_quorum = true;               ///< leaders step down without a live majority; leases
  std::size_t inflight_appends_max = 64;  ///< unacknowledged appends per follower
  std::size_t msg_entries_max = 256;      ///< batching bound, count
  std::size_t msg_bytes_max = 1 << 20;    ///< batching bound, bytes of entry data
  std::size_t ready_committed_entries_max = 1024;  ///< entries handed to apply per Ready
  std::size_t pending_reads_max = 4096;            ///< ReadIndex requests queued at the leader
  std::size_t entry_bytes_max = 2 << 20;           ///< largest proposal accepted
  std::size_t incoming_msg_entries_max = 65536;    ///< larger incoming appends are malformed
  std::size_t uncommitted_entries_max = 65536;     ///< leader refuses proposals ("busy") beyond
  std::uint64_t seed = 0;     ///< mixed with id: each replica draws its own timeouts
  std::uint64_t applied = 0;  ///< state machine's applied index at restart (0: snapshot's)

  Status validate() const;
};

/// What a replica restarts from: exactly what its Readys asked to persist.
struct PersistentState {
  HardState hard_state;
  Snapshot snapshot;           ///< meta.index == 0 when there is none
  std::vector<Entry> entries;  ///< every stored entry after snapshot.meta.index, in order
};

class Raft {
 public:
  /// Validates the configuration and the stored state and restores the replica from them.
  static Result<Raft> open(RaftConfig config, PersistentState state);

  // ---- inputs ----
  /// A message from another replica. Malformed input is an error and changes nothing.
  Status step(Message m);
  /// The check step() makes first: an error for a message step() would refuse as malformed.
  Status validate(const Message& m) const;
  /// One logical tick (the shell maps time to ticks).
  void tick();
  /// Appends a command (leader only); returns its index. Others answer "not_leader".
  Result<std::uint64_t> propose(std::string data);
  /// Appends several commands as one batch; returns the index of the last.
  Result<std::uint64_t> propose_batch(std::vector<std::string> data);
  /// Proposes one membership change (leader only, one at a time); returns its index.
  Result<std::uint64_t> propose_conf_change(const ConfChange& cc);
  /// Asks for a linearizable read point; a ReadState with `context` comes out in a later
  /// Ready (or never, if leadership is lost: the caller retries after a timeout).
  Status read_index(std::string context);
  /// Hands leadership to voter `to` (leader only). The transfer is abandoned after an
  /// election timeout; proposals are refused meanwhile.
  Status transfer_leadership(NodeId to);
  /// The state machine has a snapshot at `index` (<= applied): drop the log up to it. The
  /// caller persists the snapshot itself and may delete stored entries up to `index`.
  /// `addresses` are kept in the snapshot's metadata for the caller (see SnapshotMeta).
  Status create_snapshot(std::uint64_t index, std::string data,
                         std::map<NodeId, std::string> addresses = {});
  /// The transport reports whether a snapshot message to `to` was delivered. Expected for
  /// every snap message sent: until then the leader sends `to` nothing but heartbeats (after
  /// 5 election timeouts of heartbeat answers without a report it probes `to` again).
  void report_snapshot(NodeId to, bool delivered);
  /// The transport could not reach `to`: stop pipelining to it until it answers.
  void report_unreachable(NodeId to);
  /// `from`, being sent a snapshot, was heard from outside Raft (it fetches the snapshot's
  /// data from this leader): it counts as active for check-quorum. A follower installing a
  /// snapshot answers no heartbeats until the install completes.
  void report_snapshot_activity(NodeId from);

  // ---- outputs ----
  bool has_ready() const;
  /// The next batch. Precondition: the previous Ready was followed by advance().
  Ready ready();
  /// The last Ready was handled (persisted, sent, applied).
  void advance();

  // ---- observation ----
  NodeId id() const { return id_; }
  std::uint64_t term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId lead() const { return lead_; }
  Role role() const { return role_; }
  const RaftLog& log() const { return log_; }
  const Membership& membership() const { return membership_; }
  const Snapshot& snapshot() const { return snapshot_; }
  /// Leader only: what it knows of `node`; nullptr for unknown nodes or non-leaders.
  const Progress* progress(NodeId node) const;
  NodeId lead_transferee() const { return lead_transferee_; }
  /// Leader only: learners whose log has reached the commit index, ready to be promoted
  /// with add_voter (promoting a lagging learner would stall commits until it catches up).
  std::vector<NodeId> caught_up_learners() const;
  HardState hard_state() const { return {term_, vote_, log_.committed()}; }
  SoftState soft_state() const { return {lead_, role_}; }

 private:
  enum class Campaign { pre_vote, election, transfer };
  enum class VoteResult { pending, won, lost };

  Raft(RaftConfig config, PersistentState state);
  void bootstrap();
  void replay_applied_conf_changes();

  // roles
  void become_follower(std::uint64_t term, NodeId lead);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void reset(std::uint64_t term);
  void reset_progress();
  void reset_randomized_election_timeout();

  // elections
  void tick_election();
  void tick_heartbeat();
  void hup(Campaign kind);
  void campaign(Campaign kind);
  VoteResult poll(NodeId from, bool granted);
  bool promotable() const { return membership_.is_voter(id_); }
  bool has_unapplied_conf_change() const;
  bool quorum_active();
  void handle_vote_request(const Message& m);

  // step
  bool step_term(const Message& m);
  void step_leader(Message& m);
  void step_candidate(Message& m);
  void step_follower(Message& m);
  void handle_append(Message& m);
  void handle_heartbeat(const Message& m);
  void handle_snapshot(Message& m);
  bool restore(const Snapshot& s);
  void handle_append_response(const Message& m, Progress& pr);
  void handle_heartbeat_response(const Message& m, Progress& pr);

  // replication
  void send(Message m);
  bool send_append(NodeId to, bool send_if_empty = true);
  void send_snapshot(NodeId to, Progress& pr);
  void send_heartbeat(NodeId to, const std::string& context);
  void broadcast_append();
  void broadcast_heartbeat(const std::string& context);
  Result<std::uint64_t> append_proposals(std::vector<Entry> entries);
  void append_entries(std::vector<Entry> entries);
  bool maybe_commit();
  Status check_can_propose() const;

  // reads
  void leader_read(NodeId from, std::string context);
  void answer_read(NodeId from, std::uint64_t index, std::string context);
  void release_pending_reads();

  // membership
  void apply_conf_change(const Entry& e);
  Membership membership_at(std::uint64_t index) const;

  // transfer
  void start_transfer(NodeId to);
  void abort_leader_transfer() { lead_transferee_ = 0; }

  RaftConfig cfg_;
  NodeId id_;
  Rng rng_;
  std::uint64_t term_ = 0;
  NodeId vote_ = 0;
  NodeId lead_ = 0;
  Role role_ = Role::follower;
  RaftLog log_;
  Snapshot snapshot_;
  Membership membership_;
  /// Configurations applied at each index since the snapshot (for snapshots at older indexes).
  std::vector<std::pair<std::uint64_t, Membership>> conf_history_;
  std::map<NodeId, Progress> progress_;
  std::map<NodeId, bool> votes_;
  std::vector<Message> msgs_;
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  NodeId lead_transferee_ = 0;
  std::uint64_t pending_conf_index_ = 0;
  ReadOnlyQueue read_only_;
  std::uint64_t unsent_read_round_ = 0;  ///< read round whose heartbeats are still in msgs_
  std::vector<std::pair<NodeId, std::string>> reads_awaiting_commit_;
  std::vector<ReadState> read_states_;
  std::optional<Snapshot> pending_snapshot_;  ///< received, to hand out in a Ready

  // Ready bookkeeping
  HardState prev_hard_state_;
  SoftState prev_soft_state_;
  bool awaiting_advance_ = false;
  struct Handed {
    std::optional<HardState> hard_state;
    std::uint64_t stable_index = 0, stable_term = 0;
    std::vector<Entry> conf_changes;
    std::uint64_t applied = 0;
    bool snapshot = false;
  } handed_;
};

}  // namespace craton::raft
