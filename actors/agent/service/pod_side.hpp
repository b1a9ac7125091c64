// PodSide: the agent's pod lifecycle core (PodSync, actors/agent/core/pod_sync.hpp) plugged into
// the agent service as its PodSink. Pods from the service's informer go in; the statuses PodSync
// computes go out as strategic merge patches of pods/<name>/status (api::pod_status_patch:
// conditions merge by type, so other writers' conditions stay), and the pods it has finished with
// as deletions (grace 0 with a uid precondition, sent again until answered), through the service's
// API connection; the driver calls it asks for go to whoever runs them off the actor threads (the
// actor's worker) and their outcomes come back here.
//
// Pure like the service (no CAF, no clock, no threads): the actor shell (agent_actor.cpp) gives
// it a way to run a DriverCall and to list the host, and feeds back what they returned. Time
// comes in as the node clock; PodSync works on the wall clock (the driver's and Kubernetes'
// times), base + node clock, as the service writes times.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/agent/core/pod_sync.hpp"
#include "actors/agent/service/agent_service.hpp"

namespace craton::agent {

struct PodSideConfig {
  PodSyncConfig sync;
  std::int64_t wall_clock_base_s = 0;
  std::int64_t list_every_ms = 1'000;    ///< the driver's list(): how exits are learnt
  std::int64_t status_retry_ms = 5'000;  ///< a refused status write is sent again after this
};

/// What became of the agent's pod status writes (the agent's trace line and tests read it).
struct PodStatusCounters {
  std::uint64_t sent = 0;
  std::uint64_t written = 0;  ///< answered 200 (or 404: the pod is gone)
  std::uint64_t failed = 0;   ///< refused or unanswered: sent again after status_retry_ms
  std::map<int, std::uint64_t> failed_by_code;  ///< 0: no answer (timeout, API changed)
  std::string last_failure;                     ///< the latest failure's code and message
};

/// The outcome of a call of `kind` that could not be made (the worker refused it), so PodSync
/// treats it as a failed call and retries as it does any failure.
DriverOutcome refused_outcome(DriverCallKind kind, const Error& error);

class PodSide final : public PodSink {
 public:
  /// Runs a driver call off the actor threads; its outcome comes back through on_result().
  using RunCall = std::function<void(DriverCall)>;
  /// Lists the host off the actor threads; the records come back through on_records().
  using ListHost = std::function<void()>;

  PodSide(PodSideConfig config, AgentService& service, RunCall run, ListHost list);

  /// What the host held when the agent started (the driver's first list()): adopted before any
  /// pod is synced, so nothing running is started twice.
  void adopt(std::vector<PodRecord> records, std::int64_t now_ms);

  // PodSink
  void pod_added(const api::InformerObject& pod, std::int64_t now_ms) override;
  void pod_updated(const api::InformerObject& old_pod, const api::InformerObject& pod,
                   std::int64_t now_ms) override;
  void pod_deleted(const api::InformerObject& last_pod, std::int64_t now_ms) override;
  void tick(std::int64_t now_ms) override;

  void on_result(std::uint64_t call_id, DriverOutcome outcome, std::int64_t now_ms);
  void on_records(std::vector<PodRecord> records, std::int64_t now_ms);

  bool adopted() const { return adopted_; }
  const PodSync& sync() const { return sync_; }
  const PodStatusCounters& status_counters() const { return counters_; }
  /// Pods with a status write in flight, waiting behind one, or waiting for a retry.
  std::size_t statuses_writing() const { return writing_.size(); }
  std::size_t statuses_waiting() const { return waiting_.size(); }
  std::size_t statuses_unsent() const { return unsent_.size(); }

 private:
  std::int64_t wall(std::int64_t now_ms) const { return base_ms_ + now_ms; }
  /// Hands out what PodSync decided: driver calls, status patches, final deletions.
  void pump(std::int64_t now_ms);
  void write_status(PodSync::StatusUpdate update, std::int64_t now_ms);
  void delete_pod(PodSync::Removal removal, std::int64_t now_ms);

  PodSideConfig config_;
  std::int64_t base_ms_;
  AgentService& service_;
  RunCall run_;
  ListHost list_;
  PodSync sync_;
  bool adopted_ = false;
  bool api_listed_ = false;
  bool listing_ = false;
  std::uint64_t list_mark_ = 0;  ///< PodSync::list_mark() when the pending list was asked for
  std::int64_t list_due_ms_ = INT64_MIN;  ///< node clocks may read below 0
  /// Status writes the API refused or did not answer, by pod uid: PodSync hands a status out
  /// only when it changes, so a steady pod's lost write is sent again from here (the
  /// kubelet's status manager retries too). A newer status of the pod replaces its entry.
  std::map<std::string, PodSync::StatusUpdate> unsent_;
  /// A pod's status writes go one at a time, as the kubelet's status manager sends them: the
  /// API applies concurrent patches of one pod in any order (each reads, merges and
  /// retries on conflict), so an older write sent beside a newer one could land last and leave
  /// a running pod Pending for good (the simulator's cluster scenario found it). writing_
  /// holds the pods with a write in flight; waiting_ the newest status each is to send next
  /// (each write carries the whole status, so a newer one replaces an older one waiting).
  std::set<std::string> writing_;
  std::map<std::string, PodSync::StatusUpdate> waiting_;
  /// Finished pods whose DELETE the API refused or did not answer: sent again with the
  /// status writes (a pod left Terminating in the API would never go otherwise).
  std::vector<PodSync::Removal> undeleted_;
  std::int64_t retry_due_ms_ = 0;
  PodStatusCounters counters_;
};

}  // namespace craton::agent
