// The watch fan-out benchmark (`craton bench store watch`), in the shape of etcd's `benchmark
// watch`: W watchers on one key prefix, spread over K client connections (each its own client
// node, one watch stream per connection, connection i on member i mod members), then P puts of
// distinct keys under that prefix by a writer (its own connection, `clients` puts in flight,
// paced to `rate` if set) against the leader.
//
// What it measures (WatchBenchReport):
// - creation: each watch from its create request to its `created` response, and how long
//   until every watcher was established (all creates are sent at once, puts start after);
// - puts: throughput and latency (send to answer), as `bench store put`;
// - delivery: every event each watcher receives. Latency = when the watcher's actor handles
//   the response carrying it minus when the writer SENT that put (not when it was acked), so
//   it includes the put's commit; the put's sequence number is in its key
//   (watch_bench_key), which is how the watcher side finds the send time. Events per second
//   count from the first put sent to the last event received. A watcher must receive all P
//   puts, once each, in revision order: what is not delivered within drain_timeout_ms after
//   the last put's answer is an error "missing"; an event at or below a revision that watch
//   already had is "duplicate"; one that is not a put of this run is "foreign"; a watch the
//   replica cancels or whose link goes down is "watch_canceled" / "watch_lost".
//
// Bounds: watchers 1..10000, at most 256 per connection (a replica's watches per client
// stream), watchers x puts at most 10,000,000 (every delivery latency is kept in memory), keys
// of at least 8 bytes after the prefix (the sequence number). Every wait is bounded: creation
// by the client timeout, puts by run_limit_s, delivery by drain_timeout_ms. A watch that is
// not created is a failed run (no figures), not an error count. Benchmark code, not a
// component: its actors read the steady clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/latency_stats.hpp"
#include "bench/store_bench.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

struct WatchBenchOptions {
  /// The writer and the cluster: mode put; clients = puts in flight; conns = writer
  /// connections; total = P; rate, key_prefix (the watched prefix), key_bytes, value_bytes;
  /// endpoints or the local cluster; timeout_ms, run_limit_s.
  StoreBenchOptions puts;
  std::uint64_t watchers = 1;              ///< W, 1..10000
  std::uint64_t watch_conns = 1;           ///< K, 1..64, <= W, W/K (rounded up) <= 256
  std::int64_t drain_timeout_ms = 30'000;  ///< after the puts, for the last events
};

/// Checks every option against its bound; a clear message for the first bad one.
Status validate_watch_bench_options(const WatchBenchOptions& options);

struct WatchBenchReport {
  WatchBenchOptions options;
  std::string endpoints;  ///< the cluster measured
  LatencyStats creation;  ///< per watch; seconds: until the last one was established
  LatencyStats puts;      ///< as `bench store put`
  LatencyStats delivery;  ///< per event (see above); error_counts: missing, duplicate...
  std::uint64_t expected_events = 0;  ///< watchers x puts
};

Result<WatchBenchReport> run_watch_bench(const WatchBenchOptions& options);

/// The key of put number n: key_prefix, then n as 8 big-endian bytes, then key_bytes - 8
/// bytes of '_' (key_bytes >= 8).
std::string watch_bench_key(const StoreBenchOptions& options, std::uint64_t n);
/// The put number a key of watch_bench_key carries; nothing for any other key.
std::optional<std::uint64_t> watch_bench_sequence(const StoreBenchOptions& options,
                                                  const std::string& key);

}  // namespace craton::bench
