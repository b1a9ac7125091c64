// The API scenario's writer and watcher actors.
#include "sim/api/api_clients.hpp"

#include <capnp/message.h>
#include <kj/exception.h>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/informer/envelope_session.hpp"
#include "runtime/correlation.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"
#include "sim/store/revision_file.hpp"

namespace craton::sim {
namespace {

using api::ApiCall;
using api::ApiEvent;
using api::ApiEventType;
using api::ApiReply;
using api::ApiVerb;

using next_atom = caf::atom_constant<caf::atom("aw_next")>;
using check_atom = caf::atom_constant<caf::atom("aw_check")>;

constexpr const char* kNamespace = "default";

ApiCall config_maps(ApiVerb verb, const std::string& name = "") {
  ApiCall c;
  c.verb = verb;
  c.resource = "configmaps";
  c.namespace_ = kNamespace;
  c.name = name;
  return c;
}

std::string config_map_bytes(const std::string& name, const std::string& value) {
  capnp::MallocMessageBuilder message;
  auto cm = message.initRoot<schema::k8s::ConfigMap>();
  cm.getMetadata().setName(name);
  cm.getMetadata().setNamespace(kNamespace);
  auto entry = cm.initData().initEntries(1)[0];
  entry.setKey("v");
  entry.setValue(value);
  return flat_bytes(message);
}

// The name and data.v of an encoded ConfigMap.
std::pair<std::string, std::string> read_config_map(const std::string& bytes) {
  auto message = FlatMessage::open(bytes);
  if (!message) return {};
  auto cm = message->root<schema::k8s::ConfigMap>();
  std::string value;
  for (auto e : cm.getData().getEntries())
    if (e.getKey() == "v") value = e.getValue();
  return {cm.getMetadata().getName(), value};
}

// ---- The writer.

struct WriterState {
  std::unique_ptr<ActorEnv> env;
  ApiWriterConfig config;
  ObservationSink observe;
  std::string process;
  std::uint64_t next_correlation = 1;
  std::uint64_t seq = 0;
  // The operation in flight.
  std::uint64_t correlation = 0;  ///< 0: none
  std::string cm, value;          ///< the ConfigMap and the value written
  bool remove = false;
  bool creating = false;  ///< the PUT found nothing: the POST is out
  std::int64_t deadline_ms = 0;
  static inline const char* name = "craton.api-writer";
};
using WriterActor = caf::stateful_actor<WriterState>;

void writer_done(WriterActor* self, OpPhase phase, const std::string& note,
                 std::int64_t revision = 0) {
  auto& st = self->state;
  st.observe(StoreOpEvent{st.process, phase, OpFunction::write, "", {}, note, revision});
  st.correlation = 0;
  auto think = st.env->rng().uniform(0, std::uint64_t(st.config.think_ms_max));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(think)), next_atom::value);
}

void writer_send(WriterActor* self) {
  auto& st = self->state;
  st.correlation = st.next_correlation++;
  if (st.remove)
    return send_api_call(self, *st.env, st.correlation, config_maps(ApiVerb::remove, st.cm));
  auto call = config_maps(st.creating ? ApiVerb::create : ApiVerb::update, st.cm);
  call.object = config_map_bytes(st.cm, st.value);
  send_api_call(self, *st.env, st.correlation, call);
}

void writer_next(WriterActor* self) {
  auto& st = self->state;
  if (st.correlation != 0) return;
  st.cm = "cm-" + std::to_string(st.env->rng().uniform(0, st.config.keys - 1));
  st.remove = st.env->rng().chance(st.config.delete_chance);
  st.value = st.remove ? "" : st.process + "-" + std::to_string(++st.seq);
  st.creating = false;
  st.deadline_ms = st.env->now_ms(self) + st.config.op_timeout_ms;
  st.observe(StoreOpEvent{
      st.process, OpPhase::invoke, OpFunction::write, config_map_key(st.cm), {st.value}, ""});
  writer_send(self);
}

void writer_reply(WriterActor* self, const ApiReply& reply) {
  auto& st = self->state;
  auto note = std::to_string(reply.code) + " " + reply.failure.reason + " " + reply.failure.message;
  // The answer's resourceVersion is the write's revision (a delete's too: the object's last
  // state at the revision that removed it).
  if (reply.ok()) return writer_done(self, OpPhase::ok, note, reply.object.resource_version);
  if (reply.code == 404 && !st.remove && !st.creating &&
      reply.failure.message.find("namespaces") == std::string::npos) {
    st.creating = true;  // nothing to update: create it
    return writer_send(self);
  }
  bool refused = reply.code == 400 || reply.code == 404 || reply.code == 409 || reply.code == 422;
  writer_done(self, refused ? OpPhase::fail : OpPhase::info, note);
}

caf::behavior writer(WriterActor* self, NodeContext node, ObservationSink observe,
                     ApiWriterConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.process = node.node_id + ".apiwriter." + std::to_string(node.incarnation);  // unique in a run
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "apiwriter");
  st.config = config;
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(1000)), next_atom::value);
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(1000)), check_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
        if (!in || !in->root().getBody().isApiResponse()) return;
        if (in->root().getCorrelationId() != self->state.correlation) return;  // late
        writer_reply(self, api::read_api_reply(in->root().getBody().getApiResponse()));
      },
      [self](next_atom) { writer_next(self); },
      [self](check_atom) {
        auto& st = self->state;
        if (st.correlation != 0 && st.env->now_ms(self) >= st.deadline_ms)
          writer_done(self, OpPhase::info, "no answer");
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(1000)), check_atom::value);
      },
  };
}

// ---- The watcher.

struct WatcherState {
  std::unique_ptr<ActorEnv> env;
  ApiWatcherConfig config;
  ObservationSink observe;
  std::string node;
  std::int64_t last = 0;  ///< the last revision delivered (persisted)
  std::uint64_t next_correlation = 1;
  std::uint64_t correlation = 0;  ///< of the live watch; 0: none
  std::int64_t heard_ms = 0;
  bool ended = false;
  static inline const char* name = "craton.api-watcher";
};
using WatcherActor = caf::stateful_actor<WatcherState>;

std::filesystem::path revision_file(const WatcherState& st) {
  return st.env->node().data_dir / "apiwatcher.revision";
}

void watch(WatcherActor* self) {
  auto& st = self->state;
  if (st.correlation != 0)
    send_api_call(self, *st.env, st.correlation, config_maps(ApiVerb::stop_watch));
  auto call = config_maps(ApiVerb::watch);
  // resourceVersion "0" means "any": the first watch asks for everything after revision 1
  // (the store's first write is revision 2).
  call.resource_version = std::to_string(std::max<std::int64_t>(st.last, 1));
  call.timeout_seconds = st.config.timeout_s;
  st.correlation = st.next_correlation++;
  st.heard_ms = st.env->now_ms(self);
  st.observe(WatchEvent{st.node, WatchEvent::Kind::start, st.last + 1, {}});
  send_api_call(self, *st.env, st.correlation, call);
}

void on_event(WatcherActor* self, const ApiEvent& e) {
  auto& st = self->state;
  st.heard_ms = st.env->now_ms(self);
  switch (e.type) {
    case ApiEventType::added:
    case ApiEventType::modified:
    case ApiEventType::deleted: {
      auto [name, value] = read_config_map(e.object.bytes);
      bool put = e.type != ApiEventType::deleted;
      WatchEvent seen{st.node, WatchEvent::Kind::events, 0, {}};
      seen.changes.push_back(
          WatchedChange{e.object.resource_version, put, config_map_key(name), put ? value : ""});
      st.last = std::max(st.last, e.object.resource_version);
      // Report and persist in one message: the simulator crashes nodes between messages.
      st.observe(std::move(seen));
      save_revision(revision_file(st), st.last);
      break;
    }
    case ApiEventType::bookmark:
      break;
    case ApiEventType::error:
      st.observe(WatchEvent{st.node, WatchEvent::Kind::canceled, 0, {}});
      st.ended = true;
      st.correlation = 0;
      break;
    case ApiEventType::closed:
      st.correlation = 0;
      break;
  }
}

caf::behavior watcher(WatcherActor* self, NodeContext node, ObservationSink observe,
                      ApiWatcherConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.node = node.node_id + "/api";
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "apiwatcher");
  st.config = config;
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  st.last = load_revision(revision_file(st));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.check_ms)),
                     check_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        auto& st = self->state;
        auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
        if (!in || in->root().getCorrelationId() != st.correlation || st.correlation == 0) return;
        auto body = in->root().getBody();
        try {
          if (body.isApiResponse()) {  // the watch was refused: watch again at the next check
            st.correlation = 0;
          } else if (body.isApiWatchEvent()) {
            auto event = api::read_api_event(body.getApiWatchEvent());
            if (event) on_event(self, *event);
          }
        } catch (const kj::Exception&) {
        }
      },
      [self](check_atom) {
        auto& st = self->state;
        if (!st.ended &&
            (st.correlation == 0 || st.env->now_ms(self) - st.heard_ms >= st.config.silence_ms))
          watch(self);
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.check_ms)),
                           check_atom::value);
      },
  };
}

// ---- The informer.

using inf_tick_atom = caf::atom_constant<caf::atom("ai_tick")>;
using report_atom = caf::atom_constant<caf::atom("ai_report")>;

struct InformerState {
  std::unique_ptr<ActorEnv> env;
  ApiInformerConfig config;
  ObservationSink observe;
  std::string node;
  std::unique_ptr<api::EnvelopeSession> session;
  std::uint64_t next_correlation = 1;
  static inline const char* name = "craton.api-informer";
};
using InformerActor = caf::stateful_actor<InformerState>;

void carry_out(InformerActor* self, std::uint64_t previous,
               const api::EnvelopeSession::Output& out) {
  auto& st = self->state;
  if (out.stop_previous_watch && previous != 0)
    send_api_call(self, *st.env, previous, config_maps(ApiVerb::stop_watch));
  if (!out.call) return;
  auto correlation = st.next_correlation++;
  send_api_call(self, *st.env, correlation, *out.call);
  st.session->sent(correlation, st.env->now_ms(self));
}

caf::behavior informer(InformerActor* self, NodeContext node, ObservationSink observe,
                       ApiInformerConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.node = node.node_id + "/informer";
  st.next_correlation = first_correlation_id(node.incarnation);
  st.env = std::make_unique<ActorEnv>(std::move(node), "apiinformer");
  st.config = config;
  api::EnvelopeSessionOptions options;
  options.collection = config_maps(ApiVerb::list);
  options.schema = capnp::Schema::from<schema::k8s::ConfigMap>();
  options.watch_timeout_s = config.watch_timeout_s;
  st.session = std::make_unique<api::EnvelopeSession>(options);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(config.tick_ms)),
                     inf_tick_atom::value);
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(config.report_ms)),
                     report_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        auto& st = self->state;
        auto in = decode_envelope(wire.bytes, CodecLimits{}, Validation::opened);
        if (!in) return;
        auto correlation = in->root().getCorrelationId();
        auto body = in->root().getBody();
        auto now = st.env->now_ms(self);
        auto previous = st.session->current();
        try {
          if (body.isApiResponse())
            carry_out(
                self, previous,
                st.session->on_reply(correlation, api::read_api_reply(body.getApiResponse()), now));
          else if (body.isApiWatchEvent())
            if (auto event = api::read_api_event(body.getApiWatchEvent()))
              carry_out(self, previous, st.session->on_event(correlation, *event, now));
        } catch (const kj::Exception&) {
        }
      },
      [self](inf_tick_atom) {
        auto& st = self->state;
        auto previous = st.session->current();
        carry_out(self, previous, st.session->tick(st.env->now_ms(self)));
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.tick_ms)),
                           inf_tick_atom::value);
      },
      [self](report_atom) {
        auto& st = self->state;
        const auto& informer = st.session->informer();
        if (informer.synced()) {
          CacheSnapshot snapshot{st.node, std::int64_t(informer.resource_version()), {}};
          for (const auto& o : informer.cache().list()) {
            std::string value;
            for (auto e : o.as<schema::k8s::ConfigMap>().getData().getEntries())
              if (e.getKey() == "v") value = e.getValue();
            snapshot.entries[config_map_key(o.name())] = value;
          }
          st.observe(std::move(snapshot));
        }
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.report_ms)),
                           report_atom::value);
      },
  };
}

}  // namespace

void send_api_call(caf::event_based_actor* self, ActorEnv& env, std::uint64_t correlation,
                   const ApiCall& call) {
  EnvelopeBuilder b(env.address(), Address{env.address().node, "api"}, correlation);
  api::write_api_call(b.body().initApiRequest(), call);
  env.send(self, b);
}

std::string config_map_key(const std::string& name) {
  return "/registry/configmaps/" + std::string(kNamespace) + "/" + name;
}

caf::actor spawn_api_writer(caf::actor_system& sys, const NodeContext& node,
                            ObservationSink observe, ApiWriterConfig config) {
  return sys.spawn(writer, node, std::move(observe), config);
}

caf::actor spawn_api_watcher(caf::actor_system& sys, const NodeContext& node,
                             ObservationSink observe, ApiWatcherConfig config) {
  return sys.spawn(watcher, node, std::move(observe), config);
}

caf::actor spawn_api_informer(caf::actor_system& sys, const NodeContext& node,
                              ObservationSink observe, ApiInformerConfig config) {
  return sys.spawn(informer, node, std::move(observe), config);
}

}  // namespace craton::sim
