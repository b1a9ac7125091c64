// The node agent's service: registration, lease, status, the pods informer (see the header).
#include "actors/agent/service/agent_service.hpp"

#include <kj/exception.h>

#include <utility>

#include "actors/agent/core/node_object.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::agent {
namespace {

namespace k8s = schema::k8s;
using nlohmann::json;

// The labels kubelet keeps in step with the host on every start (updateDefaultLabels); the
// operator's other labels are only set when the Node is created.
const char* const kDefaultLabels[] = {
    "kubernetes.io/hostname",           "kubernetes.io/os",      "kubernetes.io/arch",
    "node.kubernetes.io/instance-type", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
    "beta.kubernetes.io/instance-type"};

api::ApiCall on_node(api::ApiVerb verb, const std::string& name, std::string subresource = "") {
  api::ApiCall c;
  c.verb = verb;
  c.resource = "nodes";
  c.name = name;
  c.subresource = std::move(subresource);
  return c;
}

api::ApiCall merge_patch(api::ApiCall call, const json& patch) {
  call.patch = patch.dump();
  call.patch_type = api::ApiPatchType::merge;
  return call;
}

// The merge patch that brings an existing Node in line with what the agent owns; null when
// nothing differs.
json reconcile_patch(k8s::Node::Reader existing, const std::map<std::string, std::string>& want,
                     const std::string& pod_cidr) {
  std::map<std::string, std::string> have;
  for (auto e : existing.getMetadata().getLabels().getEntries())
    have[e.getKey().cStr()] = e.getValue().cStr();
  json labels = json::object();
  for (const char* key : kDefaultLabels) {
    auto w = want.find(key);
    auto h = have.find(key);
    if (w != want.end() && (h == have.end() || h->second != w->second)) labels[key] = w->second;
  }
  json patch = json::object();
  if (!labels.empty()) patch["metadata"]["labels"] = std::move(labels);
  // spec.podCIDR cannot change once set (the API refuses it): only fill it in.
  if (!pod_cidr.empty() && existing.getSpec().getPodCIDR().size() == 0) {
    patch["spec"]["podCIDR"] = pod_cidr;
    patch["spec"]["podCIDRs"] = json::array({pod_cidr});
  }
  return patch.empty() ? json() : patch;
}

Result<std::string> uid_of(const api::ApiObjectBytes& object) {
  auto message = FlatMessage::open(object.bytes);
  if (!message) return message.error();
  try {
    return std::string(message->root<k8s::Node>().getMetadata().getUid().cStr());
  } catch (const kj::Exception& e) {
    return Error{"malformed",
                 std::string("a Node that does not decode: ") + e.getDescription().cStr()};
  }
}

}  // namespace

AgentService::AgentService(AgentServiceConfig config)
    : config_(std::move(config)),
      api_(api::ApiConnectionConfig{config_.first_correlation, config_.call_timeout_ms}),
      lease_([this] {
        auto lease = config_.lease;
        lease.node_name = config_.node.name;
        return lease;
      }()),
      status_(config_.status) {
  api::ApiCall pods;
  pods.verb = api::ApiVerb::list;
  pods.resource = "pods";
  pods.field_selector = "spec.nodeName=" + config_.node.name;
  pods_ = &api_.informer("pods", pods, capnp::Schema::from<k8s::Pod>());
  pods_->add_handlers({[this](const auto& o) {
                         if (sink_) sink_->pod_added(o, now_ms_);
                       },
                       [this](const auto& old, const auto& o) {
                         if (sink_) sink_->pod_updated(old, o, now_ms_);
                       },
                       [this](const auto& o, bool) {
                         if (sink_) sink_->pod_deleted(o, now_ms_);
                       }});
  // What the pods' configMap and secret volumes and env references read. The kubelet watches
  // only the objects its pods name; every one is watched here (simpler, and a bound to add).
  if (auto sources = config_.volume_sources) {
    api::ApiCall config_maps;
    config_maps.verb = api::ApiVerb::list;
    config_maps.resource = "configmaps";
    api_.informer("configmaps", config_maps, capnp::Schema::from<k8s::ConfigMap>())
        .add_handlers({[sources](const auto& o) { sources->upsert_config_map(o); },
                       [sources](const auto&, const auto& o) { sources->upsert_config_map(o); },
                       [sources](const auto& o, bool) {
                         sources->remove_config_map(o.name_space(), o.name());
                       }});
    api::ApiCall secrets;
    secrets.verb = api::ApiVerb::list;
    secrets.resource = "secrets";
    api_.informer("secrets", secrets, capnp::Schema::from<k8s::Secret>())
        .add_handlers(
            {[sources](const auto& o) { sources->upsert_secret(o); },
             [sources](const auto&, const auto& o) { sources->upsert_secret(o); },
             [sources](const auto& o, bool) { sources->remove_secret(o.name_space(), o.name()); }});
  }
}

Result<std::unique_ptr<AgentService>> AgentService::create(AgentServiceConfig config) {
  if (auto checked = check_node_config(config.node); !checked) return checked.error();
  return std::unique_ptr<AgentService>(new AgentService(std::move(config)));
}

void AgentService::set_host_facts(HostFacts facts) {
  facts_ = std::move(facts);
  ++status_inputs_;
}

std::int64_t AgentService::wall_ms(std::int64_t now_ms) const {
  return config_.wall_clock_base_s * 1000 + now_ms;
}

api::ApiComponent::Sends AgentService::pump(std::int64_t now_ms) {
  now_ms_ = now_ms;
  act_wanted_ = false;
  if (!registered_) register_node(now_ms);
  if (registered_) {
    renew_lease(now_ms);
    post_status(now_ms);
  }
  if (sink_) sink_->tick(now_ms);
  return api_.take_sends();
}

// ---- Registration.

void AgentService::register_node(std::int64_t now_ms) {
  if (registering_ || !facts_ || now_ms < register_due_ms_) return;
  auto conditions = node_conditions(*facts_, config_.node, health_);
  condition_times_.stamp(conditions, wall_ms(now_ms));
  auto node = node_object_bytes(node_json(*facts_, config_.node, conditions));
  if (!node) {  // a bug of node_json, not an input: say it and retry later
    ++counters_.register_failures;
    register_due_ms_ = now_ms + config_.register_retry_ms;
    return;
  }
  auto call = on_node(api::ApiVerb::create, "");
  call.object = std::move(*node);
  registering_ = true;
  api_.call(
      std::move(call),
      [this](const api::ApiReply& reply) {
        if (reply.ok()) return registered_as(reply, now_ms_);
        if (reply.code != 409) return register_failed(reply, now_ms_);
        // It exists (an earlier run of this agent, or made by hand): read it and reconcile.
        api_.call(
            on_node(api::ApiVerb::get, config_.node.name),
            [this](const api::ApiReply& got) { reconcile_existing(got, now_ms_); }, now_ms_);
      },
      now_ms);
}

void AgentService::reconcile_existing(const api::ApiReply& reply, std::int64_t now_ms) {
  if (!reply.ok()) return register_failed(reply, now_ms);
  auto message = FlatMessage::open(reply.object.bytes);
  if (!message) return register_failed(reply, now_ms);
  json patch;
  try {
    patch = reconcile_patch(message->root<k8s::Node>(), node_labels(*facts_, config_.node),
                            config_.node.pod_cidr);
  } catch (const kj::Exception&) {
    return register_failed(reply, now_ms);
  }
  if (patch.is_null()) return registered_as(reply, now_ms);
  api_.call(
      merge_patch(on_node(api::ApiVerb::patch, config_.node.name), patch),
      [this](const api::ApiReply& patched) {
        if (patched.ok()) return registered_as(patched, now_ms_);
        register_failed(patched, now_ms_);
      },
      now_ms);
}

void AgentService::registered_as(const api::ApiReply& reply, std::int64_t now_ms) {
  auto uid = uid_of(reply.object);
  if (!uid) return register_failed(reply, now_ms);
  registering_ = false;
  registered_ = true;
  node_uid_ = *uid;
  lease_.set_owner(node_uid_);
  ++counters_.registrations;
  // The next pass posts the status at once: the Node may be one a previous run left behind.
  renew_lease(now_ms);
  post_status(now_ms);
}

void AgentService::register_failed(const api::ApiReply&, std::int64_t now_ms) {
  registering_ = false;
  ++counters_.register_failures;
  register_due_ms_ = now_ms + config_.register_retry_ms;
}

// ---- Heartbeats.

void AgentService::renew_lease(std::int64_t now_ms) {
  auto next = lease_.next(now_ms);
  if (!next) return;
  auto id = next->id;
  api_.call(
      std::move(next->call),
      [this, id](const api::ApiReply& reply) { lease_.on_reply(id, reply, now_ms_); }, now_ms);
}

void AgentService::post_status(std::int64_t now_ms) {
  if (!facts_ || status_.in_flight()) return;
  // The status is a function of the facts, the node's config and its health, heartbeat times
  // aside (the fingerprint leaves them out): while those hold, its fingerprint is the last one,
  // so the JSON (every tick's main cost at 5,000 simulated nodes) is built only when they
  // change or a post is due.
  if (fingerprint_ && fingerprinted_inputs_ == status_inputs_ &&
      !status_.due(*fingerprint_, now_ms))
    return;
  auto conditions = node_conditions(*facts_, config_.node, health_);
  condition_times_.stamp(conditions, wall_ms(now_ms));
  auto status = node_status_json(*facts_, config_.node, conditions);
  auto fingerprint = status_fingerprint(status);
  fingerprint_ = fingerprint;
  fingerprinted_inputs_ = status_inputs_;
  if (!status_.due(fingerprint, now_ms)) return;
  status_.sent(fingerprint, now_ms);
  api_.call(
      merge_patch(on_node(api::ApiVerb::patch, config_.node.name, "status"),
                  json{{"status", std::move(status)}}),
      [this](const api::ApiReply& reply) {
        status_.answered(reply.ok(), now_ms_);
        ++(reply.ok() ? counters_.status_posts : counters_.status_failures);
      },
      now_ms);
}

// ---- ApiComponent.

api::ApiComponent::Sends AgentService::tick(std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.tick(now_ms);
  return pump(now_ms);
}

api::ApiComponent::Sends AgentService::on_reply(std::uint64_t correlation,
                                                const api::ApiReply& reply, std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.on_reply(correlation, reply, now_ms);
  act_wanted_ = true;
  return api_.take_sends();
}

api::ApiComponent::Sends AgentService::on_event(std::uint64_t correlation,
                                                const api::ApiEvent& event, std::int64_t now_ms) {
  now_ms_ = now_ms;
  api_.on_event(correlation, event, now_ms);
  act_wanted_ = true;
  return api_.take_sends();
}

void AgentService::call(api::ApiCall call, api::ApiConnection::Done done, std::int64_t now_ms) {
  api_.call(std::move(call), std::move(done), now_ms);
}

}  // namespace craton::agent
