// `craton research run --workload W.jsonl --policy P.yaml --seed S [--duration-s D]
// [--sample-s T] [--stop-at-gpu-demand PCT] [--no-early-stop] [--json]`: one research run on the
// whole simulated cluster (sim/research/research_run.hpp), printing its summary: pods submitted,
// bound, unschedulable, finished, preempted, evicted, why and when it stopped, node events
// replayed, the last sample's allocation and fragmentation, and the run's cost (wall, peak RSS,
// events). Exit 0 after a run, 1 when the workload or policy cannot be used.
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cmd/commands.hpp"
#include "cmd/research_stop_flags.hpp"
#include "sim/research/research_run.hpp"

namespace craton::cmd {

namespace {

struct RunFlags {
  std::string workload, policy;
  std::uint64_t seed = 1;
  std::optional<std::int64_t> duration_s;
  std::int64_t sample_s = 10;
  bool json = false;
  ResearchStopFlags stop;
};

nlohmann::json summary_json(const research::RunOutcome& o) {
  std::int64_t bound = 0, unschedulable = 0, finished = 0, preempted = 0, evicted = 0;
  for (const auto& p : o.result.pods) {
    bound += p.bound_s ? 1 : 0;
    unschedulable += p.unschedulable ? 1 : 0;
    finished += p.finished_s ? 1 : 0;
    preempted += p.preempted ? 1 : 0;
    evicted += p.evicted ? 1 : 0;
  }
  nlohmann::json j{{"policy", o.result.run.policy},
                   {"seed", o.result.run.seed},
                   {"workload_hash", o.result.run.workload_hash},
                   {"pods", o.result.pods.size()},
                   {"pods_submitted", o.pods_submitted},
                   {"bound", bound},
                   {"unschedulable", unschedulable},
                   {"finished", finished},
                   {"preempted", preempted},
                   {"evicted", evicted},
                   {"refused", o.refusals.size()},
                   {"end_s", o.result.end_s},
                   {"stopped_by", o.stopped_by},
                   {"gpu_demand_reached", o.gpu_demand_reached},
                   {"node_events_replayed", o.node_events_replayed},
                   {"node_events_ignored", o.node_events_ignored},
                   {"trace_hash", o.result.trace_hash},
                   {"wall_s", o.cost.wall_s},
                   {"peak_rss_bytes", o.cost.peak_rss_bytes},
                   {"events", o.cost.events}};
  if (!o.result.samples.empty()) {
    const auto& s = o.result.samples.back();
    j["last_sample"] = {{"t_s", s.t_s},
                        {"cpu_allocation", s.cpu_allocation},
                        {"memory_allocation", s.memory_allocation},
                        {"gpu_allocation", s.gpu_allocation},
                        {"gpu_demand_arrived", s.gpu_demand_arrived},
                        {"gpu_fragmentation", s.gpu_fragmentation}};
  }
  return j;
}

}  // namespace

void add_research_run(CLI::App& research, int& exit_code) {
  auto f = std::make_shared<RunFlags>();
  auto* sub = research.add_subcommand("run", "Run a workload on the simulated cluster");
  sub->add_option("--workload", f->workload, "The workload file (JSON lines)")->required();
  sub->add_option("--policy", f->policy, "A KubeSchedulerConfiguration (sim/policies/*.yaml)")
      ->required();
  sub->add_option("--seed", f->seed, "The simulation's seed")->required();
  sub->add_option("--duration-s", f->duration_s,
                  "Stop at the latest this long after the workload's start (default: when "
                  "every pod could have finished, plus 60 s)");
  sub->add_option("--sample-s", f->sample_s, "Usage sample period")->capture_default_str();
  f->stop.add_to(sub);
  sub->add_flag("--json", f->json, "Print the summary as JSON");
  sub->callback([f, &exit_code] {
    auto workload = research::read_research_workload(f->workload);
    if (!workload) {
      std::cerr << "craton research run: " << workload.error().message << "\n";
      exit_code = 1;
      return;
    }
    research::ResearchRunOptions options;
    options.craton_version = CRATON_VERSION;
    if (f->duration_s) options.duration_ms = *f->duration_s * 1000;
    options.sample_period_ms = f->sample_s * 1000;
    f->stop.apply(options);
    auto outcome = research::run_research(*workload, f->policy, f->seed, options);
    if (!outcome) {
      std::cerr << "craton research run: " << outcome.error().message << "\n";
      exit_code = 1;
      return;
    }
    auto j = summary_json(*outcome);
    if (f->json) {
      std::cout << j.dump() << "\n";
    } else {
      for (const auto& [k, v] : j.items()) std::cout << k << ": " << v.dump() << "\n";
    }
    // A create the API refused for good makes the figures wrong (the pod never existed): said
    // loudly, and the exit status says it too.
    for (const auto& refusal : outcome->refusals)
      std::cerr << "craton research run: the API refused " << refusal << "\n";
    exit_code = outcome->refusals.empty() ? 0 : 1;
  });
}

}  // namespace craton::cmd
