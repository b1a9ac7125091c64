// Micro-benchmarks of the storage layer (`craton bench storage`), to compare with the raw LMDB
// figures in STACK.md (8-byte keys, 256-byte values; 1 put per synced commit ~2,900/s, 100
// per commit ~130,000 puts/s). Process code: measures wall time, run by hand, never from a
// unit test (the machine is shared and noisy).
#pragma once

#include <cstdint>
#include <string>

#include "runtime/result.hpp"

namespace craton::bench {

struct PutBenchConfig {
  std::string dir;                ///< an empty scratch directory (removed afterwards)
  std::size_t puts_per_sync = 1;  ///< entries or puts per write transaction (one fsync)
  std::size_t total_puts = 10'000;
  std::size_t key_bytes = 8;
  std::size_t value_bytes = 256;
  bool no_sync = false;
  bool no_meta_sync = false;
};

struct PutBenchResult {
  std::size_t puts = 0;
  std::size_t commits = 0;
  double seconds = 0;
  double puts_per_s = 0;
  double commit_p50_ms = 0;
  double commit_p99_ms = 0;
};

/// Baseline: plain puts through the LMDB wrappers (STACK.md's measurement, same disk now).
Result<PutBenchResult> bench_lmdb_puts(const PutBenchConfig& config);

/// RaftLogStore::save(hard_state, entries) with puts_per_sync entries per call.
Result<PutBenchResult> bench_raft_log_appends(const PutBenchConfig& config);

/// MvccStore::apply_batch with puts_per_sync put requests per call (each its own revision).
Result<PutBenchResult> bench_mvcc_puts(const PutBenchConfig& config);

struct ReopenBenchResult {
  std::size_t keys = 0;
  double fill_seconds = 0;
  double reopen_seconds = 0;  ///< MvccStore::open: rebuilding the key index from disk
  double index_heap_mib = 0;  ///< heap the reopened store holds (the key index)
  double data_file_mib = 0;
};

/// Fills a store with total_puts distinct keys (1,000 puts per commit), closes it, and
/// measures reopening it: time and memory of the in-memory key index.
Result<ReopenBenchResult> bench_mvcc_reopen(const PutBenchConfig& config);

/// One line: "<name>: N puts in C commits, X puts/s, commit p50 A ms p99 B ms".
std::string format_bench(const std::string& name, const PutBenchResult& r);

struct StorageBenchFlags {
  std::size_t total_puts = 20'000;
  std::string dir = "/tmp/craton-storage-bench";  ///< scratch, removed after each run
  bool no_sync = false;
};

/// Runs every micro-benchmark above and prints one line each; exit code 1 if any failed.
int run_storage_bench(const StorageBenchFlags& flags);

}  // namespace craton::bench
