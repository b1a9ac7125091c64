// StoreMetrics: a replica's Prometheus metrics under etcd 3.4's names, so that etcd dashboards
// and alerts read a Craton store unchanged. `craton store --metrics-listen` serves them on
// /metrics (docs/store.md, "Metrics").
//
//   etcd_server_proposals_committed_total    gauge      the commit index (as etcd: a gauge)
//   etcd_server_proposals_applied_total      gauge      the applied index
//   etcd_server_proposals_pending            gauge      writes proposed, not yet answered
//   etcd_server_proposals_failed_total       counter    refused, replaced, timed out
//   etcd_server_leader_changes_seen_total    counter    new leaders this replica learned of
//   etcd_server_has_leader, etcd_server_is_leader       gauges, 0 or 1
//   etcd_disk_wal_fsync_duration_seconds     histogram  Raft log saves (one synced txn each)
//   etcd_disk_backend_commit_duration_seconds histogram MVCC apply commits
//   etcd_mvcc_db_total_size_in_bytes         gauge      the LMDB file's used size
//   etcd_debugging_mvcc_watcher_total        gauge      watches served by this replica
//
// Unlabelled, as etcd's are (a scraper adds the instance). The shell calls update() on every
// tick (gauges lag by at most a tick) and hands disk_timer() to the replica when the process
// gives it a clock. Plain prometheus-cpp: no CAF; the counters are atomic, so the HTTP thread
// may read them while the actor writes.
#pragma once

#include <cstdint>
#include <functional>

#include "actors/store/replica/replica.hpp"
#include "runtime/metrics.hpp"

namespace craton::store {

class StoreMetrics {
 public:
  /// Registers (or finds) the metrics in `metrics`, which must outlive this object.
  explicit StoreMetrics(Metrics& metrics);

  /// Brings every gauge and counter up to the replica's state.
  void update(const Replica& replica);

  /// A DiskTimer that observes the two disk histograms with `now_ns` (monotonic).
  DiskTimer disk_timer(std::function<std::int64_t()> now_ns);

 private:
  prometheus::Gauge& committed_;
  prometheus::Gauge& applied_;
  prometheus::Gauge& pending_;
  prometheus::Counter& failed_;
  prometheus::Counter& leader_changes_;
  prometheus::Gauge& has_leader_;
  prometheus::Gauge& is_leader_;
  prometheus::Histogram& wal_fsync_;
  prometheus::Histogram& backend_commit_;
  prometheus::Gauge& db_size_;
  prometheus::Gauge& watchers_;
  ReplicaStats reported_;  ///< counts already added to the counters
};

}  // namespace craton::store
