// pod_phase() and pod_status(): the kubelet's status generation over PodState.
#include "actors/agent/core/pod_status.hpp"

#include <algorithm>
#include <vector>

#include "actors/api/client/kube_time.hpp"

namespace craton::agent {
namespace {

using nlohmann::json;

bool init_failed_for_good(const PodState& pod) {
  if (pod.plan->restart_policy != RestartPolicy::never) return false;
  for (const auto& c : pod.plan->init_containers) {
    const ContainerStatus* s = pod.latest(c.spec.name);
    if (s != nullptr && s->state == ContainerState::exited && s->exit_code != 0) return true;
  }
  return false;
}

json terminated(const ContainerStatus& s) {
  return {{"terminated",
           {{"exitCode", s.exit_code},
            {"reason", s.reason.empty() ? (s.exit_code == 0 ? "Completed" : "Error") : s.reason},
            {"startedAt", api::kube_time(s.started_at_ms)},
            {"finishedAt", api::kube_time(s.finished_at_ms)},
            {"containerID", s.container_id}}}};
}

json waiting(const std::string& reason, const std::string& message = "") {
  json w{{"reason", reason}};
  if (!message.empty()) w["message"] = message;
  return {{"waiting", w}};
}

/// `due_ms` becomes `at_ms` when that is sooner: the status built now changes at `at_ms` with
/// time alone (a back-off ends), so it must be built again then (PodState::status_due_ms).
void changes_at(std::int64_t& due_ms, std::int64_t at_ms) {
  due_ms = std::min(due_ms, at_ms);
}

/// A start that failed and waits for its retry: ErrImagePull becomes ImagePullBackOff.
json failed_start(const StartFailure& f, const ContainerPlan& c, std::int64_t now_ms,
                  std::int64_t& due_ms) {
  if (f.reason == "ErrImagePull" && now_ms < f.retry_at_ms) {
    changes_at(due_ms, f.retry_at_ms);
    return waiting("ImagePullBackOff", "Back-off pulling image \"" + c.spec.image + "\"");
  }
  return waiting(f.reason, f.message);
}

std::string back_off_message(const PodState& pod, const std::string& name, std::int64_t delay_ms) {
  return "back-off " + std::to_string(delay_ms / 1000) + "s restarting failed container=" + name +
         " pod=" + pod.name + "_" + pod.pod_namespace + "(" + pod.uid + ")";
}

/// The state of a container that has no attempt on the host yet.
json not_started_state(const PodState& pod, const ContainerPlan& c, bool init, bool turn,
                       std::int64_t now_ms, std::int64_t& due_ms) {
  if (pod.plan_error) return waiting("CreateContainerConfigError", pod.plan_error->message);
  auto failure = pod.start_failures.find(c.spec.name);
  if (failure != pod.start_failures.end()) return failed_start(failure->second, c, now_ms, due_ms);
  if (!turn) return waiting("PodInitializing");
  if (!pod.volume_error.empty()) return waiting("ContainerCreating", pod.volume_error);
  if (!init && !pod.sandbox_error.empty()) return waiting("ContainerCreating", pod.sandbox_error);
  return waiting("ContainerCreating");
}

json container_status(const PodState& pod, const ContainerPlan& c, bool init, bool turn,
                      std::int64_t now_ms, std::int64_t& due_ms) {
  const std::string& name = c.spec.name;
  const ContainerStatus* s = pod.latest(name);
  const ContainerStatus* prev = pod.previous(name);
  json out{{"name", name},
           {"image", c.spec.image},
           {"imageID", ""},
           {"ready", false},
           {"restartCount", 0},
           {"started", false},
           {"lastState", json::object()}};
  if (s == nullptr) {
    out["state"] = not_started_state(pod, c, init, turn, now_ms, due_ms);
    return out;
  }
  out["imageID"] = s->image_id;
  out["containerID"] = s->container_id;
  out["restartCount"] = s->attempt;
  if (prev != nullptr) out["lastState"] = terminated(*prev);
  if (s->state == ContainerState::running) {
    out["state"] = {{"running", {{"startedAt", api::kube_time(s->started_at_ms)}}}};
    out["started"] = init || pod.prober.started(name);
    out["ready"] = !init && pod.prober.ready(name);
    return out;
  }
  out["ready"] = init && s->exit_code == 0;
  std::int64_t restart_at = pod.terminating ? kNever : restart_at_ms(pod, c, init);
  auto failure = pod.start_failures.find(name);
  if (restart_at != kNever && failure != pod.start_failures.end()) {
    out["state"] = failed_start(failure->second, c, now_ms, due_ms);
    out["lastState"] = terminated(*s);
  } else if (restart_at != kNever && now_ms < restart_at) {
    changes_at(due_ms, restart_at);
    out["state"] =
        waiting("CrashLoopBackOff", back_off_message(pod, name, restart_at - s->finished_at_ms));
    out["lastState"] = terminated(*s);
  } else {
    out["state"] = terminated(*s);
  }
  return out;
}

json condition(PodState& pod, const std::string& type, bool ok, const std::string& reason,
               const std::string& message, std::int64_t now_ms) {
  std::string status = ok ? "True" : "False";
  auto& [last_status, last_time] = pod.conditions[type];
  if (last_status != status || last_time.empty()) {
    last_status = status;
    last_time = api::kube_time(now_ms);
  }
  json c{{"type", type},
         {"status", status},
         {"lastProbeTime", nullptr},
         {"lastTransitionTime", last_time}};
  if (!ok && !reason.empty()) c["reason"] = reason;
  if (!ok && !message.empty()) c["message"] = message;
  return c;
}

std::string bracketed(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

json conditions(PodState& pod, PodPhase phase, const json& init_statuses, const json& statuses,
                std::int64_t now_ms) {
  std::vector<std::string> incomplete, unready;
  for (const auto& s : init_statuses)
    if (!s["ready"].get<bool>()) incomplete.push_back(s["name"]);
  for (const auto& s : statuses)
    if (!s["ready"].get<bool>()) unready.push_back(s["name"]);
  bool initialized = pod.plan_error ? false : init_done(pod);
  if (initialized) incomplete.clear();
  std::string reason = phase == PodPhase::succeeded ? "PodCompleted" : "ContainersNotReady";
  std::string message =
      phase == PodPhase::succeeded ? "" : "containers with unready status: " + bracketed(unready);
  bool ready = unready.empty() && phase != PodPhase::succeeded;
  return json::array(
      {condition(pod, "Initialized", initialized,
                 phase == PodPhase::succeeded ? "PodCompleted" : "ContainersNotInitialized",
                 "containers with incomplete status: " + bracketed(incomplete), now_ms),
       condition(pod, "Ready", ready, reason, message, now_ms),
       condition(pod, "ContainersReady", ready, reason, message, now_ms),
       condition(pod, "PodScheduled", true, "", "", now_ms)});
}

}  // namespace

const char* pod_phase_name(PodPhase phase) {
  switch (phase) {
    case PodPhase::pending:
      return "Pending";
    case PodPhase::running:
      return "Running";
    case PodPhase::succeeded:
      return "Succeeded";
    case PodPhase::failed:
      return "Failed";
  }
  return "Unknown";
}

PodPhase pod_phase(const PodState& pod) {
  const PodPlan& plan = *pod.plan;
  if (pod.plan_error) return PodPhase::pending;
  if (init_failed_for_good(pod)) return PodPhase::failed;
  if (!init_done(pod)) return PodPhase::pending;
  int waiting = 0, running = 0, stopped = 0, succeeded = 0;
  for (const auto& c : plan.containers) {
    const ContainerStatus* s = pod.latest(c.spec.name);
    if (s == nullptr)
      ++waiting;
    else if (s->state == ContainerState::running)
      ++running;
    else {
      ++stopped;
      if (s->exit_code == 0) ++succeeded;
    }
  }
  if (waiting > 0) return PodPhase::pending;
  if (running > 0) return PodPhase::running;
  // Everything stopped: a pod being deleted ends terminal whatever its policy (kube >= 1.27).
  if (pod.terminating || plan.restart_policy != RestartPolicy::always) {
    if (stopped == succeeded) return PodPhase::succeeded;
    if (pod.terminating || plan.restart_policy == RestartPolicy::never) return PodPhase::failed;
  }
  return PodPhase::running;  // restarting under Always or OnFailure
}

json pod_status(PodState& pod, const std::string& host_ip, std::int64_t now_ms) {
  const PodPlan& plan = *pod.plan;
  PodPhase phase = pod_phase(pod);
  json init_statuses = json::array(), statuses = json::array();
  bool earlier_done = true;  // init containers run one at a time, in order
  pod.status_due_ms = kNever;
  for (const auto& c : plan.init_containers) {
    init_statuses.push_back(
        container_status(pod, c, true, earlier_done, now_ms, pod.status_due_ms));
    const ContainerStatus* s = pod.latest(c.spec.name);
    earlier_done =
        earlier_done && s != nullptr && s->state == ContainerState::exited && s->exit_code == 0;
  }
  bool initialized = !pod.plan_error && init_done(pod);
  for (const auto& c : plan.containers)
    statuses.push_back(container_status(pod, c, false, initialized, now_ms, pod.status_due_ms));
  json status{
      {"phase", pod_phase_name(phase)},
      {"conditions", conditions(pod, phase, init_statuses, statuses, now_ms)},
      {"startTime", pod.start_time_text ? *pod.start_time_text : api::kube_time(pod.start_time_ms)},
      {"containerStatuses", statuses}};
  if (!plan.init_containers.empty()) status["initContainerStatuses"] = init_statuses;
  if (!host_ip.empty()) {
    status["hostIP"] = host_ip;
    status["hostIPs"] = json::array({{{"ip", host_ip}}});
  }
  if (!pod.pod_ip.empty()) {
    status["podIP"] = pod.pod_ip;
    status["podIPs"] = json::array({{{"ip", pod.pod_ip}}});
  }
  return status;
}

}  // namespace craton::agent
