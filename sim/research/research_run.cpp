// A research run on the whole simulated cluster (sim/research/research_run.hpp).
#include "sim/research/research_run.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "actors/api/convert/kube_json.hpp"
#include "actors/scheduler/config/scheduler_config.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"
#include "sim/cluster/cluster_scenario.hpp"
#include "sim/research/node_event_replay.hpp"
#include "sim/research/research_recorder.hpp"
#include "sim/research/research_scenario.hpp"
#include "sim/research/run_stop.hpp"
#include "sim/research/workload_objects.hpp"
#include "sim/workload/workload_hash.hpp"
#include "sim/workload/workload_reader.hpp"
#include "sim/world/world.hpp"

namespace craton::research {

namespace {

Error invalid(std::string message) {
  return Error{"invalid", std::move(message)};
}

std::int64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return std::int64_t(usage.ru_maxrss) * 1024;  // Linux: kilobytes
}

}  // namespace

Result<ResearchWorkload> read_research_workload(const std::string& path) {
  auto reader = workload::WorkloadReader::open(path);
  if (!reader) return reader.error();
  ResearchWorkload w;
  w.header = (*reader)->header();
  for (;;) {
    auto record = (*reader)->next();
    if (!record) return record.error();
    if (!*record) break;
    std::visit(
        [&](auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, workload::Node>)
            w.nodes.push_back(std::move(r));
          else if constexpr (std::is_same_v<T, workload::Pod>)
            w.pods.push_back(std::move(r));
          else
            w.node_events.push_back(std::move(r));
        },
        **record);
  }
  auto summary = workload::summarize_workload_file(path);
  if (!summary) return summary.error();
  w.hash = summary->hash;
  return w;
}

Result<RunOutcome> run_research(const ResearchWorkload& workload, const std::string& policy_file,
                                std::uint64_t seed, const ResearchRunOptions& options) {
  auto wall_start = std::chrono::steady_clock::now();
  if (workload.nodes.empty()) return invalid("the workload has no nodes");
  std::ifstream in(policy_file, std::ios::binary);
  if (!in) return invalid("cannot read the policy file " + policy_file);
  std::stringstream text;
  text << in.rdbuf();
  auto policy = scheduler::parse_scheduler_config(text.str());
  if (!policy) return Error{policy.error().code, policy_file + ": " + policy.error().message};

  // The pods the run submits (all, or up to the demand stop's cut), encoded once.
  RunOutcome outcome;
  std::size_t submitted = workload.pods.size();
  if (options.stop_at_gpu_demand) {
    auto capacity = gpu_capacity_milli(workload.nodes);
    if (!(*options.stop_at_gpu_demand > 0) || capacity <= 0)
      return invalid("the GPU demand stop needs a positive fraction and a cluster with GPUs");
    auto cut = demand_cut(workload.pods, capacity, *options.stop_at_gpu_demand);
    outcome.gpu_demand_reached = cut.has_value();
    submitted = cut.value_or(submitted);
  }
  std::vector<workload::Pod> pods(workload.pods.begin(),
                                  workload.pods.begin() + std::ptrdiff_t(submitted));
  api::KubeJson codec;
  std::vector<PodSubmission> submissions;
  submissions.reserve(pods.size());
  std::int64_t last_end_ms = 0, last_submit_ms = 0;
  std::vector<std::string> names;
  // The PriorityClasses the pods name (workload_objects.hpp), created first, at time 0: the
  // pods come start_ms later.
  std::set<std::int32_t> priorities;
  for (const auto& pod : pods)
    if (pod.priority != 0) priorities.insert(pod.priority);
  for (auto priority : priorities) {
    auto message =
        codec.decode_parsed<schema::k8s::PriorityClass>(priority_class_json_of(priority));
    if (!message)
      return invalid("priority " + std::to_string(priority) + ": " + message.error().message);
    submissions.push_back({0, priority_class_name(priority), flat_bytes(**message),
                           SubmitKind::create_priority_class});
  }
  for (const auto& pod : pods) {
    auto message = codec.decode_parsed<schema::k8s::Pod>(pod_json_of(pod, options.namespace_));
    if (!message) return invalid("pod " + pod.name + ": " + message.error().message);
    submissions.push_back({options.start_ms + pod.submit_ms, pod.name, flat_bytes(**message)});
    last_end_ms = std::max(last_end_ms, pod.submit_ms + pod.duration_ms.value_or(0));
    last_submit_ms = std::max(last_submit_ms, options.start_ms + pod.submit_ms);
    names.push_back(options.namespace_ + "/" + pod.name);
  }
  outcome.pods_submitted = std::int64_t(pods.size());
  std::int64_t end_ms =
      options.start_ms + options.duration_ms.value_or(last_end_ms + options.drain_ms);

  auto workers = workload.nodes.size();
  std::size_t total = workers;
  while (total - sim::control_plane_size(total) < workers) ++total;
  auto ids = sim::node_ids(total);
  auto first_worker = ids.begin() + std::ptrdiff_t(sim::control_plane_size(total));
  std::vector<std::string> worker_ids(first_worker, first_worker + std::ptrdiff_t(workers));
  auto plan =
      plan_node_events(workload.node_events, workload.nodes, worker_ids, options.start_ms, end_ms);
  if (!plan) return plan.error();
  outcome.node_events_replayed = plan->replayed;
  outcome.node_events_ignored = plan->ignored;
  for (const auto& d : plan->deletions)
    submissions.push_back({d.at_ms, d.node, "", SubmitKind::delete_node});
  std::stable_sort(
      submissions.begin(), submissions.end(),
      [](const PodSubmission& a, const PodSubmission& b) { return a.at_ms < b.at_ms; });

  std::shared_ptr<RunStop> stop;
  if (options.early_stop || options.stop_at_gpu_demand) {
    RunStopConfig c;
    c.pods = std::move(names);
    c.last_arrival_ms = std::max(last_submit_ms, plan->last_ms);
    c.bound_pods_settle = options.stop_at_gpu_demand.has_value();
    c.quiet_ms = options.quiet_ms;
    stop = std::make_shared<RunStop>(std::move(c));
  }

  sim::WorldConfig world;
  world.seed = seed;
  world.nodes = total;
  world.duration_ms = end_ms;
  world.settle_fraction = 1.0;
  world.faults = {sim::cluster_latency_fault()};
  for (auto& f : plan->faults) world.faults.push_back(std::move(f));
  std::stable_sort(world.faults.begin(), world.faults.end(),
                   [](const sim::Fault& a, const sim::Fault& b) { return a.at_ms < b.at_ms; });
  world.steps_max = options.steps_max;
  ResearchScenarioOptions scenario_options;
  scenario_options.namespace_ = options.namespace_;
  scenario_options.view_every_ms = options.view_every_ms;
  ResearchScenario scenario(ids, workload.nodes, std::move(submissions), std::move(*policy),
                            scenario_options, stop);
  auto report = sim::run_world(world, scenario);
  outcome.refusals = scenario.refusals();
  outcome.stopped_by = stop && !stop->reason().empty() ? stop->reason()
                       : options.duration_ms           ? "duration"
                                                       : "drain";

  RecorderInput input;
  input.nodes = &workload.nodes;
  input.pods = &pods;
  input.namespace_ = options.namespace_;
  input.start_ms = options.start_ms;
  input.end_ms = report.simulated_ms;
  input.sample_period_ms = options.sample_period_ms;
  auto recorded = record_run(report.history, input);
  if (!recorded) return recorded.error();
  outcome.result = std::move(*recorded);
  auto& run = outcome.result.run;
  run.policy = std::filesystem::path(policy_file).stem().string();
  run.config_file = policy_file;
  run.config_text = text.str();
  run.seed = seed;
  run.workload_hash = workload.hash;
  run.craton_version = options.craton_version;
  outcome.result.stopped_by = outcome.stopped_by;
  outcome.result.trace_hash = std::stoull(report.trace_hash, nullptr, 16);
  outcome.store_failures = report.check.failures;
  outcome.cost.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  outcome.cost.peak_rss_bytes = peak_rss_bytes();
  outcome.cost.events = std::int64_t(report.events);
  return outcome;
}

}  // namespace craton::research
