// What the simulator's own actors report for the checkers, as typed records.
//
// Workload clients, watchers and lease probes report what they did and saw as one of the
// records below (ObservedEvent). The world stamps each with time, node and incarnation into the
// RunHistory, and writes it to the trace through format_event(), the one formatter: the trace
// text is what it always was ("op p1 invoke write k =v", "watch n2 ev 7/p/k/v", ...), so trace
// hashes do not depend on this representation. Checkers read the fields; nobody parses the text.
//
// Text probes from production actors (the failure detector's "suspect n3", the store shell's
// RaftEvents and its failures) still arrive as text: they come through NodeContext::observe,
// which knows nothing of the simulator. They are kept as TextEvent; RaftEvents have their own
// codec with a round-trip test (actors/store/raft/raft_event.hpp).
//
// Plain data, no CAF.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace craton::sim {

/// A store operation's invocation or completion (sim/store/store_workload.hpp), in the
/// linearizability checker's vocabulary.
enum class OpPhase { invoke, ok, fail, info };
enum class OpFunction { read, write, cas };

struct StoreOpEvent {
  std::string process;
  OpPhase phase = OpPhase::invoke;
  OpFunction function = OpFunction::read;
  std::string key;                  ///< invocations only
  std::vector<std::string> values;  ///< invoke: cas {expected, new}, write {new}; ok read {value}
  std::string note;                 ///< completions: the error code behind fail/info, for people
  /// ok writes whose client learns the revision they made (the API's resourceVersion); 0:
  /// unknown. The watch checker demands that watchers deliver it.
  std::int64_t revision = 0;
  bool operator==(const StoreOpEvent&) const = default;
};

/// One event a watcher received: a put or a delete of `key` at `revision`.
struct WatchedChange {
  std::int64_t revision = 0;
  bool put = true;
  std::string key;
  std::string value;
  bool operator==(const WatchedChange&) const = default;
};

/// A watcher's life (sim/store/store_watcher.hpp): (re)started from a revision, a batch of events,
/// or canceled by its replica (compaction).
struct WatchEvent {
  enum class Kind { start, events, canceled };
  std::string node;
  Kind kind = Kind::start;
  std::int64_t revision = 0;  ///< start: the start revision; canceled: the compact revision
  std::vector<WatchedChange> changes;  ///< events
  bool operator==(const WatchEvent&) const = default;
};

/// A lease client's step (sim/lease/lease_workload.hpp).
struct LeaseEvent {
  enum class Kind { granting, granted, put, renewing, renewed, lost, abandoned };
  std::string process;
  Kind kind = Kind::granting;
  std::int64_t lease = 0;  ///< every kind but granting
  std::int64_t ttl_s = 0;  ///< granted
  std::string key;         ///< put
  bool operator==(const LeaseEvent&) const = default;
};

/// The lease key probe on one replica: started, or a lease key appeared or vanished there.
struct LeaseKeyEvent {
  enum class Kind { start, add, del };
  Kind kind = Kind::start;
  std::string key;  ///< add, del
  bool operator==(const LeaseKeyEvent&) const = default;
};

/// The store scenario's replica could not open, or failed and stopped; or an error the simulated
/// disk injected stopped it (the world restarts it: that one is not a failure of the run).
struct StoreFailureEvent {
  enum class Kind { open, running, disk_stop };
  Kind kind = Kind::running;
  std::string message;
  bool operator==(const StoreFailureEvent&) const = default;
};

/// An informer's cache at the revision it is at (sim/api/api_clients.hpp): key -> value.
struct CacheSnapshot {
  std::string node;
  std::int64_t revision = 0;
  std::map<std::string, std::string> entries;
  bool operator==(const CacheSnapshot&) const = default;
};

/// What a workload auditor (sim/controllers/workload_clients.hpp) sees of one workload at one
/// revision: its ReplicaSets' spec.replicas by name with each one's metadata.generation
/// (replica_sets), or its active pods by owning ReplicaSet and how many of them are Ready (pods).
struct WorkloadSample {
  enum class Kind { replica_sets, pods };
  Kind kind = Kind::pods;
  std::string workload;
  std::int64_t revision = 0;
  std::map<std::string, int> counts;
  std::map<std::string, std::int64_t> generations;  // replica_sets only
  int ready = 0;
  bool operator==(const WorkloadSample&) const = default;
};

/// A deletion a cleanup client (sim/controllers/cleanup_clients.hpp) saw the API accept: `resource`
/// ("deployments", "namespaces"), where, and the propagationPolicy it asked for ("" for
/// namespaces). A 404 after an earlier attempt whose answer was lost counts as accepted.
struct DeletionEvent {
  std::string resource;
  std::string namespace_;
  std::string name;
  std::string propagation;
  bool operator==(const DeletionEvent&) const = default;
};

/// What an ownership auditor (sim/controllers/cleanup_clients.hpp) sees at one moment of the
/// Deployments, ReplicaSets and pods of every namespace: the namespaces that exist, how many of
/// those objects each namespace holds and each "app" label value names, and every object whose
/// owner reference (to a Deployment or ReplicaSet) names a uid that no object has ("kind ns/name ->
/// OwnerKind uid").
struct OwnershipSample {
  std::int64_t revision = 0;
  std::set<std::string> namespaces;
  std::map<std::string, int> objects_by_namespace;
  std::map<std::string, int> objects_by_app;
  std::vector<std::string> dangling;
  bool operator==(const OwnershipSample&) const = default;
};

/// An amount of the resources the scheduler scenario's pods request and its nodes offer.
struct SchedulerResources {
  std::int64_t cpu_milli = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t pods = 0;
  bool operator==(const SchedulerResources&) const = default;
};

/// What a scheduler auditor (sim/scheduler/scheduler_clients.hpp) sees of the nodes and pods at one
/// moment: per Node its allocatable and the summed requests of the pods bound to it (a pod
/// counts 1 of "pods"), and per pod uid its name, requests and spec.nodeName ("": pending).
struct SchedulerView {
  struct NodeRoom {
    SchedulerResources allocatable;
    SchedulerResources requested;
    bool operator==(const NodeRoom&) const = default;
  };
  struct PodPlace {
    std::string name;  ///< namespace/name
    std::string node;  ///< "" while pending
    SchedulerResources request;
    bool operator==(const PodPlace&) const = default;
  };
  std::int64_t revision = 0;  ///< the pods informer's resourceVersion
  std::map<std::string, NodeRoom> nodes;
  std::map<std::string, PodPlace> pods;  ///< by uid
  bool operator==(const SchedulerView&) const = default;
};

/// What a cluster auditor (sim/cluster/cluster_clients.hpp) sees of the pods at one moment:
/// per pod uid its name, spec.nodeName ("": pending), phase, whether it is Ready and whether
/// it is marked for deletion (metadata.deletionTimestamp set). A pod absent is deleted.
struct PodsView {
  struct Pod {
    std::string name;  ///< namespace/name
    std::string node;
    std::string phase;
    bool ready = false;
    bool terminating = false;
    /// A DisruptionTarget condition with reason PreemptionByScheduler: the scheduler chose it
    /// as a victim (it is deleted next). Other deletions (pod GC, eviction) carry none.
    bool preempted = false;
    /// The annotation craton.io/gpu-index (the GPUs the scheduler chose; "" when unset).
    std::string gpu_index;
    bool operator==(const Pod&) const = default;
  };
  std::int64_t revision = 0;  ///< the pods informer's resourceVersion
  std::map<std::string, Pod> pods;
  bool operator==(const PodsView&) const = default;
};

/// A container a node's fake driver began or ceased to run (sim/cluster/observing_driver.hpp):
/// an attempt seen running for the first time (start) or no longer running (stop: exited,
/// signalled or removed). A node's crash stops its containers without an event.
struct ContainerEvent {
  enum class Kind { start, stop };
  Kind kind = Kind::start;
  std::string pod_uid;
  std::string pod;  ///< namespace/name
  std::string container;
  int attempt = 0;
  bool operator==(const ContainerEvent&) const = default;
};

/// A probe from a production actor, as it wrote it (see the header comment).
struct TextEvent {
  std::string text;
  bool operator==(const TextEvent&) const = default;
};

using ObservedEvent =
    std::variant<StoreOpEvent, WatchEvent, LeaseEvent, LeaseKeyEvent, StoreFailureEvent, TextEvent,
                 CacheSnapshot, WorkloadSample, DeletionEvent, OwnershipSample, SchedulerView,
                 PodsView, ContainerEvent>;

/// The trace text of an event (without time and node).
std::string format_event(const ObservedEvent& event);

/// Where a simulator actor reports; the world stamps time, node and incarnation.
using ObservationSink = std::function<void(ObservedEvent)>;

const char* to_string(OpPhase phase);
const char* to_string(OpFunction function);

}  // namespace craton::sim
