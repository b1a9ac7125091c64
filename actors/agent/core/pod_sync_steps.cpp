// PodSync's decisions: tick(), the one next driver call of each pod, and next_wake().
#include <algorithm>
#include <csignal>
#include <utility>

#include "actors/agent/core/pod_env.hpp"
#include "actors/agent/core/pod_status.hpp"
#include "actors/agent/core/pod_sync.hpp"

namespace craton::agent {
namespace {

const ContainerPlan* find_container(const PodPlan& plan, const std::string& name) {
  for (const auto* list : {&plan.init_containers, &plan.containers})
    for (const auto& c : *list)
      if (c.spec.name == name) return &c;
  return nullptr;
}

/// The attempts the agent keeps per container: the newest two (logs for --previous).
constexpr std::size_t kAttemptsKept = 2;

/// Volumes whose content follows an API object (refreshed while the pod runs).
bool has_projected_volumes(const PodPlan& plan) {
  for (const auto& v : plan.volumes)
    if (v.kind == VolumePlan::Kind::config_map || v.kind == VolumePlan::Kind::secret) return true;
  return false;
}

}  // namespace

std::vector<DriverCall> PodSync::tick(std::int64_t now_ms) {
  now_ms_ = now_ms;
  std::vector<DriverCall> calls;
  // A step may forget its pod (finish()): uids, no live iterators.
  std::set<std::string> due = std::exchange(dirty_, {});
  for (auto it = wakes_.begin(); it != wakes_.end() && it->first <= now_ms; ++it)
    due.insert(it->second);
  for (const auto& uid : due) {
    auto it = pods_.find(uid);
    if (it == pods_.end()) continue;
    PodState& p = it->second;
    ++pods_stepped_;
    if (!p.in_flight && !p.done && now_ms >= p.retry_at_ms) {
      if (auto c = step(p, now_ms)) {
        p.status_stale = true;  // a step may change what the status says (termination, backoff)
        calls.push_back(std::move(*c));
      }
    }
    // The step saw every input so far; what it touched itself needs no second step.
    dirty_.erase(uid);
    if (auto again = pods_.find(uid); again != pods_.end()) rewake(again->second);
  }
  return calls;
}

DriverCall PodSync::call(PodState& p, DriverCallKind kind, InFlightCall what) {
  DriverCall c;
  c.id = next_call_id_++;
  c.kind = kind;
  c.pod_uid = p.uid;
  c.container_name = what.container;
  c.attempt = what.attempt;
  c.signal = what.signal;
  what.id = c.id;
  what.kind = kind;
  p.in_flight = what;
  calls_[c.id] = p.uid;
  return c;
}

std::optional<DriverCall> PodSync::step(PodState& p, std::int64_t now_ms) {
  bool orphan = !p.in_api || !p.plan;
  if (orphan && !p.terminating && !api_listed_) return std::nullopt;  // the API may claim it
  if (orphan && !p.terminating) begin_termination(p, 0, now_ms);
  if (p.terminating) return terminate_step(p, now_ms);
  if (p.plan_error || p.api_terminal) return std::nullopt;
  return live_step(p, now_ms);
}

/// Stops every running container (gracefully when the plan is known), then removes the sandbox.
std::optional<DriverCall> PodSync::terminate_step(PodState& p, std::int64_t now_ms) {
  // A pod the API never gave us has no hooks or grace: remove_sandbox kills what runs.
  if (!p.plan) return call(p, DriverCallKind::remove_sandbox);
  bool any_running = false;
  for (auto& [name, attempts] : p.attempts) {
    if (!p.running(name)) continue;
    any_running = true;
    const ContainerPlan* c = p.plan ? find_container(*p.plan, name) : nullptr;
    auto [kill, fresh] = p.kills.try_emplace(name);
    if (fresh) kill->second.deadline_ms = p.termination_deadline_ms;
    if (auto next = kill_step(p, c, name, now_ms)) return next;
  }
  if (any_running) return std::nullopt;  // waiting for exits (on_records) or the deadline
  if (!p.sandbox_up && p.attempts.empty() && !p.volumes_touched) {
    finish(p);  // nothing ever reached the host
    return std::nullopt;
  }
  return call(p, DriverCallKind::remove_sandbox);
}

/// The container's preStop hook, given what is left of the grace period to run.
DriverCall PodSync::hook_call(PodState& p, const ContainerKill& k, const ContainerPlan& c,
                              std::int64_t now_ms) {
  InFlightCall what{0, DriverCallKind::exec_hook, c.spec.name};
  const ProbeAction& hook = *c.pre_stop;
  if (hook.type == ProbeAction::Type::exec) {
    DriverCall d = call(p, DriverCallKind::exec_hook, what);
    d.argv = hook.command;
    d.timeout_ms = k.deadline_ms - now_ms;
    return d;
  }
  bool http = hook.type == ProbeAction::Type::http;
  DriverCall d = call(p, http ? DriverCallKind::http_probe : DriverCallKind::tcp_probe, what);
  d.http = hook.http;
  d.tcp = hook.tcp;
  if (d.http.host.empty()) d.http.host = p.pod_ip;
  if (d.tcp.host.empty()) d.tcp.host = p.pod_ip;
  d.http.timeout_ms = d.tcp.timeout_ms = k.deadline_ms - now_ms;
  return d;
}

/// preStop hook, SIGTERM, and SIGKILL once the deadline passed; one call per step.
std::optional<DriverCall> PodSync::kill_step(PodState& p, const ContainerPlan* c,
                                             const std::string& name, std::int64_t now_ms) {
  ContainerKill& k = p.kills[name];
  InFlightCall what{0, DriverCallKind::signal, name};
  if (!k.pre_stop_done) {
    k.pre_stop_done = true;
    if (c != nullptr && c->pre_stop && now_ms < k.deadline_ms) return hook_call(p, k, *c, now_ms);
  }
  if (!k.term_sent && now_ms < k.deadline_ms) {
    k.term_sent = true;
    what.signal = SIGTERM;
    return call(p, DriverCallKind::signal, what);
  }
  if (!k.kill_sent && now_ms >= k.deadline_ms) {
    k.kill_sent = true;
    what.signal = SIGKILL;
    return call(p, DriverCallKind::signal, what);
  }
  return std::nullopt;
}

std::optional<DriverCall> PodSync::volumes_call(PodState& p, bool refresh, std::int64_t now_ms) {
  if (p.plan->volumes.empty()) return std::nullopt;
  if (p.volumes_ready &&
      (!refresh || !has_projected_volumes(*p.plan) || now_ms < p.volumes_refresh_at_ms))
    return std::nullopt;
  p.volumes_touched = true;
  DriverCall d = call(p, DriverCallKind::prepare_volumes);
  d.volumes = p.plan->volumes;
  return d;
}

std::optional<DriverCall> PodSync::live_step(PodState& p, std::int64_t now_ms) {
  // The kubelet mounts volumes before it creates the sandbox: nothing starts without them.
  if (auto d = volumes_call(p, false, now_ms)) return d;
  if (!p.sandbox_up) {
    DriverCall d = call(p, DriverCallKind::start_sandbox);
    d.sandbox = SandboxSpec{p.uid, p.pod_namespace, p.name, p.plan->hostname, p.plan->host_network};
    return d;
  }
  if (terminal(pod_phase(p))) return std::nullopt;
  if (auto d = volumes_call(p, true, now_ms)) return d;
  if (!init_done(p)) {
    for (const auto& c : p.plan->init_containers) {
      const ContainerStatus* s = p.latest(c.spec.name);
      if (s != nullptr && s->state == ContainerState::exited && s->exit_code == 0) continue;
      if (auto d = container_step(p, c, true, now_ms)) return d;  // the first unfinished one
      break;
    }
    return cleanup_call(p);  // no app container before every init container succeeded
  }
  for (const auto& c : p.plan->containers)
    if (auto d = container_step(p, c, false, now_ms)) return d;
  if (auto d = probe_call(p, now_ms)) return d;
  return cleanup_call(p);
}

/// Start, restart or kill (failed liveness or startup probe) one container.
std::optional<DriverCall> PodSync::container_step(PodState& p, const ContainerPlan& c, bool init,
                                                  std::int64_t now_ms) {
  const std::string& name = c.spec.name;
  const ContainerStatus* s = p.latest(name);
  if (s == nullptr) {
    auto failure = p.start_failures.find(name);
    if (failure != p.start_failures.end() && now_ms < failure->second.retry_at_ms)
      return std::nullopt;
    return start_call(p, c, 0, now_ms);
  }
  if (s->state == ContainerState::running) {
    if (!p.kills.count(name) && p.prober.failed(name)) {
      const auto& probe = *p.prober.failed(name) == ProbeKind::liveness ? c.liveness : c.startup;
      std::int64_t grace = probe && probe->termination_grace_ms ? *probe->termination_grace_ms
                                                                : p.plan->grace_period_ms;
      p.kills[name].deadline_ms = now_ms + grace;
    }
    if (p.kills.count(name)) return kill_step(p, &c, name, now_ms);
    return std::nullopt;
  }
  if (now_ms < restart_at_ms(p, c, init)) return std::nullopt;  // kNever: not restarted
  return start_call(p, c, s->attempt + 1, now_ms);
}

/// Env references are resolved now, as the kubelet does at every start: a missing required
/// ConfigMap or key is CreateContainerConfigError, tried again after retry_ms.
std::optional<DriverCall> PodSync::start_call(PodState& p, const ContainerPlan& c, int attempt,
                                              std::int64_t now_ms) {
  EnvContext context{p.pod_namespace, p.pod_ip, config_.host_ip, config_.sources.get()};
  auto env = resolve_env(c.env_sources, context);
  if (!env) {
    p.status_stale = true;  // CreateContainerConfigError, with no driver call to mark it
    StartFailure& f = p.start_failures[c.spec.name];
    f.reason = kCreateContainerConfigError;
    f.message = env.error().message;
    ++f.failures;
    f.retry_at_ms = now_ms + config_.retry_ms;
    return std::nullopt;
  }
  DriverCall d = call(p, DriverCallKind::start_container,
                      InFlightCall{0, DriverCallKind::start_container, c.spec.name, attempt});
  d.container = c.spec;
  d.container.env = std::move(*env);
  expand_command(d.container);
  return d;
}

std::optional<DriverCall> PodSync::probe_call(PodState& p, std::int64_t now_ms) {
  auto run = p.prober.take_due(now_ms);
  if (!run) return std::nullopt;
  InFlightCall what{0, DriverCallKind::exec_probe, run->container, run->attempt, run->kind};
  const ProbeAction& action = run->spec.action;
  switch (action.type) {
    case ProbeAction::Type::exec: {
      DriverCall d = call(p, DriverCallKind::exec_probe, what);
      d.argv = action.command;
      d.timeout_ms = run->spec.timeout_ms;
      return d;
    }
    case ProbeAction::Type::http: {
      DriverCall d = call(p, DriverCallKind::http_probe, what);
      d.http = action.http;
      if (d.http.host.empty()) d.http.host = p.pod_ip;
      return d;
    }
    case ProbeAction::Type::tcp: {
      DriverCall d = call(p, DriverCallKind::tcp_probe, what);
      d.tcp = action.tcp;
      if (d.tcp.host.empty()) d.tcp.host = p.pod_ip;
      return d;
    }
  }
  return std::nullopt;
}

/// Forgets exited attempts older than the newest two.
std::optional<DriverCall> PodSync::cleanup_call(PodState& p) {
  for (const auto& [name, attempts] : p.attempts) {
    if (attempts.size() <= kAttemptsKept) continue;
    const ContainerStatus& oldest = attempts.begin()->second;
    if (oldest.state != ContainerState::exited) continue;
    return call(p, DriverCallKind::remove_container,
                InFlightCall{0, DriverCallKind::remove_container, name, oldest.attempt});
  }
  return std::nullopt;
}

std::int64_t PodSync::wake_of(const PodState& p) const {
  if (p.in_flight || p.done) return kNever;
  if (p.retry_at_ms > now_ms_) return p.retry_at_ms;
  bool orphan = !p.in_api || !p.plan;
  if (orphan && !p.terminating) return api_listed_ ? now_ms_ : kNever;
  std::int64_t wake = kNever;
  for (const auto& [name, kill] : p.kills) {
    if (!kill.pre_stop_done || (!kill.term_sent && !kill.kill_sent)) return now_ms_;
    if (!kill.kill_sent) wake = std::min(wake, kill.deadline_ms);
  }
  if (p.terminating) {
    bool any_running = false;
    for (const auto& [name, attempts] : p.attempts) {
      if (!p.running(name)) continue;
      if (!p.kills.count(name)) return now_ms_;
      any_running = true;
    }
    return any_running ? wake : now_ms_;
  }
  if (p.plan_error || p.api_terminal) return kNever;
  if (!p.volumes_ready && !p.plan->volumes.empty()) return now_ms_;
  if (!p.sandbox_up) return now_ms_;
  if (terminal(pod_phase(p))) return kNever;
  if (has_projected_volumes(*p.plan)) wake = std::min(wake, p.volumes_refresh_at_ms);
  wake = std::min(wake, p.prober.next_due_ms());
  for (const auto& c : p.plan->containers)  // a probe failed for good: the kill starts now
    if (p.running(c.spec.name) && p.prober.failed(c.spec.name) && !p.kills.count(c.spec.name))
      return now_ms_;
  auto consider = [&](const ContainerPlan& c, bool init) {
    auto failure = p.start_failures.find(c.spec.name);
    if (p.latest(c.spec.name) == nullptr)
      wake =
          std::min(wake, failure == p.start_failures.end() ? now_ms_ : failure->second.retry_at_ms);
    else
      wake = std::min(wake, restart_at_ms(p, c, init));
  };
  if (init_done(p)) {
    for (const auto& c : p.plan->containers) consider(c, false);
  } else {
    for (const auto& c : p.plan->init_containers) {
      const ContainerStatus* s = p.latest(c.spec.name);
      if (s != nullptr && s->state == ContainerState::exited && s->exit_code == 0) continue;
      consider(c, true);
      break;
    }
  }
  for (const auto& [name, attempts] : p.attempts)
    if (attempts.size() > 2 && attempts.begin()->second.state == ContainerState::exited)
      return now_ms_;
  return wake;
}

std::int64_t PodSync::next_wake(std::int64_t now_ms) const {
  if (!dirty_.empty()) return now_ms;
  if (wakes_.empty()) return kNever;
  return std::max(wakes_.begin()->first, now_ms);
}

}  // namespace craton::agent
