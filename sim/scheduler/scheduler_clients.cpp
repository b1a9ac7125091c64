// The scheduler scenario's node registrar, pod creator and auditor (see the header).
#include "sim/scheduler/scheduler_clients.hpp"

#include <capnp/message.h>

#include <functional>
#include <optional>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/client/kube_time.hpp"
#include "actors/api/meta/quantity.hpp"
#include "runtime/correlation.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_meta.capnp.h"
#include "schemas/api_pod.capnp.h"
#include "sim/api/actor_informer.hpp"
#include "sim/api/api_clients.hpp"

namespace craton::sim {
namespace {

namespace k8s = schema::k8s;
using api::ApiVerb;

using tick_atom = caf::atom_constant<caf::atom("sc_tick")>;
constexpr std::int64_t kTickMs = 100;

// ---- Creating objects one at a time, each retried until the API answers it.

/// The next object to create: its name (for the trace) and the call; nullopt: no more.
struct Creation {
  std::string name;
  api::ApiCall call;
};
using NextCreation =
    std::function<std::optional<Creation>(ActorEnv& env, std::size_t index, std::int64_t now_ms)>;

struct CreatorState {
  std::unique_ptr<ActorEnv> env;
  ObservationSink observe;
  NextCreation next;
  std::int64_t period_ms = 0;
  std::int64_t call_timeout_ms = 0;
  std::optional<Creation> pending;  ///< made but not yet answered 2xx or 409
  std::size_t made = 0;             ///< objects answered
  bool done = false;
  std::uint64_t next_correlation = 1;
  std::uint64_t correlation = 0;  ///< the call in flight (0: none)
  std::int64_t sent_ms = 0;
  std::int64_t next_ms = 0;  ///< no new object before this (by its clock)
  static inline const char* name = "craton.sim-creator";
};
using CreatorActor = caf::stateful_actor<CreatorState>;

void creator_step(CreatorActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  if (st.correlation != 0 && now - st.sent_ms < st.call_timeout_ms) return;
  st.correlation = 0;  // none in flight, or unanswered: try again (a 409 will say it was made)
  if (!st.pending) {
    if (st.done || now < st.next_ms) return;
    st.pending = st.next(*st.env, st.made, now);
    if (!st.pending) {
      st.done = true;
      return;
    }
  }
  st.correlation = st.next_correlation++;
  st.sent_ms = now;
  send_api_call(self, *st.env, st.correlation, st.pending->call);
}

void creator_answered(CreatorActor* self, const api::ApiReply& reply) {
  auto& st = self->state;
  st.correlation = 0;
  st.observe(TextEvent{"create " + st.pending->name + " " + std::to_string(reply.code)});
  if (!reply.ok() && reply.code != 409) return;  // retried on the next tick
  st.pending.reset();
  ++st.made;
  st.next_ms = st.env->now_ms(self) + st.period_ms;
}

caf::behavior creator(CreatorActor* self, NodeContext node, const char* role,
                      ObservationSink observe, NextCreation next, std::int64_t period_ms,
                      std::int64_t call_timeout_ms) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.next = std::move(next);
  st.period_ms = period_ms;
  st.call_timeout_ms = call_timeout_ms;
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), role);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(kTickMs)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (correlation != st.correlation || !body.isApiResponse()) return;
          creator_answered(self, api::read_api_reply(body.getApiResponse()));
        });
      },
      [self](tick_atom) {
        creator_step(self);
        self->delayed_send(self, self->state.env->timer(std::chrono::milliseconds(kTickMs)),
                           tick_atom::value);
      },
  };
}

// A StringMap or ResourceList (both lists of StringMap entries), from entries sorted by key.
template <class MapBuilder>
void set_entries(MapBuilder list, const std::vector<std::pair<std::string, std::string>>& sorted) {
  auto entries = list.initEntries(unsigned(sorted.size()));
  for (unsigned i = 0; i < sorted.size(); ++i) {
    entries[i].setKey(sorted[i].first);
    entries[i].setValue(sorted[i].second);
  }
}

std::string zone_of(const std::string& sim_node, std::size_t zones) {
  std::size_t n = 0;
  for (char c : sim_node)
    if (c >= '0' && c <= '9') n = n * 10 + std::size_t(c - '0');
  return "zone-" + std::to_string(zones == 0 ? 0 : n % zones);
}

std::string node_bytes(const std::string& sim_node, const NodeRegistrarConfig& config,
                       const std::string& now_rfc3339) {
  capnp::MallocMessageBuilder message;
  auto node = message.initRoot<k8s::Node>();
  node.setApiVersion("v1");
  node.setKind("Node");
  auto name = sim_node_name(sim_node);
  node.getMetadata().setName(name);
  set_entries(node.getMetadata().initLabels(),
              {{"kubernetes.io/hostname", name},
               {"topology.kubernetes.io/zone", zone_of(sim_node, config.zones)}});
  auto status = node.initStatus();
  std::vector<std::pair<std::string, std::string>> room = {
      {"cpu", config.cpu}, {"memory", config.memory}, {"pods", config.pods}};
  set_entries(status.initCapacity(), room);
  set_entries(status.initAllocatable(), room);
  auto ready = status.initConditions(1)[0];
  ready.setType("Ready");
  ready.setStatus("True");
  ready.setReason("KubeletReady");
  ready.setLastHeartbeatTime(now_rfc3339);
  ready.setLastTransitionTime(now_rfc3339);
  return flat_bytes(message);
}

std::string pod_bytes(const std::string& name, const std::string& cpu, const std::string& memory) {
  capnp::MallocMessageBuilder message;
  auto pod = message.initRoot<k8s::Pod>();
  pod.setApiVersion("v1");
  pod.setKind("Pod");
  pod.getMetadata().setName(name);
  pod.getMetadata().setNamespace("default");
  auto container = pod.initSpec().initContainers(1)[0];
  container.setName("c");
  container.setImage("img:0");
  set_entries(container.initResources().initRequests(), {{"cpu", cpu}, {"memory", memory}});
  return flat_bytes(message);
}

// ---- The auditor.

struct AuditorState {
  std::unique_ptr<ActorEnv> env;
  ObservationSink observe;
  std::unique_ptr<ActorInformer> pods, nodes;
  std::uint64_t next_correlation = 1;
  std::optional<SchedulerView> reported;
  static inline const char* name = "craton.scheduler-auditor";
};
using AuditorActor = caf::stateful_actor<AuditorState>;

// A quantity as the API stored it (canonical); an unreadable one counts as 0 (the API
// validated it on the way in, so this does not happen).
std::int64_t quantity(k8s::ResourceList::Reader list, const char* key, bool milli) {
  for (auto e : list.getEntries()) {
    if (e.getKey() != key) continue;
    auto q = api::Quantity::parse(e.getValue().cStr());
    if (!q) return 0;
    return milli ? q->milli_value() : q->value();
  }
  return 0;
}

SchedulerResources pod_request(k8s::Pod::Reader pod) {
  SchedulerResources r;
  r.pods = 1;
  for (auto c : pod.getSpec().getContainers()) {
    auto requests = c.getResources().getRequests();
    r.cpu_milli += quantity(requests, "cpu", true);
    r.memory_bytes += quantity(requests, "memory", false);
  }
  return r;
}

SchedulerView view_of(const api::Informer& pods, const api::Informer& nodes) {
  SchedulerView view;
  view.revision = std::int64_t(pods.resource_version());
  for (const auto& o : nodes.cache().list()) {
    auto allocatable = o.as<k8s::Node>().getStatus().getAllocatable();
    auto& room = view.nodes[o.name()];
    room.allocatable = {quantity(allocatable, "cpu", true), quantity(allocatable, "memory", false),
                        quantity(allocatable, "pods", false)};
  }
  for (const auto& o : pods.cache().list()) {
    auto pod = o.as<k8s::Pod>();
    auto phase = pod.getStatus().getPhase();
    if (phase == "Succeeded" || phase == "Failed") continue;  // terminal pods hold nothing
    auto& place = view.pods[o.uid()];
    place.name = o.name_space() + "/" + o.name();
    place.node = pod.getSpec().getNodeName().cStr();
    place.request = pod_request(pod);
    if (place.node.empty()) continue;
    auto& requested = view.nodes[place.node].requested;  // an unknown node: allocatable 0
    requested.cpu_milli += place.request.cpu_milli;
    requested.memory_bytes += place.request.memory_bytes;
    requested.pods += place.request.pods;
  }
  return view;
}

void audit(AuditorActor* self) {
  auto& st = self->state;
  if (!st.pods->informer().synced() || !st.nodes->informer().synced()) return;
  auto view = view_of(st.pods->informer(), st.nodes->informer());
  if (st.reported && st.reported->nodes == view.nodes && st.reported->pods == view.pods) return;
  st.reported = view;
  st.observe(std::move(view));
}

caf::behavior auditor(AuditorActor* self, NodeContext node, ObservationSink observe) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "scheduler-auditor");
  st.pods = std::make_unique<ActorInformer>("", "pods", capnp::Schema::from<k8s::Pod>());
  st.nodes = std::make_unique<ActorInformer>("", "nodes", capnp::Schema::from<k8s::Node>());
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(200)), tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        for_each_envelope(wire, [self](std::uint64_t correlation, auto body) {
          auto& st = self->state;
          if (st.pods->take(self, *st.env, st.next_correlation, correlation, body) ||
              st.nodes->take(self, *st.env, st.next_correlation, correlation, body))
            audit(self);
        });
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.pods->tick(self, *st.env, st.next_correlation);
        st.nodes->tick(self, *st.env, st.next_correlation);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(200)), tick_atom::value);
      },
  };
}

}  // namespace

std::string sim_node_name(const std::string& sim_node) {
  return "node-" + sim_node;
}

caf::actor spawn_node_registrar(caf::actor_system& sys, const NodeContext& node,
                                ObservationSink observe, NodeRegistrarConfig config) {
  auto sim_node = node.node_id;
  NextCreation next = [sim_node, config](ActorEnv&, std::size_t index,
                                         std::int64_t now_ms) -> std::optional<Creation> {
    if (index > 0) return std::nullopt;
    auto call = api_call_on("", "nodes", ApiVerb::create, "");
    // A kubelet writes wall time; the node clock's zero is this base (as the fake kubelet's).
    call.object = node_bytes(sim_node, config, api::format_rfc3339(1'800'000'000 + now_ms / 1000));
    return Creation{"node " + sim_node_name(sim_node), std::move(call)};
  };
  return sys.spawn(creator, node, "node-registrar", std::move(observe), std::move(next), 0,
                   config.call_timeout_ms);
}

caf::actor spawn_pod_creator(caf::actor_system& sys, const NodeContext& node,
                             ObservationSink observe, PodCreatorConfig config) {
  auto prefix = "p-" + node.node_id + "-" + std::to_string(node.incarnation) + "-";
  NextCreation next = [prefix, config](ActorEnv& env, std::size_t index,
                                       std::int64_t) -> std::optional<Creation> {
    if (index >= config.pods_max) return std::nullopt;
    auto name = prefix + std::to_string(index);
    const auto& cpu = config.cpu_choices[env.rng().uniform(0, config.cpu_choices.size() - 1)];
    const auto& memory =
        config.memory_choices[env.rng().uniform(0, config.memory_choices.size() - 1)];
    auto call = api_call_on("", "pods", ApiVerb::create, "default");
    call.object = pod_bytes(name, cpu, memory);
    return Creation{"pod default/" + name + " cpu=" + cpu + " memory=" + memory, std::move(call)};
  };
  return sys.spawn(creator, node, "pod-creator", std::move(observe), std::move(next),
                   config.period_ms, config.call_timeout_ms);
}

caf::actor spawn_scheduler_auditor(caf::actor_system& sys, const NodeContext& node,
                                   ObservationSink observe) {
  return sys.spawn(auditor, node, std::move(observe));
}

}  // namespace craton::sim
