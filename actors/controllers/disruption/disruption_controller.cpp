// The disruption controller's reconcile core: PodDisruptionBudget status (see the header).
#include "actors/controllers/disruption/disruption_controller.hpp"

#include <capnp/message.h>

#include <algorithm>
#include <map>
#include <optional>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/client/typed_selector.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/pod_control.hpp"
#include "actors/controllers/pod_events.hpp"
#include "actors/controllers/pods.hpp"
#include "runtime/flat_message.hpp"

namespace craton::controllers {
namespace k8s = schema::k8s;

const ResourceType& poddisruptionbudgets_resource() {
  static const ResourceType r{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget",
                              capnp::Schema::from<k8s::PodDisruptionBudget>()};
  return r;
}

namespace {

using PodTimes = std::map<std::string, std::string>;  ///< pod name -> RFC 3339 eviction time

/// The status a budget should show; `failure` set when its expected scale is unknown.
struct BudgetStatus {
  std::int32_t expected = 0, desired = 0, healthy = 0, allowed = 0;
  PodTimes disrupted;
  std::int64_t recheck_s = 0;  ///< > 0: when the next disruptedPods entry lapses
  std::optional<std::string> failure;
};

bool being_deleted(k8s::Pod::Reader pod) {
  return pod.getMetadata().getDeletionTimestamp().size() > 0;
}

// A percentage of `total` rounded up, or the number itself (intstr's
// GetScaledValueFromIntOrPercent with roundUp = true). nullopt: not a number nor "N%".
std::optional<std::int32_t> scaled_up(k8s::IntOrString::Reader value, std::int32_t total) {
  if (value.isIntVal()) return value.getIntVal();
  std::string text = value.getStrVal();
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  std::int64_t percent = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || percent > 1'000'000) return std::nullopt;
    percent = percent * 10 + (text[i] - '0');
  }
  return std::int32_t((percent * total + 99) / 100);
}

PodTimes as_map(k8s::StringMap::Reader map) {
  PodTimes out;
  for (auto e : map.getEntries()) out[e.getKey()] = e.getValue();
  return out;
}

std::optional<k8s::Condition::Reader> allowed_condition(k8s::PodDisruptionBudget::Reader pdb) {
  for (auto c : pdb.getStatus().getConditions())
    if (c.getType() == "DisruptionAllowed") return c;
  return std::nullopt;
}

class DisruptionController final : public Controller {
 public:
  DisruptionController(const ControllerContext& context, DisruptionConfig config)
      : config_(config),
        budgets_(context.informer(poddisruptionbudgets_resource())),
        pods_(context.informer(pods_resource())),
        sets_(context.informer(replicasets_resource())),
        deployments_(context.informer(deployments_resource())),
        enqueue_(context.enqueue),
        record_(context.record) {
    budgets_.ensure_index(kByNamespace, api::index_by_namespace());
    pods_.ensure_index(kByNamespace, api::index_by_namespace());
    budgets_.add_handlers({
        [this](const api::InformerObject& pdb) { enqueue_(pdb.key()); },
        [this](const api::InformerObject&, const api::InformerObject& pdb) { enqueue_(pdb.key()); },
        [this](const api::InformerObject& pdb, bool) { enqueue_(pdb.key()); },
    });
    // Kube enqueues the budget of a pod's new state only; the old state's budget is enqueued
    // too here, so a pod whose labels leave a budget is no longer counted there.
    pods_.add_handlers({
        [this](const api::InformerObject& pod) { enqueue_budgets_of(pod); },
        [this](const api::InformerObject& old, const api::InformerObject& pod) {
          if (old.resource_version() == pod.resource_version()) return;  // a resync
          enqueue_budgets_of(old);
          enqueue_budgets_of(pod);
        },
        [this](const api::InformerObject& pod, bool) { enqueue_budgets_of(pod); },
    });
  }

  const char* name() const override { return "disruption"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string&, const api::ApiCall&, const api::ApiReply& reply) override {
    return reply.ok();  // a refused status write (409: changed meanwhile): look again
  }
  void reset() override {}

 private:
  DisruptionConfig config_;
  api::Informer& budgets_;
  api::Informer& pods_;
  api::Informer& sets_;
  api::Informer& deployments_;
  std::function<void(const std::string&)> enqueue_;
  std::function<void(api::EventReport)> record_;

  void enqueue_budgets_of(const api::InformerObject& pod);
  std::vector<api::InformerObject> pods_of(const api::InformerObject& pdb) const;
  std::optional<std::int32_t> scale_of(const std::string& namespace_,
                                       k8s::OwnerReference::Reader ref) const;
  BudgetStatus expected(k8s::PodDisruptionBudget::Reader pdb,
                        const std::vector<api::InformerObject>& pods) const;
  void count_healthy(BudgetStatus& s, k8s::PodDisruptionBudget::Reader pdb,
                     const std::vector<api::InformerObject>& pods, std::int64_t now_s) const;
  void event(const api::InformerObject& pdb, api::EventType type, const char* reason,
             std::string message);
};

bool selects(k8s::PodDisruptionBudget::Reader pdb, k8s::Pod::Reader pod) {
  auto spec = pdb.getSpec();
  return spec.hasSelector() &&
         api::selector_matches(spec.getSelector(), pod.getMetadata().getLabels());
}

void DisruptionController::enqueue_budgets_of(const api::InformerObject& pod) {
  for (const auto& pdb : budgets_.cache().by_index(kByNamespace, pod.name_space()))
    if (selects(pdb.as<k8s::PodDisruptionBudget>(), pod.as<k8s::Pod>())) enqueue_(pdb.key());
}

std::vector<api::InformerObject> DisruptionController::pods_of(
    const api::InformerObject& pdb) const {
  std::vector<api::InformerObject> out;
  for (const auto& pod : pods_.cache().by_index(kByNamespace, pdb.name_space()))
    if (selects(pdb.as<k8s::PodDisruptionBudget>(), pod.as<k8s::Pod>())) out.push_back(pod);
  return out;
}

// The scale of a pod's controller: a ReplicaSet's spec.replicas, or that of the Deployment
// controlling the ReplicaSet (kube's getPodReplicaSet / getPodDeployment finders). nullopt:
// no such controller in the caches.
std::optional<std::int32_t> DisruptionController::scale_of(const std::string& namespace_,
                                                           k8s::OwnerReference::Reader ref) const {
  if (ref.getKind() != "ReplicaSet" || ref.getApiVersion() != "apps/v1") return std::nullopt;
  auto set = sets_.cache().get(object_key(namespace_, ref.getName()));
  if (!set || set->uid() != ref.getUid().cStr()) return std::nullopt;
  auto rs = set->as<k8s::ReplicaSet>();
  auto owner = controller_of(rs.getMetadata());
  if (!owner || owner->getKind() != "Deployment") {
    auto spec = rs.getSpec();
    return spec.hasReplicas() ? spec.getReplicas().getValue() : 1;
  }
  auto d = deployments_.cache().get(object_key(namespace_, owner->getName()));
  if (!d || d->uid() != owner->getUid().cStr()) return std::nullopt;
  auto spec = d->as<k8s::Deployment>().getSpec();
  return spec.hasReplicas() ? spec.getReplicas().getValue() : 1;
}

// expectedPods and desiredHealthy (kube's getExpectedPodCount / getExpectedScale).
BudgetStatus DisruptionController::expected(k8s::PodDisruptionBudget::Reader pdb,
                                            const std::vector<api::InformerObject>& pods) const {
  BudgetStatus s;
  auto spec = pdb.getSpec();
  if (spec.hasMinAvailable() && spec.getMinAvailable().isIntVal() && !spec.hasMaxUnavailable()) {
    s.desired = spec.getMinAvailable().getIntVal();
    s.expected = std::int32_t(pods.size());
    return s;
  }
  if (!spec.hasMinAvailable() && !spec.hasMaxUnavailable()) return s;
  std::map<std::string, std::int32_t> scales;  // by controller uid, each counted once
  for (const auto& o : pods) {
    auto ref = controller_of(o.as<k8s::Pod>().getMetadata());
    if (!ref) continue;  // unmanaged pods do not count
    if (scales.count(ref->getUid())) continue;
    auto scale = scale_of(o.name_space(), *ref);
    if (!scale) {
      s.failure = "found no controllers for pod \"" + o.name() + "\"";
      return s;
    }
    scales[ref->getUid()] = *scale;
  }
  for (const auto& [uid, scale] : scales) s.expected += scale;
  bool max_form = spec.hasMaxUnavailable();
  auto value = scaled_up(max_form ? spec.getMaxUnavailable() : spec.getMinAvailable(), s.expected);
  if (!value) {
    s.failure = "invalid value for IntOrString: invalid type: string is not a percentage";
    return s;
  }
  s.desired = max_form ? std::max(0, s.expected - *value) : *value;
  return s;
}

// disruptedPods still pending and currentHealthy (kube's buildDisruptedPodMap and
// countHealthyPods): an evicted pod not yet deleted is not healthy until its entry lapses.
void DisruptionController::count_healthy(BudgetStatus& s, k8s::PodDisruptionBudget::Reader pdb,
                                         const std::vector<api::InformerObject>& pods,
                                         std::int64_t now_s) const {
  auto recorded = as_map(pdb.getStatus().getDisruptedPods());
  for (const auto& o : pods) {
    auto pod = o.as<k8s::Pod>();
    if (being_deleted(pod)) continue;
    auto entry = recorded.find(o.name());
    if (entry != recorded.end()) {
      auto at = api::parse_rfc3339(entry->second);
      auto lapses_s = at ? *at + config_.deletion_timeout_s : 0;
      if (lapses_s > now_s) {
        s.disrupted[entry->first] = entry->second;
        s.recheck_s = s.recheck_s > 0 ? std::min(s.recheck_s, lapses_s) : lapses_s;
        continue;
      }
    }
    if (pod_ready(pod)) ++s.healthy;
  }
  s.allowed = s.expected <= 0 ? 0 : std::max(0, s.healthy - s.desired);
}

// The budget with its DisruptionAllowed condition set (apimeta.SetStatusCondition: the
// transition time moves only when the status does).
void set_condition(k8s::PodDisruptionBudget::Builder pdb, const std::string& status,
                   const std::string& reason, const std::string& message, std::int64_t now_s) {
  auto old = pdb.asReader().getStatus().getConditions();
  int at = -1;
  for (unsigned i = 0; i < old.size(); ++i)
    if (old[i].getType() == "DisruptionAllowed") at = int(i);
  if (at < 0) {
    capnp::MallocMessageBuilder scratch;
    auto list =
        scratch.initRoot<k8s::PodDisruptionBudget>().getStatus().initConditions(old.size() + 1);
    for (unsigned i = 0; i < old.size(); ++i) list.setWithCaveats(i, old[i]);
    list[old.size()].setType("DisruptionAllowed");
    pdb.getStatus().setConditions(list.asReader());
    at = int(old.size());
  }
  auto c = pdb.getStatus().getConditions()[unsigned(at)];
  if (c.getStatus() != status.c_str() || c.getLastTransitionTime().size() == 0)
    c.setLastTransitionTime(api::format_rfc3339(now_s));
  c.setStatus(status);
  c.setReason(reason);
  c.setMessage(message);
  c.setObservedGeneration(pdb.getStatus().getObservedGeneration());
}

bool condition_is(k8s::PodDisruptionBudget::Reader pdb, const char* status, const char* reason,
                  const std::string& message = "") {
  auto c = allowed_condition(pdb);
  return c && c->getStatus() == status && c->getReason() == reason &&
         c->getMessage() == message.c_str();
}

void set_map(k8s::StringMap::Builder map, const PodTimes& values) {
  auto entries = map.initEntries(unsigned(values.size()));
  unsigned i = 0;
  for (const auto& [key, value] : values) {
    entries[i].setKey(key);
    entries[i++].setValue(value);
  }
}

// The budget's status as `s` says (kube's updatePdbStatus), or its fail-safe state.
std::string with_status(const api::InformerObject& object, const BudgetStatus& s,
                        std::int64_t now_s) {
  capnp::MallocMessageBuilder message;
  message.setRoot(object.as<k8s::PodDisruptionBudget>());
  auto pdb = message.getRoot<k8s::PodDisruptionBudget>();
  auto status = pdb.getStatus();
  if (s.failure) {
    status.setDisruptionsAllowed(0);
    set_condition(pdb, "False", "SyncFailed", *s.failure, now_s);
    return flat_bytes(message);
  }
  status.setCurrentHealthy(s.healthy);
  status.setDesiredHealthy(s.desired);
  status.setExpectedPods(s.expected);
  status.setDisruptionsAllowed(s.allowed);
  status.setObservedGeneration(pdb.getMetadata().getGeneration());
  if (s.disrupted.empty())
    status.disownDisruptedPods();
  else
    set_map(status.initDisruptedPods(), s.disrupted);
  if (s.allowed > 0)
    set_condition(pdb, "True", "SufficientPods", "", now_s);
  else
    set_condition(pdb, "False", "InsufficientPods", "", now_s);
  return flat_bytes(message);
}

bool up_to_date(k8s::PodDisruptionBudget::Reader pdb, const BudgetStatus& s) {
  auto status = pdb.getStatus();
  if (s.failure)
    return status.getDisruptionsAllowed() == 0 &&
           condition_is(pdb, "False", "SyncFailed", *s.failure);
  return status.getCurrentHealthy() == s.healthy && status.getDesiredHealthy() == s.desired &&
         status.getExpectedPods() == s.expected && status.getDisruptionsAllowed() == s.allowed &&
         as_map(status.getDisruptedPods()) == s.disrupted &&
         status.getObservedGeneration() == pdb.getMetadata().getGeneration() &&
         (s.allowed > 0 ? condition_is(pdb, "True", "SufficientPods")
                        : condition_is(pdb, "False", "InsufficientPods"));
}

void DisruptionController::event(const api::InformerObject& pdb, api::EventType type,
                                 const char* reason, std::string message) {
  if (!record_) return;
  record_(api::EventReport{event_ref(pdb, "PodDisruptionBudget", "policy/v1"), type, reason,
                           std::move(message), "controllermanager", ""});
}

SyncResult DisruptionController::sync(const std::string& key, std::int64_t now_ms) {
  SyncResult out;
  auto object = budgets_.cache().get(key);
  if (!object) return out;
  auto pdb = object->as<k8s::PodDisruptionBudget>();
  auto now_s = config_.wall_clock_base_s + now_ms / 1000;
  auto pods = pods_of(*object);
  if (pods.empty()) event(*object, api::EventType::normal, "NoPods", "No matching pods found");
  auto s = expected(pdb, pods);
  if (s.failure)
    event(*object, api::EventType::warning, "CalculateExpectedPodCountFailed",
          "Failed to calculate the number of expected pods: " + *s.failure);
  else
    count_healthy(s, pdb, pods, now_s);
  if (!up_to_date(pdb, s)) {
    auto call = poddisruptionbudgets_resource().call(api::ApiVerb::update, object->name_space(),
                                                     object->name());
    call.subresource = "status";
    call.object = with_status(*object, s, now_s);
    out.calls.push_back(std::move(call));
  }
  if (s.recheck_s > 0) out.again_at_ms = (s.recheck_s - config_.wall_clock_base_s) * 1000;
  return out;
}

}  // namespace

ControllerFactory disruption_controller(DisruptionConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<DisruptionController>(context, config);
  };
}

}  // namespace craton::controllers
