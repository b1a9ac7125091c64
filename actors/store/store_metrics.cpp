// StoreMetrics: etcd's metric names filled from a replica's state and disk timings.
#include "actors/store/store_metrics.hpp"

#include <memory>

namespace craton::store {
namespace {

// etcd's buckets for both disk histograms: 1 ms doubling up to 8.192 s (14 buckets).
prometheus::Histogram::BucketBoundaries disk_buckets() {
  prometheus::Histogram::BucketBoundaries buckets;
  double bound = 0.001;
  for (int i = 0; i < 14; ++i, bound *= 2) buckets.push_back(bound);
  return buckets;
}

}  // namespace

StoreMetrics::StoreMetrics(Metrics& m)
    : committed_(m.gauge("etcd_server_proposals_committed_total",
                         "The total number of consensus proposals committed.")),
      applied_(m.gauge("etcd_server_proposals_applied_total",
                       "The total number of consensus proposals applied.")),
      pending_(m.gauge("etcd_server_proposals_pending",
                       "The current number of pending proposals to commit.")),
      failed_(m.counter("etcd_server_proposals_failed_total",
                        "The total number of failed proposals seen.")),
      leader_changes_(
          m.counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.")),
      has_leader_(m.gauge("etcd_server_has_leader",
                          "Whether or not a leader exists. 1 is existence, 0 is not.")),
      is_leader_(m.gauge("etcd_server_is_leader",
                         "Whether or not this member is a leader. 1 if is, 0 otherwise.")),
      wal_fsync_(m.histogram("etcd_disk_wal_fsync_duration_seconds",
                             "The latency distributions of fsync called by WAL.", disk_buckets())),
      backend_commit_(m.histogram("etcd_disk_backend_commit_duration_seconds",
                                  "The latency distributions of commit called by backend.",
                                  disk_buckets())),
      db_size_(m.gauge("etcd_mvcc_db_total_size_in_bytes",
                       "Total size of the underlying database physically allocated in bytes.")),
      watchers_(m.gauge("etcd_debugging_mvcc_watcher_total", "Total number of watchers.")) {}

void StoreMetrics::update(const Replica& replica) {
  const auto status = replica.status();
  committed_.Set(static_cast<double>(status.commit_index));
  applied_.Set(static_cast<double>(status.applied_index));
  pending_.Set(static_cast<double>(replica.pending_writes()));
  const auto& stats = replica.stats();
  failed_.Increment(static_cast<double>(stats.proposals_failed - reported_.proposals_failed));
  leader_changes_.Increment(
      static_cast<double>(stats.leader_changes_seen - reported_.leader_changes_seen));
  reported_ = stats;
  has_leader_.Set(replica.raft().lead() != 0 ? 1 : 0);
  is_leader_.Set(replica.raft().role() == raft::Role::leader ? 1 : 0);
  db_size_.Set(static_cast<double>(status.db_size_bytes));
  watchers_.Set(static_cast<double>(replica.watch_hub().watchers()));
}

DiskTimer StoreMetrics::disk_timer(std::function<std::int64_t()> now_ns) {
  return DiskTimer{std::move(now_ns), [this](DiskWrite kind, std::int64_t elapsed_ns) {
                     auto& histogram = kind == DiskWrite::log_save ? wal_fsync_ : backend_commit_;
                     histogram.Observe(static_cast<double>(elapsed_ns) / 1e9);
                   }};
}

}  // namespace craton::store
