// The simulated disk: sync semantics (undo log of unsynced commits) and injected disk faults.
#include "sim/world/sim_disk.hpp"

#include <cerrno>

#include "storage/lmdb_error.hpp"
#include "storage/lmdb_txn.hpp"

namespace craton::sim {

void SimDisk::clear_faults() {
  full_ = false;
  fail_next_sync_ = false;
  sync_delay_ms_ = 0;
}

void SimDisk::request_stop() {
  if (requests_ != nullptr) requests_->push_back({node_, DiskRequest::Kind::stop, 0});
}

Status SimDisk::refuse(Status error) {
  injected_ = true;
  ++stats_.writes_refused;
  return error;
}

Status SimDisk::opened(MDB_env* env) {
  injected_ = false;
  pending_.clear();
  if (!crashed_) return Ok{};
  crashed_ = false;
  return roll_back(env);
}

// Undoes, newest first and in one transaction, every write no full commit made durable.
Status SimDisk::roll_back(MDB_env* env) {
  if (unsynced_.empty()) return Ok{};
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc != 0) return storage::lmdb_error(rc, "simulated crash: begin");
  std::map<MDB_dbi, MDB_dbi> reopened;  // handle before the crash -> handle now
  for (auto it = unsynced_.rbegin(); it != unsynced_.rend() && rc == 0; ++it) {
    auto& dbi = reopened[it->dbi];
    if (dbi == 0) {
      auto name = names_.find(it->dbi);
      if (name == names_.end()) {
        rc = MDB_NOTFOUND;
        break;
      }
      rc = mdb_dbi_open(txn, name->second.c_str(), 0, &dbi);
      if (rc != 0) break;
    }
    MDB_val k = storage::as_val(it->key);
    if (it->old) {
      MDB_val v = storage::as_val(*it->old);
      rc = mdb_put(txn, dbi, &k, &v, 0);
    } else {
      rc = mdb_del(txn, dbi, &k, nullptr);
      if (rc == MDB_NOTFOUND) rc = 0;
    }
  }
  if (rc != 0) {
    mdb_txn_abort(txn);
    return storage::lmdb_error(rc, "simulated crash: undo unsynced writes");
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return storage::lmdb_error(rc, "simulated crash: commit undo");
  stats_.records_undone += unsynced_.size();
  stats_.commits_lost += unsynced_commits_;
  unsynced_.clear();
  unsynced_commits_ = 0;
  return Ok{};
}

Status SimDisk::before_write(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
  if (full_)
    return refuse(storage::lmdb_error(MDB_MAP_FULL, "write (simulated disk " + node_ + " full)"));
  MDB_val k = storage::as_val(key);
  MDB_val v{};
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc != 0 && rc != MDB_NOTFOUND) return storage::lmdb_error(rc, "simulated disk: read");
  Undo undo{dbi, std::string(key), std::nullopt};
  if (rc == 0) undo.old = std::string(storage::as_view(v));
  pending_.push_back(std::move(undo));
  return Ok{};
}

Status SimDisk::before_commit(storage::Durability) {
  if (pending_.empty()) return Ok{};  // nothing to write: no page reaches the disk
  if (full_)
    return refuse(storage::lmdb_error(MDB_MAP_FULL, "commit (simulated disk " + node_ + " full)"));
  if (fail_next_sync_) {
    fail_next_sync_ = false;
    return refuse(storage::lmdb_error(EIO, "commit (simulated fsync failure on " + node_ + ")"));
  }
  return Ok{};
}

void SimDisk::committed(storage::Durability durability) {
  if (pending_.empty()) return;
  if (sync_delay_ms_ > 0 && requests_ != nullptr)
    requests_->push_back({node_, DiskRequest::Kind::stall, sync_delay_ms_});
  if (durability == storage::Durability::full && !sync_lies_) {
    // LMDB's meta-page sync makes every earlier commit durable with this one.
    ++stats_.commits_synced;
    unsynced_.clear();
    unsynced_commits_ = 0;
  } else {
    ++stats_.commits_deferred;
    ++unsynced_commits_;
    for (auto& u : pending_) unsynced_.push_back(std::move(u));
  }
  pending_.clear();
}

std::shared_ptr<SimDisk> SimDisks::disk(const std::string& node) {
  auto& d = disks_[node];
  if (!d) d = std::make_shared<SimDisk>(node, &requests_);
  return d;
}

bool SimDisks::apply(const Fault& fault) {
  if (!is_disk_fault(fault.kind)) return false;
  auto d = disk(fault.nodes.at(0));
  switch (fault.kind) {
    case Fault::Kind::disk_full:
      d->set_full(true);
      break;
    case Fault::Kind::disk_ok:
      d->clear_faults();
      break;
    case Fault::Kind::fsync_fail:
      d->fail_next_sync();
      break;
    case Fault::Kind::disk_slow:
      d->set_sync_delay_ms(fault.duration_ms);
      break;
    default:
      break;
  }
  return true;
}

void SimDisks::crashed(const std::string& node) {
  if (auto it = disks_.find(node); it != disks_.end()) it->second->crash();
}

void SimDisks::settle() {
  for (auto& [node, d] : disks_) d->clear_faults();
}

std::vector<DiskRequest> SimDisks::take_requests() {
  std::vector<DiskRequest> out;
  out.swap(requests_);
  return out;
}

}  // namespace craton::sim
