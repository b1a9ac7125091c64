// Replica: log compaction, and installing and serving snapshots (see replica.hpp's promises
// and snapshot_transfer.hpp for the transfer protocol).
#include <algorithm>

#include "actors/store/replica/replica.hpp"

namespace craton::store {

void Replica::maybe_compact() {
  if (failed() || held_ || config_.snapshot_entries == 0) return;
  const auto& log = raft_->log();
  const auto keep = config_.snapshot_catchup_entries;
  const auto done = std::min(log.applied(), log.stable());  // Raft snapshots only these
  if (done <= log.snapshot_index() + config_.snapshot_entries + keep) return;
  // A follower installing a snapshot continues from the log right after it: compacting past a
  // transfer in progress would send it after another snapshot as soon as this one lands (a
  // treadmill when transfers are slower than the log grows). Idle transfers expire, so this
  // holds the log back for a bounded time only.
  auto index = done - keep;
  if (auto transferring = sender_->oldest_export()) index = std::min(index, *transferring);
  if (index <= log.snapshot_index()) return;
  // The MVCC store is durable at applied >= index, so the snapshot is just the metadata.
  // Member addresses go with it: the conf change entries that carried them are compacted.
  if (auto s = raft_->create_snapshot(index, "", members_->addresses()); !s) return;
  if (auto s = log_->save_snapshot(raft_->snapshot().meta); !s) return fail(s.error());
  if (auto s = log_->compact(index); !s) fail(s.error());
}

bool Replica::needs_install(const raft::Ready& rd) const {
  return rd.snapshot && rd.snapshot->meta.index > mvcc_->applied_index();
}

Status Replica::record_snapshot(const raft::Ready& rd) {
  // With the Ready's hard state in the same transaction: the snapshot's term may be newer
  // than the stored hard state's, which a restart would refuse.
  return log_->save_snapshot(rd.snapshot->meta, rd.hard_state);
}

void Replica::hold_snapshot_ready(raft::Ready rd, ReplicaOutput& out) {
  const auto index = rd.snapshot->meta.index;
  held_ = std::move(rd);
  storage::StagingOptions staging{staging_dir(), config_.map_size_bytes,
                                  snapshot_excluded_tables()};
  // Transfer ids differ across restarts of this replica as long as ticks or indexes move;
  // the receiver also checks that every chunk comes from one view (same applied index).
  const auto id_base = (config_.seed << 40) ^ (ticks_ << 20) ^ index;
  receiver_ = std::make_unique<SnapshotReceiver>(config_.snapshot_transfer, std::move(staging),
                                                 config_.id, index, id_base);
  const auto source = raft_->lead();
  if (source == 0 || source == config_.id) return;  // tick_snapshots() starts it later
  auto first = receiver_->start(source, ticks_);
  if (!first) return fail(first.error());
  out.fetches.push_back(std::move(*first));
}

void Replica::tick_snapshots(ReplicaOutput& out) {
  for (auto follower : sender_->expire(ticks_)) raft_->report_snapshot(follower, false);
  if (!receiver_) return;
  auto lead = raft_->lead() == config_.id ? 0 : raft_->lead();
  std::vector<raft::NodeId> peers;  // sorted: Membership keeps ordered sets
  for (auto id : raft_->membership().voters)
    if (id != config_.id) peers.push_back(id);
  auto fetch = receiver_->tick(lead, peers, ticks_);
  if (!fetch) return fail(fetch.error());  // the staging directory cannot be created
  if (*fetch) out.fetches.push_back(std::move(**fetch));
}

ReplicaOutput Replica::step_snapshot_fetch(const SnapshotFetch& fetch) {
  ReplicaOutput out;
  if (failed() || fetch.to != config_.id || fetch.from == 0 || fetch.from == config_.id) {
    ++dropped_;
    return out;
  }
  const auto applied = mvcc_->applied_index();
  const auto term = raft_->log().term(applied).value_or(0);
  raft_->report_snapshot_activity(fetch.from);
  auto served = sender_->serve(fetch, *env_, applied, term, ticks_);
  // Success is reported when the last chunk goes out; an export dropped unfinished is
  // reported as a failure by tick_snapshots(). Either way Raft probes the follower next.
  if (served.finished) raft_->report_snapshot(fetch.from, true);
  for (auto& chunk : served.chunks) out.chunks.push_back(std::move(chunk));
  return out;
}

ReplicaOutput Replica::step_snapshot_chunk(const SnapshotChunk& chunk) {
  ReplicaOutput out;
  if (failed() || !receiver_ || chunk.to != config_.id) {
    ++dropped_;
    return out;
  }
  auto next = receiver_->on_chunk(chunk, ticks_);
  if (!next) {
    ++dropped_;  // a bad chunk: the receiver restarts the transfer at its next timeout
    return out;
  }
  if (*next) out.fetches.push_back(std::move(**next));
  if (!receiver_->complete()) return out;
  if (auto s = finish_install(out); !s) {
    fail(s.error());
    return out;
  }
  out.append(flush());
  return out;
}

Status Replica::finish_install(ReplicaOutput& out) {
  if (auto s = receiver_->staging().install(*env_); !s) return s;
  const auto snapshot_index = receiver_->snapshot_index();
  receiver_.reset();  // closes the staging environment
  if (auto s = storage::SnapshotStaging::discard(staging_dir()); !s) return s;
  if (auto s = after_snapshot_install(); !s) return s;
  const auto applied = mvcc_->applied_index();
  if (applied < snapshot_index)
    return Error{"corrupt", "installed snapshot stands at applied index " +
                                std::to_string(applied) + ", below snapshot index " +
                                std::to_string(snapshot_index)};
  ++snapshots_installed_;
  // The snapshot may or may not contain a pending write's entry (another leader's entry may
  // have taken its place): its outcome is unknown.
  for (auto it = proposals_.begin(); it != proposals_.end() && it->first <= applied;) {
    out.replies.push_back(
        {it->second.request_id, refuse("timeout", "replaced by a snapshot: outcome unknown")});
    it = proposals_.erase(it);
  }
  applied_ = std::max(applied_, applied);
  raft::Ready rd = std::move(*held_);
  held_.reset();
  if (auto s = handle_ready(rd, out); !s) return s;
  raft_->advance();
  return Ok{};
}

Status Replica::after_snapshot_install() {
  // The MVCC store keeps an in-memory key index and counters: rebuild them from the tables.
  mvcc_.reset();
  auto mvcc = storage::MvccStore::open(*env_, config_.mvcc);
  if (!mvcc) return mvcc.error();
  mvcc_.emplace(std::move(*mvcc));
  leases_.recover(*mvcc_, 0);  // as at open: the leader sets expiries when it is promoted
  hub_->on_applied(*mvcc_);    // cancels, as compacted, watches whose history is gone
  if (held_ && held_->snapshot) members_->restore(held_->snapshot->meta);
  return Ok{};
}

}  // namespace craton::store
