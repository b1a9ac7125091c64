// ReplicaStats and DiskTimer: what a replica counts and times for its shell's metrics
// (actors/store/store_metrics.hpp, etcd's names). Plain data: the replica only counts and, if
// given a clock, measures; it never reads a clock of its own, so the simulator (which gives
// none) stays deterministic.
#pragma once

#include <cstdint>
#include <functional>

namespace craton::store {

/// Monotonic counts since the replica opened.
struct ReplicaStats {
  /// Proposals that failed: refused by Raft, replaced by a leader change, timed out, or
  /// overtaken by a snapshot (etcd_server_proposals_failed_total).
  std::uint64_t proposals_failed = 0;
  /// Times this replica learned of a new leader (etcd_server_leader_changes_seen_total).
  std::uint64_t leader_changes_seen = 0;
};

/// The replica's two kinds of disk write.
enum class DiskWrite {
  log_save,  ///< a Raft Ready's entries and hard state, one synced transaction (etcd's WAL fsync)
  apply_commit  ///< an applied batch's MVCC transaction (etcd's backend commit)
};

/// Times disk writes when the shell gives it a clock; without one it does nothing.
struct DiskTimer {
  std::function<std::int64_t()> now_ns;                          ///< monotonic
  std::function<void(DiskWrite, std::int64_t elapsed_ns)> done;  ///< called after each write

  /// Runs `write` and reports how long it took; returns what it returned.
  template <class Write>
  auto time(DiskWrite kind, Write&& write) const {
    if (!now_ns || !done) return write();
    const auto start = now_ns();
    auto result = write();
    done(kind, now_ns() - start);
    return result;
  }
};

}  // namespace craton::store
