// Environment: one LMDB environment (a directory holding data.mdb and lock.mdb) opened the way
// Craton needs it.
//
// Promises:
// - Opened with MDB_NOTLS, because CAF moves actors between threads: a read transaction is not
//   tied to the thread that began it. Write transactions must still begin and end inside one
//   call (see WriteTxn).
// - Map size, maximum number of named databases and reader slots are explicit options; stale
//   reader slots left by dead processes are cleared at open (mdb_reader_check).
// - Named databases are created on first open and their handles stay valid while the
//   Environment lives. Transactions, cursors and Database handles must not outlive it.
// - With EnvOptions::faults set, every write transaction consults it (storage/disk_faults.hpp).
// - copy_compact() writes a compacted copy (free pages omitted) into an empty directory; it is
//   how the file shrinks, since LMDB never returns space to the file system.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/result.hpp"
#include "storage/disk_faults.hpp"
#include "storage/lmdb_txn.hpp"

namespace craton::storage {

struct EnvOptions {
  std::string path;                         ///< a directory; created when missing
  std::size_t map_size_bytes = 1ull << 30;  ///< the largest the data file may grow
  unsigned databases_max = 8;               ///< named databases this environment may hold
  unsigned readers_max = 126;               ///< concurrent read transactions
  /// Skip fsync at commit. A process crash loses nothing, an OS crash may lose or corrupt the
  /// latest transactions: only for simulation and benchmarks.
  bool no_sync = false;
  /// Sync data pages but not the meta page at commit: one fsync instead of two. An OS crash
  /// may undo the last committed transaction, never corrupt. For a state machine that can
  /// replay from the Raft log (MvccStore), never for the Raft log itself.
  bool no_meta_sync = false;
  /// The simulator's disk (storage/disk_faults.hpp); null in production, where LMDB's own
  /// behaviour is all there is. One DiskFaults per environment.
  std::shared_ptr<DiskFaults> faults{};
};

/// Sizes as LMDB reports them.
struct EnvStats {
  std::size_t map_size_bytes = 0;
  std::size_t page_size_bytes = 0;
  std::size_t used_bytes = 0;     ///< high-water mark of the data file (last page + 1) * page size
  int stale_readers_cleared = 0;  ///< by the check at open
};

class Environment {
 public:
  /// Opens (creating when needed) the environment at options.path.
  static Result<Environment> open(const EnvOptions& options);

  Environment(Environment&&) noexcept = default;
  Environment& operator=(Environment&&) noexcept = default;

  /// Opens or creates the named database `name` (non-empty, at most 64 bytes). It runs its own
  /// write transaction: never call it while this thread holds one (LMDB would deadlock).
  Result<Database> database(std::string_view name);

  Result<ReadTxn> begin_read() const { return ReadTxn::begin(env_.get()); }
  Result<WriteTxn> begin_write() { return WriteTxn::begin(env_.get(), faults_.get()); }

  /// Writes a compacted copy of the environment into `dest_dir`, which must exist and be empty.
  Status copy_compact(const std::string& dest_dir) const;

  /// Current sizes; stale_readers_cleared is what the check at open found.
  Result<EnvStats> stats() const;

  /// Flushes to disk (needed only with no_sync).
  Status sync();

  const std::string& path() const { return path_; }
  MDB_env* raw() const { return env_.get(); }

 private:
  struct Closer {
    void operator()(MDB_env* env) const { mdb_env_close(env); }
  };
  Environment(MDB_env* env, std::string path, int stale_cleared, std::shared_ptr<DiskFaults> faults)
      : faults_(std::move(faults)),
        env_(env),
        path_(std::move(path)),
        stale_cleared_(stale_cleared) {}

  // Declared first so that it outlives env_ (members are destroyed in reverse order).
  std::shared_ptr<DiskFaults> faults_;
  std::unique_ptr<MDB_env, Closer> env_;
  std::string path_;
  int stale_cleared_ = 0;
};

}  // namespace craton::storage
