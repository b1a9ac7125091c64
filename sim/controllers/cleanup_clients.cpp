// The controllers scenario's deleter and ownership auditor (see the header).
#include "sim/controllers/cleanup_clients.hpp"

#include <capnp/message.h>

#include <optional>
#include <set>
#include <vector>

#include "runtime/correlation.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_apps.capnp.h"
#include "schemas/api_meta.capnp.h"
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

// ---- The deleter.

// One call of the deleter's script: sent when its time has come, again until answered.
struct Step {
  api::ApiCall call;
  std::int64_t not_before_ms = 0;  ///< after the deleter's first tick
  int done_code = 409;             ///< besides 2xx, the answer that means "already done"
  std::optional<DeletionEvent> deletion;
};

std::string namespace_bytes(const std::string& name) {
  capnp::MallocMessageBuilder message;
  message.initRoot<k8s::Namespace>().getMetadata().setName(name);
  return flat_bytes(message);
}

std::vector<Step> deleter_script(const std::string& node, const DeleterConfig& config) {
  std::vector<Step> steps;
  auto ns = "ns-" + node;
  auto create_ns = api_call_on("", "namespaces", ApiVerb::create, "");
  create_ns.object = namespace_bytes(ns);
  steps.push_back({create_ns});
  auto create_w = api_call_on("apps", "deployments", ApiVerb::create, ns);
  create_w.object = sim_deployment_bytes(ns, "w", config.replicas, 1, 1);
  steps.push_back({create_w});
  const char* policies[] = {"Background", "Foreground", "Orphan"};
  std::vector<std::string> names;
  for (std::string policy : policies) {
    std::string lower = policy;
    lower[0] = char(lower[0] - 'A' + 'a');
    names.push_back("g-" + node + "-" + lower);
    auto create = api_call_on("apps", "deployments", ApiVerb::create, "default");
    create.object = sim_deployment_bytes("default", names.back(), config.replicas, 1, 1);
    steps.push_back({create});
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto del = api_call_on("apps", "deployments", ApiVerb::remove, "default", names[i]);
    del.propagation_policy = policies[i];
    steps.push_back({del, config.delete_after_ms, 404,
                     DeletionEvent{"deployments", "default", names[i], policies[i]}});
  }
  auto del_ns = api_call_on("", "namespaces", ApiVerb::remove, "", ns);
  steps.push_back({del_ns, config.delete_after_ms, 404, DeletionEvent{"namespaces", "", ns, ""}});
  return steps;
}

struct DeleterState {
  std::unique_ptr<ActorEnv> env;
  DeleterConfig config;
  ObservationSink observe;
  std::vector<Step> steps;
  std::size_t next = 0;  ///< the step in flight or due
  std::uint64_t next_correlation = 1;
  std::uint64_t correlation = 0;  ///< the call in flight (0: none)
  std::int64_t sent_ms = 0;
  std::optional<std::int64_t> started_ms;
  static inline const char* name = "craton.deleter";
};
using DeleterActor = caf::stateful_actor<DeleterState>;

void deleter_step(DeleterActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  if (!st.started_ms) st.started_ms = now;  // clocks start anywhere: time is relative
  if (st.next >= st.steps.size()) return;
  if (st.correlation != 0 && now - st.sent_ms < st.config.call_timeout_ms) return;
  const auto& step = st.steps[st.next];
  if (now - *st.started_ms < step.not_before_ms) return;
  st.correlation = st.next_correlation++;
  st.sent_ms = now;
  send_api_call(self, *st.env, st.correlation, step.call);
}

void deleter_answered(DeleterActor* self, const api::ApiReply& reply) {
  auto& st = self->state;
  st.correlation = 0;
  const auto& step = st.steps[st.next];
  auto what = std::string(step.call.verb == ApiVerb::create ? "create " : "delete ") +
              step.call.resource + " " + step.call.namespace_ + "/" + step.call.name;
  st.observe(TextEvent{"deleter " + what + " " + std::to_string(reply.code) + " " +
                       reply.failure.message});
  if (reply.ok() || reply.code == step.done_code) {
    if (step.deletion) st.observe(*step.deletion);
    ++st.next;
    return;
  }
  // Faults answer 5xx, 429 or a timeout (no leader, store unreachable): try again. Any other
  // refusal is the script's fault, not the cluster's; the deleter stops there.
  if (reply.code < 500 && reply.code != 429 && reply.code != 408) {
    st.observe(TextEvent{"deleter stops: " + what + " refused"});
    st.next = st.steps.size();
  }
}

caf::behavior deleter(DeleterActor* self, NodeContext node, ObservationSink observe,
                      DeleterConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  if (node.incarnation == 0) st.steps = deleter_script(node.node_id, config);  // see the header
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "deleter");
  st.config = config;
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(500)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          if (correlation != self->state.correlation || !body.isApiResponse()) return;
          deleter_answered(self, api::read_api_reply(body.getApiResponse()));
        });
      },
      [self](tick_atom) {
        deleter_step(self);
        self->delayed_send(self, self->state.env->timer(std::chrono::milliseconds(kTickMs)),
                           tick_atom::value);
      },
  };
}

// ---- The ownership auditor.

struct OwnershipState {
  std::unique_ptr<ActorEnv> env;
  ObservationSink observe;
  std::unique_ptr<ActorInformer> namespaces, deployments, sets, pods;
  std::uint64_t next_correlation = 1;
  std::optional<OwnershipSample> reported;
  static inline const char* name = "craton.ownership-auditor";
};
using OwnershipActor = caf::stateful_actor<OwnershipState>;

std::string app_label(k8s::ObjectMeta::Reader meta) {
  for (auto e : meta.getLabels().getEntries())
    if (e.getKey() == "app") return e.getValue();
  return "";
}

void audit_ownership(OwnershipActor* self) {
  auto& st = self->state;
  ActorInformer* all[] = {st.namespaces.get(), st.deployments.get(), st.sets.get(), st.pods.get()};
  OwnershipSample sample;
  for (auto* i : all) {
    if (!i->informer().synced()) return;
    sample.revision = std::max(sample.revision, std::int64_t(i->informer().resource_version()));
  }
  for (const auto& o : st.namespaces->informer().cache().list()) sample.namespaces.insert(o.name());
  std::set<std::string> deployment_uids, set_uids;
  for (const auto& o : st.deployments->informer().cache().list()) deployment_uids.insert(o.uid());
  for (const auto& o : st.sets->informer().cache().list()) set_uids.insert(o.uid());
  auto visit = [&](const api::InformerObject& o, const char* kind, k8s::ObjectMeta::Reader meta) {
    ++sample.objects_by_namespace[o.name_space()];
    if (auto app = app_label(meta); !app.empty()) ++sample.objects_by_app[app];
    for (auto ref : meta.getOwnerReferences()) {
      const std::set<std::string>* owners = ref.getKind() == "Deployment"   ? &deployment_uids
                                            : ref.getKind() == "ReplicaSet" ? &set_uids
                                                                            : nullptr;
      if (owners != nullptr && !owners->count(ref.getUid()))
        sample.dangling.push_back(std::string(kind) + " " + o.key() + " -> " +
                                  std::string(ref.getKind()) + " " + std::string(ref.getUid()));
    }
  };
  for (const auto& o : st.deployments->informer().cache().list())
    visit(o, "deployment", o.as<k8s::Deployment>().getMetadata());
  for (const auto& o : st.sets->informer().cache().list())
    visit(o, "replicaset", o.as<k8s::ReplicaSet>().getMetadata());
  for (const auto& o : st.pods->informer().cache().list())
    visit(o, "pod", o.as<k8s::Pod>().getMetadata());
  // Only a change is news (the revision alone moves with every write anywhere).
  auto same = [&](const OwnershipSample& a) {
    return a.namespaces == sample.namespaces &&
           a.objects_by_namespace == sample.objects_by_namespace &&
           a.objects_by_app == sample.objects_by_app && a.dangling == sample.dangling;
  };
  if (st.reported && same(*st.reported)) return;
  st.reported = sample;
  st.observe(std::move(sample));
}

caf::behavior ownership_auditor(OwnershipActor* self, NodeContext node, ObservationSink observe) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "ownership");
  st.namespaces =
      std::make_unique<ActorInformer>("", "namespaces", capnp::Schema::from<k8s::Namespace>());
  st.deployments = std::make_unique<ActorInformer>("apps", "deployments",
                                                   capnp::Schema::from<k8s::Deployment>());
  st.sets = std::make_unique<ActorInformer>("apps", "replicasets",
                                            capnp::Schema::from<k8s::ReplicaSet>());
  st.pods = std::make_unique<ActorInformer>("", "pods", capnp::Schema::from<k8s::Pod>());
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(kTickMs)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          for (auto* i : {st.namespaces.get(), st.deployments.get(), st.sets.get(), st.pods.get()})
            if (i->take(self, *st.env, st.next_correlation, correlation, body))
              return audit_ownership(self);
        });
      },
      [self](tick_atom) {
        auto& st = self->state;
        for (auto* i : {st.namespaces.get(), st.deployments.get(), st.sets.get(), st.pods.get()})
          i->tick(self, *st.env, st.next_correlation);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(kTickMs)),
                           tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_deleter(caf::actor_system& sys, const NodeContext& node, ObservationSink observe,
                         DeleterConfig config) {
  return sys.spawn(deleter, node, std::move(observe), config);
}

caf::actor spawn_ownership_auditor(caf::actor_system& sys, const NodeContext& node,
                                   ObservationSink observe) {
  return sys.spawn(ownership_auditor, node, std::move(observe));
}

}  // namespace craton::sim
