// The ReplicaSet controller's reconcile core (see the header).
#include "actors/controllers/replicaset/replicaset_controller.hpp"

#include <capnp/message.h>

#include <algorithm>

#include "actors/api/client/typed_selector.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/pod_control.hpp"
#include "actors/controllers/pod_events.hpp"
#include "actors/controllers/pods.hpp"
#include "actors/controllers/replicaset/pod_ranking.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

class ReplicaSetController final : public Controller {
 public:
  ReplicaSetController(const ControllerContext& context, ReplicaSetConfig config)
      : config_(config),
        pods_(context.informer(pods_resource())),
        sets_(context.informer(replicasets_resource())),
        enqueue_(context.enqueue),
        now_ms_(context.now_ms),
        record_(context.record) {
    sets_.add_handlers({
        [this](const api::InformerObject& rs) { enqueue_(rs.key()); },
        [this](const api::InformerObject&, const api::InformerObject& rs) { enqueue_(rs.key()); },
        [this](const api::InformerObject& rs, bool) {
          expectations_.forget(rs.key());
          enqueue_(rs.key());
        },
    });
  }

  const char* name() const override { return "replicaset"; }

  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string& key, const api::ApiCall& call,
                const api::ApiReply& reply) override;
  void reset() override { expectations_.clear(); }

 private:
  ReplicaSetConfig config_;
  api::Informer& pods_;
  api::Informer& sets_;
  std::function<void(const std::string&)> enqueue_;
  std::function<std::int64_t()> now_ms_;
  std::function<void(api::EventReport)> record_;
  Expectations expectations_;
  PodEvents pod_events_{"ReplicaSet", sets_, pods_, expectations_, enqueue_};
  // An Event about the ReplicaSet `key`, as kube's replicaset-controller writes them.
  void event(const std::string& key, api::EventType type, const char* reason, std::string message) {
    auto rs = sets_.cache().get(key);
    if (!rs || !record_) return;
    record_(api::EventReport{event_ref(*rs, "ReplicaSet", "apps/v1"), type, reason,
                             std::move(message), "replicaset-controller", ""});
  }
};

// The status a ReplicaSet should show for the pods it owns.
struct Counts {
  std::int32_t replicas = 0, fully_labeled = 0, ready = 0, available = 0;
};

Counts count(k8s::ReplicaSet::Reader rs, const std::vector<api::InformerObject>& owned,
             std::int64_t now_s) {
  Counts c;
  auto template_labels = rs.getSpec().getTemplate().getMetadata().getLabels();
  for (const auto& o : owned) {
    auto pod = o.as<k8s::Pod>();
    ++c.replicas;
    if (api::labels_contain(pod.getMetadata().getLabels(), template_labels)) ++c.fully_labeled;
    if (pod_ready(pod)) ++c.ready;
    if (pod_available(pod, rs.getSpec().getMinReadySeconds(), now_s)) ++c.available;
  }
  return c;
}

std::string with_status(const api::InformerObject& object, const Counts& c) {
  capnp::MallocMessageBuilder message;
  message.setRoot(object.as<k8s::ReplicaSet>());
  auto rs = message.getRoot<k8s::ReplicaSet>();
  auto status = rs.getStatus();
  status.setReplicas(c.replicas);
  status.setFullyLabeledReplicas(c.fully_labeled);
  status.setReadyReplicas(c.ready);
  status.setAvailableReplicas(c.available);
  status.setObservedGeneration(rs.getMetadata().getGeneration());
  return flat_bytes(message);
}

SyncResult ReplicaSetController::sync(const std::string& key, std::int64_t now_ms) {
  SyncResult out;
  auto object = sets_.cache().get(key);
  if (!object) {
    expectations_.forget(key);
    return out;
  }
  auto rs = object->as<k8s::ReplicaSet>();
  auto spec = rs.getSpec();
  bool deleting = rs.getMetadata().getDeletionTimestamp().size() > 0;
  bool needs_sync = expectations_.satisfied(key, now_ms) && !deleting;
  Owner self{replicasets_resource().api_version(), "ReplicaSet", object->name(), object->uid()};
  const auto& pods = pods_resource();

  // 1. Claim.
  std::vector<api::InformerObject> owned;
  for (const auto& o : claim_candidates(pods_, object->name_space(), object->uid())) {
    auto pod = o.as<k8s::Pod>();
    if (!pod_active(pod)) continue;
    bool matches = api::selector_matches(spec.getSelector(), pod.getMetadata().getLabels());
    auto ref = controller_of(pod.getMetadata());
    if (ref && ref->getUid() != object->uid().c_str()) continue;
    if (ref && matches) {
      owned.push_back(o);
    } else if (ref && !deleting) {
      auto call = pods.call(api::ApiVerb::update, o.name_space(), o.name());
      call.object = without_owner(o.reader(), object->uid());
      out.calls.push_back(std::move(call));
    } else if (!ref && matches && !deleting) {
      auto call = pods.call(api::ApiVerb::update, o.name_space(), o.name());
      call.object = with_controller(o.reader(), self);
      out.calls.push_back(std::move(call));
      owned.push_back(o);
    }
  }

  // 2. Scale.
  std::int64_t wanted = spec.hasReplicas() ? spec.getReplicas().getValue() : 1;
  auto diff = std::int64_t(owned.size()) - wanted;
  if (needs_sync && diff < 0) {
    auto n = std::min(-diff, config_.burst_replicas);
    expectations_.expect(key, n, {}, now_ms);
    for (std::int64_t i = 0; i < n; ++i) {
      auto call = pods.call(api::ApiVerb::create, object->name_space());
      call.object = pod_from_template(spec.getTemplate(), object->name_space(), self);
      out.calls.push_back(std::move(call));
    }
  } else if (needs_sync && diff > 0) {
    auto n = std::min(diff, config_.burst_replicas);
    auto victims = owned;
    std::stable_sort(victims.begin(), victims.end(), [](const auto& a, const auto& b) {
      return delete_before(a.template as<k8s::Pod>(), b.template as<k8s::Pod>());
    });
    victims.erase(victims.begin() + n, victims.end());
    std::vector<std::string> keys;
    for (const auto& v : victims) keys.push_back(v.key());
    expectations_.expect(key, 0, keys, now_ms);
    for (const auto& v : victims)
      out.calls.push_back(pods.call(api::ApiVerb::remove, v.name_space(), v.name()));
  }

  // 3. Status.
  auto now_s = config_.wall_clock_base_s + now_ms / 1000;
  auto c = count(rs, owned, now_s);
  auto status = rs.getStatus();
  if (status.getReplicas() != c.replicas || status.getFullyLabeledReplicas() != c.fully_labeled ||
      status.getReadyReplicas() != c.ready || status.getAvailableReplicas() != c.available ||
      status.getObservedGeneration() != rs.getMetadata().getGeneration()) {
    auto call =
        replicasets_resource().call(api::ApiVerb::update, object->name_space(), object->name());
    call.subresource = "status";
    call.object = with_status(*object, c);
    out.calls.push_back(std::move(call));
  }
  if (spec.getMinReadySeconds() > 0 && c.ready != c.available)
    out.again_at_ms = now_ms + std::int64_t(spec.getMinReadySeconds()) * 1000;
  if (!needs_sync && !deleting) {  // waiting on expectations: at the latest until they lapse
    if (auto due = expectations_.due_ms(key)) out.again_no_later_than(*due);
  }
  return out;
}

bool ReplicaSetController::on_reply(const std::string& key, const api::ApiCall& call,
                                    const api::ApiReply& reply) {
  auto settled = settle_pod_call(key, call, reply, expectations_, now_ms_(),
                                 [&](api::EventType type, const char* reason, std::string text) {
                                   event(key, type, reason, std::move(text));
                                 });
  // Adoption, release or status: refused (409: changed meanwhile) means look again.
  return settled.value_or(reply.ok());
}

}  // namespace

ControllerFactory replicaset_controller(ReplicaSetConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<ReplicaSetController>(context, config);
  };
}

}  // namespace craton::controllers
