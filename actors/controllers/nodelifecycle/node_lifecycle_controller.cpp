// The node lifecycle controller's reconcile core: health, taints, evictions (see the header).
#include "actors/controllers/nodelifecycle/node_lifecycle_controller.hpp"

#include <capnp/message.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/informer/informer_cache.hpp"
#include "actors/controllers/daemon/node_eligibility.hpp"
#include "actors/controllers/expectations.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

constexpr const char* kByNode = "spec.nodeName";
constexpr const char* kNotReady = "node.kubernetes.io/not-ready";
constexpr const char* kUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kZoneLabel = "topology.kubernetes.io/zone";
constexpr const char* kNoSchedule = "NoSchedule";
constexpr const char* kNoExecute = "NoExecute";

struct ConditionValue {
  std::string type, status, heartbeat, transition, reason, message;
};

struct TaintValue {
  std::string key, value, effect, time_added;
  bool operator==(const TaintValue&) const = default;
};

bool lifecycle_taint(const TaintValue& t) {
  return t.key == kNotReady || t.key == kUnreachable;
}

std::vector<ConditionValue> conditions_of(k8s::Node::Reader node) {
  std::vector<ConditionValue> out;
  for (auto c : node.getStatus().getConditions())
    out.push_back({c.getType().cStr(), c.getStatus().cStr(), c.getLastHeartbeatTime().cStr(),
                   c.getLastTransitionTime().cStr(), c.getReason().cStr(), c.getMessage().cStr()});
  return out;
}

std::vector<TaintValue> taints_of(k8s::Node::Reader node) {
  std::vector<TaintValue> out;
  for (auto t : node.getSpec().getTaints())
    out.push_back(
        {t.getKey().cStr(), t.getValue().cStr(), t.getEffect().cStr(), t.getTimeAdded().cStr()});
  return out;
}

// The Ready condition's status: "True", "False", "Unknown", or "" when never posted.
std::string ready_status(k8s::Node::Reader node) {
  for (auto c : node.getStatus().getConditions())
    if (c.getType() == "Ready") return c.getStatus().cStr();
  return "";
}

// The conditions of a node whose agent went silent (kube's tryUpdateNodeHealth), or nullopt
// when they already say so.
std::optional<std::vector<ConditionValue>> silent_conditions(k8s::Node::Reader node,
                                                             const std::string& now) {
  auto conditions = conditions_of(node);
  bool changed = false;
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    auto it = std::find_if(conditions.begin(), conditions.end(),
                           [&](const ConditionValue& c) { return c.type == type; });
    if (it == conditions.end()) {
      // kube dates a never-posted heartbeat at the node's creation
      conditions.push_back({type, "Unknown", node.getMetadata().getCreationTimestamp().cStr(), now,
                            "NodeStatusNeverUpdated", "Kubelet never posted node status."});
      changed = true;
    } else if (it->status != "Unknown") {
      it->status = "Unknown";
      it->reason = "NodeStatusUnknown";
      it->message = "Kubelet stopped posting node status.";
      it->transition = now;  // the heartbeat stays the node's last one
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return conditions;
}

std::string with_conditions(const api::InformerObject& object,
                            const std::vector<ConditionValue>& conditions) {
  capnp::MallocMessageBuilder message;
  message.setRoot(object.as<k8s::Node>());
  auto list = message.getRoot<k8s::Node>().getStatus().initConditions(unsigned(conditions.size()));
  for (unsigned i = 0; i < conditions.size(); ++i) {
    const auto& c = conditions[i];
    list[i].setType(c.type);
    list[i].setStatus(c.status);
    if (!c.heartbeat.empty()) list[i].setLastHeartbeatTime(c.heartbeat);
    if (!c.transition.empty()) list[i].setLastTransitionTime(c.transition);
    if (!c.reason.empty()) list[i].setReason(c.reason);
    if (!c.message.empty()) list[i].setMessage(c.message);
  }
  return flat_bytes(message);
}

std::string with_taints(const api::InformerObject& object, const std::vector<TaintValue>& taints) {
  capnp::MallocMessageBuilder message;
  message.setRoot(object.as<k8s::Node>());
  auto spec = message.getRoot<k8s::Node>().getSpec();
  if (taints.empty()) {
    spec.disownTaints();
    return flat_bytes(message);
  }
  auto list = spec.initTaints(unsigned(taints.size()));
  for (unsigned i = 0; i < taints.size(); ++i) {
    list[i].setKey(taints[i].key);
    if (!taints[i].value.empty()) list[i].setValue(taints[i].value);
    list[i].setEffect(taints[i].effect);
    if (!taints[i].time_added.empty()) list[i].setTimeAdded(taints[i].time_added);
  }
  return flat_bytes(message);
}

// When a pod on a node with these NoExecute taints must go (kube's taint manager): nullopt
// never; `start_ms` at once or later, start_ms being when the taints were added.
std::optional<std::int64_t> eviction_time_ms(k8s::Pod::Reader pod,
                                             const std::vector<k8s::Taint::Reader>& taints,
                                             std::int64_t start_ms) {
  std::optional<std::int64_t> seconds;
  for (auto taint : taints) {
    bool tolerated = false;
    for (auto t : pod.getSpec().getTolerations()) {
      TolerationValue value{t.getKey().cStr(), t.getOperator().cStr(), t.getValue().cStr(),
                            t.getEffect().cStr()};
      if (!tolerates(value, taint)) continue;
      tolerated = true;
      if (t.hasTolerationSeconds()) {  // unbounded tolerations do not lower the bound
        auto s = std::max<std::int64_t>(0, t.getTolerationSeconds().getValue());
        seconds = seconds ? std::min(*seconds, s) : s;
      }
      break;  // kube's GetMatchingTolerations: the first toleration of a taint counts
    }
    if (!tolerated) return start_ms - 1;  // at once, whatever the clock
  }
  if (!seconds) return std::nullopt;
  return start_ms + *seconds * 1000;
}

// Per-zone token buckets of burst 1 (kube's RateLimitedTimedQueue with evictionLimiterQPS).
class ZoneLimiter {
 public:
  explicit ZoneLimiter(double per_second)
      : interval_ms_(per_second > 0 ? std::int64_t(std::ceil(1000.0 / per_second)) : -1) {}
  struct Take {
    bool taken = false;
    std::optional<std::int64_t> again_at_ms;  ///< not taken: when to try again (none: never)
  };
  /// Takes the zone's token for `node`, or says when it is due. A zone not seen yet has its
  /// token now, whatever the clock reads (it may read below zero).
  Take take(const std::string& zone, const std::string& node, std::int64_t now_ms) {
    if (interval_ms_ < 0) return {};
    auto [bucket, fresh] = zones_.try_emplace(zone);
    if (!fresh && now_ms < bucket->second.next_ms) return {false, bucket->second.next_ms};
    bucket->second = {now_ms + interval_ms_, node};
    return {true, std::nullopt};
  }
  /// The write the token was taken for failed: it goes back to the zone.
  void give_back(const std::string& zone, const std::string& node) {
    auto it = zones_.find(zone);
    if (it != zones_.end() && it->second.holder == node) zones_.erase(it);
  }
  void clear() { zones_.clear(); }

 private:
  struct Bucket {
    std::int64_t next_ms = 0;
    std::string holder;
  };
  std::int64_t interval_ms_;
  std::map<std::string, Bucket> zones_;
};

class NodeLifecycleController final : public Controller {
 public:
  NodeLifecycleController(const ControllerContext& context, NodeLifecycleConfig config)
      : config_(std::move(config)),
        nodes_(context.informer(nodes_resource())),
        leases_(context.informer(leases_resource())),
        pods_(context.informer(pods_resource())),
        enqueue_(context.enqueue),
        now_ms_(context.now_ms),
        limiter_(config_.evictions_per_second) {
    pods_.ensure_index(kByNode, api::index_by_field("spec.nodeName"));
    nodes_.add_handlers({
        [this](const api::InformerObject& node) { node_seen(node); },
        [this](const api::InformerObject&, const api::InformerObject& node) { node_seen(node); },
        [this](const api::InformerObject& node, bool) {
          probes_.erase(node.name());
          expectations_.forget(node.name());
          enqueue_(node.name());
        },
    });
    leases_.add_handlers({
        [this](const api::InformerObject& lease) { lease_seen(lease); },
        [this](const api::InformerObject&, const api::InformerObject& lease) { lease_seen(lease); },
        [](const api::InformerObject&, bool) {},  // silence: the grace period runs out
    });
    pods_.add_handlers({
        [this](const api::InformerObject& pod) { pod_changed(pod); },
        [this](const api::InformerObject& old, const api::InformerObject& pod) {
          if (old.resource_version() == pod.resource_version()) return;  // a resync
          pod_changed(old);
          pod_changed(pod);
        },
        [this](const api::InformerObject& pod, bool) { pod_gone(pod); },
    });
  }

  const char* name() const override { return "nodelifecycle"; }
  SyncResult sync(const std::string& key, std::int64_t now_ms) override;
  bool on_reply(const std::string& key, const api::ApiCall& call,
                const api::ApiReply& reply) override;
  void reset() override {
    expectations_.clear();
    limiter_.clear();
    token_pending_.clear();
  }

 private:
  // When the node agent was last seen alive, by the manager's clock.
  struct Probe {
    std::string renew_time;
    std::int64_t seen_ms = 0;
  };

  void node_seen(const api::InformerObject& node) {
    probes_.try_emplace(node.name(), Probe{"", now_ms_()});  // first seen: as if just renewed
    enqueue_(node.name());
  }
  void lease_seen(const api::InformerObject& lease) {
    if (lease.name_space() != config_.lease_namespace) return;
    std::string renew = lease.as<k8s::Lease>().getSpec().getRenewTime().cStr();
    // A probe already there (the node's or an earlier renewal) with the same renewTime: not a
    // renewal. Its presence, not seen_ms != 0, says so: clock 0 is a time like any other.
    auto [probe, fresh] = probes_.try_emplace(lease.name());
    if (!fresh && probe->second.renew_time == renew) return;
    probe->second = {renew, now_ms_()};
    enqueue_(lease.name());
  }
  // A pod matters to its node only while the node has a NoExecute taint.
  void pod_changed(const api::InformerObject& pod) {
    auto spec = pod.as<k8s::Pod>().getSpec();
    if (pod.as<k8s::Pod>().getMetadata().getDeletionTimestamp().size() > 0) return pod_gone(pod);
    if (spec.getNodeName().size() == 0) return;
    auto node = nodes_.cache().get(spec.getNodeName().cStr());
    if (!node) return;
    for (auto t : node->as<k8s::Node>().getSpec().getTaints())
      if (t.getEffect() == kNoExecute) return enqueue_(node->name());
  }
  void pod_gone(const api::InformerObject& pod) {
    auto node = pod.as<k8s::Pod>().getSpec().getNodeName();
    if (node.size() == 0) return;
    expectations_.observed_delete(node.cStr(), pod.key());
  }

  // The node's agent was not seen alive for its grace period (else: look again when it ends).
  bool silent(const api::InformerObject& node, std::int64_t now_ms, SyncResult& out);
  // The status write a silent node needs, if any.
  std::optional<api::ApiCall> health(const api::InformerObject& node, std::int64_t now_ms);
  // The taint write the node needs, if any.
  std::optional<api::ApiCall> taints(const api::InformerObject& node, bool silent,
                                     std::int64_t now_ms, SyncResult& out);
  void evictions(const api::InformerObject& node, std::int64_t now_ms, SyncResult& out);
  std::string wall_time(std::int64_t now_ms) const {
    return api::format_rfc3339(config_.wall_clock_base_s + now_ms / 1000);
  }
  std::string zone_of(const api::InformerObject& node) const {
    for (auto e : node.as<k8s::Node>().getMetadata().getLabels().getEntries())
      if (e.getKey() == kZoneLabel) return e.getValue().cStr();
    return "";
  }

  NodeLifecycleConfig config_;
  api::Informer& nodes_;
  api::Informer& leases_;
  api::Informer& pods_;
  std::function<void(const std::string&)> enqueue_;
  std::function<std::int64_t()> now_ms_;
  std::map<std::string, Probe> probes_;
  Expectations expectations_;
  ZoneLimiter limiter_;
  std::map<std::string, std::int64_t> tainted_seen_ms_;  ///< NoExecute taints without timeAdded
  std::set<std::string> token_pending_;  ///< nodes whose taint write spent a zone token
};

bool NodeLifecycleController::silent(const api::InformerObject& node, std::int64_t now_ms,
                                     SyncResult& out) {
  auto probe = probes_.try_emplace(node.name(), Probe{"", now_ms}).first->second;
  auto grace_ms = ready_status(node.as<k8s::Node>()).empty() ? config_.node_startup_grace_period_ms
                                                             : config_.node_monitor_grace_period_ms;
  if (now_ms - probe.seen_ms > grace_ms) return true;
  out.again_no_later_than(probe.seen_ms + grace_ms + 1);
  return false;
}

std::optional<api::ApiCall> NodeLifecycleController::health(const api::InformerObject& node,
                                                            std::int64_t now_ms) {
  auto conditions = silent_conditions(node.as<k8s::Node>(), wall_time(now_ms));
  if (!conditions) return std::nullopt;
  auto call = nodes_resource().call(api::ApiVerb::update, "", node.name());
  call.subresource = "status";
  call.object = with_conditions(node, *conditions);
  return call;
}

std::optional<api::ApiCall> NodeLifecycleController::taints(const api::InformerObject& node,
                                                            bool silent, std::int64_t now_ms,
                                                            SyncResult& out) {
  auto reader = node.as<k8s::Node>();
  // A silent node is unreachable whatever its Ready says; one that renews again is not, even
  // while its Ready still reads Unknown (its agent will set it).
  const char* wanted = silent                            ? kUnreachable
                       : ready_status(reader) == "False" ? kNotReady
                                                         : nullptr;
  auto current = taints_of(reader);
  bool had_no_execute = std::any_of(current.begin(), current.end(), [](const TaintValue& t) {
    return lifecycle_taint(t) && t.effect == kNoExecute;
  });
  std::vector<TaintValue> next;
  for (const auto& t : current)
    if (!lifecycle_taint(t) || (wanted && t.key == wanted)) next.push_back(t);
  auto has = [&](const char* effect) {
    return std::any_of(next.begin(), next.end(), [&](const TaintValue& t) {
      return wanted && t.key == wanted && t.effect == effect;
    });
  };
  if (wanted && !has(kNoSchedule)) next.push_back({wanted, "", kNoSchedule, ""});
  if (wanted && !has(kNoExecute)) {
    auto token = had_no_execute ? ZoneLimiter::Take{true, std::nullopt}
                                : limiter_.take(zone_of(node), node.name(), now_ms);
    if (token.taken) {
      next.push_back({wanted, "", kNoExecute, wall_time(now_ms)});
      token_pending_.insert(node.name());
    } else if (token.again_at_ms) {
      out.again_no_later_than(*token.again_at_ms);
    }
  }
  if (next == current) return std::nullopt;
  auto call = nodes_resource().call(api::ApiVerb::update, "", node.name());
  call.object = with_taints(node, next);
  return call;
}

void NodeLifecycleController::evictions(const api::InformerObject& node, std::int64_t now_ms,
                                        SyncResult& out) {
  std::vector<k8s::Taint::Reader> no_execute;
  std::optional<std::int64_t> added_s;
  bool undated = false;
  for (auto t : node.as<k8s::Node>().getSpec().getTaints()) {
    if (t.getEffect() != kNoExecute) continue;
    no_execute.push_back(t);
    auto s = api::parse_rfc3339(t.getTimeAdded().cStr());
    if (s) added_s = added_s ? std::min(*added_s, *s) : *s;
    undated = undated || !s;
  }
  if (no_execute.empty()) {
    tainted_seen_ms_.erase(node.name());
    return;
  }
  auto seen_ms = tainted_seen_ms_.try_emplace(node.name(), now_ms).first->second;
  auto start_ms = added_s ? (*added_s - config_.wall_clock_base_s) * 1000 : seen_ms;
  if (undated) start_ms = std::min(start_ms, seen_ms);
  if (!expectations_.satisfied(node.name(), now_ms)) {
    if (auto due = expectations_.due_ms(node.name())) out.again_no_later_than(*due);
    return;
  }
  std::vector<std::string> victims;
  for (const auto& o : pods_.cache().by_index(kByNode, node.name())) {
    auto pod = o.as<k8s::Pod>();
    if (pod.getMetadata().getDeletionTimestamp().size() > 0) continue;
    auto at_ms = eviction_time_ms(pod, no_execute, start_ms);
    if (!at_ms) continue;
    if (*at_ms > now_ms) {
      out.again_no_later_than(*at_ms);
      continue;
    }
    victims.push_back(o.key());
    out.calls.push_back(pods_resource().call(api::ApiVerb::remove, o.name_space(), o.name()));
  }
  if (!victims.empty()) expectations_.expect(node.name(), 0, victims, now_ms);
}

SyncResult NodeLifecycleController::sync(const std::string& key, std::int64_t now_ms) {
  SyncResult out;
  auto node = nodes_.cache().get(key);
  if (!node) {
    expectations_.forget(key);
    tainted_seen_ms_.erase(key);
    return out;
  }
  bool is_silent = silent(*node, now_ms, out);
  auto status = is_silent ? health(*node, now_ms) : std::nullopt;
  if (status)
    out.calls.push_back(std::move(*status));  // the taints follow on its watch event
  else if (auto spec = taints(*node, is_silent, now_ms, out))
    out.calls.push_back(std::move(*spec));
  evictions(*node, now_ms, out);
  return out;
}

bool NodeLifecycleController::on_reply(const std::string& key, const api::ApiCall& call,
                                       const api::ApiReply& reply) {
  bool token_write = call.resource == "nodes" && call.subresource.empty() &&
                     call.verb == api::ApiVerb::update && token_pending_.erase(key) > 0;
  if (reply.ok()) return true;
  if (call.resource == "pods" && call.verb == api::ApiVerb::remove) {
    expectations_.lower_delete(key, object_key(call.namespace_, call.name));
    return reply.code == 404;  // gone already: what we wanted
  }
  if (token_write) {  // the node was not tainted: its zone's token was not spent
    if (auto node = nodes_.cache().get(key)) limiter_.give_back(zone_of(*node), key);
  }
  return false;  // refused (409: the node changed meanwhile): look again
}

}  // namespace

ControllerFactory node_lifecycle_controller(NodeLifecycleConfig config) {
  return [config](const ControllerContext& context) -> std::unique_ptr<Controller> {
    return std::make_unique<NodeLifecycleController>(context, config);
  };
}

}  // namespace craton::controllers
