#include "bench/storage_bench.hpp"

#include <malloc.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "actors/store/replica/raft_log_store.hpp"
#include "storage/mvcc_store.hpp"

namespace craton::bench {

using namespace storage;  // the LMDB wrappers and MVCC store measured here
using store::RaftLogStore;

namespace {

using Clock = std::chrono::steady_clock;

std::string bench_key(std::size_t i, std::size_t bytes) {
  std::string key(bytes, '0');
  for (std::size_t pos = bytes; pos > 0 && i > 0; --pos, i /= 10) key[pos - 1] = char('0' + i % 10);
  return key;
}

Result<Environment> bench_env(const PutBenchConfig& c) {
  std::filesystem::remove_all(c.dir);
  return Environment::open(
      EnvOptions{c.dir, std::size_t{4} << 30, 8, 126, c.no_sync, c.no_meta_sync});
}

// Runs `commit(first, n)` for consecutive batches and times each call.
template <class CommitBatch>
Result<PutBenchResult> time_batches(const PutBenchConfig& c, CommitBatch commit) {
  if (c.puts_per_sync == 0 || c.total_puts == 0) {
    return Error{"invalid", "bench: puts_per_sync and total_puts must be positive"};
  }
  std::vector<double> commit_ms;
  auto start = Clock::now();
  for (std::size_t done = 0; done < c.total_puts;) {
    std::size_t n = std::min(c.puts_per_sync, c.total_puts - done);
    auto t0 = Clock::now();
    auto st = commit(done, n);
    if (!st) return st.error();
    commit_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    done += n;
  }
  PutBenchResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.puts = c.total_puts;
  r.commits = commit_ms.size();
  r.puts_per_s = static_cast<double>(r.puts) / r.seconds;
  std::sort(commit_ms.begin(), commit_ms.end());
  r.commit_p50_ms = commit_ms[commit_ms.size() / 2];
  r.commit_p99_ms = commit_ms[std::min(commit_ms.size() - 1, commit_ms.size() * 99 / 100)];
  std::filesystem::remove_all(c.dir);
  return r;
}

}  // namespace

Result<PutBenchResult> bench_lmdb_puts(const PutBenchConfig& c) {
  auto env = bench_env(c);
  if (!env) return env.error();
  auto db = env->database("bench");
  if (!db) return db.error();
  std::string value(c.value_bytes, 'v');
  return time_batches(c, [&](std::size_t first, std::size_t n) -> Status {
    auto txn = env->begin_write();
    if (!txn) return txn.error();
    for (std::size_t i = first; i < first + n; ++i) {
      auto st = txn->put(*db, bench_key(i, c.key_bytes), value);
      if (!st) return st;
    }
    return txn->commit();
  });
}

Result<PutBenchResult> bench_raft_log_appends(const PutBenchConfig& c) {
  auto env = bench_env(c);
  if (!env) return env.error();
  auto log = RaftLogStore::open(*env);
  if (!log) return log.error();
  std::string value(c.value_bytes, 'v');
  return time_batches(c, [&](std::size_t first, std::size_t n) -> Status {
    std::vector<raft::Entry> entries;
    for (std::size_t i = 0; i < n; ++i) {
      entries.push_back(raft::Entry{1, first + i + 1, raft::EntryType::normal, value});
    }
    return log->save(raft::HardState{1, 1, first}, entries);
  });
}

Result<PutBenchResult> bench_mvcc_puts(const PutBenchConfig& c) {
  auto env = bench_env(c);
  if (!env) return env.error();
  auto store = MvccStore::open(*env);
  if (!store) return store.error();
  std::string value(c.value_bytes, 'v');
  return time_batches(c, [&](std::size_t first, std::size_t n) -> Status {
    std::vector<IndexedWrite> writes;
    for (std::size_t i = 0; i < n; ++i) {
      PutRequest put;
      put.key = bench_key(first + i, c.key_bytes);
      put.value = value;
      writes.push_back({first + i + 1, std::move(put), std::nullopt});
    }
    for (auto& r : store->apply_batch(writes)) {
      if (!r) return r.error();
    }
    return Ok{};
  });
}

namespace {

// Heap bytes in use (glibc), so mapped LMDB pages do not count as index memory.
double heap_mib() {
  return static_cast<double>(mallinfo2().uordblks) / (1024.0 * 1024.0);
}

}  // namespace

Result<ReopenBenchResult> bench_mvcc_reopen(const PutBenchConfig& c) {
  ReopenBenchResult out;
  out.keys = c.total_puts;
  PutBenchConfig fill = c;
  fill.puts_per_sync = 1000;
  {
    auto env = bench_env(fill);
    if (!env) return env.error();
    auto store = MvccStore::open(*env);
    if (!store) return store.error();
    std::string value(c.value_bytes, 'v');
    auto t0 = Clock::now();
    for (std::size_t done = 0; done < c.total_puts; done += fill.puts_per_sync) {
      std::vector<IndexedWrite> writes;
      for (std::size_t i = done; i < std::min(c.total_puts, done + fill.puts_per_sync); ++i) {
        PutRequest put;
        put.key = "/registry/pods/default/" + bench_key(i, c.key_bytes);
        put.value = value;
        writes.push_back({i + 1, std::move(put), std::nullopt});
      }
      for (auto& r : store->apply_batch(writes)) {
        if (!r) return r.error();
      }
    }
    out.fill_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  double heap_before = heap_mib();
  auto env = Environment::open(EnvOptions{c.dir, std::size_t{4} << 30, 8, 126, c.no_sync});
  if (!env) return env.error();
  auto t0 = Clock::now();
  auto store = MvccStore::open(*env);
  if (!store) return store.error();
  out.reopen_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  out.index_heap_mib = heap_mib() - heap_before;
  out.data_file_mib =
      static_cast<double>(std::filesystem::file_size(c.dir + "/data.mdb")) / (1024.0 * 1024.0);
  std::filesystem::remove_all(c.dir);
  return out;
}

std::string format_bench(const std::string& name, const PutBenchResult& r) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%s: %zu puts in %zu commits, %.0f puts/s, commit p50 %.3f ms p99 %.3f ms",
                name.c_str(), r.puts, r.commits, r.puts_per_s, r.commit_p50_ms, r.commit_p99_ms);
  return line;
}

int run_storage_bench(const StorageBenchFlags& flags) {
  struct Run {
    const char* name;
    Result<PutBenchResult> (*fn)(const PutBenchConfig&);
    std::size_t per_sync;
    std::size_t total;
    bool no_meta_sync = false;
  };
  const std::size_t total = flags.total_puts;
  // One put per sync is slow by nature; fewer of them keep the run short.
  const Run runs[] = {{"raw lmdb, 1 put/sync", bench_lmdb_puts, 1, total / 10},
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
    config.dir = flags.dir;
    config.puts_per_sync = run.per_sync;
    config.total_puts = run.total;
    config.no_sync = flags.no_sync;
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
  config.dir = flags.dir;
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

}  // namespace craton::bench
