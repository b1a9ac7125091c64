// PodSync's inputs: the API's pods, the host's records, driver outcomes, and what it hands out.
#include "actors/agent/core/pod_sync.hpp"

#include <algorithm>
#include <csignal>

#include "actors/agent/core/pod_status.hpp"
#include "actors/api/client/kube_time.hpp"
#include "runtime/assert.hpp"
#include "runtime/stable_hash.hpp"

namespace craton::agent {
namespace {

namespace k8s = schema::k8s;

/// The driver's error code as Kubernetes' waiting reason.
std::string start_failure_reason(const std::string& code) {
  if (code == driver_error::image_not_found) return "ErrImagePull";
  if (code == driver_error::create_failed) return "CreateContainerError";
  return "RunContainerError";
}

/// A plan that could not be built still names its containers, for their waiting status.
PodPlan skeleton_plan(k8s::Pod::Reader pod) {
  PodPlan plan;
  plan.uid = pod.getMetadata().getUid().cStr();
  plan.pod_namespace = pod.getMetadata().getNamespace().cStr();
  plan.name = pod.getMetadata().getName().cStr();
  auto add = [](auto list, std::vector<ContainerPlan>& into) {
    for (auto c : list) {
      ContainerPlan p;
      p.spec.name = c.getName().cStr();
      p.spec.image = c.getImage().cStr();
      into.push_back(std::move(p));
    }
  };
  add(pod.getSpec().getInitContainers(), plan.init_containers);
  add(pod.getSpec().getContainers(), plan.containers);
  // Deleting it must still work: nothing runs, so no grace is needed.
  if (pod.getMetadata().getDeletionTimestamp().size() > 0) {
    plan.deletion_ms = 0;
    plan.deletion_grace_ms = 0;
  }
  return plan;
}

/// How long a deleted pod's containers get to stop, as the kubelet's pod worker takes it
/// (calculateEffectiveGracePeriod): the deletion's grace (metadata.deletionGracePeriodSeconds,
/// which the API chose from DeleteOptions, else the spec's) when the pod has one, so a longer
/// grace asked at deletion is honoured; else the pod's terminationGracePeriodSeconds; never
/// under a second ("we always supply a grace period of 1"). Later deletions only shorten it
/// (begin_termination).
std::int64_t termination_grace_ms(const PodPlan& plan) {
  constexpr std::int64_t kMinimumGraceMs = 1'000;
  return std::max(plan.deletion_grace_ms.value_or(plan.grace_period_ms), kMinimumGraceMs);
}

/// Whether the pod's status waits for the container start in flight: its first start, while
/// no container of the pod has run yet. The sandbox's podIP and the first container's Running
/// then reach the API in one write instead of two, as the kubelet's syncPod reports a pod only
/// after it made the sandbox and started the containers (a write fewer per pod start: each is a
/// Raft entry, a watch event to every watcher and an informer update here). The wait is bounded
/// by the call (the driver's start timeout); later starts (restarts, the next init container)
/// never hold a status, so what a running pod reports is never held back.
bool status_waits_for_start(const PodState& pod) {
  return pod.in_flight && pod.in_flight->kind == DriverCallKind::start_container &&
         pod.attempts.empty();
}

}  // namespace

PodSync::PodSync(PodSyncConfig config) : config_(std::move(config)) {}

PodState& PodSync::state_of(const std::string& uid) {
  auto [it, fresh] = pods_.try_emplace(uid);
  if (fresh) {
    it->second.uid = uid;
    it->second.backoff = RestartBackoff(config_.backoff);
    dirty_.insert(uid);
  }
  return it->second;
}

void PodSync::touch(PodState& p) {
  p.status_stale = true;
  dirty_.insert(p.uid);
}

void PodSync::rewake(PodState& p) {
  if (p.wake_ms != kNever) wakes_.erase({p.wake_ms, p.uid});
  p.wake_ms = wake_of(p);
  if (p.wake_ms != kNever) wakes_.emplace(p.wake_ms, p.uid);
}

void PodSync::forget(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  if (it->second.wake_ms != kNever) wakes_.erase({it->second.wake_ms, uid});
  dirty_.erase(uid);
  pods_.erase(it);
}

const PodState* PodSync::find(const std::string& uid) const {
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : &it->second;
}

void PodSync::adopt(std::vector<PodRecord> records, std::int64_t now_ms) {
  on_records(std::move(records), now_ms);
}

void PodSync::upsert(const api::InformerObject& object, std::int64_t now_ms) {
  now_ms_ = now_ms;
  auto pod = object.as<k8s::Pod>();
  if (std::string(pod.getSpec().getNodeName().cStr()) != config_.node_name) {
    if (pods_.count(object.uid())) remove(object.uid(), now_ms);
    return;
  }
  if (!pods_.count(object.uid()) && pods_.size() >= config_.pods_max) return;
  PodState& p = state_of(object.uid());
  touch(p);
  p.pod_namespace = object.name_space();
  p.name = object.name();
  p.in_api = true;
  auto plan = plan_pod(pod, config_.plan_limits);
  if (plan) {
    p.plan = std::move(*plan);
    p.plan_error.reset();
  } else if (!p.plan || p.plan_error) {
    p.plan = skeleton_plan(pod);
    p.plan_error = plan.error();
  } else if (pod.getMetadata().getDeletionTimestamp().size() > 0 && !p.plan->deletion_ms) {
    p.plan->deletion_ms = 0;  // an update that no longer plans still deletes
  }
  std::string phase = pod.getStatus().getPhase().cStr();
  if (phase == "Succeeded" || phase == "Failed") p.api_terminal = true;
  if (p.start_time_ms == 0 && !p.start_time_text) {
    p.start_time_ms = now_ms;
    if (pod.getStatus().getStartTime().size() > 0)
      p.start_time_text = pod.getStatus().getStartTime().cStr();
    for (auto c : pod.getStatus().getConditions())
      p.conditions[c.getType().cStr()] = {c.getStatus().cStr(), c.getLastTransitionTime().cStr()};
  }
  sync_probes(p);
  if (p.plan && p.plan->deletion_ms) begin_termination(p, termination_grace_ms(*p.plan), now_ms);
}

void PodSync::remove(const std::string& uid, std::int64_t now_ms) {
  now_ms_ = now_ms;
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  PodState& p = it->second;
  touch(p);
  p.in_api = false;
  bool on_host = p.sandbox_up || !p.attempts.empty() || p.in_flight;
  if (p.done || !on_host) {
    if (!p.in_flight) {
      if (p.removed_mark) forgotten_[uid] = p.removed_mark;
      forget(uid);
      return;
    }
  }
  std::int64_t grace = 0;
  if (p.plan && !p.plan_error) grace = termination_grace_ms(*p.plan);
  begin_termination(p, grace, now_ms);
}

void PodSync::api_listed(std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_listed_ = true;
  for (auto& [uid, p] : pods_) touch(p);  // orphans may begin terminating
}

void PodSync::begin_termination(PodState& p, std::int64_t grace_ms, std::int64_t now_ms) {
  touch(p);  // the phase of a pod whose containers all stopped follows it
  std::int64_t deadline = now_ms + std::max<std::int64_t>(0, grace_ms);
  if (!p.terminating) {
    p.terminating = true;
    p.termination_deadline_ms = deadline;
  } else {
    // A second, shorter deletion (kubectl delete --grace-period=1 after the first) wins.
    p.termination_deadline_ms = std::min(p.termination_deadline_ms, deadline);
  }
  for (auto& [name, kill] : p.kills)
    kill.deadline_ms = std::min(kill.deadline_ms, p.termination_deadline_ms);
  for (const auto& [name, attempts] : p.attempts) p.prober.stopped(name);  // no more probes
}

namespace {

/// Whether two reports of one attempt say the same (everything the status shows of it).
bool same_attempt(const ContainerStatus& a, const ContainerStatus& b) {
  return a.container_id == b.container_id && a.image_id == b.image_id && a.state == b.state &&
         a.started_at_ms == b.started_at_ms && a.finished_at_ms == b.finished_at_ms &&
         a.exit_code == b.exit_code && a.reason == b.reason;
}

}  // namespace

/// Marks the status stale only when the record says something new: the shell lists the host
/// every second, and a list that repeats what PodSync knows must not rebuild every status.
void PodSync::merge_record(PodState& p, const PodRecord& record) {
  auto update = [this, &p](auto& field, const auto& value) {
    if (field == value) return;
    field = value;
    touch(p);
  };
  update(p.sandbox_up, true);
  if (!record.sandbox.pod_ip.empty()) update(p.pod_ip, record.sandbox.pod_ip);
  if (p.pod_namespace.empty()) update(p.pod_namespace, record.pod_namespace);
  if (p.name.empty()) update(p.name, record.pod_name);
  for (const auto& c : record.containers) {
    auto& attempts = p.attempts[c.name];
    auto known = attempts.find(c.attempt);
    if (known == attempts.end()) {
      attempts.emplace(c.attempt, c);
      touch(p);
      continue;
    }
    // A list taken before an exit we already learnt must not bring the container back.
    if (known->second.state == ContainerState::exited && c.state == ContainerState::running)
      continue;
    if (same_attempt(known->second, c)) continue;
    known->second = c;
    touch(p);
  }
}

void PodSync::on_records(std::vector<PodRecord> records, std::int64_t now_ms,
                         std::optional<std::uint64_t> mark) {
  now_ms_ = now_ms;
  auto stale = [&](const std::string& uid) {
    if (!mark) return false;
    auto gone = forgotten_.find(uid);
    if (gone != forgotten_.end() && gone->second > *mark) return true;
    auto it = pods_.find(uid);
    return it != pods_.end() && it->second.removed_mark > *mark;
  };
  for (const auto& record : records) {
    const std::string& uid = record.sandbox.pod_uid;
    if (stale(uid)) continue;
    auto it = pods_.find(uid);
    if (it != pods_.end() && it->second.done) continue;  // a list older than the removal
    if (it == pods_.end() && pods_.size() >= config_.pods_max) continue;
    PodState& p = state_of(uid);
    merge_record(p, record);
    sync_probes(p);
  }
  // One list at a time: later lists are asked for after every removal seen now.
  std::erase_if(forgotten_, [&](const auto& entry) { return !mark || entry.second <= *mark; });
}

/// Arms the probes of every app container's running attempt, stops the others, and forgets
/// kills of containers that exited.
void PodSync::sync_probes(PodState& p) {
  for (auto it = p.kills.begin(); it != p.kills.end();)
    it = p.running(it->first) ? std::next(it) : p.kills.erase(it);
  if (!p.plan || p.plan_error || p.terminating) return;
  for (const auto& c : p.plan->containers) {
    const ContainerStatus* s = p.latest(c.spec.name);
    if (s == nullptr || s->state != ContainerState::running) {
      p.prober.stopped(c.spec.name);
    } else if (p.prober.attempt(c.spec.name) != s->attempt) {
      p.prober.running(c, s->attempt, s->started_at_ms);
    }
  }
}

void PodSync::on_result(std::uint64_t call_id, DriverOutcome outcome, std::int64_t now_ms) {
  now_ms_ = now_ms;
  auto call = calls_.find(call_id);
  if (call == calls_.end()) return;
  std::string uid = call->second;
  calls_.erase(call);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.in_flight || it->second.in_flight->id != call_id) return;
  PodState& p = it->second;
  touch(p);
  InFlightCall what = *p.in_flight;
  p.in_flight.reset();
  switch (what.kind) {
    case DriverCallKind::start_sandbox:
      on_sandbox(p, std::get<Result<SandboxStatus>>(outcome), now_ms);
      break;
    case DriverCallKind::start_container:
      on_started(p, what, std::get<Result<ContainerStatus>>(outcome), now_ms);
      break;
    case DriverCallKind::exec_probe: {
      const auto& r = std::get<Result<ExecResult>>(outcome);
      on_probe(p, what, r.ok() && r->exit_code == 0, now_ms);
      break;
    }
    case DriverCallKind::http_probe:
    case DriverCallKind::tcp_probe:
      // A preStop hook's outcome changes nothing; a probe's is recorded.
      if (what.container.empty() || p.kills.count(what.container)) break;
      on_probe(p, what, std::get<ProbeOutcome>(outcome) == ProbeOutcome::success, now_ms);
      break;
    case DriverCallKind::exec_hook:
      break;  // kube goes on to SIGTERM whatever the hook did
    case DriverCallKind::prepare_volumes:
      on_volumes(p, std::get<Status>(outcome), now_ms);
      break;
    case DriverCallKind::remove_container:
    case DriverCallKind::remove_sandbox:
      p.removed_mark = ++removals_seen_;
      [[fallthrough]];
    case DriverCallKind::signal:
      on_status(p, what, std::get<Status>(outcome), now_ms);
      break;
  }
}

void PodSync::on_sandbox(PodState& p, const Result<SandboxStatus>& r, std::int64_t now_ms) {
  if (!r) {
    p.sandbox_error = r.error().message;
    p.retry_at_ms = now_ms + config_.retry_ms;
    return;
  }
  p.sandbox_error.clear();
  p.sandbox_up = true;
  p.pod_ip = r->pod_ip;
}

void PodSync::on_volumes(PodState& p, const Status& r, std::int64_t now_ms) {
  if (r) {
    p.volumes_ready = true;
    p.volume_error.clear();
    p.volumes_refresh_at_ms = now_ms + config_.volume_refresh_ms;
    return;
  }
  if (p.volumes_ready) {  // a failed refresh: the files stay as they were (kube's too)
    p.volumes_refresh_at_ms = now_ms + config_.volume_refresh_ms;
    return;
  }
  p.volume_error = r.error().message;
  p.retry_at_ms = now_ms + config_.retry_ms;
}

void PodSync::on_started(PodState& p, const InFlightCall& what, const Result<ContainerStatus>& r,
                         std::int64_t now_ms) {
  if (!r) {
    StartFailure& f = p.start_failures[what.container];
    f.reason = start_failure_reason(r.error().code);
    f.message = r.error().message;
    ++f.failures;
    std::int64_t delay = config_.backoff.initial_ms << std::min(f.failures - 1, 20);
    f.retry_at_ms = now_ms + std::min(delay, config_.start_retry_ms_max);
    return;
  }
  p.start_failures.erase(what.container);
  if (what.attempt > 0) p.backoff.restarted(what.container, now_ms);
  p.attempts[what.container][r->attempt] = r.value();
  sync_probes(p);
}

void PodSync::on_status(PodState& p, const InFlightCall& what, const Status& r,
                        std::int64_t now_ms) {
  if (what.kind == DriverCallKind::remove_container) {
    if (r || r.error().code == driver_error::no_container)
      p.attempts[what.container].erase(what.attempt);
    return;
  }
  if (what.kind == DriverCallKind::signal) {
    if (r || r.error().code == driver_error::no_container) return;
    auto kill = p.kills.find(what.container);  // try the signal again shortly
    if (kill != p.kills.end()) {
      (what.signal == SIGKILL ? kill->second.kill_sent : kill->second.term_sent) = false;
      p.retry_at_ms = now_ms + config_.retry_ms;
    }
    return;
  }
  if (!r) {  // remove_sandbox failed: try again
    p.retry_at_ms = now_ms + config_.retry_ms;
    return;
  }
  finish(p);
}

/// The sandbox is gone: a pod deleted in the API is handed out for deletion; one the API no
/// longer holds is forgotten.
void PodSync::finish(PodState& p) {
  touch(p);
  p.sandbox_up = false;
  p.done = true;  // the attempts stay: the final status shows how each container ended
  if (p.in_api && p.plan && p.plan->deletion_ms) {
    removals_.push_back(Removal{p.pod_namespace, p.name, p.uid});
    return;
  }
  if (!p.in_api) {
    forgotten_[p.uid] = p.removed_mark;
    forget(std::string(p.uid));
  }
}

void PodSync::on_probe(PodState& p, const InFlightCall& what, bool success, std::int64_t now_ms) {
  p.prober.record(what.container, what.attempt, what.probe, success, now_ms);
}

std::vector<PodSync::StatusUpdate> PodSync::take_status_updates() {
  std::vector<StatusUpdate> out;
  bool sweep = config_.status_sweep_ms > 0 && now_ms_ >= status_sweep_due_ms_;
  if (sweep) status_sweep_due_ms_ = now_ms_ + config_.status_sweep_ms;
  for (auto& [uid, p] : pods_) {
    if (!sweep && !p.status_stale && now_ms_ < p.status_due_ms) continue;
    if (status_waits_for_start(p)) continue;  // stays stale: built when the start is answered
    p.status_stale = false;
    if (!p.plan || !p.in_api || p.api_terminal) continue;
    nlohmann::json status = pod_status(p, config_.host_ip, now_ms_);
    ++statuses_built_;
    auto hash = stable_hash(status.dump());
    if (hash == p.last_status_hash) continue;
    p.last_status_hash = hash;
    out.push_back(StatusUpdate{p.pod_namespace, p.name, uid, std::move(status)});
  }
  return out;
}

std::vector<PodSync::Removal> PodSync::take_removals() {
  return std::exchange(removals_, {});
}

}  // namespace craton::agent
