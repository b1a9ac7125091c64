// The controllers scenario's deployer, fake kubelet and auditor (see the header).
#include "sim/controllers/workload_clients.hpp"

#include <capnp/message.h>

#include <map>
#include <optional>
#include <set>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/client/kube_time.hpp"
#include "runtime/correlation.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_pod.capnp.h"
#include "sim/api/actor_informer.hpp"
#include "sim/api/api_clients.hpp"

namespace craton::sim {
namespace {

namespace k8s = schema::k8s;
using api::ApiVerb;

using tick_atom = caf::atom_constant<caf::atom("wl_tick")>;
constexpr const char* kNamespace = "default";

api::ApiCall call_on(const char* group, const char* resource, ApiVerb verb,
                     const std::string& name = "") {
  return api_call_on(group, resource, verb, kNamespace, name);
}

// ---- The deployer.

struct DeployerState {
  std::unique_ptr<ActorEnv> env;
  DeployerConfig config;
  ObservationSink observe;
  std::string deployment;
  std::uint64_t next_correlation = 1;
  std::uint64_t correlation = 0;  ///< the call in flight (0: none)
  std::int64_t sent_ms = 0;
  bool created = false;
  bool rolls = false;                      ///< only the first incarnation rolls (see the header)
  std::optional<std::int64_t> started_ms;  ///< its first tick, by its clock (may be < 0)
  std::int64_t next_change_ms = 0;
  static inline const char* name = "craton.deployer";
};
using DeployerActor = caf::stateful_actor<DeployerState>;

std::string deployment_bytes(const DeployerState& st) {
  return sim_deployment_bytes(kNamespace, st.deployment, st.config.replicas, st.config.max_surge,
                              st.config.max_unavailable);
}

void deployer_step(DeployerActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  if (!st.started_ms) st.started_ms = now;  // clocks start anywhere: time is relative
  if (st.correlation != 0 && now - st.sent_ms < st.config.call_timeout_ms) return;
  st.correlation = 0;
  if (!st.created) {
    auto call = call_on("apps", "deployments", ApiVerb::create);
    call.object = deployment_bytes(st);
    st.correlation = st.next_correlation++;
    st.sent_ms = now;
    return send_api_call(self, *st.env, st.correlation, call);
  }
  if (!st.rolls || now < st.next_change_ms || now - *st.started_ms >= st.config.stop_after_ms)
    return;
  auto call = call_on("apps", "deployments", ApiVerb::patch, st.deployment);
  call.patch_type = api::ApiPatchType::merge;
  call.patch = R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"img:)" +
               std::to_string(st.env->rng().next() % 1000000) + R"("}]}}}})";
  st.correlation = st.next_correlation++;
  st.sent_ms = now;
  st.next_change_ms = now + st.config.period_ms;
  send_api_call(self, *st.env, st.correlation, call);
}

caf::behavior deployer(DeployerActor* self, NodeContext node, ObservationSink observe,
                       DeployerConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.deployment = "d-" + node.node_id;
  st.rolls = node.incarnation == 0;  // the world starts nodes at 0
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "deployer");
  st.config = config;
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(500)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (correlation != st.correlation || !body.isApiResponse()) return;
          auto reply = api::read_api_reply(body.getApiResponse());
          st.correlation = 0;
          st.observe(TextEvent{"deployer " + st.deployment + " " +
                               (st.created ? "rollout " : "create ") + std::to_string(reply.code) +
                               " " + reply.failure.message});
          if (!st.created && (reply.ok() || reply.code == 409)) {
            st.created = true;
            st.next_change_ms = st.env->now_ms(self) + st.config.period_ms;
          }
        });
      },
      [self](tick_atom) {
        deployer_step(self);
        self->delayed_send(self, self->state.env->timer(std::chrono::milliseconds(200)),
                           tick_atom::value);
      },
  };
}

// ---- The fake kubelet.

struct KubeletState {
  std::unique_ptr<ActorEnv> env;
  FakeKubeletConfig config;
  std::unique_ptr<ActorInformer> pods;
  std::uint64_t next_correlation = 1;
  std::map<std::uint64_t, std::string> calls;  ///< correlation -> pod key
  std::map<std::string, std::int64_t> sent;    ///< pod key -> when its status was sent
  static inline const char* name = "craton.fake-kubelet";
};
using KubeletActor = caf::stateful_actor<KubeletState>;

bool running_and_ready(k8s::Pod::Reader pod) {
  if (pod.getStatus().getPhase() != "Running") return false;
  for (auto c : pod.getStatus().getConditions())
    if (c.getType() == "Ready") return c.getStatus() == "True";
  return false;
}

void kubelet_tick(KubeletActor* self) {
  auto& st = self->state;
  st.pods->tick(self, *st.env, st.next_correlation);
  auto now = st.env->now_ms(self);
  for (auto it = st.sent.begin(); it != st.sent.end();)
    it = now - it->second >= st.config.call_timeout_ms ? st.sent.erase(it) : std::next(it);
  if (!st.pods->informer().synced()) return;
  for (const auto& o : st.pods->informer().cache().list()) {
    auto pod = o.as<k8s::Pod>();
    if (st.sent.count(o.key())) continue;
    if (pod.getMetadata().getDeletionTimestamp().size() > 0) {
      // Deleted gracefully: its (fake) processes stop at once, so it goes now, as a node
      // agent ends a pod (grace 0, uid precondition).
      auto call = call_on("", "pods", ApiVerb::remove, o.name());
      call.namespace_ = o.name_space();
      call.object = api::delete_options(0, o.uid());
      auto correlation = st.next_correlation++;
      st.calls[correlation] = o.key();
      st.sent[o.key()] = now;
      send_api_call(self, *st.env, correlation, call);
      continue;
    }
    if (running_and_ready(pod)) continue;
    capnp::MallocMessageBuilder message;
    message.setRoot(pod);
    auto status = message.getRoot<k8s::Pod>().getStatus();
    status.setPhase("Running");
    auto ready = status.initConditions(1)[0];
    ready.setType("Ready");
    ready.setStatus("True");
    ready.setLastTransitionTime(api::format_rfc3339(st.config.wall_clock_base_s + now / 1000));
    auto call = call_on("", "pods", ApiVerb::update, o.name());
    call.namespace_ = o.name_space();
    call.subresource = "status";
    call.object = flat_bytes(message);
    auto correlation = st.next_correlation++;
    st.calls[correlation] = o.key();
    st.sent[o.key()] = now;
    send_api_call(self, *st.env, correlation, call);
  }
}

caf::behavior fake_kubelet(KubeletActor* self, NodeContext node, FakeKubeletConfig config) {
  auto& st = self->state;
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "kubelet");
  st.config = config;
  st.pods = std::make_unique<ActorInformer>("", "pods", capnp::Schema::from<k8s::Pod>());
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(config.tick_ms)),
                     tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (st.pods->take(self, *st.env, st.next_correlation, correlation, body)) return;
          if (auto it = st.calls.find(correlation); it != st.calls.end()) {
            st.sent.erase(it->second);
            st.calls.erase(it);
          }
        });
      },
      [self](tick_atom) {
        kubelet_tick(self);
        self->delayed_send(
            self, self->state.env->timer(std::chrono::milliseconds(self->state.config.tick_ms)),
            tick_atom::value);
      },
  };
}

// ---- The auditor.

struct AuditorState {
  std::unique_ptr<ActorEnv> env;
  ObservationSink observe;
  std::unique_ptr<ActorInformer> pods, sets;
  std::uint64_t next_correlation = 1;
  std::map<std::pair<int, std::string>, WorkloadSample> reported;
  static inline const char* name = "craton.auditor";
};
using AuditorActor = caf::stateful_actor<AuditorState>;

std::optional<std::string> controller_name(k8s::ObjectMeta::Reader meta) {
  for (auto ref : meta.getOwnerReferences())
    if (ref.getController()) return std::string(ref.getName());
  return std::nullopt;
}

void report(AuditorActor* self, WorkloadSample sample) {
  auto& st = self->state;
  auto key = std::make_pair(int(sample.kind), sample.workload);
  auto it = st.reported.find(key);
  if (it != st.reported.end() && it->second.counts == sample.counts &&
      it->second.generations == sample.generations && it->second.ready == sample.ready)
    return;
  st.reported[key] = sample;
  st.observe(std::move(sample));
}

void audit(AuditorActor* self) {
  auto& st = self->state;
  std::map<std::string, WorkloadSample> samples;
  if (st.sets->informer().synced()) {
    for (const auto& o : st.sets->informer().cache().list()) {
      auto rs = o.as<k8s::ReplicaSet>();
      auto owner = controller_name(rs.getMetadata());
      if (!owner || owner->rfind("d-", 0) != 0) continue;
      auto& s = samples[*owner];
      s.kind = WorkloadSample::Kind::replica_sets;
      s.workload = *owner;
      s.revision = std::int64_t(st.sets->informer().resource_version());
      s.counts[o.name()] = rs.getSpec().hasReplicas() ? rs.getSpec().getReplicas().getValue() : 1;
      s.generations[o.name()] = rs.getMetadata().getGeneration();
    }
    for (auto& [name, s] : samples) report(self, std::move(s));
  }
  samples.clear();
  if (!st.pods->informer().synced()) return;
  for (const auto& o : st.pods->informer().cache().list()) {
    auto pod = o.as<k8s::Pod>();
    std::string app;
    for (auto e : pod.getMetadata().getLabels().getEntries())
      if (e.getKey() == "app") app = e.getValue();
    auto owner = controller_name(pod.getMetadata());
    if (app.rfind("d-", 0) != 0 || !owner) continue;
    auto phase = pod.getStatus().getPhase();
    if (phase == "Succeeded" || phase == "Failed" ||
        pod.getMetadata().getDeletionTimestamp().size() > 0)
      continue;
    auto& s = samples[app];
    s.kind = WorkloadSample::Kind::pods;
    s.workload = app;
    s.revision = std::int64_t(st.pods->informer().resource_version());
    ++s.counts[*owner];
    s.ready += running_and_ready(pod);
  }
  for (auto& [name, s] : samples) report(self, std::move(s));
}

caf::behavior auditor(AuditorActor* self, NodeContext node, ObservationSink observe) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "auditor");
  st.pods = std::make_unique<ActorInformer>("", "pods", capnp::Schema::from<k8s::Pod>());
  st.sets = std::make_unique<ActorInformer>("apps", "replicasets",
                                            capnp::Schema::from<k8s::ReplicaSet>());
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(200)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (st.pods->take(self, *st.env, st.next_correlation, correlation, body) ||
              st.sets->take(self, *st.env, st.next_correlation, correlation, body))
            audit(self);
        });
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.pods->tick(self, *st.env, st.next_correlation);
        st.sets->tick(self, *st.env, st.next_correlation);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(200)), tick_atom::value);
      },
  };
}

}  // namespace

std::string sim_deployment_bytes(const std::string& namespace_, const std::string& name,
                                 int replicas, int max_surge, int max_unavailable) {
  capnp::MallocMessageBuilder message;
  auto d = message.initRoot<k8s::Deployment>();
  d.getMetadata().setName(name);
  d.getMetadata().setNamespace(namespace_);
  auto spec = d.initSpec();
  spec.initReplicas().setValue(replicas);
  auto match = spec.initSelector().initMatchLabels().initEntries(1)[0];
  match.setKey("app");
  match.setValue(name);
  auto label = spec.initTemplate().initMetadata().initLabels().initEntries(1)[0];
  label.setKey("app");
  label.setValue(name);
  auto container = spec.getTemplate().initSpec().initContainers(1)[0];
  container.setName("c");
  container.setImage("img:0");
  auto strategy = spec.initStrategy();
  strategy.setType("RollingUpdate");
  strategy.initRollingUpdate().initMaxSurge().setIntVal(max_surge);
  strategy.getRollingUpdate().initMaxUnavailable().setIntVal(max_unavailable);
  return flat_bytes(message);
}

caf::actor spawn_deployer(caf::actor_system& sys, const NodeContext& node, ObservationSink observe,
                          DeployerConfig config) {
  return sys.spawn(deployer, node, std::move(observe), config);
}

caf::actor spawn_fake_kubelet(caf::actor_system& sys, const NodeContext& node,
                              FakeKubeletConfig config) {
  return sys.spawn(fake_kubelet, node, config);
}

caf::actor spawn_auditor(caf::actor_system& sys, const NodeContext& node, ObservationSink observe) {
  return sys.spawn(auditor, node, std::move(observe));
}

}  // namespace craton::sim
