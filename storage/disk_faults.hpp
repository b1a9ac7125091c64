// DiskFaults: the storage environment seam (LevelDB's Env idea, cut to what LMDB lets a caller
// intercept). An Environment may be given one at open; every write transaction of that
// environment then consults it before each put and delete, and around each commit.
//
// What it is for: the deterministic simulator (sim/world/sim_disk.hpp) models a disk behind it, so
// that a seed can make a disk full, fail an fsync, slow a sync down, or crash a node so that
// it loses exactly the commits that were never synced. Production passes none (EnvOptions::
// faults is null): LMDB behaves as it always does, and each hook costs one pointer test.
//
// Promises (of Environment, WriteTxn and Cursor):
// - opened() runs once, right after mdb_env_open and before any transaction; an error from it
//   fails Environment::open.
// - before_write() runs before every put, delete (WriteTxn::del, Cursor::del_current) and, per
//   record, before clear(); an error refuses that write and leaves the transaction as it was.
// - before_commit() runs before mdb_txn_commit with the durability the caller asked for (even
//   when the environment is opened with no_sync: the hook models the disk, not the host); an
//   error aborts the transaction, so nothing of it is applied, and commit() returns the error.
// - Exactly one of committed() / aborted() ends every write transaction.
// - One DiskFaults serves one environment, and LMDB has one writer: the hooks of two write
//   transactions never interleave.
#pragma once

#include <lmdb.h>

#include <string_view>

#include "runtime/result.hpp"

namespace craton::storage {

enum class Durability;  // storage/lmdb_txn.hpp

class DiskFaults {
 public:
  virtual ~DiskFaults() = default;

  /// The environment is open (nothing has read it yet). A simulated disk restores here what a
  /// crash left on it.
  virtual Status opened(MDB_env* env) = 0;
  /// `key` of database `dbi` is about to be replaced or deleted inside `txn`, which may be
  /// read (mdb_get) for the value it replaces. An error refuses the write.
  virtual Status before_write(MDB_txn* txn, MDB_dbi dbi, std::string_view key) = 0;
  /// The transaction is about to commit with `durability`. An error aborts it.
  virtual Status before_commit(Durability durability) = 0;
  /// The commit succeeded.
  virtual void committed(Durability durability) = 0;
  /// The transaction was aborted (explicitly, by a failed commit or by a refused commit).
  virtual void aborted() = 0;
  /// `name` was opened as `dbi` in this environment (Environment::database).
  virtual void named(std::string_view name, MDB_dbi dbi) = 0;
};

}  // namespace craton::storage
