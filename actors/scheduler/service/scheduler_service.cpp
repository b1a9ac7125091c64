// The scheduler's service: informers -> cache and queue, cycles, bindings (see the header).
#include "actors/scheduler/service/scheduler_service.hpp"

#include <capnp/any.h>
#include <nlohmann/json.hpp>
#include <utility>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/client/pod_status_patch.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/service/binding_call.hpp"
#include "actors/scheduler/service/cluster_events.hpp"
#include "runtime/assert.hpp"
#include "runtime/flat_message.hpp"
#include "runtime/rng.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::scheduler {
namespace {

namespace k8s = schema::k8s;
constexpr const char* kComponent = "default-scheduler";

api::ApiCall collection(const char* group, const char* resource) {
  api::ApiCall c;
  c.verb = api::ApiVerb::list;
  c.group = group;
  c.resource = resource;
  return c;
}

bool terminal(k8s::Pod::Reader pod) {
  auto phase = pod.getStatus().getPhase();
  return phase == "Succeeded" || phase == "Failed";
}

// What kube's isPodUpdated looks at: anything but status and bookkeeping. A pod whose status
// alone changed (our own PodScheduled condition, nominatedNodeName) is not news to the queue.
bool scheduling_fields_changed(k8s::Pod::Reader a, k8s::Pod::Reader b) {
  return capnp::AnyStruct::Reader(a.getSpec()) != capnp::AnyStruct::Reader(b.getSpec()) ||
         capnp::AnyStruct::Reader(a.getMetadata().getLabels()) !=
             capnp::AnyStruct::Reader(b.getMetadata().getLabels()) ||
         a.getMetadata().getDeletionTimestamp() != b.getMetadata().getDeletionTimestamp();
}

}  // namespace

/// A binding in flight: what its answer needs to finish or undo it.
struct SchedulerService::Binding {
  Framework* framework = nullptr;
  PoppedPod popped;
  std::shared_ptr<const PodInfo> assumed;
  std::string node;
  CycleState state;
  bool sent = false;
  bool deleted = false;                 ///< the pod was deleted while waiting on Permit
  std::int64_t uncertain_until_ms = 0;  ///< an unanswered binding: settled by then
};

SchedulerService::SchedulerService(SchedulerServiceConfig config)
    : config_(std::move(config)),
      api_(api::ApiConnectionConfig{config_.first_correlation, config_.call_timeout_ms}),
      converter_(resources_),
      registry_(default_registry()),
      cycle_seed_(config_.seed) {}

SchedulerService::~SchedulerService() = default;

Result<std::unique_ptr<SchedulerService>> SchedulerService::create(SchedulerServiceConfig config) {
  std::unique_ptr<SchedulerService> service(new SchedulerService(std::move(config)));
  if (auto built = service->build(); !built) return built.error();
  return service;
}

Result<Ok> SchedulerService::build() {
  for (const auto& [name, factory] : config_.out_of_tree_plugins)
    if (auto added = registry_.add(name, factory); !added)
      return Error{"invalid", "out-of-tree plugin " + name + ": " + added.error().message};
  for (const auto& profile : config_.scheduler.profiles) {
    auto framework = Framework::create(registry_, profile, resources_, this);
    if (!framework)
      return Error{"invalid",
                   "profile " + profile.scheduler_name + ": " + framework.error().message};
    by_scheduler_name_[profile.scheduler_name] = framework->get();
    frameworks_.push_back(std::move(*framework));
  }
  if (frameworks_.empty()) return Error{"invalid", "the scheduler has no profile"};
  SchedulingQueueOptions options;
  options.initial_backoff_ms = config_.scheduler.pod_initial_backoff_seconds * 1000;
  options.max_backoff_ms = config_.scheduler.pod_max_backoff_seconds * 1000;
  auto* first = frameworks_.front().get();
  // Every profile has the same QueueSort (the config checks it), so the first one orders all.
  auto queue = SchedulingQueue::create(
      [first](const QueuedPodInfo& a, const QueuedPodInfo& b) { return first->queue_less(a, b); },
      first->events_to_register(), options);
  if (!queue) return queue.error();
  queue_ = std::move(*queue);

  pods_ = &api_.informer("pods", collection("", "pods"), capnp::Schema::from<k8s::Pod>());
  nodes_ = &api_.informer("nodes", collection("", "nodes"), capnp::Schema::from<k8s::Node>());
  budgets_ = &api_.informer("poddisruptionbudgets", collection("policy", "poddisruptionbudgets"),
                            capnp::Schema::from<k8s::PodDisruptionBudget>());
  pods_->add_handlers({[this](const auto& o) { pod_added(o); },
                       [this](const auto& old, const auto& o) { pod_updated(old, o); },
                       [this](const auto& o, bool) { pod_deleted(o); }});
  nodes_->add_handlers({[this](const auto& o) { node_added(o); },
                        [this](const auto& old, const auto& o) { node_updated(old, o); },
                        [this](const auto& o, bool) { node_deleted(o); }});
  budgets_->add_handlers({[this](const auto&) { budgets_changed(); },
                          [this](const auto&, const auto&) { budgets_changed(); },
                          [this](const auto&, bool) { budgets_changed(); }});
  // Listed and watched, but converted lazily: a relist of thousands of Services is one
  // rebuild at the next pump, not one per object.
  auto lister = [](bool& changed) {
    return api::InformerHandlers{[&changed](const auto&) { changed = true; },
                                 [&changed](const auto&, const auto&) { changed = true; },
                                 [&changed](const auto&, bool) { changed = true; }};
  };
  services_ =
      &api_.informer("services", collection("", "services"), capnp::Schema::from<k8s::Service>());
  replica_sets_ = &api_.informer("replicasets", collection("apps", "replicasets"),
                                 capnp::Schema::from<k8s::ReplicaSet>());
  namespaces_ = &api_.informer("namespaces", collection("", "namespaces"),
                               capnp::Schema::from<k8s::Namespace>());
  services_->add_handlers(lister(services_changed_));
  // ReplicaSets change all the time (their status follows their pods): each event updates its
  // own selector; rebuilding them all per event was O(ReplicaSets) a pod's readiness.
  // (A ReplicaSet's informer key is "<namespace>/<name>", the map's key.)
  auto put_replica_set = [this](const api::InformerObject& o) {
    replica_set_selectors_.insert_or_assign(
        o.key(), ObjectConverter::replica_set_selector(o.as<k8s::ReplicaSet>()));
  };
  replica_sets_->add_handlers(
      {put_replica_set, [put_replica_set](const auto&, const auto& o) { put_replica_set(o); },
       [this](const auto& o, bool) { replica_set_selectors_.erase(o.key()); }});
  namespaces_->add_handlers(lister(namespaces_changed_));
  return Ok{};
}

Framework* SchedulerService::framework_for(const PodInfo& pod) const {
  // The API server defaults spec.schedulerName to "default-scheduler".
  auto name = pod.scheduler_name.empty() ? std::string("default-scheduler") : pod.scheduler_name;
  auto it = by_scheduler_name_.find(name);
  return it == by_scheduler_name_.end() ? nullptr : it->second;
}

// ---- Informer handlers.

void SchedulerService::pod_added(const api::InformerObject& object) {
  auto pod = object.as<k8s::Pod>();
  if (terminal(pod)) return;
  auto info = converter_.pod(pod);
  if (!info) {
    ++counters_.conversion_errors;
    return;
  }
  auto shared = std::make_shared<const PodInfo>(std::move(*info));
  if (!shared->node_name.empty()) {
    (void)cache_.add_pod(shared);  // `exists`: an assumed pod confirmed twice; harmless
    queue_->on_event(ClusterEvent{EventResource::pod, action::add}, now_ms_);
    return;
  }
  if (shared->terminating || framework_for(*shared) == nullptr) return;
  if (!shared->nominated_node_name.empty())
    queue_->add_nominated(shared, shared->nominated_node_name);
  (void)queue_->add(shared, now_ms_);  // queue_full: it is listed again on the next relist
}

void SchedulerService::pod_updated(const api::InformerObject& old_object,
                                   const api::InformerObject& object) {
  auto old_pod = old_object.as<k8s::Pod>();
  auto pod = object.as<k8s::Pod>();
  bool was_bound = old_pod.getSpec().getNodeName().size() > 0;
  if (terminal(pod)) return pod_deleted(object);
  if (!was_bound && pod.getSpec().getNodeName().size() == 0 &&
      !scheduling_fields_changed(old_pod, pod)) {
    // A status change of a pending pod moves nothing in the queue. The one status field a
    // cycle reads is nominatedNodeName (DefaultPreemption's eligibility): kept up to date.
    if (old_pod.getStatus().getNominatedNodeName() != pod.getStatus().getNominatedNodeName())
      if (auto info = converter_.pod(pod))
        (void)queue_->refresh(std::make_shared<const PodInfo>(std::move(*info)));
    return;
  }
  auto info = converter_.pod(pod);
  if (!info) {
    ++counters_.conversion_errors;
    return;
  }
  auto shared = std::make_shared<const PodInfo>(std::move(*info));
  if (shared->node_name.empty()) {
    if (shared->terminating || framework_for(*shared) == nullptr) {
      queue_->remove(shared->uid);
      return;
    }
    (void)queue_->update(shared, now_ms_);
    return;
  }
  if (!was_bound) {  // bound now (by us or by someone else): out of the queue, into the cache
    settle_uncertain(shared->uid, /*bound_now=*/true, now_ms_);
    queue_->remove(shared->uid);
    reported_.erase(shared->uid);
    (void)cache_.add_pod(shared);
    queue_->on_event(ClusterEvent{EventResource::pod, action::add}, now_ms_);
    return;
  }
  const PodInfo* cached = cache_.pod(shared->uid);
  if (cached == nullptr) {
    (void)cache_.add_pod(shared);
    return;
  }
  auto event = pod_update_event(*cached, *shared);
  if (cache_.update_pod(*cached, shared)) queue_->on_event(event, now_ms_);
}

void SchedulerService::pod_deleted(const api::InformerObject& object) {
  const auto& uid = object.uid();
  // kube's RejectWaitingPod: its binding cycle is undone when settled (no event, no requeue).
  if (waiting_.reject(uid, "", "removed"))
    if (auto it = bindings_.find(uid); it != bindings_.end()) it->second->deleted = true;
  settle_uncertain(uid, /*bound_now=*/false, now_ms_);
  queue_->remove(uid);
  reported_.erase(uid);
  // Also an assumed pod: its binding may have been accepted just before the deletion, and the
  // informer never showed it bound; kept, it would hold its node's room forever (no expiry).
  // A binding still in flight then fails (404) and finds nothing to forget.
  if (cache_.pod(uid) != nullptr) {
    (void)cache_.remove_pod(uid);
    queue_->on_event(ClusterEvent{EventResource::pod, action::remove}, now_ms_);
  }
}

void SchedulerService::node_added(const api::InformerObject& object) {
  auto node = converter_.node(object.as<k8s::Node>());
  if (!node) {
    ++counters_.conversion_errors;
    return;
  }
  cache_.add_node(std::move(*node));
  queue_->on_event(ClusterEvent{EventResource::node, action::add}, now_ms_);
}

void SchedulerService::node_updated(const api::InformerObject& old_object,
                                    const api::InformerObject& object) {
  auto node = converter_.node(object.as<k8s::Node>());
  if (!node) {
    ++counters_.conversion_errors;
    return;
  }
  const NodeInfo* old = cache_.node(node->name());
  auto event = old != nullptr ? node_update_event(*old, *node)
                              : ClusterEvent{EventResource::node, action::add};
  (void)old_object;
  cache_.update_node(std::move(*node));
  if (event.actions != 0) queue_->on_event(event, now_ms_);
}

void SchedulerService::node_deleted(const api::InformerObject& object) {
  (void)cache_.remove_node(object.name());
}

// Rebuilt on every change: budgets are few, and preemption reads them as a plain list.
void SchedulerService::budgets_changed() {
  budget_list_.clear();
  for (const auto& o : budgets_->cache().list())
    if (auto budget = converter_.pod_disruption_budget(o.as<k8s::PodDisruptionBudget>()))
      budget_list_.push_back(std::move(*budget));
}

void SchedulerService::refresh_listers() {
  if (std::exchange(services_changed_, false)) {
    service_list_.clear();
    for (const auto& o : services_->cache().list())
      service_list_.push_back(ObjectConverter::service(o.as<k8s::Service>()));
  }
  if (std::exchange(namespaces_changed_, false)) {
    namespace_list_.clear();
    for (const auto& o : namespaces_->cache().list())
      namespace_list_.push_back(ObjectConverter::namespace_labels(o.as<k8s::Namespace>()));
  }
}

// ---- FrameworkHandle.

std::optional<api::LabelSelector> SchedulerService::controller_selector(
    std::string_view ns, const ControllerRef& ref) const {
  if (ref.kind != ControllerKind::replica_set) return std::nullopt;  // the only kind served
  auto it = replica_set_selectors_.find(std::string(ns) + "/" + ref.name);
  if (it == replica_set_selectors_.end()) return std::nullopt;
  return it->second;
}

std::span<const PodDisruptionBudget> SchedulerService::pod_disruption_budgets() const {
  return budget_list_;
}

std::vector<std::shared_ptr<const PodInfo>> SchedulerService::nominated_pods(
    std::string_view node) const {
  return queue_->nominated_pods_for_node(node);
}

// ---- Events and conditions.

std::string SchedulerService::wall_time(std::int64_t now_ms) const {
  return api::format_rfc3339(config_.wall_clock_base_s + now_ms / 1000);
}

void SchedulerService::record(const PodInfo& pod, api::EventType type, const std::string& reason,
                              const std::string& message) {
  api::EventReport report;
  report.object = api::ObjectRef{"Pod", pod.namespace_, pod.name, pod.uid, "v1", "", ""};
  report.type = type;
  report.reason = reason;
  report.message = message;
  report.component = kComponent;
  report.host = config_.host;
  auto write = events_.record(report, config_.wall_clock_base_s * 1000 + now_ms_);
  if (!write) return;  // the spam filter
  ++counters_.events;
  auto sent = *write;
  api_.call(
      sent.call,
      [this, sent](const api::ApiReply& reply) {
        if (auto instead = events_.on_reply(sent, reply)) api_.call(*instead, {}, now_ms_);
      },
      now_ms_);
}

// kube's updatePod with PodScheduled=False, reason Unschedulable or SchedulerError, written
// only when it says something new (a pod retried every 10 s must not write every 10 s).
void SchedulerService::report_unschedulable(const PodInfo& pod, const std::string& reason,
                                            const std::string& message, std::int64_t now_ms) {
  auto& last = reported_[pod.uid];
  if (last == reason + "\n" + message) return;
  last = reason + "\n" + message;
  nlohmann::json condition = {{"type", "PodScheduled"},
                              {"status", "False"},
                              {"reason", reason},
                              {"message", message},
                              {"lastTransitionTime", wall_time(now_ms)},
                              {"lastProbeTime", nullptr}};
  api_.call(api::pod_status_patch(pod.namespace_, pod.name,
                                  {{"conditions", nlohmann::json::array({condition})}}),
            {}, now_ms);
}

// ---- Cycles.

void SchedulerService::pump(std::int64_t now_ms) {
  act_wanted_ = false;
  refresh_listers();
  waiting_.tick(now_ms);  // Permit deadlines
  settle_waiting(now_ms);
  if (!acting_ || !api_.synced()) return;
  if (now_ms - flushed_ms_ >= config_.flush_ms) {
    expire_uncertain(now_ms);
    queue_->flush(now_ms);
    flushed_ms_ = now_ms;
  }
  for (std::size_t n = 0; bindings_.size() + uncertain_.size() < config_.bindings_max; ++n) {
    if (n == config_.cycles_per_pump) {  // more next time, behind what arrived meanwhile
      act_wanted_ = true;
      return;
    }
    auto popped = queue_->pop(now_ms);
    if (!popped) break;
    schedule_one(std::move(*popped), now_ms);
    settle_waiting(now_ms);  // its Permit or Unreserve may have decided waiting pods
  }
}

void SchedulerService::schedule_one(PoppedPod popped, std::int64_t now_ms) {
  ++counters_.attempts;
  const PodInfo& pod = *popped.pod;
  Framework* framework = framework_for(pod);
  if (framework == nullptr) {  // its schedulerName changed while queued
    queue_->done(pod.uid);
    return;
  }
  cache_.update_snapshot(snapshot_);
  CycleState state;
  CycleOptions options;
  options.tie_seed = derive_seed(cycle_seed_, std::to_string(popped.scheduling_cycle));
  options.node_changes = &snapshot_;  // plugins' indexes catch up with the changed nodes only
  auto result = framework->schedule(state, pod, snapshot_.nodes(), options);
  if (result.code == Code::unschedulable)
    return unschedulable(*framework, state, popped, result, now_ms);
  if (result.code != Code::success) return failed(popped, result.message, now_ms);
  auto assumed = std::make_shared<PodInfo>(pod);
  assumed->node_name = result.suggested_host;
  if (auto ok = cache_.assume_pod(assumed, result.suggested_host); !ok)
    return failed(popped, "assume: " + ok.error().message, now_ms);
  auto binding = std::make_unique<Binding>();
  binding->framework = framework;
  binding->assumed = assumed;
  binding->node = result.suggested_host;
  binding->state = std::move(state);
  binding->popped = std::move(popped);
  auto* raw = binding.get();
  bindings_[pod.uid] = std::move(binding);
  if (auto s = framework->run_reserve(raw->state, *assumed, raw->node); !s.is_success()) {
    std::string why = "reserve: " + s.message();
    auto undone = abandon(*raw);
    return failed(undone->popped, why, now_ms);
  }
  permit(*raw, now_ms);
}

void SchedulerService::permit(Binding& binding, std::int64_t now_ms) {
  auto result = binding.framework->run_permit(binding.state, *binding.assumed, binding.node);
  const Status& s = result.status;
  if (s.is_success()) return pre_bind_and_bind(binding, now_ms);
  if (s.code() == Code::wait) {
    // Parked with its room still assumed; settle_waiting resumes or undoes it.
    auto parked = waiting_.add(binding.assumed, binding.node, result.waits, now_ms);
    if (parked) {
      ++counters_.permit_waits;
      return;
    }
    std::string why = "permit: " + parked.error().message;
    auto undone = abandon(binding);
    return failed(undone->popped, why, now_ms);
  }
  if (s.is_rejected()) {
    ++counters_.permit_rejections;
    auto undone = abandon(binding);  // keeps the state whose text the reasons may point into
    return permit_rejected(undone->popped, s, now_ms);
  }
  std::string why = "running Permit plugin \"" + std::string(s.plugin()) + "\": " + s.message();
  auto undone = abandon(binding);
  failed(undone->popped, why, now_ms);
}

void SchedulerService::pre_bind_and_bind(Binding& binding, std::int64_t now_ms) {
  const PodInfo& assumed = *binding.assumed;
  if (auto s = binding.framework->run_pre_bind(binding.state, assumed, binding.node);
      !s.is_success()) {
    std::string why = "prebind: " + s.message();
    auto undone = abandon(binding);
    return failed(undone->popped, why, now_ms);
  }
  binding_now_ = &binding;
  auto bound = binding.framework->run_bind(binding.state, assumed, binding.node);
  binding_now_ = nullptr;
  if (bound.is_success() && binding.sent) return;
  std::string why = "bind: " + bound.message();
  auto undone = abandon(binding);
  failed(undone->popped, why, now_ms);
}

std::unique_ptr<SchedulerService::Binding> SchedulerService::abandon(Binding& binding,
                                                                     bool* forgotten) {
  binding.framework->run_unreserve(binding.state, *binding.assumed, binding.node);
  bool forgot = cache_.forget_pod(binding.assumed->uid).ok();
  if (forgotten != nullptr) *forgotten = forgot;
  auto it = bindings_.find(binding.assumed->uid);
  CRATON_ASSERT(it != bindings_.end() && it->second.get() == &binding,
                "an abandoned binding cycle is one in flight");
  auto out = std::move(it->second);
  bindings_.erase(it);
  return out;
}

void SchedulerService::settle_waiting(std::int64_t now_ms) {
  // A rejected pod's Unreserve may reject others (a gang releasing together): drain until quiet.
  for (auto decided = waiting_.take_decided(); !decided.empty();
       decided = waiting_.take_decided()) {
    for (const auto& outcome : decided) {
      auto it = bindings_.find(outcome.pod->uid);
      CRATON_ASSERT(it != bindings_.end(), "a pod waiting on Permit has its binding cycle");
      if (outcome.allowed) {
        pre_bind_and_bind(*it->second, now_ms);
        continue;
      }
      ++counters_.permit_rejections;
      bool forgotten = false;
      auto undone = abandon(*it->second, &forgotten);
      if (undone->deleted) {
        (void)queue_->add_unschedulable(undone->popped.info, {}, now_ms);  // dropped: removed
      } else {
        Status rejected = Status::unschedulable(outcome.message);
        rejected.set_plugin(outcome.plugin);
        permit_rejected(undone->popped, rejected, now_ms);
      }
      // As kube's handleBindingCycleError, once the pod itself is requeued: the room it held
      // is free again, which for the pods that found none is an assigned pod's deletion.
      if (forgotten) queue_->on_event(ClusterEvent{EventResource::pod, action::remove}, now_ms);
    }
  }
}

// kube's FitError over the one node Permit refused: "0/1 nodes are available: 1 <reason>.",
// reason Unschedulable; the pod waits for an event its rejecting plugin registered.
void SchedulerService::permit_rejected(const PoppedPod& popped, const Status& status,
                                       std::int64_t now_ms) {
  RejectedNode node{0, status};
  auto message = failed_scheduling_message(1, "", std::span<const RejectedNode>(&node, 1), "");
  record(*popped.pod, api::EventType::warning, "FailedScheduling", message);
  report_unschedulable(*popped.pod, "Unschedulable", message, now_ms);
  std::vector<std::string> plugins;
  if (!status.plugin().empty()) plugins.emplace_back(status.plugin());
  (void)queue_->add_unschedulable(popped.info, std::move(plugins), now_ms);
}

// BindingSink: DefaultBinder's binding, sent; binding_answered finishes it.
Status SchedulerService::bind(const PodInfo& pod, std::string_view node,
                              const std::map<std::string, std::string>& annotations) {
  if (binding_now_ == nullptr) return Status::error("no binding cycle is running");
  auto call = binding_call(pod, node, annotations);
  std::string uid = pod.uid;
  if (config_.observe)
    config_.observe("scheduler binds " + pod.namespace_ + "/" + pod.name + " " + std::string(node));
  api_.call(
      std::move(call),
      [this, uid](const api::ApiReply& reply) { binding_answered(uid, reply, now_ms_); }, now_ms_);
  binding_now_->sent = true;
  return {};
}

void SchedulerService::binding_answered(const std::string& uid, const api::ApiReply& reply,
                                        std::int64_t now_ms) {
  auto it = bindings_.find(uid);
  if (it == bindings_.end()) return;
  auto binding = std::move(it->second);
  bindings_.erase(it);
  if (config_.observe)
    config_.observe("scheduler bound " + binding->assumed->namespace_ + "/" +
                    binding->assumed->name + " " + binding->node + " " +
                    std::to_string(reply.code));
  if (reply.ok()) return bound(*binding, now_ms);
  if (reply.code == 0 || reply.code == 504) {
    // The outcome is unknown: the binding may have landed (the store committed it, its answer
    // was lost). Its room stays taken until the informer shows the pod bound or pending; kube
    // frees it at once and may give it away twice (simulator, scheduler scenario seed 1007:
    // three timed-out bindings had landed, three more pods were bound beside them, 6.1 CPUs on
    // a 4-CPU node).
    ++counters_.uncertain_bindings;
    binding->uncertain_until_ms = now_ms + config_.uncertain_binding_ms;
    uncertain_[uid] = std::move(binding);
    return;
  }
  unbind(*binding, "binding rejected: " + reply.failure.message, now_ms);
}

void SchedulerService::bound(Binding& binding, std::int64_t now_ms) {
  const auto& uid = binding.assumed->uid;
  ++counters_.scheduled;
  cache_.finish_binding(uid, now_ms);
  queue_->done(uid);
  binding.framework->run_post_bind(binding.state, *binding.assumed, binding.node);
  record(*binding.assumed, api::EventType::normal, "Scheduled",
         "Successfully assigned " + binding.assumed->namespace_ + "/" + binding.assumed->name +
             " to " + binding.node);
}

// A failed binding: undo the assume; the pod is tried again after its back-off. When the pod
// was bound after all, the informer's update removes it from the queue and adds it to the
// cache.
void SchedulerService::unbind(Binding& binding, const std::string& why, std::int64_t now_ms) {
  ++counters_.binding_failures;
  binding.framework->run_unreserve(binding.state, *binding.assumed, binding.node);
  // As kube's handleBindingCycleError: the forgotten pod's room is free again, which for the
  // pods that found no room meanwhile is what an assigned pod's deletion is.
  if (cache_.forget_pod(binding.assumed->uid))
    queue_->on_event(ClusterEvent{EventResource::pod, action::remove}, now_ms);
  failed(binding.popped, why, now_ms);
}

// The informer settled an uncertain binding: the pod is bound (by us: the binding landed) or
// gone. Still pending after uncertain_binding_ms: the binding did not land.
void SchedulerService::settle_uncertain(const std::string& uid, bool bound_now,
                                        std::int64_t now_ms) {
  auto it = uncertain_.find(uid);
  if (it == uncertain_.end()) return;
  auto binding = std::move(it->second);
  uncertain_.erase(it);
  if (bound_now) bound(*binding, now_ms);
}

void SchedulerService::expire_uncertain(std::int64_t now_ms) {
  for (auto it = uncertain_.begin(); it != uncertain_.end();) {
    if (now_ms < it->second->uncertain_until_ms) {
      ++it;
      continue;
    }
    auto binding = std::move(it->second);
    it = uncertain_.erase(it);
    unbind(*binding, "binding unanswered, and the pod is still pending", now_ms);
  }
}

void SchedulerService::failed(const PoppedPod& popped, const std::string& message,
                              std::int64_t now_ms) {
  ++counters_.errors;
  record(*popped.pod, api::EventType::warning, "FailedScheduling", message);
  report_unschedulable(*popped.pod, "SchedulerError", message, now_ms);
  (void)queue_->requeue_after_error(popped.info, now_ms);
}

void SchedulerService::unschedulable(Framework& framework, CycleState& state,
                                     const PoppedPod& popped, const ScheduleResult& result,
                                     std::int64_t now_ms) {
  ++counters_.unschedulable;
  const PodInfo& pod = *popped.pod;
  std::string post_filter_message;
  std::vector<Status> statuses(snapshot_.nodes().size());
  for (const auto& r : result.rejected) statuses[r.node] = r.status;
  NodeStatuses filtered{snapshot_.nodes(), statuses,
                        derive_seed(cycle_seed_, "preempt " + pod.uid)};
  auto post = framework.run_post_filter(state, pod, filtered);
  if (post.status.is_success() && !post.nominated_node_name.empty()) {
    preempt(pod, post, now_ms);
  } else if (!post.status.message().empty()) {
    post_filter_message = post.status.message();
  }
  auto message = post_filter_message.empty()
                     ? result.message
                     : failed_scheduling_message(snapshot_.nodes().size(), "", result.rejected,
                                                 post_filter_message);
  record(pod, api::EventType::warning, "FailedScheduling", message);
  report_unschedulable(pod, "Unschedulable", message, now_ms);
  (void)queue_->add_unschedulable(popped.info, result.unschedulable_plugins, now_ms);
}

// kube's prepareCandidate: victims marked DisruptionTarget and deleted (gracefully: their
// grace period), the nomination written to the preemptor's status so the next cycles keep room for
// it.
void SchedulerService::preempt(const PodInfo& pod, const PostFilterResult& result,
                               std::int64_t now_ms) {
  ++counters_.preemptions;
  for (const auto& victim : result.victims) {
    ++counters_.victims;
    // As kube's prepareCandidate: a victim waiting on Permit is rejected, not deleted (it is
    // not bound; its room is only assumed, and settle_waiting frees it).
    if (!waiting_.reject(victim.uid, "DefaultPreemption", "preempted")) {
      // First the DisruptionTarget condition (kube's prepareCandidate): while the victim
      // terminates, it tells later cycles that this preemption is under way, so the preemptor
      // waits instead of preempting again (DefaultPreemption's eligibility check).
      nlohmann::json condition = {
          {"type", "DisruptionTarget"},
          {"status", "True"},
          {"reason", "PreemptionByScheduler"},
          {"message", pod.scheduler_name + ": preempting to accommodate a higher priority pod"},
          {"lastTransitionTime", wall_time(now_ms)}};
      api_.call(api::pod_status_patch(victim.namespace_, victim.name,
                                      {{"conditions", nlohmann::json::array({condition})}}),
                {}, now_ms);
      api::ApiCall del;
      del.verb = api::ApiVerb::remove;
      del.resource = "pods";
      del.namespace_ = victim.namespace_;
      del.name = victim.name;
      api_.call(std::move(del), {}, now_ms);
    }
    PodInfo shown;
    shown.namespace_ = victim.namespace_;
    shown.name = victim.name;
    shown.uid = victim.uid;
    record(shown, api::EventType::normal, "Preempted",
           "Preempted by pod " + pod.uid + " on node " + result.nominated_node_name);
  }
  for (const auto& other : result.nominations_to_clear) {
    api_.call(api::pod_status_patch(other.namespace_, other.name, {{"nominatedNodeName", nullptr}}),
              {}, now_ms);
  }
  if (!result.override_nomination) return;
  auto nominated = std::make_shared<PodInfo>(pod);
  nominated->nominated_node_name = result.nominated_node_name;
  queue_->add_nominated(nominated, result.nominated_node_name);
  api_.call(api::pod_status_patch(pod.namespace_, pod.name,
                                  {{"nominatedNodeName", result.nominated_node_name}}),
            {}, now_ms);
}

// ---- ApiComponent.

api::ApiComponent::Sends SchedulerService::tick(std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.tick(now_ms);
  pump(now_ms);
  return api_.take_sends();
}

api::ApiComponent::Sends SchedulerService::on_reply(std::uint64_t correlation,
                                                    const api::ApiReply& reply,
                                                    std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.on_reply(correlation, reply, now_ms);
  act_wanted_ = true;
  return api_.take_sends();
}

api::ApiComponent::Sends SchedulerService::on_event(std::uint64_t correlation,
                                                    const api::ApiEvent& event,
                                                    std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.on_event(correlation, event, now_ms);
  act_wanted_ = true;
  return api_.take_sends();
}

api::ApiComponent::Sends SchedulerService::act(std::int64_t now_ms) {
  now_ms_ = now_ms;
  pump(now_ms);
  return api_.take_sends();
}

void SchedulerService::call(api::ApiCall call, api::ApiConnection::Done done, std::int64_t now_ms) {
  api_.call(std::move(call), std::move(done), now_ms);
}

// A new leader lists everything again before it schedules (its caches may still replay the
// previous leader's bindings); bindings in flight keep going: their answers are still the
// truth about the cache.
void SchedulerService::set_acting(bool acting) {
  if (acting == acting_) return;
  acting_ = acting;
  if (acting) api_.relist_all(now_ms_);
}

}  // namespace craton::scheduler
