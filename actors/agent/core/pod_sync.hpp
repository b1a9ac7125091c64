// PodSync: the pod side of a node agent as a pure state machine, in etcd raft's shape. Inputs
// are the pods the API binds to this node (upsert/remove), what the host holds (adopt at
// start, on_records from the driver's periodic list()) and the outcomes of driver calls
// (on_result); tick() answers the driver calls to make now, at most one in flight per pod;
// take_status_updates() and take_removals() hand out what must be written to the API. No
// clock, no threads, no I/O: `now_ms` (wall clock, as the driver's times) arrives with every
// input, so the simulator and production drive it alike.
//
// What it promises (the kubelet's behaviour, pkg/kubelet): init containers run one at a time,
// in order, before app containers; restartPolicy Always/OnFailure/Never with the kubelet's
// back-off and CrashLoopBackOff; liveness, readiness and startup probes; graceful termination
// (preStop hook, SIGTERM, SIGKILL once the grace period is over) before a deleted pod's
// sandbox is removed and the pod handed out for deletion from the API; a pod the host holds
// but the API does not bind here (deleted while the agent was down, or bound elsewhere) is
// killed and removed once the API's initial list is in (api_listed()); a pod that reached
// Succeeded or Failed is never started again. Adopted containers are never started twice.
//
// Volumes: a pod with volumes gets a prepare_volumes call before its sandbox and before any
// container starts (a failure keeps it ContainerCreating and is retried), then again every
// volume_refresh_ms while it runs, so configMap and secret files follow their sources; the
// shell performs it on its VolumeHost, which also removes the volumes with the sandbox.
//
// The shell's loop: adopt(driver.list()) before anything else; upsert/remove from the pod
// informer and api_listed() once its initial list is delivered; after every input call tick()
// and run the calls (perform()), feeding each outcome to on_result(); call on_records(list())
// every second or so (exits are learnt there); call tick() again at next_wake().
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/agent/core/pod_driver_call.hpp"
#include "actors/agent/core/pod_plan.hpp"
#include "actors/agent/core/pod_state.hpp"
#include "actors/agent/core/volume_sources.hpp"
#include "actors/api/informer/informer_object.hpp"

namespace craton::agent {

struct PodSyncConfig {
  std::string node_name;
  std::string host_ip;  ///< status.hostIP
  PlanLimits plan_limits;
  BackoffLimits backoff;
  std::int64_t retry_ms = 2'000;              ///< after a failed sandbox call or signal
  std::int64_t start_retry_ms_max = 300'000;  ///< back-off cap of failed starts (from 10 s)
  std::size_t pods_max = 1'000;  ///< pods held (API and host); more are ignored until room
  /// ConfigMaps and Secrets for env references, looked up when a container starts; null:
  /// none exist (a required reference is CreateContainerConfigError until one does).
  std::shared_ptr<const VolumeSources> sources;
  /// How often a running pod's volumes are prepared again, so a changed ConfigMap or Secret
  /// reaches its files (the kubelet's resync is about a minute too).
  std::int64_t volume_refresh_ms = 60'000;
  /// How often take_status_updates() rebuilds every pod's status as a backstop, not only those
  /// an event touched or whose back-off ended (PodState::status_due_ms); 0: never. Events and
  /// due times cover every change, so the sweep finds nothing new; it costs a status per pod,
  /// which a 1 s sweep made the agent's largest cost at 30 pods per node (simulator, 1,000
  /// nodes). The kubelet's status manager, too, writes on change and resyncs every 10 s.
  std::int64_t status_sweep_ms = 60'000;
};

class PodSync {
 public:
  explicit PodSync(PodSyncConfig config);

  /// What the driver holds when the agent starts: adopted, never started again.
  void adopt(std::vector<PodRecord> records, std::int64_t now_ms);
  /// A pod of the API (informer add or update). Pods bound to another node count as removed.
  void upsert(const api::InformerObject& pod, std::int64_t now_ms);
  /// The pod is gone from the API: its processes are killed and its sandbox removed.
  void remove(const std::string& uid, std::int64_t now_ms);
  /// The informer's initial list is delivered: host pods not bound here are orphans now.
  void api_listed(std::int64_t now_ms);

  /// The driver calls to make now; none for a pod whose previous call is still in flight.
  std::vector<DriverCall> tick(std::int64_t now_ms);
  /// The outcome of a call tick() handed out (unknown ids are ignored).
  void on_result(std::uint64_t call_id, DriverOutcome outcome, std::int64_t now_ms);
  /// The driver's list(): container exits and states. With workers > 1 a list runs beside
  /// the pods' calls and may be older than a removal whose result came in first: `mark` is
  /// list_mark() when the list was asked for, and records of pods that lost a container or
  /// their sandbox since then are skipped (the next list shows them as they are), so a stale
  /// list never brings back what was removed. No mark: the list is as new as every result.
  void on_records(std::vector<PodRecord> records, std::int64_t now_ms,
                  std::optional<std::uint64_t> mark = std::nullopt);
  /// Counts the removals (remove_container, remove_sandbox) whose results came in.
  std::uint64_t list_mark() const { return removals_seen_; }

  struct StatusUpdate {
    std::string pod_namespace, name, uid;
    nlohmann::json status;  ///< {"status": this} patches pods/status
  };
  /// The statuses that changed since they were last taken. Built for the pods an input
  /// touched since the last call (a host list that repeats what is known touches none), the
  /// pods whose status changes with time now (status_due_ms), and every pod once per
  /// status_sweep_ms. A pod whose first container start is in flight is left out until it is
  /// answered (its sandbox and its container reported in one write, as the kubelet does).
  std::vector<StatusUpdate> take_status_updates();
  /// Pod statuses built by take_status_updates() so far (what a status costs is the building
  /// and comparing, whether or not it changed).
  std::uint64_t statuses_built() const { return statuses_built_; }

  struct Removal {
    std::string pod_namespace, name, uid;
  };
  /// Deleted pods whose processes are gone and sandbox removed: delete them with grace 0,
  /// after writing the status updates taken with them (the pod's final status).
  std::vector<Removal> take_removals();

  /// When tick() must run next at the latest (now_ms when it has work at once).
  std::int64_t next_wake(std::int64_t now_ms) const;
  /// Pods tick() has stepped so far: those an input touched since and those whose wake time
  /// came, not every pod at every tick (at 30 pods per node the walk over all of them after
  /// every event was a tenth of a 2,000-node simulated run).
  std::uint64_t pods_stepped() const { return pods_stepped_; }

  /// The pod's state, for tests and the agent's debug endpoint (nullptr if unknown).
  const PodState* find(const std::string& uid) const;

 private:
  PodState& state_of(const std::string& uid);
  /// An input changed the pod: its status is built again and tick() steps it.
  void touch(PodState& pod);
  /// Files the pod under its wake time again (after it was stepped).
  void rewake(PodState& pod);
  /// Erases the pod and its place in dirty_ and wakes_.
  void forget(const std::string& uid);
  void merge_record(PodState& pod, const PodRecord& record);
  void sync_probes(PodState& pod);
  void begin_termination(PodState& pod, std::int64_t grace_ms, std::int64_t now_ms);
  void finish(PodState& pod);

  std::optional<DriverCall> step(PodState& pod, std::int64_t now_ms);
  std::optional<DriverCall> terminate_step(PodState& pod, std::int64_t now_ms);
  std::optional<DriverCall> live_step(PodState& pod, std::int64_t now_ms);
  std::optional<DriverCall> container_step(PodState& pod, const ContainerPlan& c, bool init,
                                           std::int64_t now_ms);
  std::optional<DriverCall> kill_step(PodState& pod, const ContainerPlan* c,
                                      const std::string& name, std::int64_t now_ms);
  DriverCall hook_call(PodState& pod, const ContainerKill& kill, const ContainerPlan& c,
                       std::int64_t now_ms);
  std::optional<DriverCall> start_call(PodState& pod, const ContainerPlan& c, int attempt,
                                       std::int64_t now_ms);
  std::optional<DriverCall> probe_call(PodState& pod, std::int64_t now_ms);
  std::optional<DriverCall> cleanup_call(PodState& pod);
  std::optional<DriverCall> volumes_call(PodState& pod, bool refresh, std::int64_t now_ms);
  void on_volumes(PodState& pod, const Status& r, std::int64_t now_ms);
  DriverCall call(PodState& pod, DriverCallKind kind, InFlightCall what = {});
  std::int64_t wake_of(const PodState& pod) const;

  void on_sandbox(PodState& pod, const Result<SandboxStatus>& r, std::int64_t now_ms);
  void on_started(PodState& pod, const InFlightCall& what, const Result<ContainerStatus>& r,
                  std::int64_t now_ms);
  void on_status(PodState& pod, const InFlightCall& what, const Status& r, std::int64_t now_ms);
  void on_probe(PodState& pod, const InFlightCall& what, bool success, std::int64_t now_ms);

  PodSyncConfig config_;
  std::map<std::string, PodState> pods_;  ///< by uid
  /// What tick() steps: the pods an input touched since, and those whose wake time came
  /// (PodState::wake_ms; a pod not touched keeps its wake time: wake_of depends on nothing
  /// else). Steps run in uid order, as a walk over pods_ would.
  std::set<std::string> dirty_;
  std::set<std::pair<std::int64_t, std::string>> wakes_;
  std::uint64_t pods_stepped_ = 0;
  std::map<std::uint64_t, std::string> calls_;  ///< call id -> pod uid, in flight
  std::uint64_t next_call_id_ = 1;
  bool api_listed_ = false;
  std::int64_t now_ms_ = 0;  ///< the latest input's clock, for status times
  std::int64_t status_sweep_due_ms_ = 0;
  std::uint64_t statuses_built_ = 0;  ///< take_status_updates() builds all pods from then
  std::vector<Removal> removals_;
  std::uint64_t removals_seen_ = 0;  ///< list_mark()
  /// Pods forgotten after their sandbox went, with the mark of that removal: a list asked for
  /// before it must not bring them back. Entries older than the newest list's mark are dropped.
  std::map<std::string, std::uint64_t> forgotten_;
};

}  // namespace craton::agent
