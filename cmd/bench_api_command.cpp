// `craton bench api`: the API server benchmark (bench/api_bench.hpp).
//
//   craton bench api [--clients 16] [--objects 10000] [--object-bytes 2048] [--updates 2000]
//                    [--gets 10000] [--lists 20] [--watchers 1000] [--changes 20]
//                    [--paced-writes 10000] [--rate 1000] [--paced-clients 64] [--replicas 3]
//                    [--json]
// --replicas other than 3 is for diagnosis only (how much of a write's cost is the replicas');
// the figures are against three.
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/api_bench.hpp"
#include "cmd/commands.hpp"

namespace craton::cmd {
namespace {

nlohmann::json stats_json(const bench::LatencyStats& s) {
  return {{"requests", s.requests},    {"errors", s.errors},        {"per_second", s.per_second},
          {"p50_ms", s.p50_us / 1000}, {"p99_ms", s.p99_us / 1000}, {"max_ms", s.max_us / 1000}};
}

nlohmann::json cpu_json(const bench::CpuPerRequest& c) {
  return {{"client_ms", c.client_ms},
          {"api_ms", c.api_ms},
          {"replica_ms", c.replica_ms},
          {"total_ms", c.total_ms()}};
}

void print_cpu(const char* name, const bench::CpuPerRequest& c) {
  std::printf("%-8s CPU ms per request: client %.2f  api %.2f  replicas", name, c.client_ms,
              c.api_ms);
  for (double r : c.replica_ms) std::printf(" %.2f", r);
  std::printf("  total %.2f\n", c.total_ms());
}

void print_line(const char* name, const bench::LatencyStats& s) {
  std::printf("%-8s %8llu req  %2llu err  %9.1f/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n",
              name, (unsigned long long)s.requests, (unsigned long long)s.errors, s.per_second,
              s.p50_us / 1000, s.p99_us / 1000, s.max_us / 1000);
}

}  // namespace

void add_api_bench(CLI::App& bench, int& exit_code) {
  auto* sub =
      bench.add_subcommand("api", "API server: create/update/get/list latency, watch fan-out");
  auto o = std::make_shared<bench::ApiBenchOptions>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("--clients", o->clients, "HTTP clients in parallel")->check(CLI::Range(1, 256));
  sub->add_option("--objects", o->objects, "Pods created (and cached, and listed)")
      ->check(CLI::Range(1, 1000000));
  sub->add_option("--object-bytes", o->object_bytes, "JSON bytes per pod as sent")
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--updates", o->updates, "Merge patches")->check(CLI::Range(0, 10000000));
  sub->add_option("--gets", o->gets, "GETs by name")->check(CLI::Range(0, 10000000));
  sub->add_option("--lists", o->lists, "LISTs of every object")->check(CLI::Range(0, 10000));
  sub->add_option("--watchers", o->watchers, "Watch connections for the fan-out")
      ->check(CLI::Range(1, 5000));
  sub->add_option("--changes", o->changes, "Changes fanned out")->check(CLI::Range(1, 1000));
  sub->add_option("--paced-writes", o->paced_writes, "Merge patches sent at --rate (0: none)")
      ->check(CLI::Range(0, 10000000));
  sub->add_option("--rate", o->rate, "Paced writes per second")->check(CLI::Range(1.0, 100000.0));
  sub->add_option("--paced-clients", o->paced_clients, "HTTP clients sending the paced writes")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--data-dir", o->data_dir, "Where the store replicas keep their data");
  sub->add_option("--replicas", o->replicas, "Store replicas (the figures are against 3)")
      ->check(CLI::Range(1, 7));
  sub->add_flag("--json", *json, "JSON output");
  sub->callback([o, json, &exit_code] {
    o->binary = "/proc/self/exe";
    auto report = bench::run_api_bench(*o);
    if (!report) {
      std::cerr << "craton bench api: " << report.error().message << "\n";
      exit_code = 1;
      return;
    }
    if (*json) {
      std::cout << nlohmann::json{{"create", stats_json(report->create)},
                                  {"update", stats_json(report->update)},
                                  {"paced_update", stats_json(report->paced_update)},
                                  {"create_cpu", cpu_json(report->create_cpu)},
                                  {"update_cpu", cpu_json(report->update_cpu)},
                                  {"paced_cpu", cpu_json(report->paced_cpu)},
                                  {"rate", o->rate},
                                  {"get", stats_json(report->get)},
                                  {"list", stats_json(report->list)},
                                  {"fanout", stats_json(report->fanout)},
                                  {"list_bytes", report->list_bytes},
                                  {"first_list_ms", report->first_list_ms},
                                  {"cache_rss_bytes", report->cache_rss_bytes}}
                       .dump()
                << "\n";
    } else {
      std::printf("%llu objects of %llu bytes, %llu clients, 3 replicas, %llu watchers\n",
                  (unsigned long long)o->objects, (unsigned long long)o->object_bytes,
                  (unsigned long long)o->clients, (unsigned long long)o->watchers);
      print_line("create", report->create);
      print_line("update", report->update);
      if (o->paced_writes > 0) {
        std::printf("paced: %.0f writes/s requested over %llu clients (latency from when due)\n",
                    o->rate, (unsigned long long)o->paced_clients);
        print_line("paced", report->paced_update);
      }
      print_cpu("create", report->create_cpu);
      print_cpu("update", report->update_cpu);
      if (o->paced_writes > 0) print_cpu("paced", report->paced_cpu);
      print_line("get", report->get);
      print_line("list", report->list);
      std::printf("first list  %.2f ms (every object's JSON encoded, then kept)\n",
                  report->first_list_ms);
      print_line("fan-out", report->fanout);
      std::printf("list response %.1f MiB; API process RSS grew %.1f MiB while caching them\n",
                  report->list_bytes / 1048576.0, report->cache_rss_bytes / 1048576.0);
    }
    auto errors = report->create.errors + report->update.errors + report->paced_update.errors +
                  report->get.errors + report->list.errors + report->fanout.errors;
    exit_code = errors == 0 ? 0 : 1;
  });
}

}  // namespace craton::cmd
