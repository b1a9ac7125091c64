// The flags that say when a research run stops, shared by `craton research run` and `craton
// research compare` (sim/research/research_run.hpp, docs/research.md "When a run stops"):
//   --stop-at-gpu-demand PCT   the FGD paper's stop: submit pods until their GPU requests reach
//                              PCT% of the cluster's GPUs, stop once each is placed or pending
//   --no-early-stop            run to --duration (or the computed end) even when nothing changes
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/research/research_run.hpp"

namespace craton::cmd {

struct ResearchStopFlags {
  std::optional<double> gpu_demand_pct;
  bool no_early_stop = false;

  void add_to(CLI::App* sub) {
    sub->add_option("--stop-at-gpu-demand", gpu_demand_pct,
                    "Submit pods until their GPU requests reach PCT% of the cluster's GPUs, "
                    "then stop once each is placed or pending (the FGD paper's experiment)")
        ->check(CLI::Range(0.001, 100000.0));
    sub->add_flag("--no-early-stop", no_early_stop,
                  "Run to the end even when every pod finished or nothing can change");
  }
  void apply(research::ResearchRunOptions& o) const {
    if (gpu_demand_pct) o.stop_at_gpu_demand = *gpu_demand_pct / 100.0;
    o.early_stop = !no_early_stop;
  }
  /// The flags as given, for a command line that reproduces the run ("" when none).
  std::string text() const {
    std::string out;
    if (gpu_demand_pct) out += " --stop-at-gpu-demand " + CLI::detail::to_string(*gpu_demand_pct);
    if (no_early_stop) out += " --no-early-stop";
    return out;
  }
};

}  // namespace craton::cmd
