// The pod's status as the kubelet writes it (pkg/kubelet/status/generate.go and
// kubelet_pods.go's getPhase and convertToAPIContainerStatuses): phase, the conditions
// Initialized, Ready, ContainersReady and PodScheduled, host and pod IPs, start time, and one
// status per init and app container (state waiting/running/terminated, lastState, ready,
// started, restartCount, image and container ids). Built from PodState alone; the JSON is the
// `status` object of a strategic merge patch on pods/status (service/pod_side.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "actors/agent/core/pod_state.hpp"

namespace craton::agent {

enum class PodPhase { pending, running, succeeded, failed };

/// "Pending", "Running", "Succeeded", "Failed".
const char* pod_phase_name(PodPhase phase);

/// The phase as the kubelet computes it. Precondition: pod.plan is set.
PodPhase pod_phase(const PodState& pod);

/// Succeeded or Failed while nothing will restart: the agent leaves the pod alone.
inline bool terminal(PodPhase phase) {
  return phase == PodPhase::succeeded || phase == PodPhase::failed;
}

/// The status object. Conditions whose status changed get `now_ms` as lastTransitionTime
/// (remembered in pod.conditions). Sets pod.status_due_ms to when this status changes with time
/// alone (ImagePullBackOff or CrashLoopBackOff ending), kNever when only an event can change
/// it. Precondition: pod.plan is set.
nlohmann::json pod_status(PodState& pod, const std::string& host_ip, std::int64_t now_ms);

}  // namespace craton::agent
