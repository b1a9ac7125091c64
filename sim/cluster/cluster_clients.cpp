// The cluster scenario's deployer and pods auditor (see the header).
#include "sim/cluster/cluster_clients.hpp"

#include <capnp/message.h>

#include <algorithm>
#include <optional>

#include "actors/api/client/api_protocol.hpp"
#include "runtime/assert.hpp"
#include "runtime/correlation.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_pod.capnp.h"
#include "sim/api/actor_informer.hpp"
#include "sim/api/api_clients.hpp"
#include "sim/controllers/workload_clients.hpp"

namespace craton::sim {
namespace {

namespace k8s = schema::k8s;
using api::ApiVerb;

using tick_atom = caf::atom_constant<caf::atom("cl_tick")>;
constexpr std::int64_t kTickMs = 200;

// ---- The deployer.

constexpr std::size_t kDeployerCreatesMax = 64;

struct DeployerState {
  struct Create {
    ClusterDeploymentConfig config;
    std::uint64_t correlation = 0;  ///< in flight (0: not)
    std::int64_t sent_ms = 0;
    bool created = false;
  };
  std::unique_ptr<ActorEnv> env;
  std::vector<Create> creates;
  std::size_t left = 0;  ///< creates not yet created
  ObservationSink observe;
  std::uint64_t next_correlation = 1;
  std::int64_t call_timeout_ms = 0;
  static inline const char* name = "craton.cluster-deployer";
};
using DeployerActor = caf::stateful_actor<DeployerState>;

// Sends the creates not done and not in flight (or timed out), at most kDeployerCreatesMax in
// flight, in order.
void deployer_step(DeployerActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  std::size_t in_flight = 0;
  for (const auto& c : st.creates)
    in_flight += !c.created && c.correlation != 0 && now - c.sent_ms < st.call_timeout_ms;
  for (auto& c : st.creates) {
    if (in_flight >= kDeployerCreatesMax) break;
    if (c.created || (c.correlation != 0 && now - c.sent_ms < st.call_timeout_ms)) continue;
    auto call = api_call_on("apps", "deployments", ApiVerb::create, c.config.namespace_);
    call.object = cluster_deployment_bytes(c.config);
    c.correlation = st.next_correlation++;
    c.sent_ms = now;
    ++in_flight;
    send_api_call(self, *st.env, c.correlation, call);
  }
}

caf::behavior deployer(DeployerActor* self, NodeContext node, ObservationSink observe,
                       ClusterDeploymentConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "deployer");
  st.call_timeout_ms = config.call_timeout_ms;
  for (auto& one : cluster_deployments(config)) st.creates.push_back({std::move(one)});
  st.left = st.creates.size();
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(config.create_after_ms)),
                     tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (!body.isApiResponse()) return;
          auto c = std::find_if(st.creates.begin(), st.creates.end(),
                                [&](const auto& c) { return c.correlation == correlation; });
          if (correlation == 0 || c == st.creates.end()) return;
          auto reply = api::read_api_reply(body.getApiResponse());
          c->correlation = 0;
          st.observe(TextEvent{"deployer " + c->config.name + " create " +
                               std::to_string(reply.code) + " " + reply.failure.message});
          if (c->created || !(reply.ok() || reply.code == 409)) return;  // retried on the tick
          c->created = true;
          if (--st.left > 0) deployer_step(self);  // the next create takes its place
        });
      },
      [self](tick_atom) {
        deployer_step(self);
        if (self->state.left > 0)
          self->delayed_send(self, self->state.env->timer(std::chrono::milliseconds(kTickMs)),
                             tick_atom::value);
      },
  };
}

// ---- The pods auditor.

struct AuditorState {
  std::unique_ptr<ActorEnv> env;
  ObservationSink observe;
  std::unique_ptr<ActorInformer> pods;
  std::uint64_t next_correlation = 1;
  std::optional<PodsView> reported;
  std::int64_t audit_every_ms = 0;  ///< 0: after every change
  std::int64_t audited_ms = 0;      ///< when the last full audit ran
  bool dirty = false;               ///< a change not audited yet (audit_every_ms > 0)
  static inline const char* name = "craton.pods-auditor";
};
using AuditorActor = caf::stateful_actor<AuditorState>;

bool is_ready(k8s::Pod::Reader pod) {
  for (auto c : pod.getStatus().getConditions())
    if (c.getType() == "Ready") return c.getStatus() == "True";
  return false;
}

void audit(AuditorActor* self) {
  auto& st = self->state;
  if (!st.pods->informer().synced()) return;
  // A view lists every pod: at scale (150,000 pods) one per change is quadratic, so a scale
  // run audits at most once per audit_every_ms of simulated time, on the tick.
  if (st.audit_every_ms > 0) {
    auto now = st.env->now_ms(self);
    if (now - st.audited_ms < st.audit_every_ms) {
      st.dirty = true;
      return;
    }
    st.audited_ms = now;
    st.dirty = false;
  }
  PodsView view;
  view.revision = std::int64_t(st.pods->informer().resource_version());
  for (const auto& o : st.pods->informer().cache().list()) {
    auto pod = o.as<k8s::Pod>();
    PodsView::Pod p;
    p.name = o.name_space() + "/" + o.name();
    p.node = pod.getSpec().getNodeName();
    p.phase = pod.getStatus().getPhase();
    p.ready = is_ready(pod);
    p.terminating = pod.getMetadata().getDeletionTimestamp().size() > 0;
    for (auto c : pod.getStatus().getConditions())
      if (c.getType() == "DisruptionTarget" && c.getStatus() == "True")
        p.preempted = c.getReason() == "PreemptionByScheduler";
    for (auto e : pod.getMetadata().getAnnotations().getEntries())
      if (e.getKey() == "craton.io/gpu-index") p.gpu_index = e.getValue();
    view.pods[o.uid()] = std::move(p);
  }
  // Only what the checker reads counts as a change (status writes move the revision alone).
  if (st.reported && st.reported->pods == view.pods) return;
  st.reported = view;
  st.observe(std::move(view));
}

caf::behavior auditor(AuditorActor* self, NodeContext node, ObservationSink observe,
                      std::int64_t audit_every_ms) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.audit_every_ms = audit_every_ms;
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "pods-auditor");
  st.pods = std::make_unique<ActorInformer>("", "pods", capnp::Schema::from<k8s::Pod>());
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(kTickMs)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (st.pods->take(self, *st.env, st.next_correlation, correlation, body)) audit(self);
        });
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.pods->tick(self, *st.env, st.next_correlation);
        if (st.dirty) audit(self);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(kTickMs)),
                           tick_atom::value);
      },
  };
}

void tolerate(k8s::Toleration::Builder t, const char* key, std::int64_t seconds) {
  t.setKey(key);
  t.setOperator("Exists");
  t.setEffect("NoExecute");
  t.initTolerationSeconds().setValue(seconds);
}

}  // namespace

std::vector<ClusterDeploymentConfig> cluster_deployments(const ClusterDeploymentConfig& config) {
  CRATON_ASSERT(config.deployments >= 1 && config.deployments <= std::max(1, config.replicas),
                "between one Deployment and one per replica");
  if (config.deployments == 1) return {config};
  std::vector<ClusterDeploymentConfig> out;
  for (int i = 0; i < config.deployments; ++i) {
    auto one = config;
    one.deployments = 1;
    one.name = config.name + "-" + std::to_string(i);
    one.replicas =
        config.replicas / config.deployments + (i < config.replicas % config.deployments);
    out.push_back(std::move(one));
  }
  return out;
}

std::string cluster_deployment_bytes(const ClusterDeploymentConfig& config) {
  // The controllers scenario's Deployment (one container "c", image img:0, app=<name>), with
  // a rolling update of surge 1, unavailable 1, and what this scenario adds.
  auto base = FlatMessage::open(
      sim_deployment_bytes(config.namespace_, config.name, config.replicas, 1, 1));
  capnp::MallocMessageBuilder message;
  message.setRoot(base->root<k8s::Deployment>());
  auto spec = message.getRoot<k8s::Deployment>().getSpec().getTemplate().getSpec();
  spec.initTerminationGracePeriodSeconds().setValue(config.grace_period_s);
  auto tolerations = spec.initTolerations(2);
  tolerate(tolerations[0], "node.kubernetes.io/unreachable", config.toleration_s);
  tolerate(tolerations[1], "node.kubernetes.io/not-ready", config.toleration_s);
  return flat_bytes(message);
}

caf::actor spawn_cluster_deployer(caf::actor_system& sys, const NodeContext& node,
                                  ObservationSink observe, ClusterDeploymentConfig config) {
  return sys.spawn(deployer, node, std::move(observe), std::move(config));
}

caf::actor spawn_pods_auditor(caf::actor_system& sys, const NodeContext& node,
                              ObservationSink observe, std::int64_t audit_every_ms) {
  return sys.spawn(auditor, node, std::move(observe), audit_every_ms);
}

}  // namespace craton::sim
