// When a research run may end before its duration (sim/research/research_run.hpp), and the
// FGD paper's stop at an arrived GPU demand. Pure: no CAF, no clock (time arrives as an
// argument); the research scenario feeds it the pods auditor's views and asks it from
// Scenario::done.
//
// The run is settled, and may stop, when all of these hold:
// - every pod the run submits has been seen by the auditor (created), and the last submission
//   and the last node event are past: nothing left to arrive;
// - no pod is bound and unfinished (none can still free room), except with
//   `bound_pods_settle` (the demand stop: the paper's cluster only fills, so a placed pod is a
//   final decision);
// - the pods left are finished, gone (deleted), or pending; pending ones count only once no view
//   changed for `quiet_ms` (the scheduler tried them and nothing has happened since: with nothing
//   running and nothing arriving, no cluster event can make them schedulable).
// Its reason then: "finished" (no pod pending), "unschedulable" (some pending for good) or
// "gpu-demand" (the demand stop: some pods may still run).
//
// The demand stop (FGD, Weng et al., ATC '23, section 6: workloads are submitted until the
// arrived GPU demand exceeds the cluster's GPU capacity): the run submits only the pods up to
// and including the first whose cumulative GPU request reaches fraction x capacity
// (demand_cut); a workload that never reaches it submits everything, and the run says so.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/workload/workload.hpp"
#include "sim/world/observation.hpp"

namespace craton::research {

/// A pod's GPU request in milli-GPUs (num_gpu x gpu_milli: 2 whole GPUs = 2000).
std::int64_t gpu_demand_milli(const workload::Pod& pod);
/// The workload nodes' GPUs in milli-GPUs.
std::int64_t gpu_capacity_milli(const std::vector<workload::Node>& nodes);

/// How many of `pods` (in submission order) the demand stop submits: up to and including the
/// first whose cumulative GPU demand reaches `fraction` x `capacity_milli`; nullopt when the whole
/// workload stays below it (then every pod is submitted).
std::optional<std::size_t> demand_cut(const std::vector<workload::Pod>& pods,
                                      std::int64_t capacity_milli, double fraction);

struct RunStopConfig {
  std::vector<std::string> pods;     ///< "namespace/name" of every pod the run submits
  std::int64_t last_arrival_ms = 0;  ///< the last submission or node event (simulated)
  bool bound_pods_settle = false;    ///< the demand stop: a bound pod is a final decision
  std::int64_t quiet_ms = 15'000;    ///< how long pending pods must stay unchanged
};

class RunStop {
 public:
  explicit RunStop(RunStopConfig config);

  /// A view of every pod (the pods auditor's, in the order it reported them).
  void on_view(const sim::PodsView& view);
  /// The submitter gave up creating this pod ("namespace/name"; the API refused it for good):
  /// the run no longer waits to see it.
  void give_up(const std::string& pod);
  /// Whether the run may end at `now_ms` (called with non-decreasing times; it records when the
  /// last view arrived).
  bool done(std::int64_t now_ms);
  /// "finished", "unschedulable" or "gpu-demand" once done; empty before.
  const std::string& reason() const { return reason_; }

 private:
  RunStopConfig config_;
  std::map<std::string, bool> seen_;  ///< by "namespace/name": whether a view showed it
  std::size_t seen_count_ = 0;
  bool new_view_ = false;
  bool settled_ = false;      ///< the last view, apart from quiet
  bool open_ = false;         ///< the last view has a pod bound and unfinished (normal stop)
  bool any_pending_ = false;  ///< the last view has pending pods
  std::int64_t last_view_ms_ = 0;
  std::string reason_;
};

}  // namespace craton::research
