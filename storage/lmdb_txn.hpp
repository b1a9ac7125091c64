// RAII transactions and cursors over one LMDB environment.
//
// Promises:
// - A WriteTxn aborts in its destructor unless commit() succeeded, so a write transaction never
//   outlives the scope (and so the actor message) that opened it. A failed commit has aborted.
// - Errors are values (Result/Status with lmdb_error codes); MDB_NOTFOUND on a lookup is an
//   empty optional, not an error.
// - Views returned by get()/Cursor point into the memory map and stay valid only until the
//   transaction ends or (for a WriteTxn) the next write through it. Copy them to keep them.
// - With a DiskFaults (storage/disk_faults.hpp), a WriteTxn and its cursors consult it before
//   each write and around the commit; a write or commit it refuses changes nothing.
// - A Cursor must be destroyed before its transaction ends. All of these are move-only and
//   must not outlive the Environment that created them.
#pragma once

#include <lmdb.h>

#include <optional>
#include <string_view>
#include <utility>

#include "runtime/result.hpp"
#include "storage/disk_faults.hpp"

namespace craton::storage {

/// A named database inside an environment (an MDB_dbi; valid for the environment's life).
struct Database {
  MDB_dbi dbi = 0;
};

/// A key/value pair viewing the memory map.
struct Record {
  std::string_view key;
  std::string_view value;
};

class Cursor;

/// Operations shared by read and write transactions.
class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  /// The value stored under `key`, or nullopt when absent.
  Result<std::optional<std::string_view>> get(Database db, std::string_view key) const;
  /// A cursor over `db`; it must be destroyed before this transaction ends.
  Result<Cursor> cursor(Database db) const;
  /// Number of records in `db`.
  Result<std::size_t> count(Database db) const;

  MDB_txn* raw() const { return txn_; }

 protected:
  explicit Txn(MDB_txn* txn, DiskFaults* faults = nullptr) : txn_(txn), faults_(faults) {}
  Txn(Txn&& other) noexcept
      : txn_(std::exchange(other.txn_, nullptr)), faults_(std::exchange(other.faults_, nullptr)) {}
  ~Txn() = default;

  MDB_txn* txn_ = nullptr;
  DiskFaults* faults_ = nullptr;  ///< write transactions of a simulated disk only
};

/// A read-only snapshot. Keep it short: a long-lived reader stops LMDB from reusing pages.
class ReadTxn : public Txn {
 public:
  /// Begins a read transaction on `env`.
  static Result<ReadTxn> begin(MDB_env* env);
  ReadTxn(ReadTxn&& other) noexcept = default;
  ~ReadTxn();

 private:
  explicit ReadTxn(MDB_txn* txn) : Txn(txn) {}
};

/// How much of a commit must reach the disk before commit() returns.
enum class Durability {
  /// Data pages, then the meta page that makes them current, are synced (two fsyncs): once
  /// commit() returns the transaction survives an OS crash.
  full,
  /// Data pages are synced but the meta page is only written (one fsync): an OS crash may
  /// undo this transaction (and any later deferred ones), never corrupt the file, and the next
  /// `full` commit makes it durable too. For state that can be rebuilt from something already
  /// durable (the applied state machine, replayed from the Raft log; a commit index that the
  /// leader repeats). A process crash loses nothing either way.
  deferred,
};

/// The single writer. Aborted on destruction unless committed.
class WriteTxn : public Txn {
 public:
  /// Begins a write transaction on `env` (blocks while another writer is active); `faults`,
  /// when given, is consulted at every write and commit (storage/disk_faults.hpp).
  static Result<WriteTxn> begin(MDB_env* env, DiskFaults* faults = nullptr);
  WriteTxn(WriteTxn&& other) noexcept = default;
  ~WriteTxn();

  /// Stores `value` under `key`, replacing any previous value.
  Status put(Database db, std::string_view key, std::string_view value);
  /// Removes `key`; returns false when it was absent.
  Result<bool> del(Database db, std::string_view key);
  /// Removes every record of `db` (the database itself stays).
  Status clear(Database db);
  /// Makes the changes visible and as durable as `durability` asks (an environment opened
  /// with no_sync or no_meta_sync never syncs more than it says). After a failed commit the
  /// transaction is aborted and unusable.
  Status commit(Durability durability = Durability::full);

 private:
  WriteTxn(MDB_txn* txn, DiskFaults* faults) : Txn(txn, faults) {}
};

/// Iterates one database in key order (byte-wise, shorter first).
class Cursor {
 public:
  Cursor(Cursor&& other) noexcept
      : cursor_(std::exchange(other.cursor_, nullptr)),
        faults_(std::exchange(other.faults_, nullptr)) {}
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor();

  /// Positions at the first record with key >= `key`.
  Result<std::optional<Record>> seek(std::string_view key);
  Result<std::optional<Record>> first();
  Result<std::optional<Record>> last();
  Result<std::optional<Record>> next();
  Result<std::optional<Record>> prev();
  /// Deletes the record under the cursor (write transactions only).
  Status del_current();

 private:
  friend class Txn;
  Cursor(MDB_cursor* cursor, DiskFaults* faults) : cursor_(cursor), faults_(faults) {}
  Result<std::optional<Record>> move(MDB_val* key, MDB_cursor_op op, std::string_view what);

  MDB_cursor* cursor_ = nullptr;
  DiskFaults* faults_ = nullptr;
};

/// Views an MDB_val as bytes, and bytes as an MDB_val (LMDB never writes through input keys).
inline std::string_view as_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}
inline MDB_val as_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

}  // namespace craton::storage
