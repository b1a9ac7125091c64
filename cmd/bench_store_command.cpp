// `craton bench store put|range|fill`: the store benchmark (bench/store_bench.hpp), in the
// shape of etcd's `benchmark put|range` and `etcdctl check perf`.
//
//   craton bench store put   --clients C --conns K --key-bytes 8 --value-bytes 256 --total N
//                            [--rate R] [--duration-s D] [--key-prefix P]
//   craton bench store range --consistency l|s --clients C --conns K --total N
//   craton bench store fill  --keys 1000000 [--batch 128] [--clients C --conns K]
//   craton bench store watch --watchers W --conns K --puts P [--put-clients C] [--rate R]
//                            [--key-prefix P] [--drain-timeout-ms D]   (bench/watch_bench.hpp)
//
// Each takes [--endpoints [id=]host:port,...] (default: start 3 replicas on loopback in a temp
// directory under --data-dir and stop them afterwards), --replicas, --tick-ms, --timeout-ms,
// --run-limit-s, --seed and --json. Flags are strings checked here: a bad flag is one line and
// exit 2; a failed run exits 1. A run with request errors prints them and exits 1.
#include <charconv>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/store_bench.hpp"
#include "bench/watch_bench.hpp"
#include "cmd/commands.hpp"
#include "cmd/link_flags.hpp"

namespace craton::cmd {
namespace {

using bench::StoreBenchMode;
using bench::StoreBenchOptions;
using bench::StoreBenchReport;

struct StoreBenchFlags {
  std::string clients = "1", conns = "1", key_bytes = "8", value_bytes = "256", total = "10000";
  std::string keys;  ///< fill: the number of keys (same as --total)
  std::string key_prefix, rate = "0", duration_s = "0", consistency = "l";
  std::string endpoints, replicas = "3", data_dir = "/tmp", tick_ms = "100";
  std::string timeout_ms = "10000", run_limit_s = "3600", seed = "1", batch = "128";
  std::string watchers = "1", drain_timeout_ms = "30000";  ///< watch only
  LinkFlags link;
  bool json = false;
};

Result<std::uint64_t> parse_count(const std::string& flag, const std::string& text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return Error{"bad_flag", flag + " must be a non-negative number: '" + text + "'"};
  return v;
}

Result<double> parse_real(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= 0))
    return Error{"bad_flag", flag + " must be a non-negative number: '" + text + "'"};
  return v;
}

// Every flag into options; the first bad one is the error. Bounds are checked by
// validate_store_bench_options.
Status read_flags(const StoreBenchFlags& f, StoreBenchOptions& o) {
  std::vector<std::pair<std::string, std::pair<const std::string*, std::uint64_t*>>> counts{
      {"--clients", {&f.clients, &o.clients}},
      {"--conns", {&f.conns, &o.conns}},
      {"--key-bytes", {&f.key_bytes, &o.key_bytes}},
      {"--value-bytes", {&f.value_bytes, &o.value_bytes}},
      {"--total", {&f.total, &o.total}},
      {"--seed", {&f.seed, &o.seed}},
      {"--batch", {&f.batch, &o.batch}}};
  if (!f.keys.empty()) counts.push_back({"--keys", {&f.keys, &o.total}});
  for (auto& [flag, target] : counts) {
    auto v = parse_count(flag, *target.first);
    if (!v) return v.error();
    *target.second = *v;
  }
  auto rate = parse_real("--rate", f.rate);
  auto duration = parse_real("--duration-s", f.duration_s);
  auto run_limit = parse_real("--run-limit-s", f.run_limit_s);
  auto replicas = parse_count("--replicas", f.replicas);
  auto tick = parse_count("--tick-ms", f.tick_ms);
  auto timeout = parse_count("--timeout-ms", f.timeout_ms);
  for (const auto* e :
       {rate ? nullptr : &rate.error(), duration ? nullptr : &duration.error(),
        run_limit ? nullptr : &run_limit.error(), replicas ? nullptr : &replicas.error(),
        tick ? nullptr : &tick.error(), timeout ? nullptr : &timeout.error()})
    if (e) return *e;
  if (*tick == 0 || *tick > 60'000) return Error{"bad_flag", "--tick-ms must be in 1..60000"};
  if (f.consistency != "l" && f.consistency != "s")
    return Error{"bad_flag", "--consistency must be l (linearizable) or s (serializable)"};
  o.rate = *rate;
  o.duration_s = *duration;
  o.run_limit_s = *run_limit;
  o.replicas = std::min<std::uint64_t>(*replicas, 1000);
  o.tick_ms = int(*tick);
  o.timeout_ms = std::int64_t(std::min<std::uint64_t>(*timeout, 1'000'000'000));
  o.serializable = f.consistency == "s";
  o.key_prefix = f.key_prefix;
  o.endpoints = f.endpoints;
  // Neither flag: the local cluster makes a throwaway CA (bench/bench_certs.hpp).
  o.security.insecure_loopback = f.link.insecure_loopback;
  if (!f.link.insecure_loopback) o.security.certs_dir = f.link.certs;
  o.security.cert_name = f.link.cert_name;
  o.data_parent = f.data_dir;
  o.binary = "/proc/self/exe";
  return Ok{};
}

std::string ms(double us) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(us < 10'000 ? 2 : 1) << us / 1000.0 << " ms";
  return out.str();
}

std::string mib(std::uint64_t bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << double(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

std::string latency_line(const bench::LatencyStats& s) {
  return "mean " + ms(s.mean_us) + "  stddev " + ms(s.stddev_us) + "  p50 " + ms(s.p50_us) +
         "  p90 " + ms(s.p90_us) + "  p99 " + ms(s.p99_us) + "  p99.9 " + ms(s.p999_us) + "  max " +
         ms(s.max_us);
}

nlohmann::json latency_json(const bench::LatencyStats& s) {
  return {{"mean", s.mean_us}, {"stddev", s.stddev_us}, {"p50", s.p50_us}, {"p90", s.p90_us},
          {"p99", s.p99_us},   {"p99.9", s.p999_us},    {"max", s.max_us}};
}

void print_text(const StoreBenchReport& r, std::ostream& out) {
  const auto& o = r.options;
  const auto& s = r.stats;
  out << "store " << r.mode
      << (r.mode == "range" ? (o.serializable ? " (serializable)" : " (linearizable)") : "") << ": "
      << o.clients << " clients over " << o.conns << " connections, key "
      << o.key_prefix.size() + o.key_bytes << " B, value " << o.value_bytes << " B"
      << (o.rate > 0 ? ", rate limit " + std::to_string(std::uint64_t(o.rate)) + "/s" : "")
      << (o.endpoints.empty() ? ", own " + std::to_string(o.replicas) + "-replica cluster" : "")
      << "\n";
  out << std::fixed << std::setprecision(1) << "  throughput  " << s.per_second << " req/s ("
      << s.requests << " ok, " << s.errors << " errors in " << std::setprecision(2) << s.seconds
      << " s)\n";
  out << "  latency     " << latency_line(s) << "\n";
  for (const auto& [code, n] : s.error_counts) out << "  error       " << code << ": " << n << "\n";
  if (r.mode == "fill" && s.seconds > 0)
    out << "  loaded      " << o.total << " keys, " << o.batch
        << " puts per txn: " << std::uint64_t(double(o.total) / s.seconds) << " keys/s\n";
  for (const auto& m : r.members)
    out << "  member " << m.id << " (" << m.role << "): db " << mib(m.db_size_bytes)
        << (m.rss_bytes ? ", rss " + mib(m.rss_bytes) : "")
        << (m.disk_bytes ? ", data dir " + mib(m.disk_bytes) : "") << "\n";
}

nlohmann::json to_json(const StoreBenchReport& r) {
  const auto& o = r.options;
  const auto& s = r.stats;
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : r.members)
    members.push_back({{"id", m.id},
                       {"role", m.role},
                       {"db_size_bytes", m.db_size_bytes},
                       {"rss_bytes", m.rss_bytes},
                       {"disk_bytes", m.disk_bytes}});
  return {{"mode", r.mode},
          {"consistency", o.serializable ? "s" : "l"},
          {"clients", o.clients},
          {"conns", o.conns},
          {"key_bytes", o.key_prefix.size() + o.key_bytes},
          {"value_bytes", o.value_bytes},
          {"keys", r.mode == "fill" ? o.total : 0},
          {"batch", r.mode == "fill" ? o.batch : 1},
          {"rate", o.rate},
          {"own_cluster", o.endpoints.empty()},
          {"replicas", o.replicas},
          {"requests", s.requests},
          {"errors", s.error_counts},
          {"seconds", s.seconds},
          {"per_second", s.per_second},
          {"latency_us", latency_json(s)},
          {"members", members}};
}

int run_store_bench_command(StoreBenchMode mode, const StoreBenchFlags& flags,
                            const std::vector<std::string>& extras) {
  const char* name = mode == StoreBenchMode::put     ? "put"
                     : mode == StoreBenchMode::range ? "range"
                                                     : "fill";
  auto fail = [name](int code, const std::string& message) {
    std::cerr << "craton bench store " << name << ": " << message << "\n";
    return code;
  };
  if (!extras.empty()) return fail(2, "unknown argument '" + extras.front() + "'");
  StoreBenchOptions options;
  options.mode = mode;
  if (auto s = read_flags(flags, options); !s) return fail(2, s.error().message);
  if (auto s = bench::validate_store_bench_options(options); !s) return fail(2, s.error().message);
  auto report = bench::run_store_bench(options);
  if (!report) return fail(1, report.error().message);
  if (flags.json)
    std::cout << to_json(*report).dump() << "\n";
  else
    print_text(*report, std::cout);
  return report->stats.errors == 0 ? 0 : 1;
}

void print_watch_text(const bench::WatchBenchReport& r, std::ostream& out) {
  const auto& o = r.options;
  const auto& c = r.creation;
  const auto& p = r.puts;
  const auto& d = r.delivery;
  out << "store watch: " << o.watchers << " watchers on prefix '" << o.puts.key_prefix << "' over "
      << o.watch_conns << " connections, " << o.puts.total << " puts by " << o.puts.clients
      << " put clients, key " << o.puts.key_prefix.size() + o.puts.key_bytes << " B, value "
      << o.puts.value_bytes << " B"
      << (o.puts.rate > 0 ? ", rate limit " + std::to_string(std::uint64_t(o.puts.rate)) + "/s"
                          : "")
      << (o.puts.endpoints.empty() ? ", own " + std::to_string(o.puts.replicas) + "-replica cluster"
                                   : "")
      << "\n";
  out << std::fixed << "  watches     " << c.requests << " established in " << ms(c.seconds * 1e6)
      << "; per watch " << latency_line(c) << "\n";
  out << std::setprecision(1) << "  puts        " << p.per_second << " puts/s (" << p.requests
      << " ok, " << p.errors << " errors in " << std::setprecision(2) << p.seconds << " s)\n";
  out << "  put latency " << latency_line(p) << " (send to answer)\n";
  for (const auto& [code, n] : p.error_counts) out << "  put error   " << code << ": " << n << "\n";
  out << "  events      " << d.requests << " of " << r.expected_events << " delivered in "
      << d.seconds << " s (first put sent to last event): " << std::setprecision(1) << d.per_second
      << " events/s\n";
  out << "  delivery    " << latency_line(d) << " (put sent to event at the watcher)\n";
  for (const auto& [code, n] : d.error_counts) out << "  event error " << code << ": " << n << "\n";
}

nlohmann::json watch_to_json(const bench::WatchBenchReport& r) {
  const auto& o = r.options;
  auto figures = [](const bench::LatencyStats& s) {
    return nlohmann::json{{"errors", s.error_counts},
                          {"seconds", s.seconds},
                          {"per_second", s.per_second},
                          {"latency_us", latency_json(s)}};
  };
  auto creation = figures(r.creation);
  creation["established"] = r.creation.requests;
  auto put = figures(r.puts);
  put["requests"] = r.puts.requests;
  auto events = figures(r.delivery);
  events["expected"] = r.expected_events;
  events["delivered"] = r.delivery.requests;
  return {{"mode", "watch"},
          {"watchers", o.watchers},
          {"conns", o.watch_conns},
          {"puts", o.puts.total},
          {"put_clients", o.puts.clients},
          {"key_bytes", o.puts.key_prefix.size() + o.puts.key_bytes},
          {"value_bytes", o.puts.value_bytes},
          {"rate", o.puts.rate},
          {"own_cluster", o.puts.endpoints.empty()},
          {"replicas", o.puts.replicas},
          {"creation", creation},
          {"put", put},
          {"events", events}};
}

int run_watch_bench_command(const StoreBenchFlags& flags, const std::vector<std::string>& extras) {
  auto fail = [](int code, const std::string& message) {
    std::cerr << "craton bench store watch: " << message << "\n";
    return code;
  };
  if (!extras.empty()) return fail(2, "unknown argument '" + extras.front() + "'");
  // read_flags knows these two as --total and --clients: name them as this command does.
  for (const auto& [flag, text] :
       {std::pair{"--puts", &flags.total}, std::pair{"--put-clients", &flags.clients}})
    if (auto v = parse_count(flag, *text); !v) return fail(2, v.error().message);
  bench::WatchBenchOptions options;
  if (auto s = read_flags(flags, options.puts); !s) return fail(2, s.error().message);
  auto watchers = parse_count("--watchers", flags.watchers);
  auto drain = parse_count("--drain-timeout-ms", flags.drain_timeout_ms);
  if (!watchers) return fail(2, watchers.error().message);
  if (!drain) return fail(2, drain.error().message);
  options.watchers = *watchers;
  options.watch_conns = options.puts.conns;
  options.puts.conns = 1;  // one writer node
  options.drain_timeout_ms = std::int64_t(std::min<std::uint64_t>(*drain, 1'000'000'000));
  if (auto s = bench::validate_watch_bench_options(options); !s) return fail(2, s.error().message);
  auto report = bench::run_watch_bench(options);
  if (!report) return fail(1, report.error().message);
  if (flags.json)
    std::cout << watch_to_json(*report).dump() << "\n";
  else
    print_watch_text(*report, std::cout);
  return report->puts.errors == 0 && report->delivery.errors == 0 ? 0 : 1;
}

// The flags every mode takes: where the cluster is, bounds, output.
void add_cluster_options(CLI::App& sub, StoreBenchFlags& flags) {
  sub.add_option("--endpoints", flags.endpoints,
                 "[id=]host:port,... of a running cluster (default: start one)");
  sub.add_option("--replicas", flags.replicas, "Replicas of the cluster started here");
  sub.add_option("--data-dir", flags.data_dir, "Parent of that cluster's temp directory");
  sub.add_option("--tick-ms", flags.tick_ms, "That cluster's Raft tick");
  sub.add_option("--timeout-ms", flags.timeout_ms, "Per request; no answer counts as an error");
  add_link_flags(&sub, flags.link, "admin; neither flag: a throwaway CA");
  sub.add_option("--run-limit-s", flags.run_limit_s, "Bound on the whole load phase");
  sub.add_flag("--json", flags.json, "One JSON object instead of text");
  sub.allow_extras();
}

void add_mode(CLI::App& store, StoreBenchMode mode, const char* name, const char* help,
              int& exit_code) {
  auto* sub = store.add_subcommand(name, help);
  auto flags = std::make_shared<StoreBenchFlags>();
  if (mode == StoreBenchMode::fill) {
    flags->clients = "32";
    flags->conns = "4";
    flags->total = "1000000";
  }
  sub->add_option("--clients", flags->clients, "Requests in flight at once (etcd: --clients)");
  sub->add_option("--conns", flags->conns, "Client connections, each its own client node");
  sub->add_option("--key-bytes", flags->key_bytes, "Key bytes after --key-prefix");
  sub->add_option("--value-bytes", flags->value_bytes, "Value bytes");
  sub->add_option("--key-prefix", flags->key_prefix, "Prefix of every key");
  sub->add_option("--total", flags->total, "Requests (put, range) or keys (fill)");
  if (mode == StoreBenchMode::fill) {
    sub->add_option("--keys", flags->keys, "Keys to load");
    sub->add_option("--batch", flags->batch, "Puts per txn (1..128)");
  }
  if (mode == StoreBenchMode::range)
    sub->add_option("--consistency", flags->consistency, "l (linearizable) or s (serializable)");
  sub->add_option("--rate", flags->rate, "Requests per second over all clients (0: no limit)");
  sub->add_option("--duration-s", flags->duration_s, "Stop sending after this long (0: none)");
  sub->add_option("--seed", flags->seed, "Key sequence");
  add_cluster_options(*sub, *flags);
  sub->callback([sub, flags, mode, &exit_code] {
    exit_code = run_store_bench_command(mode, *flags, sub->remaining());
  });
}

void add_watch_mode(CLI::App& store, int& exit_code) {
  auto* sub = store.add_subcommand(
      "watch", "W watchers on one prefix, P puts under it: event delivery latency, throughput");
  auto flags = std::make_shared<StoreBenchFlags>();
  flags->total = "1000";
  flags->key_prefix = "/watchbench/";
  sub->add_option("--watchers", flags->watchers, "Watches on the prefix (etcd: --watchers)");
  sub->add_option("--conns", flags->conns,
                  "Watcher connections, each its own client node (one watch stream)");
  sub->add_option("--puts", flags->total, "Puts under the prefix (etcd: --put-total)");
  sub->add_option("--put-clients", flags->clients, "Puts in flight at once (one writer node)");
  sub->add_option("--rate", flags->rate, "Puts per second (0: as fast as the put clients go)");
  sub->add_option("--key-prefix", flags->key_prefix, "The watched prefix");
  sub->add_option("--key-bytes", flags->key_bytes,
                  "Key bytes after the prefix (>= 8: the put's number)");
  sub->add_option("--value-bytes", flags->value_bytes, "Value bytes");
  sub->add_option("--drain-timeout-ms", flags->drain_timeout_ms,
                  "After the last put, wait this long for every event");
  add_cluster_options(*sub, *flags);
  sub->callback(
      [sub, flags, &exit_code] { exit_code = run_watch_bench_command(*flags, sub->remaining()); });
}

}  // namespace

void add_store_bench(CLI::App& bench, int& exit_code) {
  auto* store =
      bench.add_subcommand("store", "Store load: put, range, fill, watch (vs etcd's shapes)");
  store->require_subcommand(1);
  add_mode(*store, StoreBenchMode::put, "put", "Puts of distinct keys: throughput, latency",
           exit_code);
  add_mode(*store, StoreBenchMode::range, "range", "Gets of one key (--consistency l|s)",
           exit_code);
  add_mode(*store, StoreBenchMode::fill, "fill", "Load N keys, then each replica's RSS and DB size",
           exit_code);
  add_watch_mode(*store, exit_code);
}

}  // namespace craton::cmd
