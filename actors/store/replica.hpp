// Replica: one store replica's pure glue core. It owns the Raft state machine, the durable Raft
// log (storage::RaftLogStore) and the MVCC key-value store (storage::MvccStore), all in one LMDB
// environment under the data directory, and turns inputs into decisions:
//
//   step(raft message) / tick() / submit(client request)  -> immediate replies
//   flush()                                                -> messages to send, replies
//
// Promises:
// - Group commit: flush() drains every pending Raft Ready; each Ready's entries and hard state
//   are persisted with ONE RaftLogStore::save (one fsync) before its messages are handed out,
//   and its committed entries are applied with ONE MvccStore::apply_batch. A shell that calls
//   flush() once per burst of inputs batches all proposals of the burst into one sync.
// - A write is answered only after it is applied, with the MVCC result (errors unchanged). If
//   another entry took its log position (leader change) it is answered "proposal_dropped"
//   (certainly not applied); if nothing is known within request_timeout_ticks, "timeout".
// - Linearizable reads go through Raft's ReadIndex and are served once the read index is
//   applied; serializable reads and status are answered at once from local state.
// - Writes on a non-leader are refused with "not_leader" and the believed leader's id.
// - Pending requests are bounded (pending_max): beyond it, "busy".
// - After a crash, open() on the same directory recovers: Raft from the log store, the key
//   space from the MVCC store (whose applied index makes replaying entries harmless).
// - If the disk fails, failed() turns true and the replica does nothing more; the shell stops.
//
// - Membership (etcd's member add/remove/promote/list, move-leader): changes are accepted by
//   the leader only, one at a time, checked first (duplicate id or address, bad address,
//   removing the last voter, promoting a lagging learner are refused and change nothing), and
//   answered with the resulting MemberList after their conf change entry applies. Members'
//   addresses travel in the entries (member_directory.hpp). A removed replica answers
//   "removed" and reports removed(); its shell shuts it down.
//
// Not implemented: creating snapshots and compacting the Raft log (the log grows and is loaded
// into memory at open; member addresses are rebuilt from it), installing snapshots received
// from a leader (failed() with "snapshot_unsupported"). No CAF, no clock, no threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/store/member_directory.hpp"
#include "actors/store/raft.hpp"
#include "actors/store/store_protocol.hpp"
#include "storage/lmdb_env.hpp"
#include "storage/mvcc_store.hpp"
#include "storage/raft_log_store.hpp"

namespace craton::store {

struct ReplicaConfig {
  raft::NodeId id = 0;
  /// The cluster's voters at bootstrap (including id); the same on every restart.
  std::vector<raft::NodeId> voters;
  /// Addresses ("host:port") from --peers or --join; at bootstrap they go into the log with
  /// the initial members, so replicas added later learn them (see member_directory.hpp).
  std::map<raft::NodeId, std::string> peer_addresses;
  std::string data_dir;
  std::uint64_t seed = 0;
  int election_tick = 10;
  int heartbeat_tick = 1;
  int request_timeout_ticks = 50;  ///< a pending request older than this is answered "timeout"
  std::size_t pending_max = 4096;  ///< pending writes + pending linearizable reads
  std::size_t map_size_bytes = std::size_t{8} << 30;  ///< above the MVCC quota (2 GiB)
  bool no_sync = false;                               ///< tests and benchmarks only
  storage::MvccOptions mvcc;
};

struct ClientReply {
  std::uint64_t request_id = 0;  ///< as given to submit()
  StoreReply reply;
};

struct ReplicaOutput {
  std::vector<raft::Message> messages;  ///< to other replicas, in order
  std::vector<ClientReply> replies;
};

class Replica {
 public:
  /// Opens (or creates) the data directory and restores the replica from it.
  static Result<std::unique_ptr<Replica>> open(ReplicaConfig config);

  /// A message from another replica; malformed ones are dropped (counted in dropped()).
  void step(raft::Message m);
  /// One logical tick; expires pending requests past their deadline.
  ReplicaOutput tick();
  /// A client request; `request_id` names it in the reply. Status, serializable reads and
  /// refusals are answered at once, the rest after a later flush().
  ReplicaOutput submit(std::uint64_t request_id, StoreRequest request);
  /// Persists, sends and applies everything pending (see the promises above).
  ReplicaOutput flush();

  MemberStatus status() const;
  bool failed() const { return failure_.has_value(); }
  const std::optional<Error>& failure() const { return failure_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t pending() const { return proposals_.size() + reads_.size() + transfers_.size(); }
  const raft::Raft& raft() const { return *raft_; }
  /// Where every current member listens (this replica included), as the log says.
  std::map<raft::NodeId, std::string> member_addresses() const { return members_->addresses(); }
  /// An applied change removed this replica: it answers "removed" and its shell shuts down.
  bool removed() const { return members_->removed(); }
  /// Graceful shutdown: a leader hands leadership to its most up-to-date voter. Returns the
  /// voter chosen, or 0 (not the leader, or no other voter).
  raft::NodeId transfer_to_best_voter();
  const storage::MvccStore& mvcc() const { return *mvcc_; }

 private:
  struct PendingWrite {
    std::uint64_t request_id = 0;
    std::uint64_t term = 0;  ///< the entry's term: another term at that index means dropped
    std::uint64_t deadline_tick = 0;
  };
  struct PendingRead {
    std::uint64_t request_id = 0;
    storage::RangeRequest range;
    std::uint64_t deadline_tick = 0;
    std::uint64_t read_index = 0;  ///< 0 until Raft hands out the ReadState
  };

  explicit Replica(ReplicaConfig config) : config_(std::move(config)) {}
  Status open_storage();
  StoreReply refuse(std::string code, std::string message) const;
  StoreReply read_now(const storage::RangeRequest& range) const;
  template <class Pending>
  void expire(Pending& pending, const char* message, ReplicaOutput& out);
  ReplicaOutput submit_read(std::uint64_t request_id, ReadRequest read);
  ReplicaOutput submit_write(std::uint64_t request_id, storage::WriteRequest write);
  Status handle_ready(raft::Ready& rd, ReplicaOutput& out);
  Status apply(const std::vector<raft::Entry>& entries, ReplicaOutput& out);
  void answer_write(const raft::Entry& e, Result<storage::WriteResponse> result,
                    ReplicaOutput& out);
  void serve_reads(ReplicaOutput& out);
  void fail(Error error);
  // membership and leader transfer (replica_membership.cpp)
  struct PendingTransfer {
    std::uint64_t request_id = 0;
    raft::NodeId to = 0;
    std::uint64_t deadline_tick = 0;
  };
  Status open_members();
  ReplicaOutput submit_member_change(std::uint64_t request_id, const MemberChangeRequest& change);
  Result<raft::ConfChange> check_member_change(const MemberChangeRequest& change) const;
  ReplicaOutput submit_transfer(std::uint64_t request_id, TransferLeaderRequest transfer);
  void apply_member_change(const raft::Entry& e, ReplicaOutput& out);
  void answer_transfers(ReplicaOutput& out);
  StoreReply not_leader_reply() const;

  ReplicaConfig config_;
  std::optional<storage::Environment> env_;
  std::optional<storage::RaftLogStore> log_;
  std::optional<storage::MvccStore> mvcc_;
  std::optional<raft::Raft> raft_;
  std::optional<MemberDirectory> members_;
  std::vector<PendingTransfer> transfers_;  ///< counted in pending()
  std::map<std::uint64_t, PendingWrite> proposals_;  ///< by log index
  std::map<std::uint64_t, PendingRead> reads_;       ///< by read context
  std::uint64_t next_read_context_ = 1;
  std::uint64_t ticks_ = 0;
  std::uint64_t applied_ = 0;  ///< last committed entry handled (data or not)
  std::uint64_t dropped_ = 0;
  std::optional<Error> failure_;
};

}  // namespace craton::store
