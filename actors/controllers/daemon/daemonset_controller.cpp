// The DaemonSet controller's reconcile core (see the header).
#include "actors/controllers/daemon/daemonset_controller.hpp"

#include <capnp/any.h>
#include <capnp/message.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/client/typed_selector.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/daemon/daemon_pod.hpp"
#include "actors/controllers/daemon/node_eligibility.hpp"
#include "actors/controllers/deployment/fenceposts.hpp"
#include "actors/controllers/expectations.hpp"
#include "actors/controllers/pod_control.hpp"
#include "actors/controllers/pod_events.hpp"
#include "actors/controllers/pods.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

using Pods = std::vector<api::InformerObject>;
using PodsByNode = std::map<std::string, Pods>;

// What step 2 or 3 of a sync decided.
struct Plan {
  std::vector<std::string> create_on;  ///< node names
  Pods deletes;
  bool empty() const { return create_on.empty() && deletes.empty(); }
};

struct Counts {
  std::int32_t desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
};

bool same_canonical(capnp::AnyStruct::Reader a, capnp::AnyStruct::Reader b) {
  auto x = a.canonicalize();
  auto y = b.canonicalize();
  return x.size() == y.size() && std::memcmp(x.begin(), y.begin(), x.asBytes().size()) == 0;
}

bool terminal(k8s::Pod::Reader pod) {
  auto phase = pod.getStatus().getPhase();
  return phase == "Succeeded" || phase == "Failed";
}

// podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name.
bool keep_before(const api::InformerObject& a, const api::InformerObject& b) {
  auto pa = a.as<k8s::Pod>(), pb = b.as<k8s::Pod>();
  bool bound_a = pa.getSpec().getNodeName().size() > 0;
  bool bound_b = pb.getSpec().getNodeName().size() > 0;
  if (bound_a != bound_b) return bound_a;
  auto ta = api::parse_rfc3339(pa.getMetadata().getCreationTimestamp()).value_or(0);
  auto tb = api::parse_rfc3339(pb.getMetadata().getCreationTimestamp()).value_or(0);
  if (ta != tb) return ta < tb;
  return a.name() < b.name();
}

bool updated(const api::InformerObject& pod, const std::string& hash) {
  auto value = api::label_value(pod.as<k8s::Pod>().getMetadata().getLabels(), kRevisionHashLabel);
  return value != nullptr && hash == value;
}

// A node whose pods may continue: finished pods go, and of the live ones only the oldest stays.
void keep_oldest(const Pods& pods, Plan& plan) {
  Pods live;
  for (const auto& p : pods) (terminal(p.as<k8s::Pod>()) ? plan.deletes : live).push_back(p);
  std::sort(live.begin(), live.end(), keep_before);
  for (std::size_t i = 1; i < live.size(); ++i) plan.deletes.push_back(live[i]);
}

// What a rolling update with maxSurge needs to know about a DaemonSet now.
struct Surge {
  std::int32_t max = 0;  ///< maxSurge as a count of nodes; 0: no surge
  std::string hash;
  std::int32_t min_ready_seconds = 0;
  std::int64_t now_s = 0;
};

// A node whose pods may continue, under maxSurge: finished pods go; of the live ones the oldest
// new and the oldest old pod stay, and the old one too goes once it is not ready or the new one
// is available (kube's podsShouldBeOnNode with surge).
void keep_surging(const Pods& pods, const Surge& surge, Plan& plan) {
  Pods live;
  for (const auto& p : pods) (terminal(p.as<k8s::Pod>()) ? plan.deletes : live).push_back(p);
  std::sort(live.begin(), live.end(), keep_before);
  const api::InformerObject *fresh = nullptr, *old = nullptr;
  for (const auto& p : live) {
    auto& slot = updated(p, surge.hash) ? fresh : old;
    if (slot == nullptr)
      slot = &p;
    else
      plan.deletes.push_back(p);
  }
  if (fresh == nullptr || old == nullptr) return;
  if (!pod_ready(old->as<k8s::Pod>()) ||
      pod_available(fresh->as<k8s::Pod>(), surge.min_ready_seconds, surge.now_s))
    plan.deletes.push_back(*old);
}

// Step 2: pods created, pods deleted, node by node.
Plan manage(k8s::PodSpec::Reader spec, const Pods& nodes, const PodsByNode& by_node,
            const Surge& surge) {
  Plan plan;
  std::set<std::string> existing;
  for (const auto& node : nodes) {
    existing.insert(node.name());
    auto verdict = daemon_pod_fits(spec, node.as<k8s::Node>());
    auto it = by_node.find(node.name());
    Pods pods = it == by_node.end() ? Pods{} : it->second;
    if (verdict.should_run && pods.empty())
      plan.create_on.push_back(node.name());
    else if (verdict.should_continue_running && surge.max > 0)
      keep_surging(pods, surge, plan);
    else if (verdict.should_continue_running)
      keep_oldest(pods, plan);
    else
      plan.deletes.insert(plan.deletes.end(), pods.begin(), pods.end());
  }
  for (const auto& [name, pods] : by_node)
    if (!existing.count(name)) plan.deletes.insert(plan.deletes.end(), pods.begin(), pods.end());
  return plan;
}

// maxUnavailable as a count of nodes: a percentage of desired rounds up, never below 1.
std::int32_t max_unavailable(k8s::DaemonSet::UpdateStrategy::Reader strategy,
                             std::int32_t desired) {
  if (!strategy.hasRollingUpdate() || !strategy.getRollingUpdate().hasMaxUnavailable()) return 1;
  auto value = scaled_value(strategy.getRollingUpdate().getMaxUnavailable(), desired, true);
  return value ? std::max<std::int32_t>(*value, 1) : 1;
}

// Step 3 (rollingUpdate without surge): which old pods to delete now.
Pods rolling_update(k8s::DaemonSet::Spec::Reader spec, const Pods& nodes, PodsByNode by_node,
                    const std::string& hash, std::int64_t now_s) {
  std::int32_t desired = 0;
  for (const auto& node : nodes)
    if (daemon_pod_fits(spec.getTemplate().getSpec(), node.as<k8s::Node>()).should_run) {
      ++desired;
      by_node[node.name()];  // a node without its pod counts as unavailable
    }
  auto budget = max_unavailable(spec.getUpdateStrategy(), desired);
  std::int32_t unavailable = 0;
  Pods replace_now, candidates;
  for (const auto& [name, pods] : by_node) {
    Pods fresh, old;
    for (const auto& p : pods) (updated(p, hash) ? fresh : old).push_back(p);
    bool available =
        pods.size() == 1 && pod_available(pods[0].as<k8s::Pod>(), spec.getMinReadySeconds(), now_s);
    if (pods.size() != 1 || (fresh.size() == 1 && !available)) {
      ++unavailable;  // missing, several, or new and not yet available
    } else if (old.size() == 1 && !available) {
      replace_now.push_back(old[0]);  // unavailable anyway: no budget needed
    } else if (old.size() == 1 && unavailable < budget) {
      candidates.push_back(old[0]);
    }
  }
  auto room = std::clamp<std::int64_t>(budget - unavailable, 0, std::int64_t(candidates.size()));
  replace_now.insert(replace_now.end(), candidates.begin(), candidates.begin() + room);
  return replace_now;
}

// maxSurge as a count of nodes (a percentage of desired rounded up); 0 when absent or invalid.
std::int32_t max_surge(k8s::DaemonSet::UpdateStrategy::Reader strategy, std::int32_t desired) {
  if (!strategy.hasRollingUpdate() || !strategy.getRollingUpdate().hasMaxSurge()) return 0;
  auto value = scaled_value(strategy.getRollingUpdate().getMaxSurge(), desired, true);
  return value ? std::max<std::int32_t>(*value, 0) : 0;
}

std::int32_t desired_nodes(k8s::PodSpec::Reader spec, const Pods& nodes) {
  std::int32_t desired = 0;
  for (const auto& node : nodes)
    if (daemon_pod_fits(spec, node.as<k8s::Node>()).should_run) ++desired;
  return desired;
}

// Step 3 with maxSurge (kube's rollingUpdate when surging): a node whose only pod is old gets
// a new one beside it, at once when the old one is unavailable anyway, else while fewer than
// maxSurge nodes carry a new pod that is not available yet; step 2 deletes the old pod once
// its new one is available.
std::vector<std::string> surge_update(const Pods& nodes, const PodsByNode& by_node,
                                      const Surge& surge) {
  std::vector<std::string> allowed, candidates;
  std::int32_t surging = 0;
  for (const auto& node : nodes) {
    auto it = by_node.find(node.name());
    if (it == by_node.end()) continue;
    Pods fresh, old;
    for (const auto& p : it->second) (updated(p, surge.hash) ? fresh : old).push_back(p);
    if (fresh.size() > 1 || old.size() > 1) {
      ++surging;  // step 2 has yet to clean this node up
    } else if (old.empty()) {
      continue;
    } else if (fresh.empty()) {
      if (!pod_available(old[0].as<k8s::Pod>(), surge.min_ready_seconds, surge.now_s))
        allowed.push_back(node.name());
      else if (surging < surge.max)
        candidates.push_back(node.name());
    } else if (!pod_available(fresh[0].as<k8s::Pod>(), surge.min_ready_seconds, surge.now_s)) {
      ++surging;  // waiting for the new pod to become available
    }
  }
  auto room = std::clamp<std::int64_t>(surge.max - surging, 0, std::int64_t(candidates.size()));
  allowed.insert(allowed.end(), candidates.begin(), candidates.begin() + room);
  return allowed;
}

Counts count(k8s::DaemonSet::Spec::Reader spec, const Pods& nodes, const PodsByNode& by_node,
             const std::string& hash, std::int64_t now_s) {
  Counts c;
  for (const auto& node : nodes) {
    bool should_run =
        daemon_pod_fits(spec.getTemplate().getSpec(), node.as<k8s::Node>()).should_run;
    auto it = by_node.find(node.name());
    bool scheduled = it != by_node.end() && !it->second.empty();
    if (!should_run) {
      c.misscheduled += scheduled ? 1 : 0;
      continue;
    }
    ++c.desired;
    if (!scheduled) continue;
    ++c.current;
    auto oldest = *std::min_element(it->second.begin(), it->second.end(), keep_before);
    auto pod = oldest.as<k8s::Pod>();
    if (pod_ready(pod)) ++c.ready;
    if (pod_available(pod, spec.getMinReadySeconds(), now_s)) ++c.available;
    if (updated(oldest, hash)) ++c.updated;
  }
  return c;
}

bool status_differs(k8s::DaemonSet::Reader ds, const Counts& c) {
  auto s = ds.getStatus();
  return s.getDesiredNumberScheduled() != c.desired || s.getCurrentNumberScheduled() != c.current ||
         s.getNumberMisscheduled() != c.misscheduled || s.getNumberReady() != c.ready ||
         s.getNumberAvailable() != c.available ||
         s.getNumberUnavailable() != c.desired - c.available ||
         s.getUpdatedNumberScheduled() != c.updated ||
         s.getObservedGeneration() != ds.getMetadata().getGeneration();
}

std::string with_status(const api::InformerObject& object, const Counts& c) {
  capnp::MallocMessageBuilder message;
  message.setRoot(object.as<k8s::DaemonSet>());
  auto ds = message.getRoot<k8s::DaemonSet>();
  auto s = ds.getStatus();
  s.setDesiredNumberScheduled(c.desired);
  s.setCurrentNumberScheduled(c.current);
  s.setNumberMisscheduled(c.misscheduled);
  s.setNumberReady(c.ready);
  s.setNumberAvailable(c.available);
  s.setNumberUnavailable(c.desired - c.available);
  s.setUpdatedNumberScheduled(c.updated);
  s.setObservedGeneration(ds.getMetadata().getGeneration());
  return flat_bytes(message);
}

class DaemonSetController final : public Controller {
 public:
  DaemonSetController(const ControllerContext& context, DaemonSetConfig config)
      : config_(config),
        pods_(context.informer(pods_resource())),
        sets_(context.informer(daemonsets_resource())),
        nodes_(context.informer(nodes_resource())),
        enqueue_(context.enqueue),
        now_ms_(context.now_ms),
        record_(context.record) {
    sets_.add_handlers({
        [this](const api::InformerObject& ds) { enqueue_(ds.key()); },
        [this](const api::InformerObject&, const api::InformerObject& ds) { enqueue_(ds.key()); },
        [this](const api::InformerObject& ds, bool) {
          expectations_.forget(ds.key());
          enqueue_(ds.key());
        },
    });
    nodes_.add_handlers({
        [this](const api::InformerObject&) { enqueue_all(); },
        [this](const api::InformerObject& old, const api::InformerObject& node) {
          if (placement_changed(old.as<k8s::Node>(), node.as<k8s::Node>())) enqueue_all();
        },
        [this](const api::InformerObject&, bool) { enqueue_all(); },
    });
  }

  const char* name() const override { return "daemonset"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string& key, const api::ApiCall& call,
                const api::ApiReply& reply) override;
  void reset() override { expectations_.clear(); }

 private:
  // Only labels and taints decide placement; heartbeats and status changes do not.
  static bool placement_changed(k8s::Node::Reader old, k8s::Node::Reader node) {
    return !same_canonical(old.getMetadata().getLabels(), node.getMetadata().getLabels()) ||
           !same_canonical(old.getSpec(), node.getSpec());
  }
  void enqueue_all() {
    for (const auto& ds : sets_.cache().list()) enqueue_(ds.key());
  }

  Pods claim(const api::InformerObject& object, const Owner& self, SyncResult& out) const;
  void apply(const std::string& key, const api::InformerObject& object, const Owner& self,
             Plan plan, std::int64_t now_ms, SyncResult& out);

  DaemonSetConfig config_;
  api::Informer& pods_;
  api::Informer& sets_;
  api::Informer& nodes_;
  std::function<void(const std::string&)> enqueue_;
  std::function<std::int64_t()> now_ms_;
  std::function<void(api::EventReport)> record_;
  Expectations expectations_;
  PodEvents pod_events_{"DaemonSet", sets_, pods_, expectations_, enqueue_};

  // An Event about the DaemonSet `key`, as kube's daemonset-controller writes them.
  void event(const std::string& key, api::EventType type, const char* reason, std::string message) {
    auto ds = sets_.cache().get(key);
    if (!ds || !record_) return;
    record_(api::EventReport{event_ref(*ds, "DaemonSet", "apps/v1"), type, reason,
                             std::move(message), "daemonset-controller", ""});
  }
};

// Step 1, as the ReplicaSet controller claims: pods being deleted are already gone for us.
Pods DaemonSetController::claim(const api::InformerObject& object, const Owner& self,
                                SyncResult& out) const {
  auto selector = object.as<k8s::DaemonSet>().getSpec().getSelector();
  const auto& pods = pods_resource();
  Pods owned;
  for (const auto& o : pods_.cache().by_index(kByNamespace, object.name_space())) {
    auto pod = o.as<k8s::Pod>();
    if (pod.getMetadata().getDeletionTimestamp().size() > 0) continue;
    bool matches = api::selector_matches(selector, pod.getMetadata().getLabels());
    auto ref = controller_of(pod.getMetadata());
    if (ref && ref->getUid() != object.uid().c_str()) continue;
    if (ref && matches) {
      owned.push_back(o);
    } else if (ref) {
      auto call = pods.call(api::ApiVerb::update, o.name_space(), o.name());
      call.object = without_owner(o.reader(), object.uid());
      out.calls.push_back(std::move(call));
    } else if (matches) {
      auto call = pods.call(api::ApiVerb::update, o.name_space(), o.name());
      call.object = with_controller(o.reader(), self);
      out.calls.push_back(std::move(call));
      owned.push_back(o);
    }
  }
  return owned;
}

void DaemonSetController::apply(const std::string& key, const api::InformerObject& object,
                                const Owner& self, Plan plan, std::int64_t now_ms,
                                SyncResult& out) {
  auto room = std::size_t(std::max<std::int64_t>(config_.pods_per_sync_max, 0));
  if (plan.create_on.size() > room) plan.create_on.resize(room);
  room -= plan.create_on.size();
  if (plan.deletes.size() > room)
    plan.deletes.erase(plan.deletes.begin() + room, plan.deletes.end());
  if (plan.empty()) return;
  std::vector<std::string> deleted;
  for (const auto& p : plan.deletes) deleted.push_back(p.key());
  expectations_.expect(key, std::int64_t(plan.create_on.size()), deleted, now_ms);
  auto spec = object.as<k8s::DaemonSet>().getSpec();
  auto hash = template_hash(spec.getTemplate());
  for (const auto& node : plan.create_on) {
    auto call = pods_resource().call(api::ApiVerb::create, object.name_space());
    call.object = daemon_pod(spec.getTemplate(), object.name_space(), self, node, hash);
    out.calls.push_back(std::move(call));
  }
  for (const auto& p : plan.deletes)
    out.calls.push_back(pods_resource().call(api::ApiVerb::remove, p.name_space(), p.name()));
}

SyncResult DaemonSetController::sync(const std::string& key, std::int64_t now_ms) {
  SyncResult out;
  auto object = sets_.cache().get(key);
  if (!object) {
    expectations_.forget(key);
    return out;
  }
  auto ds = object->as<k8s::DaemonSet>();
  auto spec = ds.getSpec();
  if (ds.getMetadata().getDeletionTimestamp().size() > 0) return out;
  Owner self{daemonsets_resource().api_version(), "DaemonSet", object->name(), object->uid()};
  PodsByNode by_node;
  for (const auto& pod : claim(*object, self, out))
    if (auto node = target_node(pod.as<k8s::Pod>())) by_node[*node].push_back(pod);
  auto nodes = nodes_.cache().list();
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a.name() < b.name(); });
  auto hash = template_hash(spec.getTemplate());
  auto now_s = config_.wall_clock_base_s + now_ms / 1000;

  if (expectations_.satisfied(key, now_ms)) {
    bool rolling = spec.getUpdateStrategy().getType() != "OnDelete";
    Surge surge{0, hash, spec.getMinReadySeconds(), now_s};
    if (rolling)
      surge.max =
          max_surge(spec.getUpdateStrategy(), desired_nodes(spec.getTemplate().getSpec(), nodes));
    auto plan = manage(spec.getTemplate().getSpec(), nodes, by_node, surge);
    if (plan.empty() && surge.max > 0)
      plan.create_on = surge_update(nodes, by_node, surge);
    else if (plan.empty() && rolling)
      plan.deletes = rolling_update(spec, nodes, by_node, hash, now_s);
    apply(key, *object, self, std::move(plan), now_ms, out);
  }

  auto c = count(spec, nodes, by_node, hash, now_s);
  if (status_differs(ds, c)) {
    auto call =
        daemonsets_resource().call(api::ApiVerb::update, object->name_space(), object->name());
    call.subresource = "status";
    call.object = with_status(*object, c);
    out.calls.push_back(std::move(call));
  }
  bool surging = false;  // a new pod beside an old one: its availability frees the old one
  for (const auto& [node, pods] : by_node) surging = surging || pods.size() > 1;
  if (spec.getMinReadySeconds() > 0 && (c.ready != c.available || surging))
    out.again_at_ms = now_ms + std::int64_t(spec.getMinReadySeconds()) * 1000;
  return out;
}

bool DaemonSetController::on_reply(const std::string& key, const api::ApiCall& call,
                                   const api::ApiReply& reply) {
  auto settled = settle_pod_call(key, call, reply, expectations_, now_ms_(),
                                 [&](api::EventType type, const char* reason, std::string text) {
                                   event(key, type, reason, std::move(text));
                                 });
  // Adoption, release or status: refused (409: changed meanwhile) means look again.
  return settled.value_or(reply.ok());
}

}  // namespace

ControllerFactory daemonset_controller(DaemonSetConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<DaemonSetController>(context, config);
  };
}

}  // namespace craton::controllers
