// PodState: what the pod core (PodSync) knows of one pod: its plan (when the API holds it),
// what the host holds for it (sandbox, every attempt of every container, as the driver last
// reported them), the probes, the restart back-off, kills in progress and the one driver call
// in flight. The decisions live in pod_sync_steps.cpp and the status in pod_status.cpp; this
// file only holds the state and the questions every part asks of it.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "actors/agent/core/pod_driver_call.hpp"
#include "actors/agent/core/pod_plan.hpp"
#include "actors/agent/core/prober.hpp"
#include "actors/agent/core/restart_backoff.hpp"

namespace craton::agent {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

/// A start that failed (image missing, create or exec failed): why, and when to try again.
struct StartFailure {
  std::string reason;  ///< Kubernetes' waiting reason: ErrImagePull, CreateContainerError, ...
  std::string message;
  int failures = 0;
  std::int64_t retry_at_ms = 0;
};

/// Stopping one container: preStop hook, SIGTERM, then SIGKILL at the deadline.
struct ContainerKill {
  std::int64_t deadline_ms = 0;
  bool pre_stop_done = false;
  bool term_sent = false;
  bool kill_sent = false;
};

/// The call in flight for the pod, and what it was about (its outcome's meaning).
struct InFlightCall {
  std::uint64_t id = 0;
  DriverCallKind kind = DriverCallKind::start_sandbox;
  std::string container;
  int attempt = 0;
  ProbeKind probe = ProbeKind::liveness;
  int signal = 0;
};

struct PodState {
  std::string uid, pod_namespace, name;
  std::optional<PodPlan> plan;      ///< absent: the host holds it but the API has not (yet)
  std::optional<Error> plan_error;  ///< the API's pod could not be planned
  bool in_api = false;              ///< bound to this node in the API
  bool api_terminal = false;        ///< the API already shows Succeeded or Failed: never rerun
  bool sandbox_up = false;
  std::string pod_ip;
  std::string sandbox_error;
  bool volumes_ready = false;    ///< prepared once for this plan (re-prepared after a restart)
  bool volumes_touched = false;  ///< a prepare was asked: removal must clean up after it
  std::string volume_error;      ///< the last failed prepare before they were ready
  std::int64_t volumes_refresh_at_ms = 0;
  /// Every attempt the host holds, by container name then attempt number.
  std::map<std::string, std::map<int, ContainerStatus>> attempts;
  std::map<std::string, StartFailure> start_failures;
  std::map<std::string, ContainerKill> kills;
  RestartBackoff backoff;
  Prober prober;
  std::optional<InFlightCall> in_flight;
  std::int64_t retry_at_ms = 0;  ///< after a failed sandbox call
  bool terminating = false;
  std::int64_t termination_deadline_ms = 0;
  bool done = false;  ///< sandbox removed after termination: only the API's deletion remains
  std::uint64_t removed_mark = 0;  ///< PodSync::list_mark() after this pod's latest removal
  std::int64_t start_time_ms = 0;
  std::optional<std::string> start_time_text;  ///< status.startTime the API already had
  /// type -> (status, lastTransitionTime) of the conditions last reported.
  std::map<std::string, std::pair<std::string, std::string>> conditions;
  /// stable_hash of the compact JSON the last StatusUpdate carried (none: nothing sent yet). A
  /// hash, not the JSON: a node keeps one per pod, and a parsed status was ~5 KB of heap.
  std::optional<std::uint64_t> last_status_hash;
  /// Something that feeds the status changed since it was last built (PodSync marks it at
  /// each event about this pod; take_status_updates() builds only these, see there).
  bool status_stale = true;
  /// When the status last built changes with time alone (a back-off ends: pod_status() sets
  /// it); take_status_updates() builds it again then, event or not. kNever: only events.
  std::int64_t status_due_ms = kNever;
  /// When PodSync's tick() must step this pod next without an input about it (its wake_of
  /// when last stepped; kNever: only an input). PodSync files the pod under it (wakes_).
  std::int64_t wake_ms = kNever;

  const ContainerStatus* latest(const std::string& container) const {
    auto it = attempts.find(container);
    if (it == attempts.end() || it->second.empty()) return nullptr;
    return &it->second.rbegin()->second;
  }
  const ContainerStatus* previous(const std::string& container) const {
    auto it = attempts.find(container);
    if (it == attempts.end() || it->second.size() < 2) return nullptr;
    return &std::next(it->second.rbegin())->second;
  }
  bool running(const std::string& container) const {
    const ContainerStatus* s = latest(container);
    return s != nullptr && s->state == ContainerState::running;
  }
};

/// Whether the policy restarts an exited container (init containers: only failures, and
/// never under Never).
bool should_restart(RestartPolicy policy, bool init_container, const ContainerStatus& exited);
/// Every init container's newest attempt exited 0, or an app container has run already.
bool init_done(const PodState& pod);
/// When the exited container may start again (finished + back-off, or a failed start's
/// retry time); kNever when the policy does not restart it.
std::int64_t restart_at_ms(const PodState& pod, const ContainerPlan& container, bool init);

}  // namespace craton::agent
