// `craton bench controllers`: the controllers benchmark (bench/controllers_bench.hpp).
//
//   craton bench controllers [--deployments 100] [--replicas 100] [--clients 16] [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/controllers_bench.hpp"
#include "cmd/commands.hpp"

namespace craton::cmd {

void add_controllers_bench(CLI::App& bench, int& exit_code) {
  auto* sub = bench.add_subcommand(
      "controllers", "Controllers: Deployments x replicas created at once on 3 craton servers");
  auto o = std::make_shared<bench::ControllersBenchOptions>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("--deployments", o->deployments, "Deployments created at once")
      ->check(CLI::Range(1, 10000));
  sub->add_option("--replicas", o->replicas, "Replicas of each")->check(CLI::Range(1, 10000));
  sub->add_option("--clients", o->clients, "HTTP clients creating them")->check(CLI::Range(1, 256));
  sub->add_option("--timeout-s", o->timeout_s, "Give up after")->check(CLI::Range(10, 36000));
  sub->add_option("--data-dir", o->data_dir, "Where the servers keep their data");
  sub->add_flag("--json", *json, "JSON output");
  sub->callback([o, json, &exit_code] {
    o->binary = "/proc/self/exe";
    auto report = bench::run_controllers_bench(*o);
    if (!report) {
      std::cerr << "craton bench controllers: " << report.error().message << "\n";
      exit_code = 1;
      return;
    }
    auto expected = o->deployments * o->replicas;
    if (*json) {
      std::cout << nlohmann::json{{"deployments", o->deployments},
                                  {"replicas", o->replicas},
                                  {"leader_s", report->leader_s},
                                  {"create_s", report->create_s},
                                  {"all_created_s", report->all_created_s},
                                  {"pods_per_s", report->pods_per_s},
                                  {"pods", report->pods},
                                  {"expected_pods", expected},
                                  {"server_rss_max_bytes", report->server_rss_max_bytes}}
                       .dump()
                << "\n";
    } else {
      std::printf(
          "%llu Deployments x %llu replicas on 3 craton servers (leader after %.1f s)\n"
          "POSTed in %.2f s; every ReplicaSet reported all replicas after %.2f s: %.0f pods/s\n"
          "pods after a quiet second: %llu (expected %llu); largest server RSS %.0f MiB\n",
          (unsigned long long)o->deployments, (unsigned long long)o->replicas, report->leader_s,
          report->create_s, report->all_created_s, report->pods_per_s,
          (unsigned long long)report->pods, (unsigned long long)expected,
          report->server_rss_max_bytes / 1048576.0);
    }
    exit_code = report->pods == expected ? 0 : 1;
  });
}

}  // namespace craton::cmd
