// The node agent's actor: envelopes, the timer and the worker (see the header).
#include "actors/agent/service/agent_actor.hpp"

#include <kj/exception.h>

#include <optional>

#include "actors/agent/service/job_runner.hpp"
#include "actors/api/client/api_protocol.hpp"
#include "actors/api/informer/api_endpoints.hpp"
#include "runtime/assert.hpp"
#include "runtime/correlation.hpp"
#include "runtime/wire.hpp"

namespace craton::agent {
namespace {

using tick_atom = caf::atom_constant<caf::atom("ag_tick")>;
using work_atom = caf::atom_constant<caf::atom("ag_work")>;
using act_atom = caf::atom_constant<caf::atom("ag_act")>;

struct AgentState {
  std::unique_ptr<ActorEnv> env;
  AgentActorConfig config;
  std::unique_ptr<AgentService> service;
  std::shared_ptr<PodDriver> driver;     ///< called on the worker (and the log server's threads)
  std::unique_ptr<PodSide> pods;         ///< made once the host's address is known
  std::unique_ptr<JobRunner> runner;     ///< last: its threads stop before the rest goes
  std::optional<api::ApiEndpoints> api;  ///< where calls go, when to give up on it
  // At once at first: node clocks may read below 0 (the simulator's offsets).
  std::int64_t facts_due_ms = INT64_MIN;
  bool reading_facts = false;
  bool said_registered = false;
  bool act_scheduled = false;               ///< an act message is in the mailbox
  bool traced = false;                      ///< the node has an observer (the simulator)
  std::string last_summary;                 ///< the pods line last observed (observe_pods)
  std::uint64_t failures_said = 0;          ///< status write failures logged so far
  std::int64_t summary_due_ms = INT64_MIN;  // at once: node clocks may read below 0
  static inline const char* name = "craton.agent";
};
using AgentActor = caf::stateful_actor<AgentState>;

// Sends what the service asks for after any of its inputs (and says once that it registered).
void send_all(AgentActor* self, const api::ApiComponent::Sends& sends) {
  auto& st = self->state;
  if (!st.said_registered && st.service->registered()) {
    st.said_registered = true;
    st.env->log(self, LogLevel::info, "registered node " + st.config.service.node.name);
  }
  Address api{st.api->current(), "api"};
  for (const auto& send : sends) {
    EnvelopeBuilder b(st.env->address(), api, send.correlation);
    api::write_api_call(b.body().initApiRequest(), send.call);
    st.env->send(self, b);
  }
}

// Runs a driver call of the pod side on a worker, after the pod's earlier calls; its outcome comes
// back to the pod side.
void run_call(AgentActor* self, DriverCall call) {
  auto& st = self->state;
  auto id = call.id;
  auto kind = call.kind;
  auto key = call.pod_uid;  // read before the call moves into the job
  auto submitted = st.runner->submit(
      [self, driver = st.driver, volumes = st.config.volume_host, call = std::move(call)] {
        auto outcome = std::make_shared<DriverOutcome>(perform(*driver, call, volumes.get()));
        return JobRunner::Continuation([self, id = call.id, outcome] {
          auto& st = self->state;
          st.pods->on_result(id, std::move(*outcome), st.env->now_ms(self));
        });
      },
      std::move(key));
  if (!submitted)  // the worker's queue is full: the call fails now and PodSync retries it
    st.pods->on_result(id, refused_outcome(kind, submitted.error()), st.env->now_ms(self));
}

void list_host(AgentActor* self) {
  auto& st = self->state;
  auto submitted = st.runner->submit([self, driver = st.driver] {
    auto records = std::make_shared<std::vector<PodRecord>>(driver->list());
    return JobRunner::Continuation([self, records] {
      auto& st = self->state;
      auto now = st.env->now_ms(self);
      if (st.pods->adopted())
        st.pods->on_records(std::move(*records), now);
      else
        st.pods->adopt(std::move(*records), now);
    });
  });
  if (!submitted) st.pods->on_records({}, st.env->now_ms(self));  // listed again later
}

// The pod side starts once the host's address is known (status.hostIP): the driver's pods
// are listed and adopted before any pod of the API is synced.
void start_pods(AgentActor* self, const HostFacts& facts) {
  auto& st = self->state;
  auto config = st.config.pods;
  config.sync.node_name = st.config.service.node.name;
  config.sync.host_ip = facts.internal_ip;
  config.wall_clock_base_s = st.config.service.wall_clock_base_s;
  st.pods = std::make_unique<PodSide>(
      config, *st.service, [self](DriverCall call) { run_call(self, std::move(call)); },
      [self] { list_host(self); });
  st.service->set_pod_sink(st.pods.get());
  list_host(self);
}

// The host's figures are read on the worker (a statvfs may hang on a sick disk).
void read_facts(AgentActor* self, std::int64_t now) {
  auto& st = self->state;
  if (st.reading_facts || now < st.facts_due_ms) return;
  auto read = st.config.read_facts;
  auto submitted = st.runner->submit([self, read]() -> JobRunner::Continuation {
    auto facts = std::make_shared<Result<HostFacts>>(read());
    if (facts->ok())
      if (auto usable = check_host_facts(facts->value()); !usable) *facts = usable.error();
    return [self, facts] {
      auto& st = self->state;
      st.reading_facts = false;
      if (facts->ok()) {
        st.service->set_host_facts(facts->value());
        if (st.driver && !st.pods) start_pods(self, facts->value());
      } else
        st.env->log(self, LogLevel::warn, "cannot read the host: " + facts->error().message);
    };
  });
  if (!submitted) return;
  st.reading_facts = true;
  st.facts_due_ms = now + st.config.host_facts_ms;
}

// The API stopped answering or its link went down (ApiEndpoints): calls fail now, watches start
// again at the API now current.
void api_lost(AgentActor* self, std::int64_t now) {
  auto& st = self->state;
  st.env->log(self, LogLevel::info, "the API is unreachable: now " + st.api->current());
  st.service->api_changed(now);
  send_all(self, st.service->tick(now));
}

// Group processing (actors/api/informer/api_component.hpp): the service acts behind what is in
// the mailbox now.
void schedule_act(AgentActor* self) {
  auto& st = self->state;
  if (st.act_scheduled || !st.service->wants_act()) return;
  st.act_scheduled = true;
  self->send(self, act_atom::value);
}

void on_envelope(AgentActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
  if (!in) return;
  auto correlation = in->root().getCorrelationId();
  auto body = in->root().getBody();
  auto now = st.env->now_ms(self);
  try {
    if (body.isApiResponse()) {
      st.api->heard(now);
      send_all(self,
               st.service->on_reply(correlation, api::read_api_reply(body.getApiResponse()), now));
    } else if (body.isApiWatchEvent()) {
      st.api->heard(now);
      if (auto event = api::read_api_event(body.getApiWatchEvent()))
        send_all(self, st.service->on_event(correlation, *event, now));
    } else if (body.isPeerStatus()) {
      auto peer = body.getPeerStatus();
      if (st.api->peer(peer.getNode().cStr(), peer.getUp(), now)) api_lost(self, now);
    }
  } catch (const kj::Exception& e) {
    st.env->log(self, LogLevel::warn,
                std::string("a malformed API answer: ") + e.getDescription().cStr());
  }
}

// Every 5 s: pod status writes refused or unanswered since the last look are logged (they are
// sent again, but a write the API keeps refusing leaves the pod's status behind for good), and
// when it changed, what became of the writes goes to the simulator's trace (a stall shows as
// writes that never end or keep failing). The line is built only where the node has an
// observer: in production nothing reads it.
void observe_pods(AgentActor* self, std::int64_t now) {
  auto& st = self->state;
  if (!st.pods || now < st.summary_due_ms) return;
  st.summary_due_ms = now + 5'000;
  const auto& c = st.pods->status_counters();
  if (c.failed > st.failures_said) {
    st.env->log(self, LogLevel::warn,
                std::to_string(c.failed - st.failures_said) +
                    " pod status writes failed (sent again); the last: " + c.last_failure);
    st.failures_said = c.failed;
  }
  if (!st.traced) return;  // the line below is for the simulator's trace only
  std::string line = "agent pods " + st.config.service.node.name + " api " + st.api->current() +
                     " informer " + std::to_string(st.service->pods().cache().size()) +
                     (st.service->pods().synced() ? " synced" : " unsynced") + " status sent " +
                     std::to_string(c.sent) + " written " + std::to_string(c.written) + " failed " +
                     std::to_string(c.failed);
  for (const auto& [code, n] : c.failed_by_code)
    line += " code" + std::to_string(code) + "=" + std::to_string(n);
  line += " writing " + std::to_string(st.pods->statuses_writing()) + " waiting " +
          std::to_string(st.pods->statuses_waiting()) + " unsent " +
          std::to_string(st.pods->statuses_unsent()) + " calls " +
          std::to_string(st.service->calls_in_flight()) + " timeouts " +
          std::to_string(st.service->call_timeouts());
  if (line == st.last_summary) return;
  st.env->observe(line);
  st.last_summary = std::move(line);
}

void on_tick(AgentActor* self) {
  auto& st = self->state;
  auto now = st.env->now_ms(self);
  if (st.api->silent(now, st.service->calls_in_flight() > 0)) {
    st.env->log(self, LogLevel::info, "no answer from the API: now " + st.api->current());
    st.service->api_changed(now);  // calls fail now; the tick below sends the new watches
  }
  read_facts(self, now);
  send_all(self, st.service->tick(now));
  observe_pods(self, now);
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                     tick_atom::value);
}

caf::behavior agent(AgentActor* self, NodeContext node, AgentActorConfig config) {
  auto& st = self->state;
  st.traced = bool(node.observe);
  st.env = std::make_unique<ActorEnv>(std::move(node), "agent");
  if (!config.read_facts)
    config.read_facts = [host = config.host] { return read_host_facts(host); };
  config.service.first_correlation = first_correlation_id(st.env->node().incarnation);
  st.config = config;
  auto made = AgentService::create(config.service);
  CRATON_ASSERT(made.ok(), "the agent's node configuration is invalid");
  st.service = std::move(*made);
  st.driver = config.driver;
  // The worker tells the actor that results wait; a weak handle, so the runner (owned by the
  // actor's state) does not keep its own actor alive.
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  st.runner = std::make_unique<JobRunner>(config.jobs, [weak] {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<caf::actor>(strong), work_atom::value);
  });
  st.api.emplace(config.api_nodes, st.env->address().node, config.api_switch_ms);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->send(st.env->router(), subscribe_atom::value, st.env->address().actor);  // link downs
  self->send(self, tick_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        on_envelope(self, wire);
        schedule_act(self);
      },
      [self](act_atom) {
        auto& st = self->state;
        st.act_scheduled = false;
        send_all(self, st.service->act(st.env->now_ms(self)));
      },
      [self](tick_atom) { on_tick(self); },
      [self](work_atom) {
        auto& st = self->state;
        if (st.runner->drain() > 0) send_all(self, st.service->tick(st.env->now_ms(self)));
      },
  };
}

}  // namespace

caf::actor spawn_agent(caf::actor_system& sys, const NodeContext& node, AgentActorConfig config) {
  return sys.spawn(agent, node, std::move(config));
}

}  // namespace craton::agent
