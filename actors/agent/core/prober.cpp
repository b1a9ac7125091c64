// Prober: due times, thresholds and startup gating of one pod's probes.
#include "actors/agent/core/prober.hpp"

#include <limits>

namespace craton::agent {

const char* probe_kind_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::liveness:
      return "Liveness";
    case ProbeKind::readiness:
      return "Readiness";
    case ProbeKind::startup:
      return "Startup";
  }
  return "Unknown";
}

void Prober::running(const ContainerPlan& plan, int attempt, std::int64_t started_ms) {
  Container c;
  c.attempt = attempt;
  auto arm = [&](const std::optional<ProbeSpec>& spec, ProbeKind kind, Result initial) {
    if (!spec) return;
    Worker w;
    w.spec = *spec;
    w.due_ms = started_ms + spec->initial_delay_ms;
    w.result = initial;
    c.workers.emplace(kind, std::move(w));
  };
  arm(plan.liveness, ProbeKind::liveness, Result::success);
  arm(plan.readiness, ProbeKind::readiness, Result::failure);
  arm(plan.startup, ProbeKind::startup, Result::unknown);
  containers_[plan.spec.name] = std::move(c);
}

void Prober::stopped(const std::string& container) {
  containers_.erase(container);
}

bool Prober::may_run(const Container& c, ProbeKind kind) const {
  if (c.failed) return false;
  auto startup = c.workers.find(ProbeKind::startup);
  bool startup_pending = startup != c.workers.end() && startup->second.result != Result::success;
  // The startup probe runs until it succeeds; the others only after it did.
  return kind == ProbeKind::startup ? startup_pending : !startup_pending;
}

std::optional<ProbeRun> Prober::take_due(std::int64_t now_ms) {
  Worker* best = nullptr;
  ProbeRun run;
  for (auto& [name, c] : containers_)
    for (auto& [kind, w] : c.workers) {
      if (w.in_flight || w.due_ms > now_ms || !may_run(c, kind)) continue;
      if (best != nullptr && best->due_ms <= w.due_ms) continue;
      best = &w;
      run = ProbeRun{name, c.attempt, kind, w.spec};
    }
  if (best == nullptr) return std::nullopt;
  best->in_flight = true;
  return run;
}

void Prober::apply(Worker& w, bool success) {
  Result outcome = success ? Result::success : Result::failure;
  w.run_length = outcome == w.last_outcome ? w.run_length + 1 : 1;
  w.last_outcome = outcome;
  int needed = success ? w.spec.success_threshold : w.spec.failure_threshold;
  if (w.run_length >= needed) w.result = outcome;
}

void Prober::record(const std::string& container, int attempt, ProbeKind kind, bool success,
                    std::int64_t now_ms) {
  auto c = containers_.find(container);
  if (c == containers_.end() || c->second.attempt != attempt) return;
  auto w = c->second.workers.find(kind);
  if (w == c->second.workers.end()) return;
  w->second.in_flight = false;
  w->second.due_ms = now_ms + w->second.spec.period_ms;
  apply(w->second, success);
  bool fatal = kind != ProbeKind::readiness && w->second.result == Result::failure;
  if (fatal) c->second.failed = kind;
}

bool Prober::started(const std::string& container) const {
  auto c = containers_.find(container);
  if (c == containers_.end()) return true;  // no probes armed: started when running
  auto startup = c->second.workers.find(ProbeKind::startup);
  return startup == c->second.workers.end() || startup->second.result == Result::success;
}

bool Prober::ready(const std::string& container) const {
  auto c = containers_.find(container);
  if (c == containers_.end()) return true;
  if (!started(container) || c->second.failed) return false;
  auto readiness = c->second.workers.find(ProbeKind::readiness);
  return readiness == c->second.workers.end() || readiness->second.result == Result::success;
}

std::optional<ProbeKind> Prober::failed(const std::string& container) const {
  auto c = containers_.find(container);
  return c == containers_.end() ? std::nullopt : c->second.failed;
}

std::optional<int> Prober::attempt(const std::string& container) const {
  auto c = containers_.find(container);
  if (c == containers_.end()) return std::nullopt;
  return c->second.attempt;
}

std::int64_t Prober::next_due_ms() const {
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  for (const auto& [name, c] : containers_)
    for (const auto& [kind, w] : c.workers)
      if (!w.in_flight && may_run(c, kind)) next = std::min(next, w.due_ms);
  return next;
}

}  // namespace craton::agent
