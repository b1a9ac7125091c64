// Coscheduling: an example Permit plugin for gang scheduling ("all or nothing"), after the
// lightweight coscheduling sample of kubernetes-sigs/scheduler-plugins. It is not in the default
// registry or profile (Kubernetes ships none either); a scheduler adds it as an out-of-tree
// plugin (SchedulerServiceConfig::out_of_tree_plugins) and enables it at Reserve and Permit.
//
// A pod joins a gang with two labels: pod-group.scheduling.sigs.k8s.io/name (the group, within
// the pod's namespace) and pod-group.scheduling.sigs.k8s.io/min-available (how many must run
// together). Permit counts the group's pods already on the cycle's nodes (bound, binding, or
// waiting on Permit: waiting pods keep their room assumed) plus this one; below min-available
// the pod waits (args.permit_waiting_time_ms), otherwise it is allowed and so is every waiting
// member of its group (FrameworkHandle::waiting_pods). Unreserve of a member (its wait timed out
// or was rejected, or its binding failed) rejects the group's other waiting members, so a gang
// that cannot complete releases all its room at once rather than piece by piece.
//
// Deliberately small: no PodGroup object, no PreFilter check that enough members exist, no queue
// ordering by group, no back-off per group. A pod without the group label is not its concern.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/plugin.hpp"
#include "actors/scheduler/framework/registry.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

inline constexpr std::string_view kPodGroupLabel = "pod-group.scheduling.sigs.k8s.io/name";
inline constexpr std::string_view kPodGroupMinAvailableLabel =
    "pod-group.scheduling.sigs.k8s.io/min-available";

struct CoschedulingArgs {
  /// How long a member waits for its group (the sample's permitWaitingTimeSeconds: 60 s).
  std::int64_t permit_waiting_time_ms = 60'000;
};

class Coscheduling final : public ReservePlugin, public PermitPlugin, public EnqueueExtensions {
 public:
  static constexpr std::string_view kName = "Coscheduling";
  static constexpr std::string_view kRejectedInUnreserve = "rejection in Unreserve";

  Coscheduling(const CoschedulingArgs& args, FrameworkHandle* handle)
      : args_(args), handle_(handle) {}
  std::string_view name() const override { return kName; }

  Status reserve(CycleState&, const PodInfo&, std::string_view) override { return {}; }
  void unreserve(CycleState& state, const PodInfo& pod, std::string_view node) override;
  PermitDecision permit(CycleState& state, const PodInfo& pod, std::string_view node) override;
  /// A gang member is rejected only by its group's timeout: no cluster event makes it fit
  /// sooner than the queue's unschedulable timeout (a new member arriving is no event here), and
  /// its own release (an assigned pod's deletion) must not bring it straight back.
  std::vector<ClusterEvent> events_to_register() const override { return {}; }

 private:
  CoschedulingArgs args_;
  FrameworkHandle* handle_;
};

/// Arguments: a CoschedulingArgs in the profile, or none for the defaults. An Error when the
/// wait is not positive.
Result<std::unique_ptr<Plugin>> make_coscheduling(const PluginContext& context);

}  // namespace craton::scheduler
