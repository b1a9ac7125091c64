#include "sim/store/store_watcher.hpp"
#include "runtime/correlation.hpp"

#include "actors/store/codec/store_codec.hpp"
#include "sim/store/revision_file.hpp"

namespace craton::sim {
namespace {

using keepalive_atom = caf::atom_constant<caf::atom("wt_keep")>;

struct WatcherState {
  std::unique_ptr<ActorEnv> env;
  StoreWatcherConfig config;
  std::string node;
  ObservationSink observe;
  Address replica;
  std::int64_t last = 0;          ///< last revision delivered (persisted)
  std::uint64_t correlation = 0;  ///< of the live create
  std::uint64_t next_correlation = 1;
  store::WatchId watch_id = 0;
  std::int64_t last_heard_ms = 0;
  bool ended = false;  ///< canceled by the replica (compaction): stop
  static inline const char* name = "craton.store-watcher";
};

using WatcherActor = caf::stateful_actor<WatcherState>;

std::filesystem::path revision_file(const WatcherState& st) {
  return st.env->node().data_dir / (st.config.name + ".revision");
}

void send_request(WatcherActor* self, std::uint64_t correlation, const store::StoreRequest& r) {
  auto& st = self->state;
  EnvelopeBuilder b(st.env->address(), st.replica, correlation);
  store::write_store_request(b.body().initStoreRequest(), r);
  st.env->send(self, b);
}

// (Re)creates the watch from the revision after the last one delivered.
void create(WatcherActor* self) {
  auto& st = self->state;
  if (st.correlation != 0 && st.watch_id > 0)
    send_request(self, st.next_correlation++, store::WatchCancel{st.watch_id});
  store::WatchRequest w;
  w.key = st.config.prefix;
  w.range_end = storage::prefix_end(st.config.prefix);
  w.start_revision = st.last + 1;
  st.correlation = st.next_correlation++;
  st.watch_id = 0;
  st.last_heard_ms = st.env->now_ms(self);
  st.observe(WatchEvent{st.node, WatchEvent::Kind::start, w.start_revision, {}});
  send_request(self, st.correlation, store::WatchCreate{w});
}

void on_events(WatcherActor* self, const store::WatchResponse& r) {
  auto& st = self->state;
  WatchEvent seen{st.node, WatchEvent::Kind::events, 0, {}};
  for (const auto& e : r.events)
    seen.changes.push_back(
        WatchedChange{e.kv.mod_revision, e.type == storage::EventType::put, e.kv.key, e.kv.value});
  st.last = std::max(st.last, r.events.back().kv.mod_revision);
  // Report and persist in one message: the simulator crashes nodes between messages only.
  st.observe(std::move(seen));
  save_revision(revision_file(st), st.last);
}

void on_envelope(WatcherActor* self, const WireEnvelope& wire) {
  auto& st = self->state;
  auto in = decode_envelope(wire.bytes);
  if (!in || !in->root().getBody().isStoreResponse()) return;
  auto reply = store::read_store_reply(in->root().getBody().getStoreResponse());
  if (!reply || reply->error) return;  // refusals: the silence timer creates again
  auto* r = std::get_if<store::WatchResponse>(&reply->body);
  if (!r) {
    st.last_heard_ms = st.env->now_ms(self);  // a keepalive's answer
    return;
  }
  auto correlation = in->root().getCorrelationId();
  if (correlation == 0) {  // stream-wide progress
    st.last_heard_ms = st.env->now_ms(self);
    return;
  }
  if (correlation != st.correlation) {
    // A watch this watcher left behind (its create was answered late): end it.
    if (r->created) send_request(self, st.next_correlation++, store::WatchCancel{r->watch_id});
    return;
  }
  st.last_heard_ms = st.env->now_ms(self);
  if (r->created) {
    st.watch_id = r->watch_id;
  } else if (r->canceled) {
    st.observe(WatchEvent{st.node, WatchEvent::Kind::canceled, r->compact_revision, {}});
    st.ended = true;
    st.correlation = 0;
  } else if (!r->events.empty()) {
    on_events(self, *r);
  }
}

caf::behavior watcher(WatcherActor* self, NodeContext node, ObservationSink observe,
                      StoreWatcherConfig config) {
  auto& st = self->state;
  st.observe = std::move(observe);
  st.node = node.node_id;
  st.next_correlation = first_correlation_id(node.incarnation);
  st.replica = Address{node.node_id, "store"};
  st.env = std::make_unique<ActorEnv>(std::move(node), config.name);
  st.config = std::move(config);
  st.env->register_with_router(self, caf::actor_cast<caf::actor>(self));
  st.last = load_revision(revision_file(st));
  // The first create waits one keepalive period, so that the replica is registered.
  st.last_heard_ms = st.env->now_ms(self);
  self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.keepalive_ms)),
                     keepalive_atom::value);
  return {
      [self](const WireEnvelope& wire) {
        try {
          on_envelope(self, wire);
        } catch (const kj::Exception&) {
          // The codec walked the message already; nothing else to do with it.
        }
      },
      [self](keepalive_atom) {
        auto& st = self->state;
        if (st.ended) return;
        if (st.correlation == 0 || st.env->now_ms(self) - st.last_heard_ms >= st.config.silence_ms)
          create(self);
        else
          send_request(self, st.next_correlation++, store::WatchProgress{});
        self->delayed_send(self, st.env->timer(std::chrono::milliseconds(st.config.keepalive_ms)),
                           keepalive_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_store_watcher(caf::actor_system& sys, const NodeContext& node,
                               ObservationSink observe, StoreWatcherConfig config) {
  return sys.spawn(watcher, node, std::move(observe), std::move(config));
}

}  // namespace craton::sim
