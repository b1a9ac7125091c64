#include "storage/lmdb_txn.hpp"

#include "storage/lmdb_error.hpp"

namespace craton::storage {

Result<std::optional<std::string_view>> Txn::get(Database db, std::string_view key) const {
  MDB_val k = as_val(key);
  MDB_val v{};
  int rc = mdb_get(txn_, db.dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>{};
  if (rc != 0) return lmdb_error(rc, "get");
  return std::optional<std::string_view>{as_view(v)};
}

Result<Cursor> Txn::cursor(Database db) const {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(txn_, db.dbi, &c);
  if (rc != 0) return lmdb_error(rc, "open cursor");
  return Cursor(c, faults_);
}

Result<std::size_t> Txn::count(Database db) const {
  MDB_stat st{};
  int rc = mdb_stat(txn_, db.dbi, &st);
  if (rc != 0) return lmdb_error(rc, "stat");
  return static_cast<std::size_t>(st.ms_entries);
}

Result<ReadTxn> ReadTxn::begin(MDB_env* env) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return lmdb_error(rc, "begin read transaction");
  return ReadTxn(txn);
}

ReadTxn::~ReadTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

Result<WriteTxn> WriteTxn::begin(MDB_env* env, DiskFaults* faults) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc != 0) return lmdb_error(rc, "begin write transaction");
  return WriteTxn(txn, faults);
}

WriteTxn::~WriteTxn() {
  if (txn_ == nullptr) return;
  mdb_txn_abort(txn_);
  if (faults_ != nullptr) faults_->aborted();
}

Status WriteTxn::put(Database db, std::string_view key, std::string_view value) {
  if (faults_ != nullptr)
    if (auto s = faults_->before_write(txn_, db.dbi, key); !s) return s;
  MDB_val k = as_val(key);
  MDB_val v = as_val(value);
  int rc = mdb_put(txn_, db.dbi, &k, &v, 0);
  if (rc != 0) return lmdb_error(rc, "put");
  return Ok{};
}

Result<bool> WriteTxn::del(Database db, std::string_view key) {
  if (faults_ != nullptr)
    if (auto s = faults_->before_write(txn_, db.dbi, key); !s) return s.error();
  MDB_val k = as_val(key);
  int rc = mdb_del(txn_, db.dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return lmdb_error(rc, "delete");
  return true;
}

Status WriteTxn::clear(Database db) {
  if (faults_ != nullptr) {
    // The disk sees a clear as the deletes it amounts to (a crash may have to undo them).
    auto c = cursor(db);
    if (!c) return c.error();
    for (auto r = c->first(); r && *r; r = c->next())
      if (auto s = faults_->before_write(txn_, db.dbi, (*r)->key); !s) return s;
  }
  int rc = mdb_drop(txn_, db.dbi, 0);
  if (rc != 0) return lmdb_error(rc, "clear database");
  return Ok{};
}

Status WriteTxn::commit(Durability durability) {
  // LMDB reads MDB_NOMETASYNC at commit time and lets it change between transactions
  // (mdb_env_set_flags), so one environment can mix full and deferred commits. Only the
  // single writer (this thread, now) commits, so the toggle cannot leak into another commit.
  if (faults_ != nullptr) {
    if (auto s = faults_->before_commit(durability); !s) {
      mdb_txn_abort(std::exchange(txn_, nullptr));
      faults_->aborted();
      return s;
    }
  }
  MDB_env* env = mdb_txn_env(txn_);
  unsigned flags = 0;
  mdb_env_get_flags(env, &flags);
  bool defer = durability == Durability::deferred && (flags & (MDB_NOSYNC | MDB_NOMETASYNC)) == 0;
  if (defer) mdb_env_set_flags(env, MDB_NOMETASYNC, 1);
  // mdb_txn_commit frees the transaction even when it fails.
  int rc = mdb_txn_commit(std::exchange(txn_, nullptr));
  if (defer) mdb_env_set_flags(env, MDB_NOMETASYNC, 0);
  if (faults_ != nullptr) rc == 0 ? faults_->committed(durability) : faults_->aborted();
  if (rc != 0) return lmdb_error(rc, "commit");
  return Ok{};
}

Cursor::~Cursor() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
}

Result<std::optional<Record>> Cursor::move(MDB_val* key, MDB_cursor_op op, std::string_view what) {
  MDB_val v{};
  int rc = mdb_cursor_get(cursor_, key, &v, op);
  if (rc == MDB_NOTFOUND) return std::optional<Record>{};
  if (rc != 0) return lmdb_error(rc, what);
  return std::optional<Record>{Record{as_view(*key), as_view(v)}};
}

Result<std::optional<Record>> Cursor::seek(std::string_view key) {
  MDB_val k = as_val(key);
  return move(&k, MDB_SET_RANGE, "cursor seek");
}

Result<std::optional<Record>> Cursor::first() {
  MDB_val k{};
  return move(&k, MDB_FIRST, "cursor first");
}

Result<std::optional<Record>> Cursor::last() {
  MDB_val k{};
  return move(&k, MDB_LAST, "cursor last");
}

Result<std::optional<Record>> Cursor::next() {
  MDB_val k{};
  return move(&k, MDB_NEXT, "cursor next");
}

Result<std::optional<Record>> Cursor::prev() {
  MDB_val k{};
  return move(&k, MDB_PREV, "cursor prev");
}

Status Cursor::del_current() {
  if (faults_ != nullptr) {
    MDB_val k{};
    MDB_val v{};
    int got = mdb_cursor_get(cursor_, &k, &v, MDB_GET_CURRENT);
    if (got != 0) return lmdb_error(got, "cursor delete");
    if (auto s =
            faults_->before_write(mdb_cursor_txn(cursor_), mdb_cursor_dbi(cursor_), as_view(k));
        !s)
      return s;
  }
  int rc = mdb_cursor_del(cursor_, 0);
  if (rc != 0) return lmdb_error(rc, "cursor delete");
  return Ok{};
}

}  // namespace craton::storage
