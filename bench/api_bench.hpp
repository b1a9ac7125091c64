// The API server benchmark (`craton bench api`, issue 11): the API server as `craton server`
// runs it (ApiHost: HTTP, workers, watch caches fed by one store watch), in this process,
// against a store cluster it starts (LocalStoreCluster: 3 replicas on loopback, real fsync),
// driven over HTTP by C keep-alive clients on their own threads (closed loop), as kubectl and
// client-go reach it. Objects are realistic pods (two containers with ports, env, resources,
// probes, mounts; volumes; tolerations) of object_bytes of JSON as sent.
//
// Phases, each timed per request (p50/p99, throughput):
//   create   `objects` creates (POST), spread over the clients
//   update   `updates` merge patches of those objects (read, patch, conditional write)
//   paced    `paced_writes` merge patches due at `rate` per second (open loop, over
//            `paced_clients`): the mutating latency at a given write rate
//   get      `gets` GETs by name (from the watch cache)
//   list     `lists` LISTs of all `objects` (from the watch cache, JSON), after a first one
//            timed apart (it encodes the JSON that the next ones send as kept)
//   fan-out  `watchers` watch connections; `changes` patches of one object, one at a time:
//            the latency from sending the patch to each watcher receiving its event
// and the memory: this process's RSS growth while the cache filled with `objects` objects.
// For each write phase, the CPU each process spent per request (CpuPerRequest): the bench's
// own client threads (their thread CPU clocks), the rest of this process (the API server),
// and each store replica (its /proc utime + stime). CPU is what a loaded machine does not
// inflate as it inflates wall time, so these are the figures to compare between changes.
// Every wait is bounded; a failed request counts as an error, not a latency.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/latency_stats.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

struct ApiBenchOptions {
  std::string binary;  ///< craton, for the store replicas
  std::size_t replicas = 3;
  std::uint64_t clients = 16;
  std::uint64_t objects = 10000;
  std::uint64_t object_bytes = 2048;
  std::uint64_t updates = 2000;
  std::uint64_t gets = 10000;
  std::uint64_t lists = 20;
  std::uint64_t watchers = 1000;
  std::uint64_t changes = 20;
  std::uint64_t paced_writes = 10000;
  double rate = 1000;  ///< paced writes per second
  std::uint64_t paced_clients = 64;
  std::string data_dir = "/tmp";
};

/// CPU milliseconds per request of one phase, by process.
struct CpuPerRequest {
  double client_ms = 0;            ///< the benchmark's HTTP client threads
  double api_ms = 0;               ///< this process minus its client threads: the API server
  std::vector<double> replica_ms;  ///< each store replica, by index
  double total_ms() const;
};

struct ApiBenchReport {
  ApiBenchOptions options;
  LatencyStats create, update, paced_update, get, list, fanout;
  CpuPerRequest create_cpu, update_cpu, paced_cpu;
  std::uint64_t cache_rss_bytes = 0;  ///< RSS growth while `objects` objects were cached
  std::uint64_t list_bytes = 0;       ///< one LIST response
  double first_list_ms = 0;           ///< the first LIST, which encodes every object's JSON
};

Result<ApiBenchReport> run_api_bench(const ApiBenchOptions& options);

}  // namespace craton::bench
