// `craton bench controllers`: the controllers benchmark (bench/controllers_bench.hpp).
//
//   craton bench controllers [--deployments 100] [--replicas 100] [--clients 16] [--nodes N]
//                            [--no-scheduler] [--skip-rollout] [--json]
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
  sub->add_option("--nodes", o->nodes, "Nodes for the schedulers to bind the pods to (0: none)")
      ->check(CLI::Range(0, 100000));
  auto no_scheduler = std::make_shared<bool>(false);
  sub->add_flag("--no-scheduler", *no_scheduler,
                "The servers run no scheduler: the controllers measured alone");
  auto skip_rollout = std::make_shared<bool>(false);
  sub->add_flag("--skip-rollout", *skip_rollout,
                "Only the creation phase (no fake kubelet, no rolling update)");
  sub->add_flag("--json", *json, "JSON output");
  sub->callback([o, json, skip_rollout, no_scheduler, &exit_code] {
    o->binary = "/proc/self/exe";
    o->scheduler = !*no_scheduler;
    o->rollout = !*skip_rollout;
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
                                  {"caches_agree", report->caches_agree},
                                  {"expected_pods", expected},
                                  {"create_cpu_s", report->create_cpu_s},
                                  {"create_cpu_by_server_s", report->create_cpu_by_server_s},
                                  {"cpu_ms_per_pod",
                                   1000 * report->create_cpu_s / double(expected)},
                                  {"nodes", o->nodes},
                                  {"all_bound_s", report->all_bound_s},
                                  {"bound_pods_per_s", report->bound_pods_per_s},
                                  {"ready_s", report->ready_s},
                                  {"rollout_s", report->rollout_s},
                                  {"rollout_pods_per_s", report->rollout_pods_per_s},
                                  {"rollout_cpu_s", report->rollout_cpu_s},
                                  {"pods_after_rollout", report->pods_after_rollout},
                                  {"statuses_marked", report->statuses_marked},
                                  {"statuses_refused", report->statuses_refused},
                                  {"server_rss_max_bytes", report->server_rss_max_bytes}}
                       .dump()
                << "\n";
    } else {
      std::string by_server;
      for (auto s : report->create_cpu_by_server_s)
        by_server += (by_server.empty() ? "" : " / ") + std::to_string(s).substr(0, 4) + " s";
      std::printf(
          "%llu Deployments x %llu replicas on 3 craton servers (leader after %.1f s)\n"
          "POSTed in %.2f s; every ReplicaSet reported all replicas after %.2f s: %.0f pods/s\n"
          "servers' CPU while creating: %.1f s (%.2f ms per pod; %s by server)\n"
          "pods after a quiet second: %llu (expected %llu)\n",
          (unsigned long long)o->deployments, (unsigned long long)o->replicas, report->leader_s,
          report->create_s, report->all_created_s, report->pods_per_s, report->create_cpu_s,
          1000 * report->create_cpu_s / double(expected), by_server.c_str(),
          (unsigned long long)report->pods, (unsigned long long)expected);
      if (o->nodes > 0)
        std::printf("%llu nodes: every pod bound after %.2f s: %.0f pods/s created and bound\n",
                    (unsigned long long)o->nodes, report->all_bound_s, report->bound_pods_per_s);
      if (o->rollout)
        std::printf(
            "fake kubelet: every Deployment available after %.2f s (%llu statuses written, %llu "
            "refused)\n"
            "rolling update of all at once: complete after %.2f s: %.0f pods replaced/s "
            "(servers' CPU %.1f s)\n"
            "pods after a quiet second: %llu (expected %llu)\n",
            report->ready_s, (unsigned long long)report->statuses_marked,
            (unsigned long long)report->statuses_refused, report->rollout_s,
            report->rollout_pods_per_s, report->rollout_cpu_s,
            (unsigned long long)report->pods_after_rollout, (unsigned long long)expected);
      std::printf("largest server RSS %.0f MiB\n", report->server_rss_max_bytes / 1048576.0);
    }
    bool exact = report->caches_agree && report->pods == expected &&
                 (!o->rollout || report->pods_after_rollout == expected);
    exit_code = exact ? 0 : 1;
  });
}

}  // namespace craton::cmd
