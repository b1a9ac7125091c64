// `craton bench scheduler`: the scheduler benchmark (bench/scheduler_bench.hpp), in-process.
//
//   craton bench scheduler [--nodes 5000] [--pods 50000] [--init-pods N]
//       [--workload basic|spread|affinity|anti-affinity|preemption|gpu] [--seed 1]
//       [--check-every 100] [--every-pod] [--path direct|queue|api|both] [--json]
// --path both runs the direct and queue paths one after the other on the same options and prints
// both, and the queue path's pods/s as a fraction of the direct path's (same machine, same
// minute). --path api is the queue path binding through an in-process API service, run alone.
#include <iostream>
#include <vector>

#include "bench/scheduler_bench.hpp"
#include "cmd/commands.hpp"

namespace craton::cmd {

void add_scheduler_bench(CLI::App& bench, int& exit_code) {
  auto* sub = bench.add_subcommand(
      "scheduler", "Scheduler: scheduler_perf's workloads through the framework, in-process");
  auto o = std::make_shared<bench::SchedulerBenchOptions>();
  auto workload = std::make_shared<std::string>("basic");
  auto init_pods = std::make_shared<std::int64_t>(-1);
  auto json = std::make_shared<bool>(false);
  auto path = std::make_shared<std::string>("direct");
  sub->add_option("--nodes", o->nodes, "Nodes")->check(CLI::Range(1u, bench::kBenchNodesMax));
  sub->add_option("--pods", o->pods, "Measured pods")->check(CLI::Range(1u, bench::kBenchPodsMax));
  sub->add_option("--init-pods", *init_pods,
                  "Pods scheduled before measuring (default: the workload's)")
      ->check(CLI::Range(std::int64_t(0), std::int64_t(bench::kBenchPodsMax)));
  sub->add_option("--workload", *workload,
                  "basic, spread, affinity, anti-affinity, preemption or gpu");
  sub->add_option("--seed", o->seed, "Seed of tie breaking");
  sub->add_option("--check-every", o->check_every,
                  "Check every Nth measured pod against the slow reference (0: none)");
  sub->add_flag("--every-pod", o->every_pod,
                "Measure the slow reference (plugins walking every pod) instead");
  sub->add_option("--path", *path,
                  "direct (framework over the nodes), queue (SchedulerCache, Snapshot and "
                  "SchedulingQueue around it), api (queue, binds through an in-process API) or "
                  "both (direct and queue)");
  sub->add_flag("--json", *json, "One JSON object");
  sub->callback([o, workload, init_pods, json, path, &exit_code] {
    auto w = bench::parse_scheduler_workload(*workload);
    if (!w) {
      std::cerr << "craton bench scheduler: " << w.error().message << "\n";
      exit_code = 2;
      return;
    }
    o->workload = w.value();
    if (*init_pods >= 0) o->init_pods = static_cast<std::uint32_t>(*init_pods);
    std::vector<bench::SchedulerBenchPath> paths;
    if (*path == "both") {
      paths = {bench::SchedulerBenchPath::direct, bench::SchedulerBenchPath::queue};
    } else if (auto p = bench::parse_scheduler_bench_path(*path)) {
      paths = {p.value()};
    } else {
      std::cerr << "craton bench scheduler: " << p.error().message << " (or both)\n";
      exit_code = 2;
      return;
    }
    std::vector<bench::SchedulerBenchReport> reports;
    for (auto p : paths) {
      o->path = p;
      auto report = bench::run_scheduler_bench(*o);
      if (!report) {
        std::cerr << "craton bench scheduler: " << report.error().message << "\n";
        exit_code = 1;
        return;
      }
      reports.push_back(std::move(report.value()));
    }
    if (reports.size() == 1) {
      std::cout << (*json ? bench::scheduler_bench_json(reports[0]) + "\n"
                          : bench::scheduler_bench_text(reports[0]));
    } else {
      double ratio = reports[0].pods_per_second > 0
                         ? reports[1].pods_per_second / reports[0].pods_per_second
                         : 0;
      if (*json) {
        std::cout << "{\"direct\":" << bench::scheduler_bench_json(reports[0])
                  << ",\"queue\":" << bench::scheduler_bench_json(reports[1])
                  << ",\"queue_over_direct\":" << ratio << "}\n";
      } else {
        std::cout << bench::scheduler_bench_text(reports[0])
                  << bench::scheduler_bench_text(reports[1])
                  << "queue path / direct path pods/s: " << ratio << "\n";
      }
    }
    exit_code = 0;
    for (const auto& r : reports)
      if (!r.check_failures.empty()) exit_code = 1;
  });
}

}  // namespace craton::cmd
