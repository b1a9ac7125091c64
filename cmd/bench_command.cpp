// `craton bench <name>`: benchmark drivers (bench/), one CLI function per benchmark here.
//
//   craton bench link [--sizes 64,4096] [--count N] [--window W] [--latency-count N] [--rounds R]
//
// A new benchmark adds its driver as bench/<name>_bench.{hpp,cpp} and one add_<name>_bench()
// below. `craton bench link-peer` is the hidden peer process the link benchmark starts.
#include <charconv>
#include <iostream>

#include "bench/link_bench.hpp"
#include "bench/storage_bench.hpp"
#include "cmd/commands.hpp"

namespace craton::cmd {
namespace {

Result<std::uint64_t> parse_number(const std::string& flag, const std::string& text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return Error{"bad_flag", flag + " must be a number: '" + text + "'"};
  return v;
}

Result<std::vector<std::size_t>> parse_sizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  while (start <= text.size() && sizes.size() <= 16) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto n = parse_number("--sizes", item);
    if (!n) return n.error();
    sizes.push_back(*n);
    if (comma == std::string::npos) return sizes;
    start = comma + 1;
  }
  return Error{"bad_flag", "--sizes takes at most 16 sizes"};
}

struct LinkBenchFlags {
  std::string sizes = "64,4096";
  std::string count = "20000";
  std::string window = "64";
  std::string latency_count = "2000";
  std::string rounds = "3";
  bool insecure_loopback = false;
};

int run_link(const LinkBenchFlags& flags, const std::vector<std::string>& extras) {
  auto fail = [](const std::string& message) {
    std::cerr << "craton bench link: " << message << "\n";
    return 2;
  };
  if (!extras.empty()) return fail("unknown argument '" + extras.front() + "'");
  bench::LinkBenchOptions options;
  auto sizes = parse_sizes(flags.sizes);
  auto count = parse_number("--count", flags.count);
  auto window = parse_number("--window", flags.window);
  auto latency = parse_number("--latency-count", flags.latency_count);
  auto rounds = parse_number("--rounds", flags.rounds);
  for (const auto* e :
       {sizes.ok() ? nullptr : &sizes.error(), count.ok() ? nullptr : &count.error(),
        window.ok() ? nullptr : &window.error(), latency.ok() ? nullptr : &latency.error(),
        rounds.ok() ? nullptr : &rounds.error()})
    if (e) return fail(e->message);
  options.sizes = *sizes;
  options.count = *count;
  options.window = *window;
  options.latency_count = *latency;
  options.rounds = *rounds;
  options.peer_binary = "/proc/self/exe";
  options.insecure_loopback = flags.insecure_loopback;
  if (auto s = bench::validate_link_bench_options(options); !s) return fail(s.error().message);
  auto report = bench::run_link_bench(options);
  if (!report) {
    std::cerr << "craton bench link: " << report.error().message << "\n";
    return 1;
  }
  bench::print_link_bench(*report, std::cout);
  return 0;
}

void add_link_bench(CLI::App& bench, int& exit_code) {
  auto* sub = bench.add_subcommand("link", "Envelopes/s and latency between two processes, vs CAF");
  auto flags = std::make_shared<LinkBenchFlags>();
  sub->add_option("--sizes", flags->sizes, "Body sizes in bytes, comma-separated");
  sub->add_option("--count", flags->count, "Messages per throughput run");
  sub->add_option("--window", flags->window, "Messages in flight during throughput runs");
  sub->add_option("--latency-count", flags->latency_count, "Round trips per latency run");
  sub->add_option("--rounds", flags->rounds, "Alternating rounds; figures are medians");
  sub->add_flag("--insecure-loopback", flags->insecure_loopback,
                "Our links over plain TCP (default: mutual TLS, throwaway CA)");
  sub->allow_extras();
  sub->callback([sub, flags, &exit_code] { exit_code = run_link(*flags, sub->remaining()); });

  auto* peer = bench.add_subcommand("link-peer", "");
  peer->group("");  // hidden: started by `craton bench link`
  auto parent_port = std::make_shared<std::string>();
  auto certs = std::make_shared<std::string>();
  peer->add_option("--parent-port", *parent_port)->required();
  peer->add_option("--certs", *certs);
  peer->callback([parent_port, certs, &exit_code] {
    auto port = parse_number("--parent-port", *parent_port);
    if (!port || *port == 0 || *port > 65535) {
      std::cerr << "craton bench link-peer: --parent-port must be in 1..65535\n";
      exit_code = 2;
      return;
    }
    exit_code = bench::run_link_bench_peer(std::uint16_t(*port), *certs);
  });
}

void add_storage_bench(CLI::App& bench, int& exit_code) {
  auto* sub = bench.add_subcommand(
      "storage", "LMDB, Raft log and MVCC puts per synced commit, and key index rebuild");
  auto flags = std::make_shared<bench::StorageBenchFlags>();
  sub->add_option("--total", flags->total_puts, "Puts in the batched runs (a tenth unbatched)")
      ->check(CLI::Range(std::size_t{100}, std::size_t{10'000'000}));
  sub->add_option("--dir", flags->dir, "Scratch directory (removed after each run)");
  sub->add_flag("--no-sync", flags->no_sync, "Open the environments without fsync");
  sub->callback([flags, &exit_code] { exit_code = bench::run_storage_bench(*flags); });
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand("bench", "Benchmarks (link, store, storage, api)");
  bench->require_subcommand(1);
  add_link_bench(*bench, exit_code);
  add_store_bench(*bench, exit_code);        // cmd/bench_store_command.cpp
  add_api_bench(*bench, exit_code);          // cmd/bench_api_command.cpp
  add_controllers_bench(*bench, exit_code);  // cmd/bench_controllers_command.cpp
  add_scheduler_bench(*bench, exit_code);    // cmd/bench_scheduler_command.cpp
  add_container_bench(*bench, exit_code);    // cmd/bench_container_command.cpp
  add_pods_bench(*bench, exit_code);         // cmd/bench_pods_command.cpp
  add_storage_bench(*bench, exit_code);
}

}  // namespace craton::cmd
