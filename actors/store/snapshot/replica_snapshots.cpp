// ReplicaSnapshots: log compaction decisions, and receiving and serving snapshots (see
// replica_snapshots.hpp and snapshot_transfer.hpp for the transfer protocol).
#include "actors/store/snapshot/replica_snapshots.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::store {

ReplicaSnapshots::ReplicaSnapshots(ReplicaSnapshotConfig config)
    : config_(std::move(config)), sender_(config_.transfer) {}

std::optional<std::uint64_t> ReplicaSnapshots::compaction_index(const raft::RaftLog& log) const {
  if (held_ || config_.snapshot_entries == 0) return std::nullopt;
  const auto keep = config_.snapshot_catchup_entries;
  const auto done = std::min(log.applied(), log.stable());  // Raft snapshots only these
  if (done <= log.snapshot_index() + config_.snapshot_entries + keep) return std::nullopt;
  // A follower installing a snapshot continues from the log right after it: compacting past a
  // transfer in progress would send it after another snapshot as soon as this one lands (a
  // treadmill when transfers are slower than the log grows). Idle transfers expire, so this
  // holds the log back for a bounded time only.
  auto index = done - keep;
  if (auto transferring = sender_.oldest_export()) index = std::min(index, *transferring);
  if (index <= log.snapshot_index()) return std::nullopt;
  return index;
}

bool ReplicaSnapshots::needs_transfer(const raft::Message& m, std::uint64_t mvcc_applied) const {
  return m.type == raft::MessageType::snap && m.snapshot && m.snapshot->meta.index > mvcc_applied;
}

Result<std::optional<SnapshotFetch>> ReplicaSnapshots::hold(raft::Message snap,
                                                            std::uint64_t now_tick) {
  CRATON_ASSERT(!held_ && snap.snapshot, "one snapshot transfer at a time");
  const auto index = snap.snapshot->meta.index;
  const auto lead = snap.from;  // the leader that sent it has (at least) that state
  held_ = std::move(snap);
  storage::StagingOptions staging{config_.staging_dir, config_.map_size_bytes,
                                  config_.transfer.excluded_tables};
  // Transfer ids differ across restarts of this replica as long as ticks or indexes move;
  // the receiver also checks that every chunk comes from one view (same applied index).
  const auto id_base = (config_.seed << 40) ^ (now_tick << 20) ^ index;
  receiver_ = std::make_unique<SnapshotReceiver>(config_.transfer, std::move(staging), config_.self,
                                                 index, id_base);
  auto first = receiver_->start(lead, now_tick);
  if (!first) return first.error();
  return std::optional<SnapshotFetch>{std::move(*first)};
}

Result<std::optional<SnapshotFetch>> ReplicaSnapshots::tick(raft::Raft& raft,
                                                            std::uint64_t now_tick) {
  for (auto follower : sender_.expire(now_tick)) raft.report_snapshot(follower, false);
  if (!receiver_) return std::optional<SnapshotFetch>{};
  auto lead = raft.lead() == config_.self ? 0 : raft.lead();
  std::vector<raft::NodeId> peers;  // sorted: Membership keeps ordered sets
  for (auto id : raft.membership().voters)
    if (id != config_.self) peers.push_back(id);
  return receiver_->tick(lead, peers, now_tick);  // fails if staging cannot be created
}

Result<std::optional<SnapshotFetch>> ReplicaSnapshots::on_chunk(const SnapshotChunk& chunk,
                                                                std::uint64_t now_tick) {
  return receiver_->on_chunk(chunk, now_tick);
}

Result<std::uint64_t> ReplicaSnapshots::install(storage::Environment& env) {
  if (auto s = receiver_->staging().install(env); !s) return s.error();
  const auto snapshot_index = receiver_->snapshot_index();
  receiver_.reset();  // closes the staging environment
  if (auto s = storage::SnapshotStaging::discard(config_.staging_dir); !s) return s.error();
  return snapshot_index;
}

Result<raft::Message> ReplicaSnapshots::drop_transfer() {
  receiver_.reset();
  if (auto s = storage::SnapshotStaging::discard(config_.staging_dir); !s) return s.error();
  raft::Message m = std::move(*held_);
  held_.reset();
  return m;
}

raft::Message ReplicaSnapshots::take_installed() {
  ++installed_;
  raft::Message m = std::move(*held_);
  held_.reset();
  return m;
}

std::vector<SnapshotChunk> ReplicaSnapshots::serve(const SnapshotFetch& fetch,
                                                   storage::Environment& env, raft::Raft& raft,
                                                   std::uint64_t applied, std::uint64_t now_tick) {
  const auto term = raft.log().term(applied).value_or(0);
  raft.report_snapshot_activity(fetch.from);
  auto served = sender_.serve(fetch, env, applied, term, now_tick);
  // Success is reported when the last chunk goes out; an export dropped unfinished is
  // reported as a failure by tick(). Either way Raft probes the follower next.
  if (served.finished) raft.report_snapshot(fetch.from, true);
  return std::move(served.chunks);
}

}  // namespace craton::store
