#include "bench/store_bench.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <caf/all.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <thread>

#include "actors/store/actor.hpp"
#include "actors/store/client.hpp"
#include "actors/store/store_codec.hpp"
#include "bench/local_store_cluster.hpp"
#include "runtime/envelope_codec.hpp"
#include "runtime/node_host.hpp"

namespace craton::bench {
namespace {

using Clock = std::chrono::steady_clock;
using pump_atom = caf::atom_constant<caf::atom("sbpump")>;
using done_atom = caf::atom_constant<caf::atom("sbdone")>;

constexpr std::uint64_t kClientsMax = 10000;
constexpr std::uint64_t kConnsMax = 64;
constexpr std::uint64_t kTotalMax = 100'000'000;
constexpr std::uint64_t kValueBytesMax = 1536 * 1024;
constexpr std::uint64_t kTxnPutsMax = 128;  // the store's operations per txn
constexpr std::chrono::seconds kLeaderWait{30};

/// One connection's share of the load and what it measured. Written by its driver actor only;
/// read by the main thread after the driver's done message (which orders the accesses).
struct ConnRun {
  raft::NodeId target = 0;
  std::uint64_t first = 0;  ///< request numbers [first, first + ops)
  std::uint64_t ops = 0;
  std::uint64_t window = 1;  ///< this connection's clients
  double rate = 0;           ///< this connection's share; 0: unpaced
  Clock::time_point deadline = Clock::time_point::max();
  std::function<WireEnvelope(std::uint64_t)> build;
  // results
  std::vector<double> latencies_us;
  std::map<std::string, std::uint64_t> errors;
  Clock::time_point started{}, finished{};
};

struct DriverState {
  std::uint64_t issued = 0;
  std::uint64_t in_flight = 0;
  bool tick_pending = false;
  bool done = false;
  static inline const char* name = "craton.store_bench_driver";
};
using Driver = caf::stateful_actor<DriverState>;

void pump(Driver* self, caf::actor client, std::shared_ptr<ConnRun> run, caf::actor waiter);

void record(ConnRun& run, Clock::time_point sent_at, const WireEnvelope& reply) {
  auto in = open_envelope(reply.bytes);
  if (!in) {
    ++run.errors["malformed"];
    return;
  }
  auto body = in->root().getBody();
  auto answer = body.isStoreResponse() ? store::read_store_reply(body.getStoreResponse())
                                       : Result<store::StoreReply>(Error{"malformed", ""});
  if (!answer) {
    ++run.errors[answer.error().code];
  } else if (answer->error) {
    ++run.errors[answer->error->code];
  } else {
    run.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - sent_at).count());
  }
}

void issue(Driver* self, caf::actor client, std::shared_ptr<ConnRun> run, caf::actor waiter) {
  auto n = run->first + self->state.issued++;
  ++self->state.in_flight;
  auto request = run->build(n);
  auto sent_at = Clock::now();
  auto after = [self, client, run, waiter] {
    --self->state.in_flight;
    pump(self, client, run, waiter);
  };
  self->request(client, caf::infinite, store::call_atom::value, store::replica_node_id(run->target),
                std::move(request))
      .then(
          [run, sent_at, after](WireEnvelope& reply) {
            record(*run, sent_at, reply);
            after();
          },
          [run, after](caf::error& e) {
            ++run->errors[e.code() == static_cast<std::uint8_t>(caf::sec::request_timeout)
                              ? "timeout"
                              : "client_error"];
            after();
          });
}

// How many requests the rate allows by `now` (all of them when unpaced).
std::uint64_t allowed(const ConnRun& run, Clock::time_point now) {
  if (run.rate <= 0) return run.ops;
  double seconds = std::chrono::duration<double>(now - run.started).count();
  return std::min<std::uint64_t>(run.ops, std::uint64_t(seconds * run.rate) + 1);
}

// Sends what the window and the rate allow, arms the pacing timer, and reports completion.
void pump(Driver* self, caf::actor client, std::shared_ptr<ConnRun> run, caf::actor waiter) {
  auto& st = self->state;
  if (st.done) return;
  auto now = Clock::now();
  bool stopped = now >= run->deadline;
  auto limit = stopped ? st.issued : allowed(*run, now);
  while (st.in_flight < run->window && st.issued < limit) issue(self, client, run, waiter);
  // The timer only matters while a client is free: with every client busy the rate is behind
  // and the next reply pumps again. (Arming it anyway spun on zero-delay timers, which cost the
  // machine more CPU than the cluster under test.)
  bool client_free = st.in_flight < run->window;
  if (!stopped && run->rate > 0 && st.issued < run->ops && client_free && !st.tick_pending) {
    auto next = run->started + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(double(st.issued) / run->rate));
    st.tick_pending = true;
    self->delayed_send(self, std::max(next - now, Clock::duration::zero()), pump_atom::value);
  }
  if (st.in_flight == 0 && (stopped || st.issued == run->ops)) {
    st.done = true;
    run->finished = Clock::now();
    self->send(waiter, done_atom::value);
    self->quit();
  }
}

caf::behavior driver(Driver* self, caf::actor client, std::shared_ptr<ConnRun> run,
                     caf::actor waiter) {
  return {
      [=](pump_atom) {
        self->state.tick_pending = false;
        if (run->started == Clock::time_point{}) run->started = Clock::now();
        pump(self, client, run, waiter);
      },
  };
}

std::vector<std::uint8_t> flat_request(const store::StoreRequest& request) {
  capnp::MallocMessageBuilder message;
  store::write_store_request(message.initRoot<schema::StoreRequest>(), request);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

// A client node of its own per connection, as a separate client process would have.
struct Connection {
  std::unique_ptr<NodeHost> host;
  caf::actor client;
};

Result<Connection> connect(const std::vector<store::StoreEndpoint>& endpoints, std::size_t index,
                           std::int64_t timeout_ms) {
  NodeOptions node;
  node.node_id = "bench-client-" + std::to_string(index);
  node.listen = Endpoint{"127.0.0.1", 0};
  node.seed = index + 1;
  for (const auto& ep : endpoints)
    node.peers.push_back(PeerSpec{store::replica_node_id(ep.id), ep.endpoint});
  // One worker thread per client node: with many connections on few cores, idle workers
  // polling for work would take CPU from the replicas being measured.
  node.worker_threads = 1;
  auto host = NodeHost::start(std::move(node), std::make_shared<StderrSink>(LogLevel::error));
  if (!host) return host.error();
  Connection c{std::move(*host), {}};
  // Room for every request this connection keeps in flight, plus the leader probes.
  c.client = store::spawn_store_client(c.host->system(), c.host->context(),
                                       store::ClientActorConfig{timeout_ms, kClientsMax + 64});
  c.host->adopt(c.client);
  return c;
}

// Waits until the members agree on a leader; returns it and the member ids.
Result<raft::NodeId> wait_for_leader(store::StoreClient& admin) {
  auto deadline = Clock::now() + kLeaderWait;
  while (Clock::now() < deadline) {
    for (auto& [ep, status] : admin.status_all())
      if (status && status->role == "leader") return ep.id;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Error{"no_leader", "no leader within 30 s"};
}

std::function<WireEnvelope(std::uint64_t)> request_builder(const StoreBenchOptions& options) {
  if (options.mode == StoreBenchMode::range) {
    store::ReadRequest read;
    read.range.key = store_bench_key(options, 0);
    read.serializable = options.serializable;
    auto bytes = flat_request(read);
    return [bytes](std::uint64_t) { return WireEnvelope{bytes}; };
  }
  auto value = std::make_shared<std::string>(options.value_bytes, 'v');
  if (options.mode == StoreBenchMode::fill)  // request n puts keys [n * batch, (n + 1) * batch)
    return [options, value](std::uint64_t n) {
      storage::TxnRequest txn;
      auto end = std::min(options.total, (n + 1) * options.batch);
      for (auto k = n * options.batch; k < end; ++k)
        txn.success.push_back(storage::PutRequest{store_bench_key(options, k), *value, 0, false});
      return WireEnvelope{flat_request(storage::WriteRequest{std::move(txn)})};
    };
  return [options, value](std::uint64_t n) {
    storage::PutRequest put{store_bench_key(options, n), *value, 0, false};
    return WireEnvelope{flat_request(storage::WriteRequest{std::move(put)})};
  };
}

// Splits the load over the connections: requests, clients and rate as evenly as possible.
std::vector<std::shared_ptr<ConnRun>> plan_runs(const StoreBenchOptions& options,
                                                const std::vector<store::StoreEndpoint>& members,
                                                raft::NodeId leader) {
  std::vector<std::shared_ptr<ConnRun>> runs;
  auto build = request_builder(options);
  std::uint64_t first = 0;
  auto deadline = options.duration_s > 0
                      ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.duration_s))
                      : Clock::time_point::max();
  auto requests = options.mode == StoreBenchMode::fill
                      ? (options.total + options.batch - 1) / options.batch
                      : options.total;
  for (std::uint64_t i = 0; i < options.conns; ++i) {
    auto run = std::make_shared<ConnRun>();
    run->target = options.mode == StoreBenchMode::range ? members[i % members.size()].id : leader;
    run->ops = requests / options.conns + (i < requests % options.conns ? 1 : 0);
    run->window = options.clients / options.conns + (i < options.clients % options.conns ? 1 : 0);
    run->rate = options.rate / double(options.conns);
    run->first = first;
    run->deadline = deadline;
    run->build = build;
    run->latencies_us.reserve(std::min<std::uint64_t>(run->ops, 10'000'000));
    first += run->ops;
    runs.push_back(std::move(run));
  }
  return runs;
}

// Runs the planned load: one driver per connection, all started together; waits (bounded)
// for every driver, then merges what they measured.
Result<LatencyStats> run_load(const StoreBenchOptions& options, std::vector<Connection>& conns,
                              std::vector<std::shared_ptr<ConnRun>>& runs) {
  std::vector<std::unique_ptr<caf::scoped_actor>> waiters;
  std::vector<caf::actor> drivers;
  for (std::size_t i = 0; i < conns.size(); ++i) {
    waiters.push_back(std::make_unique<caf::scoped_actor>(conns[i].host->system()));
    drivers.push_back(conns[i].host->system().spawn(driver, conns[i].client, runs[i],
                                                    caf::actor{*waiters.back()}));
    conns[i].host->adopt(drivers.back());
  }
  auto started = Clock::now();
  for (auto& d : drivers) caf::anon_send(d, pump_atom::value);
  auto limit = started + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(options.run_limit_s));
  for (auto& waiter : waiters) {
    bool done = false;
    while (!done && Clock::now() < limit)
      (*waiter)->receive([&](done_atom) { done = true; },
                         caf::after(std::chrono::seconds(1)) >> [] {});
    if (!done) return Error{"timeout", "the load did not finish within --run-limit-s"};
  }
  auto finished = started;
  std::vector<double> latencies;
  std::map<std::string, std::uint64_t> errors;
  for (auto& run : runs) {
    finished = std::max(finished, run->finished);
    latencies.insert(latencies.end(), run->latencies_us.begin(), run->latencies_us.end());
    for (auto& [code, n] : run->errors) errors[code] += n;
  }
  return summarize_latencies(std::move(latencies),
                             std::chrono::duration<double>(finished - started).count(), errors);
}

std::vector<StoreBenchMember> member_figures(store::StoreClient& admin,
                                             const LocalStoreCluster* cluster) {
  std::vector<StoreBenchMember> members;
  auto statuses = admin.status_all();
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    auto& [ep, status] = statuses[i];
    StoreBenchMember m;
    m.id = ep.id;
    if (status) {
      m.role = status->role;
      m.db_size_bytes = status->db_size_bytes;
    } else {
      m.role = "unreachable";
    }
    if (cluster && i < cluster->size()) {
      m.rss_bytes = cluster->rss_bytes(i);
      m.disk_bytes = cluster->data_bytes(i);
    }
    members.push_back(m);
  }
  return members;
}

const char* mode_name(StoreBenchMode mode) {
  switch (mode) {
    case StoreBenchMode::put:
      return "put";
    case StoreBenchMode::range:
      return "range";
    case StoreBenchMode::fill:
      return "fill";
  }
  return "?";
}

}  // namespace

std::string store_bench_key(const StoreBenchOptions& options, std::uint64_t n) {
  // splitmix64's finalizer: a bijection on 64-bit numbers, so distinct n give distinct keys.
  std::uint64_t z = n + options.seed * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  std::string key = options.key_prefix;
  for (std::uint64_t i = 0; i < options.key_bytes; ++i)
    key.push_back(char((z >> (8 * (7 - i % 8))) & 0xff));
  return key;
}

Status validate_store_bench_options(const StoreBenchOptions& o) {
  auto bad = [](const std::string& message) { return Status(Error{"bad_flag", message}); };
  if (o.clients == 0 || o.clients > kClientsMax) return bad("--clients must be in 1..10000");
  if (o.conns == 0 || o.conns > kConnsMax) return bad("--conns must be in 1..64");
  if (o.conns > o.clients) return bad("--conns must not exceed --clients");
  if (o.key_bytes == 0 || o.key_prefix.size() + o.key_bytes > 4096)
    return bad("--key-bytes must be >= 1 and the key (prefix included) at most 4096 bytes");
  if (o.value_bytes > kValueBytesMax) return bad("--value-bytes must be at most 1572864");
  if (o.total == 0 || o.total > kTotalMax) return bad("--total must be in 1..100000000");
  if (o.batch == 0 || o.batch > kTxnPutsMax) return bad("--batch must be in 1..128");
  if (!(o.rate >= 0) || o.rate > 1e7) return bad("--rate must be in 0..10000000");
  if (!(o.duration_s >= 0) || o.duration_s > 86400) return bad("--duration-s must be in 0..86400");
  if (o.timeout_ms < 1 || o.timeout_ms > 600'000) return bad("--timeout-ms must be in 1..600000");
  if (!(o.run_limit_s > 0)) return bad("--run-limit-s must be positive");
  if (o.endpoints.empty() && o.binary.empty()) return bad("no craton binary for a local cluster");
  return Ok{};
}

Result<StoreBenchReport> run_store_bench(const StoreBenchOptions& options) {
  if (auto s = validate_store_bench_options(options); !s) return s.error();
  std::unique_ptr<LocalStoreCluster> cluster;
  std::string endpoints = options.endpoints;
  if (endpoints.empty()) {
    auto started = LocalStoreCluster::start(
        {options.binary, options.replicas, options.data_parent, options.tick_ms, false});
    if (!started) return started.error();
    cluster = std::move(*started);
    endpoints = cluster->endpoints();
  }
  auto members = store::parse_store_endpoints(endpoints);
  if (!members) return members.error();
  auto admin = store::StoreClient::connect({*members, options.timeout_ms, 6, 200, 0});
  if (!admin) return admin.error();
  auto leader = wait_for_leader(**admin);
  if (!leader) return leader.error();
  if (options.mode == StoreBenchMode::range) {  // the key every read asks for
    storage::PutRequest put{store_bench_key(options, 0), std::string(options.value_bytes, 'v')};
    if (auto r = (*admin)->call(storage::WriteRequest{put}); !r) return r.error();
  }
  std::vector<Connection> conns;
  for (std::uint64_t i = 0; i < options.conns; ++i) {
    auto c = connect(*members, i, options.timeout_ms);
    if (!c) return c.error();
    conns.push_back(std::move(*c));
  }
  auto runs = plan_runs(options, *members, *leader);
  auto stats = run_load(options, conns, runs);
  for (auto& c : conns) c.host->stop();
  if (!stats) return stats.error();
  StoreBenchReport report{mode_name(options.mode), options, endpoints, *stats, {}};
  if (options.mode == StoreBenchMode::fill) report.members = member_figures(**admin, cluster.get());
  return report;
}

}  // namespace craton::bench
