// storage_bench: runs the storage micro-benchmarks and prints one line each. Not a unit test
// (timings on a shared machine are noise for assertions). Usage: storage_bench [TOTAL] [DIR]
// [nosync]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/storage_bench.hpp"

int main(int argc, char** argv) {
  using namespace craton::storage;
  std::size_t total = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20'000;
  std::string dir = argc > 2 ? argv[2] : "/tmp/craton-storage-bench";
  bool no_sync = argc > 3 && std::string(argv[3]) == "nosync";
  struct Run {
    const char* name;
    craton::Result<PutBenchResult> (*fn)(const PutBenchConfig&);
    std::size_t per_sync;
    std::size_t total;
    bool no_meta_sync = false;
  };
  // One put per sync is slow by nature; fewer of them keep the run short.
  Run runs[] = {{"raw lmdb, 1 put/sync", bench_lmdb_puts, 1, total / 10},
                {"raw lmdb, 100 puts/sync", bench_lmdb_puts, 100, total},
                {"raft log, 1 entry/sync", bench_raft_log_appends, 1, total / 10},
                {"raft log, 100 entries/sync", bench_raft_log_appends, 100, total},
                {"mvcc, 1 put/sync", bench_mvcc_puts, 1, total / 10},
                {"mvcc, 100 puts/sync", bench_mvcc_puts, 100, total},
                {"mvcc no_meta_sync, 1 put/sync", bench_mvcc_puts, 1, total / 10, true},
                {"mvcc no_meta_sync, 100 puts/sync", bench_mvcc_puts, 100, total, true}};
  int failures = 0;
  for (const auto& run : runs) {
    PutBenchConfig config;
    config.dir = dir;
    config.puts_per_sync = run.per_sync;
    config.total_puts = run.total;
    config.no_sync = no_sync;
    config.no_meta_sync = run.no_meta_sync;
    auto r = run.fn(config);
    if (!r) {
      std::fprintf(stderr, "%s: %s\n", run.name, r.error().message.c_str());
      ++failures;
      continue;
    }
    std::printf("%s\n", format_bench(run.name, *r).c_str());
  }
  PutBenchConfig config;
  config.dir = dir;
  config.total_puts = total * 10;
  config.key_bytes = 10;
  config.no_sync = true;  // filling is not what is measured here
  auto reopen = bench_mvcc_reopen(config);
  if (!reopen) {
    std::fprintf(stderr, "mvcc reopen: %s\n", reopen.error().message.c_str());
    return 1;
  }
  std::printf(
      "mvcc reopen: %zu keys (filled in %.1f s), index rebuilt in %.2f s, %.0f MiB of heap "
      "for the index, data.mdb %.0f MiB\n",
      reopen->keys, reopen->fill_seconds, reopen->reopen_seconds, reopen->index_heap_mib,
      reopen->data_file_mib);
  return failures == 0 ? 0 : 1;
}
