// SimDisk: the simulator's disk behind one node's storage environment (the DiskFaults seam,
// storage/disk_faults.hpp), and SimDisks, the run's disks by node.
//
// What a SimDisk models, from each commit's requested durability (the environment itself runs
// with no_sync: the host never crashes, only simulated nodes do):
// - Sync semantics: it keeps an undo log of every write committed since the last `full`
//   commit (before each put or delete it records the value replaced, or its absence). A
//   successful `full` commit makes everything before it durable and clears the log, as
//   LMDB's meta-page sync does. After crash(), the next open of the environment applies the
//   undo records in reverse, in one transaction: the node comes back with exactly what was
//   synced and loses the `deferred` commits after it.
// - Faults, set by the world from the fault schedule: a full disk refuses every put, delete
//   and commit that writes (MDB_MAP_FULL, error code "no_space"); a failing sync fails the next
//   commit that writes (EIO, code "storage"), once; both abort the transaction, so nothing of
//   it is applied. A slow disk charges each commit that writes `sync_delay_ms` of simulated
//   time, which the world spends by stalling the node (no actor of it runs meanwhile).
// - Requests to the world go through SimDisks' queue, in the order they arose: stall a node,
//   or stop it (its replica failed on an injected error: like etcd on a failed fsync, the
//   process exits, and the world's supervisor restarts it a little later).
//
// Pure C++ on LMDB (no CAF). Deterministic: nothing here reads a clock or an address order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/world/fault_schedule.hpp"
#include "storage/disk_faults.hpp"

namespace craton::sim {

/// What a disk asks of the world.
struct DiskRequest {
  enum class Kind { stall, stop };
  std::string node;
  Kind kind = Kind::stall;
  std::int64_t stall_ms = 0;  ///< stall
};

/// Counters of one disk, for tests and reports.
struct DiskStats {
  std::uint64_t commits_synced = 0;    ///< `full` commits that wrote
  std::uint64_t commits_deferred = 0;  ///< `deferred` commits that wrote
  std::uint64_t commits_lost = 0;      ///< deferred commits undone by crashes
  std::uint64_t records_undone = 0;
  std::uint64_t writes_refused = 0;  ///< puts, deletes and commits refused or failed
};

class SimDisk final : public storage::DiskFaults {
 public:
  /// `requests` (may be null: then nothing is asked of anyone) outlives the disk.
  SimDisk(std::string node, std::vector<DiskRequest>* requests)
      : node_(std::move(node)), requests_(requests) {}

  void set_full(bool full) { full_ = full; }
  /// The next commit that writes fails as if its fsync had returned EIO.
  void fail_next_sync() { fail_next_sync_ = true; }
  /// Every commit that writes costs the node this much simulated time (0: none).
  void set_sync_delay_ms(std::int64_t ms) { sync_delay_ms_ = ms; }
  /// Test only: a disk that acknowledges syncs without making anything durable, so that a
  /// crash loses acknowledged writes (proves that the checkers catch that).
  void set_sync_lies(bool lies) { sync_lies_ = lies; }
  /// disk-ok and the settle point: no full disk, no pending sync failure, no delay.
  void clear_faults();
  /// The node's process died: the next open loses what no `full` commit made durable.
  void crash() { crashed_ = true; }

  /// True once this disk refused or failed something since the environment was last opened.
  bool injected() const { return injected_; }
  /// Asks the world to stop the node (see the header comment).
  void request_stop();
  const DiskStats& stats() const { return stats_; }
  /// Writes committed but not yet durable (what a crash now would undo).
  std::size_t unsynced_records() const { return unsynced_.size(); }

  // storage::DiskFaults
  Status opened(MDB_env* env) override;
  Status before_write(MDB_txn* txn, MDB_dbi dbi, std::string_view key) override;
  Status before_commit(storage::Durability durability) override;
  void committed(storage::Durability durability) override;
  void aborted() override { pending_.clear(); }
  void named(std::string_view name, MDB_dbi dbi) override { names_[dbi] = std::string(name); }

 private:
  struct Undo {
    MDB_dbi dbi = 0;
    std::string key;
    std::optional<std::string> old;  ///< nullopt: the key was absent
  };
  Status refuse(Status error);
  Status roll_back(MDB_env* env);

  std::string node_;
  std::vector<DiskRequest>* requests_;
  bool full_ = false;
  bool fail_next_sync_ = false;
  bool sync_lies_ = false;
  std::int64_t sync_delay_ms_ = 0;
  bool crashed_ = false;
  bool injected_ = false;
  std::vector<Undo> pending_;   ///< the open transaction's writes
  std::vector<Undo> unsynced_;  ///< committed since the last full commit, oldest first
  std::uint64_t unsynced_commits_ = 0;
  std::map<MDB_dbi, std::string> names_;  ///< named databases, to reopen them after a crash
  DiskStats stats_;
};

/// The run's disks, one per node, created on first use; they outlive the nodes' incarnations.
class SimDisks {
 public:
  std::shared_ptr<SimDisk> disk(const std::string& node);
  /// Applies a disk fault (disk-full, disk-ok, fsync-fail, disk-slow); false for other kinds.
  bool apply(const Fault& fault);
  /// The node crashed (scheduled or stopped): its next open loses unsynced writes.
  void crashed(const std::string& node);
  /// The settle point: every disk healthy again.
  void settle();
  /// What the disks asked since the last call, in order.
  std::vector<DiskRequest> take_requests();
  bool has_requests() const { return !requests_.empty(); }

 private:
  std::map<std::string, std::shared_ptr<SimDisk>> disks_;
  std::vector<DiskRequest> requests_;
};

}  // namespace craton::sim
