// The pieces every `craton bench store` mode shares (put, range, fill in store_bench.cpp,
// watch in watch_bench.cpp): the cluster a run measures, client connections, and the
// closed-loop request load with its latency record.
//
// - StoreBenchTarget: a LocalStoreCluster started here, or --endpoints; an admin StoreClient;
//   the leader (waited for, bounded).
// - BenchConnection: one client node of its own (actor system, router, links: what a separate
//   client process has) with the store client actor. One scheduler thread per node, so many
//   connections on few cores do not take CPU from the replicas being measured.
// - ConnRun + run_store_load: per connection, one driver actor keeps `window` requests in
//   flight (a client sends its next request when the previous one is answered), paced to
//   `rate` if set, and records each successful request's latency (from send to answer) or
//   its error code. run_store_load starts every driver at once and waits, bounded by
//   run_limit_s, for all of them. A ConnRun is written by its driver only and read by the
//   caller after the driver's done message (which orders the accesses).
//
// Benchmark code, not a component: drivers read the steady clock to time requests.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/store/client/client.hpp"
#include "bench/latency_stats.hpp"
#include "bench/local_store_cluster.hpp"
#include "bench/store_bench.hpp"
#include "runtime/node_host.hpp"

namespace craton::bench {

using BenchClock = std::chrono::steady_clock;

/// The cluster a run measures. `cluster` is null when --endpoints named a running one.
struct StoreBenchTarget {
  std::unique_ptr<LocalStoreCluster> cluster;
  std::string endpoints;
  std::vector<store::StoreEndpoint> members;
  std::unique_ptr<store::StoreClient> admin;
  raft::NodeId leader = 0;
  LinkSecurity security;  ///< how clients reach it (cert name: admin)
};

/// Starts a local cluster unless options.endpoints is set, connects, waits for a leader
/// (at most 30 s).
Result<StoreBenchTarget> open_store_bench_target(const StoreBenchOptions& options);

/// A client node of its own (see above). The host stops its actors when destroyed.
struct BenchConnection {
  std::unique_ptr<NodeHost> host;
  caf::actor client;  ///< the store client actor (actors/store/client/client.hpp)
};

/// Connection number `index` (names its node "bench-client-<index>"), linked to `members`.
Result<BenchConnection> connect_bench_connection(const std::vector<store::StoreEndpoint>& members,
                                                 std::size_t index, std::int64_t timeout_ms,
                                                 const LinkSecurity& security);

/// One connection's share of a load and what it measured (see above).
struct ConnRun {
  raft::NodeId target = 0;
  std::uint64_t first = 0;  ///< request numbers [first, first + ops)
  std::uint64_t ops = 0;
  std::uint64_t window = 1;  ///< this connection's clients
  double rate = 0;           ///< this connection's share; 0: unpaced
  BenchClock::time_point deadline = BenchClock::time_point::max();
  std::function<WireEnvelope(std::uint64_t)> build;  ///< request number -> request
  /// Called with a request's number and send time just before it is sent (may be empty).
  std::function<void(std::uint64_t, BenchClock::time_point)> on_sent;
  // results
  std::vector<double> latencies_us;
  std::map<std::string, std::uint64_t> errors;
  BenchClock::time_point started{}, finished{};
};

/// Splits `options.total` requests, `options.clients` and `options.rate` over options.conns
/// runs as evenly as possible; writes go to `leader`, reads (range mode) round robin over
/// `members`. Request n is `build(n)`.
std::vector<std::shared_ptr<ConnRun>> plan_store_runs(
    const StoreBenchOptions& options, const std::vector<store::StoreEndpoint>& members,
    raft::NodeId leader, std::function<WireEnvelope(std::uint64_t)> build);

/// Runs one driver per connection (runs[i] on conns[i]), all started together, waits for
/// every driver (bounded by run_limit_s: error "timeout"), and merges what they measured.
Result<LatencyStats> run_store_load(double run_limit_s, std::vector<BenchConnection>& conns,
                                    std::vector<std::shared_ptr<ConnRun>>& runs);

/// A StoreRequest as flat Cap'n Proto bytes (what the client actor's call_atom takes).
std::vector<std::uint8_t> flat_store_request(const store::StoreRequest& request);

}  // namespace craton::bench
