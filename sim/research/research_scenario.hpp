// The research scenario: the whole cluster of sim/cluster/ (the production control plane and
// real node agents over FakeDrivers) with a workload's machines as workers and a submitter
// creating the workload's pods at their submit times.
//
// Nodes n1..nC are the control plane (control_plane_size of the total; each runs a store
// replica, the API actor, the controller manager and the scheduler with the run's policy, all
// leader-elected as in the cluster scenario); n1 also runs the WorkloadSubmitter and the pods
// auditor (one observer, one view of the pods). Node n(C+1+i) runs the agent of workload node
// i, registering the Node named after the record (workload_objects.hpp). No faults besides
// the fixed latency that keeps messages in order (cluster_latency_fault).
//
// The WorkloadSubmitter creates pod j at start_ms + submit_ms (simulated), in workload order,
// at most kSubmitInFlightMax creates outstanding; a create that fails (other than 409: it
// landed) or is unanswered for call_timeout_ms is sent again; one the API keeps refusing with a
// client error (4xx other than 409 and 429: admission or validation) is given up after
// kRefusedAttemptsMax answers, ~kRefusedAttemptsMax x 200 ms of simulated time (a PriorityClass
// created just before may need a moment): it is listed in refusals() and the RunStop stops
// waiting for it (RunStop::give_up). The workload's PriorityClasses come first (at 0, the pods
// start_ms later); it also deletes the Nodes of removed machines at their time
// (node_event_replay.hpp; 404 counts as done); the world's faults stop and start their agents.
//
// Early stop: given a RunStop (run_stop.hpp), the scenario shows it every view of the pods
// auditor and answers Scenario::done from it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/config/scheduler_config.hpp"
#include "sim/research/run_stop.hpp"
#include "sim/scenario.hpp"
#include "sim/store/store_scenario.hpp"
#include "sim/workload/workload.hpp"

namespace craton::research {

/// What a submission does.
enum class SubmitKind {
  create_pod,             ///< `object` is the Pod, in the run's namespace
  create_priority_class,  ///< `object` is a PriorityClass (cluster-scoped)
  delete_node,            ///< `name` is the Node's, `object` empty
};

/// One thing the submitter sends at `at_ms` (simulated ms since the run's start).
struct PodSubmission {
  std::int64_t at_ms = 0;
  std::string name;
  std::string object;  ///< Cap'n Proto, as the API takes it
  SubmitKind kind = SubmitKind::create_pod;
};

/// What the API refused for good (research_scenario's promise above): one line per submission,
/// "NAME: CODE REASON: MESSAGE", in the order given up.
using SubmitRefusals = std::vector<std::string>;

struct ResearchScenarioOptions {
  std::string namespace_ = "default";
  std::int64_t wall_clock_base_s = 1'800'000'000;
  std::int64_t call_timeout_ms = 10'000;
  /// The pods auditor's view period (sim::spawn_pods_auditor): 0 = a view after every change.
  std::int64_t view_every_ms = 0;
};

class ResearchScenario : public sim::Scenario {
 public:
  static constexpr std::size_t kSubmitInFlightMax = 64;
  static constexpr int kRefusedAttemptsMax = 50;

  /// `node_ids` = sim::node_ids(control_plane_size(n) + workers); `workers` in that order.
  /// `pods` in time order; `stop` may be null (the run goes to its duration).
  ResearchScenario(std::vector<std::string> node_ids, std::vector<workload::Node> workers,
                   std::vector<PodSubmission> pods, scheduler::SchedulerConfig policy,
                   ResearchScenarioOptions options, std::shared_ptr<RunStop> stop = nullptr);

  std::string name() const override { return "research"; }
  std::vector<caf::actor> spawn_node(caf::actor_system& sys, const NodeContext& node,
                                     const sim::ObservationSink& observe) override;
  /// The store's checks only (the research run judges nothing else).
  sim::CheckResult check(const sim::RunHistory& history) const override;
  void use_disks(std::shared_ptr<sim::SimDisks> disks) override {
    store_.use_disks(std::move(disks));
  }
  bool done(std::int64_t now_ms) const override { return stop_ && stop_->done(now_ms); }
  /// The submissions the API refused for good, after the run.
  const SubmitRefusals& refusals() const { return *refusals_; }

 private:
  std::vector<std::string> nodes_;
  std::vector<std::string> control_plane_;
  std::vector<workload::Node> workers_;
  std::shared_ptr<const std::vector<PodSubmission>> pods_;
  scheduler::SchedulerConfig policy_;
  ResearchScenarioOptions options_;
  sim::StoreScenario store_;
  std::shared_ptr<RunStop> stop_;  ///< shared with the auditor's sink
  std::shared_ptr<SubmitRefusals> refusals_ = std::make_shared<SubmitRefusals>();
};

}  // namespace craton::research
