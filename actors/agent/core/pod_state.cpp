// PodState's shared questions: restart policy, init completion, restart times.
#include "actors/agent/core/pod_state.hpp"

namespace craton::agent {

bool should_restart(RestartPolicy policy, bool init_container, const ContainerStatus& exited) {
  if (exited.state != ContainerState::exited) return false;
  if (init_container || policy == RestartPolicy::on_failure)
    return exited.exit_code != 0 && policy != RestartPolicy::never;
  return policy == RestartPolicy::always;
}

bool init_done(const PodState& pod) {
  const PodPlan& plan = *pod.plan;
  for (const auto& c : plan.containers)
    if (pod.latest(c.spec.name) != nullptr) return true;  // the kubelet's rule, adoption too
  for (const auto& c : plan.init_containers) {
    const ContainerStatus* s = pod.latest(c.spec.name);
    if (s == nullptr || s->state != ContainerState::exited || s->exit_code != 0) return false;
  }
  return true;
}

std::int64_t restart_at_ms(const PodState& pod, const ContainerPlan& container, bool init) {
  const std::string& name = container.spec.name;
  const ContainerStatus* s = pod.latest(name);
  if (s == nullptr || !should_restart(pod.plan->restart_policy, init, *s)) return kNever;
  std::int64_t at = s->finished_at_ms + pod.backoff.delay_ms(name, s->finished_at_ms);
  auto failure = pod.start_failures.find(name);
  if (failure != pod.start_failures.end()) at = std::max(at, failure->second.retry_at_ms);
  return at;
}

}  // namespace craton::agent
