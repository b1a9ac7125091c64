// The store benchmark (`craton bench store put|range|fill`): load from C concurrent clients
// spread over K connections, in the shape of etcd's `benchmark put|range` and `etcdctl check
// perf`, against a store cluster it starts itself (LocalStoreCluster: 3 replicas on loopback,
// real fsync) or against --endpoints.
//
// Each connection is its own client node (actor system, router, links: what a separate client
// process has) running the store client actor and one driver actor, which keeps its share of
// the C clients' requests in flight (closed loop: a client sends its next request when the
// previous one is answered). With a rate limit the requests are paced as etcd's check perf
// paces them: a request may start only once `rate` per second allows it, and its latency is
// measured from when a free client sends it. Writes go to the leader (etcd's --target-leader);
// reads are spread over all members.
//
// Modes:
//   put    `total` puts (or as many as `duration_s` allows) of distinct pseudo-random keys
//   range  `total` gets of one key (linearizable through ReadIndex, or serializable)
//   fill   `total` distinct keys, `batch` puts per txn (as etcd is loaded in the side-by-side
//          script), then every member's status (DB size) and, for a local cluster, each
//          replica's RSS and data directory size: the memory of holding `total` keys.
//          Latencies and throughput count txns, not keys.
//
// Every wait is bounded (run_limit_s); a request that gets no answer within the client's
// timeout counts as an error, not as a latency. Benchmark code, not a component: its driver
// actors read the steady clock to time requests, as the link benchmark's driver does.
// The pieces shared with the watch fan-out benchmark (watch_bench.hpp) are in store_load.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/latency_stats.hpp"
#include "runtime/node_host.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

enum class StoreBenchMode { put, range, fill };

struct StoreBenchOptions {
  StoreBenchMode mode = StoreBenchMode::put;
  std::uint64_t clients = 1;        ///< requests in flight at once, 1..10000
  std::uint64_t conns = 1;          ///< client connections (nodes), 1..64, <= clients
  std::uint64_t key_bytes = 8;      ///< bytes after key_prefix, 1..4096
  std::uint64_t value_bytes = 256;  ///< 0..1.5 MiB
  std::string key_prefix;
  std::uint64_t total = 10000;  ///< requests (put, range) or keys (fill), 1..100,000,000
  std::uint64_t batch = 128;    ///< fill: puts per txn, 1..128
  double rate = 0;              ///< requests per second over all clients; 0: as fast as possible
  double duration_s = 0;        ///< >0: stop sending after this long (total still caps)
  bool serializable = false;    ///< range: read local state instead of ReadIndex
  std::int64_t timeout_ms = 10000;  ///< per request
  /// Links: --certs or --insecure-loopback; neither: a throwaway CA for the local cluster.
  LinkSecurity security;
  double run_limit_s = 3600;  ///< the whole load phase must end within this
  std::uint64_t seed = 1;     ///< key sequence (keys are a bijection of the request number)
  // Where: an existing cluster, or one started here.
  std::string endpoints;  ///< empty: start a local cluster
  std::string binary;     ///< craton binary for the local cluster
  std::size_t replicas = 3;
  std::string data_parent = "/tmp";
  int tick_ms = 100;
};

/// Checks every option against its bound; a clear message for the first bad one.
Status validate_store_bench_options(const StoreBenchOptions& options);

/// What one member holds after the run (fill mode).
struct StoreBenchMember {
  std::uint64_t id = 0;
  std::string role;
  std::uint64_t db_size_bytes = 0;  ///< as the member reports it
  std::uint64_t rss_bytes = 0;      ///< local cluster only (0: unknown)
  std::uint64_t disk_bytes = 0;     ///< local cluster only: data directory, allocated
};

struct StoreBenchReport {
  std::string mode;  ///< put, range, fill
  StoreBenchOptions options;
  std::string endpoints;  ///< the cluster measured
  LatencyStats stats;
  std::vector<StoreBenchMember> members;  ///< fill mode
};

Result<StoreBenchReport> run_store_bench(const StoreBenchOptions& options);

/// The nth key of a run: key_prefix + key_bytes bytes. For key_bytes >= 8 keys of different n
/// differ (a bijective 64-bit mix of seed + n, big-endian, repeated to length).
std::string store_bench_key(const StoreBenchOptions& options, std::uint64_t n);

}  // namespace craton::bench
