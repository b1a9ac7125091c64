// Prober: the kubelet's probe workers for one pod (pkg/kubelet/prober/worker.go), as a pure
// state machine. For each running container and each of its probes it says when the next run
// is due, takes the outcomes back, applies the success and failure thresholds and answers the
// three questions the pod's core asks: has the container started, is it ready, must it be
// restarted (and why).
//
// Semantics kept from the kubelet: nothing runs before initialDelaySeconds after the start;
// while a startup probe has not succeeded, liveness and readiness do not run, the container
// is neither started nor ready; once the startup probe succeeds it stops. Readiness starts as
// failure, liveness as success. A result flips only after successThreshold (failureThreshold)
// consecutive outcomes. A failed liveness or startup probe puts the container on hold (no more
// probes) until it runs again as a new attempt. At most one run per probe is in flight.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "actors/agent/core/pod_plan.hpp"

namespace craton::agent {

enum class ProbeKind { liveness, readiness, startup };

/// "Liveness", "Readiness", "Startup": how kube's messages name them.
const char* probe_kind_name(ProbeKind kind);

/// One probe run to perform now.
struct ProbeRun {
  std::string container;
  int attempt = 0;
  ProbeKind kind = ProbeKind::liveness;
  ProbeSpec spec;
};

class Prober {
 public:
  /// The container's attempt runs since `started_ms`: (re)arms its probes from the plan.
  void running(const ContainerPlan& container, int attempt, std::int64_t started_ms);
  /// The container is not running (exited, killed, removed): its probes stop.
  void stopped(const std::string& container);

  /// The earliest probe due at `now_ms` not already in flight, marked in flight.
  std::optional<ProbeRun> take_due(std::int64_t now_ms);
  /// The outcome of a run take_due() handed out. Stale runs (older attempt) are ignored.
  void record(const std::string& container, int attempt, ProbeKind kind, bool success,
              std::int64_t now_ms);

  bool started(const std::string& container) const;
  bool ready(const std::string& container) const;
  /// Set once a liveness or startup probe failed: the kind that failed.
  std::optional<ProbeKind> failed(const std::string& container) const;
  /// The attempt whose probes are armed, if any.
  std::optional<int> attempt(const std::string& container) const;
  /// When the next probe is due (INT64_MAX when none is).
  std::int64_t next_due_ms() const;

 private:
  enum class Result { unknown, success, failure };
  struct Worker {
    ProbeSpec spec;
    std::int64_t due_ms = 0;
    bool in_flight = false;
    Result result = Result::unknown;
    Result last_outcome = Result::unknown;
    int run_length = 0;  ///< consecutive outcomes equal to last_outcome
  };
  struct Container {
    int attempt = 0;
    std::map<ProbeKind, Worker> workers;
    std::optional<ProbeKind> failed;  ///< on hold: liveness or startup failed
  };
  bool may_run(const Container& c, ProbeKind kind) const;
  static void apply(Worker& w, bool success);
  std::map<std::string, Container> containers_;
};

}  // namespace craton::agent
