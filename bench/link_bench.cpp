#include "bench/link_bench.hpp"

#include <caf/io/all.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <thread>

#include "actors/echo/actor.hpp"
#include "bench/bench_certs.hpp"
#include "bench/child_process.hpp"
#include "runtime/node_host.hpp"

namespace craton::bench {
namespace {

using namespace std::chrono_literals;

using bench_run_atom = caf::atom_constant<caf::atom("benchrun")>;
using bench_warm_atom = caf::atom_constant<caf::atom("benchwarm")>;

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kBodyBytesMin = 8;  // the CAF path carries the sequence number in the body
constexpr std::size_t kBodyBytesMax = 1 << 20;
constexpr std::uint64_t kCountMax = 10'000'000;
constexpr std::uint64_t kWindowMax = 4096;
constexpr std::uint64_t kWarmSeq = std::uint64_t(1) << 62;  // marks warm-up pings
constexpr auto kRunTimeout = 300s;
constexpr const char* kPeerNode = "peer";

// ours and caf are the comparison; local (driver -> router -> echo -> router -> driver in one
// process) isolates what the actor hops cost without the network.
enum PathId : int { path_ours = 0, path_caf = 1, path_local = 2 };

const char* path_name(PathId path) {
  switch (path) {
    case path_ours:
      return "ours";
    case path_caf:
      return "caf";
    case path_local:
      return "local";
  }
  return "?";
}

// The CAF baseline needs CAF's middleman; our links do not use it.
void add_bench_types(caf::actor_system_config& cfg) {
  cfg.load<caf::io::middleman>();
  cfg.add_message_type<Bytes>("std::vector<uint8_t>");
}

// ---- the driver: one actor that runs either path ---------------------------------------

struct DriverState {
  std::unique_ptr<ActorEnv> env;
  caf::actor caf_echo;
  int path = path_ours;
  Bytes payload;
  std::unique_ptr<PipelineRun> run;
  caf::response_promise run_promise;
  caf::response_promise warm_promise;
  int warm_tries_left = 0;
  static inline const char* name = "craton.bench.driver";
};

using DriverActor = caf::stateful_actor<DriverState>;

void send_one(DriverActor* self, std::uint64_t seq) {
  auto& st = self->state;
  if (st.run) st.run->sent(seq, BenchClock::now());
  if (st.path == path_caf) {
    Bytes body = st.payload;
    std::memcpy(body.data(), &seq, sizeof seq);
    self->send(st.caf_echo, std::move(body));
    return;
  }
  auto node = st.path == path_local ? st.env->address().node : std::string(kPeerNode);
  EnvelopeBuilder b(st.env->address(), Address{node, "echo"}, seq + 1);
  auto ping = b.body().initPing();
  ping.setSeq(seq);
  ping.setPayload(kj::arrayPtr(st.payload.data(), st.payload.size()));
  st.env->send(self, b);
}

void on_reply(DriverActor* self, std::uint64_t seq) {
  auto& st = self->state;
  if (!st.run) return;
  auto next = st.run->on_reply(seq, BenchClock::now());
  if (next) send_one(self, *next);
  if (!st.run->done()) return;
  auto f = st.run->figures();
  st.run.reset();
  st.run_promise.deliver(f.per_second, f.p50_us, f.p90_us, f.p99_us, f.unexpected);
}

void on_envelope(DriverActor* self, const WireEnvelope& wire) {
  auto in = open_envelope(wire.bytes);  // from our router: already checked
  if (!in || !in->root().getBody().isPong()) return;
  auto seq = in->root().getBody().getPong().getSeq();
  if (seq == kWarmSeq) {
    if (self->state.warm_promise.pending()) self->state.warm_promise.deliver(true);
    return;
  }
  on_reply(self, seq);
}

void warm_ping(DriverActor* self) {
  auto& st = self->state;
  if (!st.warm_promise.pending()) return;
  if (st.warm_tries_left-- <= 0) {
    st.warm_promise.deliver(caf::make_error(caf::sec::request_timeout));
    return;
  }
  st.path = path_ours;
  send_one(self, kWarmSeq);
  self->delayed_send(self, 100ms, bench_warm_atom::value, false);
}

caf::behavior driver(DriverActor* self, NodeContext node, caf::actor caf_echo) {
  auto& st = self->state;
  st.env = std::make_unique<ActorEnv>(std::move(node), "driver");
  st.caf_echo = std::move(caf_echo);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  return {
      // (warm, true) from the caller: ping until the first pong; (warm, false): retry timer.
      // The promises answer later; making one marks the request as answered by it.
      [self](bench_warm_atom, bool start) {
        if (start) {
          self->state.warm_promise = self->make_response_promise();
          self->state.warm_tries_left = 150;
        }
        warm_ping(self);
      },
      [self](bench_run_atom, int path, std::uint64_t size, std::uint64_t count,
             std::uint64_t window) {
        auto& st = self->state;
        st.path = path;
        st.payload.assign(size, 0x5a);
        st.run = std::make_unique<PipelineRun>(count, window);
        st.run_promise = self->make_response_promise();
        for (auto seq : st.run->start(BenchClock::now())) send_one(self, seq);
      },
      [self](const WireEnvelope& wire) { on_envelope(self, wire); },
      [self](const Bytes& body) {
        std::uint64_t seq = 0;
        if (body.size() >= sizeof seq) std::memcpy(&seq, body.data(), sizeof seq);
        on_reply(self, seq);
      },
  };
}

// ---- the parent side --------------------------------------------------------------------

struct PeerPorts {
  std::uint16_t router = 0;
  std::uint16_t caf = 0;
};

Result<PeerPorts> parse_ready(const std::string& line) {
  unsigned router = 0, caf = 0;
  if (std::sscanf(line.c_str(), "ready %u %u", &router, &caf) != 2 || router == 0 || caf == 0 ||
      router > 65535 || caf > 65535)
    return Error{"bad_peer", "peer said '" + line + "' instead of 'ready <port> <port>'"};
  return PeerPorts{std::uint16_t(router), std::uint16_t(caf)};
}

// CPU seconds used so far by this process and the peer.
double cpu_seconds(const ChildProcess& peer) {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9 + peer.cpu_seconds();
}

Result<RunFigures> measure(caf::actor_system& sys, const caf::actor& driver,
                           const ChildProcess& peer, PathId path, std::size_t size,
                           std::uint64_t count, std::uint64_t window) {
  caf::scoped_actor self{sys};
  double cpu_before = cpu_seconds(peer);
  Result<RunFigures> out = Error{"timeout", "benchmark run did not finish"};
  self->request(driver, kRunTimeout, bench_run_atom::value, int(path), std::uint64_t(size), count,
                window)
      .receive(
          [&](double per_second, double p50, double p90, double p99, std::uint64_t unexpected) {
            out = RunFigures{per_second, p50, p90, p99, unexpected};
            out->cpu_us_per_msg = (cpu_seconds(peer) - cpu_before) * 1e6 / double(count);
          },
          [&](caf::error& err) {
            out = Error{"run_failed", "benchmark run failed: " + sys.render(err)};
          });
  return out;
}

Status warm_up(caf::actor_system& sys, const caf::actor& driver) {
  caf::scoped_actor self{sys};
  Status out = Ok{};
  self->request(driver, 30s, bench_warm_atom::value, true)
      .receive([](bool) {},
               [&](caf::error& err) {
                 out = Error{"no_peer", "peer never answered a ping: " + sys.render(err)};
               });
  return out;
}

Result<LinkBenchRow> measure_row(caf::actor_system& sys, const caf::actor& driver,
                                 const ChildProcess& peer, PathId path, std::size_t size,
                                 const LinkBenchOptions& options) {
  // A short untimed run first: connection buffers, allocator and caches settle.
  if (auto w = measure(sys, driver, peer, path, size, 500, options.window); !w) return w.error();
  auto throughput = measure(sys, driver, peer, path, size, options.count, options.window);
  if (!throughput) return throughput.error();
  auto latency = measure(sys, driver, peer, path, size, options.latency_count, 1);
  if (!latency) return latency.error();
  return LinkBenchRow{path_name(path), size, *throughput, *latency};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Element-wise medians: each figure is the median of that figure over the rounds.
RunFigures median_figures(const std::vector<RunFigures>& runs) {
  auto pick = [&](double RunFigures::*field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r.*field);
    return median(v);
  };
  RunFigures f{pick(&RunFigures::per_second),
               pick(&RunFigures::p50_us),
               pick(&RunFigures::p90_us),
               pick(&RunFigures::p99_us),
               0,
               pick(&RunFigures::cpu_us_per_msg)};
  for (const auto& r : runs) f.unexpected += r.unexpected;
  return f;
}

LinkBenchRow median_row(const std::vector<LinkBenchRow>& rounds) {
  std::vector<RunFigures> throughput, latency;
  for (const auto& r : rounds) {
    throughput.push_back(r.throughput);
    latency.push_back(r.latency);
  }
  return LinkBenchRow{rounds.front().path, rounds.front().size, median_figures(throughput),
                      median_figures(latency)};
}

// Encode and decode cost of one Ping envelope with a `size`-byte body, timed over `rounds`.
CodecFigures measure_codec(std::size_t size, int rounds = 20000) {
  Bytes payload(size, 0x5a);
  std::vector<std::uint8_t> bytes;
  auto t0 = BenchClock::now();
  for (int i = 0; i < rounds; ++i) {
    EnvelopeBuilder b(Address{"bench", "driver"}, Address{kPeerNode, "echo"}, std::uint64_t(i));
    auto ping = b.body().initPing();
    ping.setSeq(std::uint64_t(i));
    ping.setPayload(kj::arrayPtr(payload.data(), payload.size()));
    bytes = b.encode();
  }
  auto t1 = BenchClock::now();
  std::size_t ok = 0;
  for (int i = 0; i < rounds; ++i) ok += decode_envelope(bytes).ok() ? 1 : 0;
  auto t2 = BenchClock::now();
  for (int i = 0; i < rounds; ++i) ok += open_envelope(bytes).ok() ? 1 : 0;
  auto t3 = BenchClock::now();
  auto us = [&](auto d) { return std::chrono::duration<double, std::micro>(d).count() / rounds; };
  bool all_ok = ok == 2 * std::size_t(rounds);
  return CodecFigures{size, bytes.size(), us(t1 - t0), all_ok ? us(t2 - t1) : -1,
                      all_ok ? us(t3 - t2) : -1};
}

}  // namespace

Status validate_link_bench_options(const LinkBenchOptions& o) {
  if (o.sizes.empty()) return Error{"bad_flag", "--sizes needs at least one size"};
  for (auto s : o.sizes)
    if (s < kBodyBytesMin || s > kBodyBytesMax)
      return Error{"bad_flag", "--sizes: each size must be in 8.." + std::to_string(kBodyBytesMax)};
  if (o.count < 1 || o.count > kCountMax)
    return Error{"bad_flag", "--count must be in 1.." + std::to_string(kCountMax)};
  if (o.window < 1 || o.window > kWindowMax)
    return Error{"bad_flag", "--window must be in 1.." + std::to_string(kWindowMax)};
  if (o.rounds < 1 || o.rounds > 100) return Error{"bad_flag", "--rounds must be in 1..100"};
  if (o.latency_count < 1 || o.latency_count > kCountMax)
    return Error{"bad_flag", "latency count must be in 1.." + std::to_string(kCountMax)};
  return Ok{};
}

Result<LinkBenchReport> run_link_bench(const LinkBenchOptions& options) {
  if (auto s = validate_link_bench_options(options); !s) return s.error();
  std::string dir = "/tmp/craton-bench-link.XXXXXX";
  if (!::mkdtemp(dir.data())) return Error{"io", "cannot create a temp directory in /tmp"};
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_dir{dir};
  NodeOptions node;
  node.node_id = "bench";
  node.listen = Endpoint{"127.0.0.1", 0};
  node.add_types = add_bench_types;
  node.security.insecure_loopback = options.insecure_loopback;
  if (!options.insecure_loopback) {
    auto pki = make_throwaway_certs(dir, {"bench", kPeerNode});
    if (!pki) return pki.error();
    node.security.certs_dir = *pki;
  }
  auto host = NodeHost::start(node, std::make_shared<StderrSink>(LogLevel::warn));
  if (!host) return host.error();
  auto& sys = (*host)->system();
  std::vector<std::string> args{"bench", "link-peer", "--parent-port",
                                std::to_string((*host)->listen_port())};
  if (!options.insecure_loopback) {
    args.push_back("--certs");
    args.push_back(node.security.certs_dir);
  }
  auto child = ChildProcess::start(options.peer_binary, args);
  if (!child) return child.error();
  auto line = child->read_line(15s);
  if (!line) return line.error();
  auto ports = parse_ready(*line);
  if (!ports) return ports.error();
  (*host)->add_peer(PeerSpec{kPeerNode, Endpoint{"127.0.0.1", ports->router}});
  auto caf_echo = sys.middleman().remote_actor("127.0.0.1", ports->caf);
  if (!caf_echo)
    return Error{"no_peer", "cannot reach the peer's CAF echo: " + sys.render(caf_echo.error())};
  (*host)->adopt(echo::spawn_echo(sys, (*host)->context()));  // for the local path
  auto drv = sys.spawn(driver, (*host)->context(), *caf_echo);
  (*host)->adopt(drv);
  if (auto s = warm_up(sys, drv); !s) return s.error();

  std::vector<std::vector<LinkBenchRow>> rounds;  // [row][round]
  for (std::uint64_t round = 0; round < options.rounds; ++round) {
    std::size_t i = 0;
    for (auto size : options.sizes) {
      for (auto path : {path_ours, path_caf, path_local}) {
        auto row = measure_row(sys, drv, *child, path, size, options);
        if (!row) return row.error();
        if (rounds.size() <= i) rounds.emplace_back();
        rounds[i++].push_back(*row);
      }
    }
  }
  LinkBenchReport report;
  for (auto& per_round : rounds) report.rows.push_back(median_row(per_round));
  for (auto size : options.sizes) report.codec.push_back(measure_codec(size));
  (*host)->stop();
  child->finish(10s);
  return report;
}

void print_link_bench(const LinkBenchReport& report, std::ostream& out) {
  // Other work on the machine moves throughput a lot; CPU per message moves much less.
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five;
  if (loadavg >> one >> five)
    out << "load average " << one << " " << five << " on " << std::thread::hardware_concurrency()
        << " cores\n";
  out << std::left << std::setw(6) << "path" << std::right << std::setw(8) << "bytes"
      << std::setw(14) << "msgs/s" << std::setw(11) << "p50 us" << std::setw(11) << "p90 us"
      << std::setw(11) << "p99 us" << std::setw(14) << "cpu us/msg"
      << "\n";
  out << std::fixed << std::setprecision(0);
  for (const auto& r : report.rows) {
    out << std::left << std::setw(6) << r.path << std::right << std::setw(8) << r.size
        << std::setw(14) << r.throughput.per_second << std::setw(11) << r.latency.p50_us
        << std::setw(11) << r.latency.p90_us << std::setw(11) << r.latency.p99_us << std::setw(14)
        << std::setprecision(1) << r.throughput.cpu_us_per_msg << std::setprecision(0) << "\n";
  }
  out << std::setprecision(2);
  for (const auto& ours : report.rows) {
    if (ours.path != "ours") continue;
    for (const auto& caf : report.rows) {
      if (caf.path != "caf" || caf.size != ours.size || caf.throughput.per_second <= 0) continue;
      out << "ratio ours/caf at " << ours.size << " bytes: throughput "
          << ours.throughput.per_second / caf.throughput.per_second << ", p50 latency "
          << ours.latency.p50_us / caf.latency.p50_us << ", cpu per message "
          << ours.throughput.cpu_us_per_msg / caf.throughput.cpu_us_per_msg
          << " (target: throughput >= 0.80)\n";
    }
  }
  out << std::setprecision(2);
  for (const auto& c : report.codec)
    out << "codec at " << c.body_bytes << " bytes (" << c.envelope_bytes
        << "-byte envelope): encode " << c.encode_us << " us, full decode " << c.decode_us
        << " us, open " << c.open_us
        << " us; a round trip on our path encodes 2, fully decodes 2 (where bytes enter a "
           "process) and opens 4\n";
}

int run_link_bench_peer(std::uint16_t parent_port, const std::string& certs_dir) {
  NodeOptions node;
  node.node_id = kPeerNode;
  node.listen = Endpoint{"127.0.0.1", 0};
  node.security.certs_dir = certs_dir;
  node.security.insecure_loopback = certs_dir.empty();
  node.peers = {PeerSpec{"bench", Endpoint{"127.0.0.1", parent_port}}};
  node.add_types = add_bench_types;
  auto log = std::make_shared<StderrSink>(LogLevel::warn);
  auto host = NodeHost::start(node, log);
  if (!host) {
    std::fprintf(stderr, "craton bench link-peer: %s\n", host.error().message.c_str());
    return 1;
  }
  auto& sys = (*host)->system();
  (*host)->adopt(echo::spawn_echo(sys, (*host)->context()));
  auto caf_echo =
      sys.spawn([]() -> caf::behavior { return {[](Bytes& body) { return std::move(body); }}; });
  (*host)->adopt(caf_echo);
  auto caf_port = sys.middleman().publish(caf_echo, 0, "127.0.0.1", true);
  if (!caf_port) {
    std::fprintf(stderr, "craton bench link-peer: %s\n", sys.render(caf_port.error()).c_str());
    return 1;
  }
  std::printf("ready %u %u\n", unsigned((*host)->listen_port()), unsigned(*caf_port));
  std::fflush(stdout);
  char buf[256];
  while (::read(0, buf, sizeof buf) > 0) {
  }
  (*host)->stop();
  return 0;
}

}  // namespace craton::bench
