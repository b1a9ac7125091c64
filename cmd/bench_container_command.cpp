// `craton bench containers`: container start beside runc and crun, and idle pods' cost
// (bench/container_bench.hpp). Needs root; the driver's shim is the agent's (craton-shim beside
// this binary, else `craton shim`) unless --shim names another.
//
//   craton bench containers [--runs 50] [--idle-pods 100] [--idle-seconds 5] [--dir /tmp]
//       [--runc runc] [--crun crun] [--shim PATH] [--json]
#include <iostream>

#include "bench/container_bench.hpp"
#include "cmd/agent_runtime.hpp"
#include "cmd/commands.hpp"

namespace craton::cmd {

void add_container_bench(CLI::App& bench, int& exit_code) {
  auto* sub = bench.add_subcommand(
      "containers", "Container start (Linux driver) beside runc run and crun run; idle pods' cost");
  auto o = std::make_shared<bench::ContainerBenchOptions>();
  auto json = std::make_shared<bool>(false);
  auto shim = std::make_shared<std::string>();
  sub->add_option("--runs", o->runs, "Interleaved rounds (each runtime once per round)")
      ->check(CLI::Range(1u, bench::kContainerBenchRunsMax));
  sub->add_option("--idle-pods", o->idle_pods, "Idle pods (sleep 3600) to measure; 0: none")
      ->check(CLI::Range(0u, bench::kContainerBenchIdlePodsMax));
  sub->add_option("--idle-seconds", o->idle_seconds, "Window of the idle shims' CPU")
      ->check(CLI::Range(0u, bench::kContainerBenchIdleSecondsMax));
  sub->add_option("--dir", o->work_parent, "Where the run's temp dir goes");
  sub->add_option("--runc", o->runc, "runc binary (empty: skip)");
  sub->add_option("--crun", o->crun, "crun binary (empty: skip)");
  sub->add_option("--shim", *shim,
                  "Another shim executable taking the verb as argv[1] (default: the agent's: "
                  "craton-shim beside this binary, else craton shim)");
  sub->add_flag("--json", *json, "One JSON object");
  sub->callback([o, json, shim, &exit_code] {
    // The shim the agent would spawn: a start is measured as pods get it.
    o->shim_command = shim->empty() ? shim_command() : std::vector<std::string>{*shim};
    auto report = bench::run_container_bench(*o);
    if (!report) {
      std::cerr << "craton bench containers: " << report.error().message << "\n";
      exit_code = 1;
      return;
    }
    std::cout << (*json ? bench::container_bench_json(report.value()) + "\n"
                        : bench::container_bench_text(report.value()));
    exit_code = report->leftovers.empty() ? 0 : 1;
  });
}

}  // namespace craton::cmd
