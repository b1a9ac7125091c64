// The flags that say when a research run stops, shared by `craton research run` and `craton
// research compare` (sim/research/research_run.hpp, docs/research.md "When a run stops"):
//   --stop-at-gpu-demand PCT   the FGD paper's stop: submit pods until their GPU requests reach
//                              PCT% of the cluster's GPUs, stop once each is placed or pending
//   --no-early-stop            run to --duration (or the computed end) even when nothing changes
//   --view-every-ms MS         look at the pods at most once per MS (ResearchRunOptions::
//                              view_every_ms: faster runs of many pods, pod times late by <= MS)
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/research/research_run.hpp"

namespace craton::cmd {

struct ResearchStopFlags {
  std::optional<double> gpu_demand_pct;
  bool no_early_stop = false;
  std::int64_t view_every_ms = 0;

  void add_to(CLI::App* sub) {
    sub->add_option("--stop-at-gpu-demand", gpu_demand_pct,
                    "Submit pods until their GPU requests reach PCT% of the cluster's GPUs, "
                    "then stop once each is placed or pending (the FGD paper's experiment)")
        ->check(CLI::Range(0.001, 100000.0));
    sub->add_flag("--no-early-stop", no_early_stop,
                  "Run to the end even when every pod finished or nothing can change");
    sub->add_option("--view-every-ms", view_every_ms,
                    "Look at the pods at most once per MS of simulated time (default 0: after "
                    "every change; pod times are then late by up to MS, runs of many pods faster)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}));
  }
  void apply(research::ResearchRunOptions& o) const {
    if (gpu_demand_pct) o.stop_at_gpu_demand = *gpu_demand_pct / 100.0;
    o.early_stop = !no_early_stop;
    o.view_every_ms = view_every_ms;
  }
  /// The flags as given, for a command line that reproduces the run ("" when none).
  std::string text() const {
    std::string out;
    if (gpu_demand_pct) out += " --stop-at-gpu-demand " + CLI::detail::to_string(*gpu_demand_pct);
    if (no_early_stop) out += " --no-early-stop";
    if (view_every_ms != 0) out += " --view-every-ms " + std::to_string(view_every_ms);
    return out;
  }
};

}  // namespace craton::cmd
