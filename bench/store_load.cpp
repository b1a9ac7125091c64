#include "bench/store_load.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <thread>

#include "actors/store/actor.hpp"
#include "actors/store/codec/store_codec.hpp"
#include "runtime/envelope_codec.hpp"

namespace craton::bench {
namespace {

using Clock = BenchClock;
using pump_atom = caf::atom_constant<caf::atom("sbpump")>;
using done_atom = caf::atom_constant<caf::atom("sbdone")>;

// Room for every request a connection keeps in flight (the bench's clients bound), plus the
// leader probes and watch keepalives.
constexpr std::size_t kPendingMax = 10000 + 64;
constexpr std::chrono::seconds kLeaderWait{30};

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
  auto answer = store::decode_store_response(reply).reply;
  if (!answer) {
    ++run.errors[answer.error().code];
  } else if (answer->error) {
    ++run.errors[std::string(store::name(answer->error->code))];
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
  if (run->on_sent) run->on_sent(n, sent_at);
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

// Waits until a member reports itself leader.
Result<raft::NodeId> wait_for_leader(store::StoreClient& admin) {
  auto deadline = Clock::now() + kLeaderWait;
  while (Clock::now() < deadline) {
    for (auto& [ep, status] : admin.status_all())
      if (status && status->role == "leader") return ep.id;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Error{"no_leader", "no leader within 30 s"};
}

}  // namespace

Result<StoreBenchTarget> open_store_bench_target(const StoreBenchOptions& options) {
  StoreBenchTarget t;
  t.endpoints = options.endpoints;
  t.security = options.security;
  if (t.endpoints.empty()) {
    auto started = LocalStoreCluster::start({options.binary, options.replicas, options.data_parent,
                                             options.tick_ms, false, options.security});
    if (!started) return started.error();
    t.cluster = std::move(*started);
    t.endpoints = t.cluster->endpoints();
    t.security = t.cluster->client_security();
  } else if (auto s = validate_link_security(t.security); !s) {
    return Error{"bad_flag", "--endpoints: " + s.error().message};
  }
  auto members = store::parse_store_endpoints(t.endpoints);
  if (!members) return members.error();
  t.members = std::move(*members);
  store::StoreClientOptions admin_options;
  admin_options.endpoints = t.members;
  admin_options.timeout_ms = options.timeout_ms;
  admin_options.security = t.security;
  auto admin = store::StoreClient::connect(admin_options);
  if (!admin) return admin.error();
  t.admin = std::move(*admin);
  // Bare h:p endpoints get their ids at connect; later connections link by id, so a bare
  // endpoint that never answered (id still 0) is left out.
  t.members.clear();
  for (const auto& ep : t.admin->endpoints())
    if (ep.id != 0) t.members.push_back(ep);
  if (t.members.empty()) return Error{"unreachable", "no endpoint answered: " + t.endpoints};
  auto leader = wait_for_leader(*t.admin);
  if (!leader) return leader.error();
  t.leader = *leader;
  return t;
}

Result<BenchConnection> connect_bench_connection(const std::vector<store::StoreEndpoint>& members,
                                                 std::size_t index, std::int64_t timeout_ms,
                                                 const LinkSecurity& security) {
  NodeOptions node;
  // Under TLS a client speaks as a session of the admin certificate.
  node.node_id = security.insecure_loopback
                     ? "bench-client-" + std::to_string(index)
                     : (security.cert_name.empty() ? "admin" : security.cert_name) + "@" +
                           std::to_string(index + 1);
  node.listens = false;
  node.security = security;
  node.seed = index + 1;
  for (const auto& ep : members)
    node.peers.push_back(PeerSpec{store::replica_node_id(ep.id), ep.endpoint});
  // One worker thread per client node: with many connections on few cores, idle workers
  // polling for work would take CPU from the replicas being measured.
  node.worker_threads = 1;
  auto host = NodeHost::start(std::move(node), std::make_shared<StderrSink>(LogLevel::error));
  if (!host) return host.error();
  BenchConnection c{std::move(*host), {}};
  c.client = store::spawn_store_client(c.host->system(), c.host->context(),
                                       store::ClientActorConfig{timeout_ms, kPendingMax});
  c.host->adopt(c.client);
  return c;
}

std::vector<std::shared_ptr<ConnRun>> plan_store_runs(
    const StoreBenchOptions& options, const std::vector<store::StoreEndpoint>& members,
    raft::NodeId leader, std::function<WireEnvelope(std::uint64_t)> build) {
  std::vector<std::shared_ptr<ConnRun>> runs;
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

Result<LatencyStats> run_store_load(double run_limit_s, std::vector<BenchConnection>& conns,
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
                             std::chrono::duration<double>(run_limit_s));
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

std::vector<std::uint8_t> flat_store_request(const store::StoreRequest& request) {
  capnp::MallocMessageBuilder message;
  store::write_store_request(message.initRoot<schema::StoreRequest>(), request);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace craton::bench
