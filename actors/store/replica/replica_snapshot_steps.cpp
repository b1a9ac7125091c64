// Replica: the steps of compaction, snapshot install and snapshot serving that touch its own
// storage (log store, MVCC store, Raft); ReplicaSnapshots decides and transfers.
#include <algorithm>

#include "actors/store/replica/replica.hpp"

namespace craton::store {

void Replica::maybe_compact() {
  if (failed()) return;
  auto index = snapshots_.compaction_index(raft_->log());
  if (!index) return;
  // The MVCC store is durable at applied >= index, so the snapshot is just the metadata.
  // Member addresses go with it: the conf change entries that carried them are compacted.
  if (auto s = raft_->create_snapshot(*index, "", members_->addresses()); !s) return;
  if (auto s = log_->save_snapshot(raft_->snapshot().meta); !s) return fail(s.error());
  if (auto s = log_->compact(*index); !s) fail(s.error());
}

void Replica::emit_fetch(Result<std::optional<SnapshotFetch>> fetch, ReplicaOutput& out) {
  if (!fetch) return fail(fetch.error());  // e.g. the staging directory cannot be created
  if (*fetch) out.fetches.push_back(std::move(**fetch));
}

ReplicaOutput Replica::step_snapshot_fetch(const SnapshotFetch& fetch) {
  ReplicaOutput out;
  if (failed() || fetch.to != config_.id || fetch.from == 0 || fetch.from == config_.id) {
    ++dropped_;
    return out;
  }
  out.chunks = snapshots_.serve(fetch, *env_, *raft_, mvcc_->applied_index(), ticks_);
  return out;
}

ReplicaOutput Replica::step_snapshot_chunk(const SnapshotChunk& chunk) {
  ReplicaOutput out;
  if (failed() || !snapshots_.receiving() || chunk.to != config_.id) {
    ++dropped_;
    return out;
  }
  auto next = snapshots_.on_chunk(chunk, ticks_);
  if (!next) {
    ++dropped_;  // a bad chunk: the receiver restarts the transfer at its next timeout
    return out;
  }
  if (*next) out.fetches.push_back(std::move(**next));
  if (!snapshots_.complete()) return out;
  if (auto s = finish_install(out); !s) {
    fail(s.error());
    return out;
  }
  out.append(flush());
  return out;
}

Status Replica::finish_install(ReplicaOutput& out) {
  if (mvcc_->applied_index() >= snapshots_.received_applied_index()) {
    // The log caught this replica up while the state travelled (a new leader had the
    // entries): the received state is not newer than its own.
    auto held = snapshots_.drop_transfer();
    if (!held) return held.error();
    step_raft(std::move(*held));
    return Ok{};
  }
  auto snapshot_index = snapshots_.install(*env_);
  if (!snapshot_index) return snapshot_index.error();
  if (auto s = after_snapshot_install(); !s) return s;
  const auto applied = mvcc_->applied_index();
  if (applied < *snapshot_index)
    return Error{"corrupt", "installed snapshot stands at applied index " +
                                std::to_string(applied) + ", below snapshot index " +
                                std::to_string(*snapshot_index)};
  // The snapshot may or may not contain a pending write's entry (another leader's entry may
  // have taken its place): its outcome is unknown.
  for (auto it = proposals_.begin(); it != proposals_.end() && it->first <= applied;) {
    out.replies.push_back(
        {it->second.request_id,
         refuse(StoreErrorCode::timeout, "replaced by a snapshot: outcome unknown")});
    it = proposals_.erase(it);
    ++stats_.proposals_failed;
  }
  applied_ = std::max(applied_, applied);
  // Now Raft may see the snapshot: it restores its log from it (or, holding the entries,
  // learns they are committed) and answers the leader; the next flush records it.
  step_raft(snapshots_.take_installed());
  return Ok{};
}

Status Replica::after_snapshot_install() {
  // The MVCC store keeps an in-memory key index and counters: rebuild them from the tables.
  mvcc_.reset();
  auto mvcc = storage::MvccStore::open(*env_, mvcc_options());  // as at open
  if (!mvcc) return mvcc.error();
  mvcc_.emplace(std::move(*mvcc));
  leases_.recover(*mvcc_);       // as at open: the leader sets expiries when it is promoted
  watches_->on_applied(*mvcc_);  // cancels, as compacted, watches whose history is gone
  if (snapshots_.installing()) members_->restore(snapshots_.held().snapshot->meta);
  return Ok{};
}

}  // namespace craton::store
