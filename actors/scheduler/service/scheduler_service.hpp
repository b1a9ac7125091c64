// SchedulerService: the scheduler (issue 13) as a pure state machine its actor shell
// (scheduler_actor.hpp, the API component shell) drives, as kube-scheduler's Scheduler does:
//
//   informers (pods, nodes, PodDisruptionBudgets) -> the cache (bound pods, nodes) and the
//   scheduling queue (pending pods of this scheduler's profiles), cluster events -> the queue;
//   informers (Services, ReplicaSets, Namespaces) -> the FrameworkHandle's listers (default
//   topology spreading, namespaceSelector), rebuilt before a pump when they changed, so they
//   stay the same through every plugin call of it;
//   while acting: pop a pod -> snapshot the cache (O(changed nodes)) -> the profile's
//   Framework::schedule ->
//     a node: assume the pod in the cache (the next cycle sees it), Reserve, Permit, PreBind,
//       Bind (DefaultBinder -> BindingSink: a pods/binding call, asynchronous); its answer
//       finishes the binding, or forgets the assumed pod, runs Unreserve and requeues it;
//       a Permit Wait parks the binding cycle in WaitingPods with the pod still assumed (its
//       room stays taken): allowed, it goes on to PreBind and Bind; rejected, timed out (ticks
//       drive the deadlines) or deleted from the API, it is unreserved, forgotten and requeued
//       as unschedulable with kube's FailedScheduling ("0/1 nodes are available: 1 rejected due
//       to timeout after waiting 10s at plugin Coscheduling.");
//     no node: PostFilter (DefaultPreemption: victims deleted, status.nominatedNodeName set),
//       a FailedScheduling Event and the PodScheduled=False condition with kube's message, and
//       the pod waits in the queue for an event that may make it fit.
//
// Bounds: bindings_max binding cycles in flight, pods waiting on Permit included (the queue
// waits beyond), cycles_per_pump cycles per act (the shell stays responsive: it acts again behind
// what arrived meanwhile), the API connection's call timeout, kube's 15 minutes for a Permit wait.
// Deviations from kube-scheduler: terminal pods (Succeeded, Failed) hold no resources; a
// binding answered by a time-out keeps its pod's room until the informer shows what happened
// (kube frees it at once, and a binding that landed anyway overcommits the node).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/api/client/event_recorder.hpp"
#include "actors/api/informer/api_component.hpp"
#include "actors/api/informer/api_connection.hpp"
#include "actors/scheduler/cache/scheduler_cache.hpp"
#include "actors/scheduler/cache/snapshot.hpp"
#include "actors/scheduler/config/scheduler_config.hpp"
#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/framework/framework_handle.hpp"
#include "actors/scheduler/framework/object_converter.hpp"
#include "actors/scheduler/queue/scheduling_queue.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

struct SchedulerServiceConfig {
  SchedulerConfig scheduler = default_scheduler_config();
  std::uint64_t first_correlation = 1;  ///< this incarnation's first id (runtime/correlation.hpp)
  std::int64_t call_timeout_ms = 30000;
  std::size_t bindings_max = 2000;
  /// A binding answered by a time-out (code 0 or 504) may have landed: its pod's room stays
  /// taken until the informer shows the pod bound or deleted, or this long has passed with the
  /// pod still pending (then the binding did not land: the pod is retried).
  std::int64_t uncertain_binding_ms = 30000;
  std::size_t cycles_per_pump = 256;
  std::int64_t flush_ms = 1000;
  /// Seconds since the epoch at the clock's zero (Events and conditions carry wall time).
  std::int64_t wall_clock_base_s = 0;
  std::string host;        ///< Events' source.host / reportingInstance
  std::uint64_t seed = 0;  ///< ties between equal nodes and preemption's start
  /// Optional probe (the simulator's trace): "scheduler binds <ns>/<pod> <node>" when a
  /// binding is sent, "scheduler bound <ns>/<pod> <node> <code>" when it is answered.
  std::function<void(const std::string&)> observe;
  /// Plugins added to the default registry (kube's out-of-tree registry), e.g. Coscheduling;
  /// a profile enables them by name. A name already registered makes create() fail.
  std::vector<std::pair<std::string, PluginFactory>> out_of_tree_plugins;
};

struct SchedulerCounters {
  std::uint64_t attempts = 0;       ///< scheduling cycles
  std::uint64_t scheduled = 0;      ///< bindings the API accepted
  std::uint64_t unschedulable = 0;  ///< cycles that found no node
  std::uint64_t errors = 0;         ///< cycles or bindings that failed
  std::uint64_t binding_failures = 0;
  std::uint64_t uncertain_bindings = 0;  ///< answered by a time-out: settled by the informer
  std::uint64_t preemptions = 0;         ///< PostFilters that nominated a node
  std::uint64_t victims = 0;             ///< pods deleted by preemption
  std::uint64_t events = 0;              ///< Event writes sent
  std::uint64_t conversion_errors = 0;   ///< pods or nodes the converter refused
  std::uint64_t permit_waits = 0;        ///< pods parked by a Permit Wait
  std::uint64_t permit_rejections = 0;   ///< pods Permit rejected (at once, waiting, timed out)
};

class SchedulerService final : public api::ApiComponent,
                               private FrameworkHandle,
                               private BindingSink {
 public:
  /// An Error when a profile cannot be built (unknown plugin, bad arguments).
  static Result<std::unique_ptr<SchedulerService>> create(SchedulerServiceConfig config);
  ~SchedulerService() override;

  Sends tick(std::int64_t now_ms) override;
  Sends on_reply(std::uint64_t correlation, const api::ApiReply& reply,
                 std::int64_t now_ms) override;
  Sends on_event(std::uint64_t correlation, const api::ApiEvent& event,
                 std::int64_t now_ms) override;
  bool wants_act() const override { return act_wanted_; }
  Sends act(std::int64_t now_ms) override;
  void call(api::ApiCall call, api::ApiConnection::Done done, std::int64_t now_ms) override;
  void set_acting(bool acting) override;
  bool acting() const override { return acting_; }
  std::size_t calls_in_flight() const override { return api_.calls_in_flight(); }
  void api_changed(std::int64_t now_ms) override { api_.api_changed(now_ms); }

  const SchedulerCounters& counters() const { return counters_; }
  const SchedulerCache& cache() const { return cache_; }
  const SchedulingQueue& queue() const { return *queue_; }
  /// Pods waiting on Permit now.
  std::size_t waiting_on_permit() const { return waiting_.size(); }
  bool synced() const { return api_.synced(); }

 private:
  struct Binding;
  explicit SchedulerService(SchedulerServiceConfig config);
  Result<Ok> build();

  // Informer handlers.
  void pod_added(const api::InformerObject& object);
  void pod_updated(const api::InformerObject& old_object, const api::InformerObject& object);
  void pod_deleted(const api::InformerObject& object);
  void node_added(const api::InformerObject& object);
  void node_updated(const api::InformerObject& old_object, const api::InformerObject& object);
  void node_deleted(const api::InformerObject& object);
  void budgets_changed();
  /// Rebuilds the listers whose informers changed since the last pump (before any plugin runs).
  void refresh_listers();

  /// The profile's framework for a pod, or nullptr when the pod is not this scheduler's.
  Framework* framework_for(const PodInfo& pod) const;
  void pump(std::int64_t now_ms);
  void schedule_one(PoppedPod popped, std::int64_t now_ms);
  /// Permit's answer for a binding cycle that passed Reserve: go on, park, or undo.
  void permit(Binding& binding, std::int64_t now_ms);
  /// PreBind and Bind (the binding call is sent); undone on a failure.
  void pre_bind_and_bind(Binding& binding, std::int64_t now_ms);
  /// Unreserve, forget the assumed pod, take the binding out of bindings_ (returned).
  std::unique_ptr<Binding> abandon(Binding& binding, bool* forgotten = nullptr);
  /// Resumes or undoes the binding cycles whose Permit wait was decided.
  void settle_waiting(std::int64_t now_ms);
  /// A Permit rejection: FailedScheduling as kube's FitError over the one node, unschedulable.
  void permit_rejected(const PoppedPod& popped, const Status& status, std::int64_t now_ms);
  void binding_answered(const std::string& uid, const api::ApiReply& reply, std::int64_t now_ms);
  void bound(Binding& binding, std::int64_t now_ms);
  void unbind(Binding& binding, const std::string& why, std::int64_t now_ms);
  void settle_uncertain(const std::string& uid, bool bound_now, std::int64_t now_ms);
  void expire_uncertain(std::int64_t now_ms);
  void unschedulable(Framework& framework, CycleState& state, const PoppedPod& popped,
                     const ScheduleResult& result, std::int64_t now_ms);
  void failed(const PoppedPod& popped, const std::string& message, std::int64_t now_ms);
  void preempt(const PodInfo& pod, const PostFilterResult& result, std::int64_t now_ms);
  void report_unschedulable(const PodInfo& pod, const std::string& reason,
                            const std::string& message, std::int64_t now_ms);
  void record(const PodInfo& pod, api::EventType type, const std::string& reason,
              const std::string& message);
  std::string wall_time(std::int64_t now_ms) const;

  // FrameworkHandle.
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override;
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view node) const override;
  bool any_nominated_pods() const override { return queue_->any_nominated(); }
  BindingSink* binding_sink() override { return this; }
  WaitingPods* waiting_pods() override { return &waiting_; }
  std::span<const ServiceSelector> services() const override { return service_list_; }
  std::optional<api::LabelSelector> controller_selector(std::string_view ns,
                                                        const ControllerRef& ref) const override;
  std::span<const NamespaceLabels> namespaces() const override { return namespace_list_; }
  // BindingSink.
  Status bind(const PodInfo& pod, std::string_view node,
              const std::map<std::string, std::string>& annotations) override;

  SchedulerServiceConfig config_;
  api::ApiConnection api_;
  api::EventRecorder events_;
  ResourceNames resources_;
  ObjectConverter converter_;
  Registry registry_;
  std::vector<std::unique_ptr<Framework>> frameworks_;  ///< one per profile, config order
  std::map<std::string, Framework*, std::less<>> by_scheduler_name_;
  std::unique_ptr<SchedulingQueue> queue_;
  SchedulerCache cache_;
  Snapshot snapshot_;
  api::Informer* pods_ = nullptr;
  api::Informer* nodes_ = nullptr;
  api::Informer* budgets_ = nullptr;
  std::vector<PodDisruptionBudget> budget_list_;
  // StatefulSets and ReplicationControllers are not served by our API: their pods get no
  // controller selector (their Services still spread them).
  api::Informer* services_ = nullptr;
  api::Informer* replica_sets_ = nullptr;
  api::Informer* namespaces_ = nullptr;
  bool services_changed_ = false;
  bool namespaces_changed_ = false;
  std::vector<ServiceSelector> service_list_;
  /// ReplicaSet selectors by "<namespace>/<name>", kept by the informer's handlers.
  std::map<std::string, api::LabelSelector, std::less<>> replica_set_selectors_;
  std::vector<NamespaceLabels> namespace_list_;
  /// Bindings in flight by pod uid; the binding call being made now (set by bind()).
  std::map<std::string, std::unique_ptr<Binding>> bindings_;
  /// Bindings answered by a time-out, by pod uid, until the informer settles them.
  std::map<std::string, std::unique_ptr<Binding>> uncertain_;
  Binding* binding_now_ = nullptr;
  /// Binding cycles parked on Permit (their Binding stays in bindings_).
  WaitingPods waiting_;
  /// The last PodScheduled=False message written per pod uid (no write when unchanged).
  std::map<std::string, std::string> reported_;
  std::int64_t now_ms_ = 0;
  std::int64_t flushed_ms_ = 0;
  std::uint64_t cycle_seed_ = 0;
  bool acting_ = false;
  /// Answers or events taken in since the last pump, or the last pump stopped at
  /// cycles_per_pump with pods still queued.
  bool act_wanted_ = false;
  SchedulerCounters counters_;
};

}  // namespace craton::scheduler
