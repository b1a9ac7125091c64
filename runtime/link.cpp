#include "runtime/link.hpp"

#include <atomic>
#include <deque>

#include "runtime/environment.hpp"
#include "runtime/router.hpp"
#include "runtime/tls/link_transport.hpp"
#include "runtime/wire.hpp"

namespace craton {
namespace {

enum class LinkPhase { connecting, up, waiting };

struct LinkState {
  LinkState() : backoff(BackoffPolicy{}), rng(0) {}

  LinkConfig config;
  Backoff backoff;
  Rng rng;
  LinkPhase phase = LinkPhase::waiting;
  ChannelPtr session;         // while up
  std::uint64_t attempt = 0;  // connect attempts; a result for an older one is stale
  // Set when the link exits: a connect that completes afterwards closes its session itself
  // (its result would go to a dead actor, and the session would stay open unused).
  std::shared_ptr<std::atomic<bool>> exited = std::make_shared<std::atomic<bool>>(false);
  std::deque<WireEnvelope> pending;
  bool outage_logged =
      false;  // the first failure of an outage is logged at info, later ones at debug
  prometheus::Counter* sent = nullptr;
  prometheus::Counter* dropped = nullptr;
  prometheus::Counter* connects = nullptr;
  prometheus::Gauge* up = nullptr;
  static inline const char* name = "craton.link";
};

using LinkActor = caf::stateful_actor<LinkState>;

void log(LinkActor* self, LogLevel level, const std::string& message) {
  auto& cfg = self->state.config;
  if (cfg.log && cfg.log->enabled(level))
    cfg.log->write(
        LogRecord{level, actor_clock_ms(self), cfg.local_node, "link-" + cfg.remote_node, message});
}

void drop(LinkActor* self, std::size_t count) {
  if (count > 0) self->state.dropped->Increment(double(count));
}

void connect(LinkActor* self);

void schedule_reconnect(LinkActor* self, const std::string& why) {
  auto& st = self->state;
  drop(self, st.pending.size());
  st.pending.clear();
  st.phase = LinkPhase::waiting;
  auto delay_ms = st.backoff.next_delay_ms(st.rng);
  auto level = st.outage_logged ? LogLevel::debug : LogLevel::info;
  st.outage_logged = true;
  log(self, level, why + "; retry in " + std::to_string(delay_ms) + " ms");
  self->delayed_send(self, std::chrono::milliseconds(delay_ms), connect_atom_::value);
}

void set_peer_up(LinkActor* self, bool up) {
  auto& st = self->state;
  st.up->Set(up ? 1 : 0);
  self->send(st.config.router, peer_atom::value, st.config.remote_node, up);
  std::string where = st.config.host + ":" + std::to_string(st.config.port);
  log(self, LogLevel::info,
      "peer " + st.config.remote_node + (up ? " up at " : " down at ") + where);
}

void send_on_session(LinkActor* self, WireEnvelope&& wire) {
  auto& st = self->state;
  if (st.session->send(std::move(wire.bytes)))
    st.sent->Increment();
  else
    drop(self, 1);
}

// The expected peer of a link by address ("via-..."): whichever cluster node answers.
std::string expected_peer(const LinkConfig& config) {
  return is_via_node(config.remote_node) ? std::string() : config.remote_node;
}

void on_connected(LinkActor* self, ChannelPtr session) {
  auto& st = self->state;
  st.session = std::move(session);
  st.phase = LinkPhase::up;
  st.backoff.reset();
  st.outage_logged = false;
  st.connects->Increment();
  for (auto& wire : st.pending) send_on_session(self, std::move(wire));
  st.pending.clear();
  // While up, the router sends straight to the session: one actor hop less per envelope.
  // Envelopes it sent us before this arrives are still sent below.
  self->send(st.config.router, route_atom::value, st.config.remote_node, st.session);
  set_peer_up(self, true);
}

void connect(LinkActor* self) {
  auto& st = self->state;
  st.phase = LinkPhase::connecting;
  auto attempt = ++st.attempt;
  // The transport answers on its io thread; these sends put the answers in our mailbox.
  caf::actor me = caf::actor_cast<caf::actor>(self);
  st.config.transport->connect(
      expected_peer(st.config), Endpoint{st.config.host, st.config.port}, st.config.connect_timeout,
      [me, attempt, exited = st.exited](Result<std::shared_ptr<tls::LinkSession>> r) {
        if (r && *exited)
          (*r)->close();
        else if (r)
          caf::anon_send(me, connect_atom_::value, attempt, ChannelPtr(std::move(*r)));
        else
          caf::anon_send(me, connect_atom_::value, attempt, r.error().message);
      },
      [me](tls::LinkSession& session, const Error& why) {
        caf::anon_send(me, closed_atom::value, ChannelPtr(session.shared_from_this()), why.message);
      });
}

void on_closed(LinkActor* self, const ChannelPtr& session, const std::string& why) {
  auto& st = self->state;
  if (!st.session || st.session != session) return;
  st.session = nullptr;
  // Route through us again, so that envelopes for the unreachable peer are counted and dropped.
  self->send(st.config.router, route_atom::value, st.config.remote_node,
             caf::actor_cast<caf::actor>(self));
  set_peer_up(self, false);
  schedule_reconnect(self, "lost " + st.config.remote_node + ": " + why);
}

void forward(LinkActor* self, WireEnvelope& wire) {
  auto& st = self->state;
  switch (st.phase) {
    case LinkPhase::up:
      send_on_session(self, std::move(wire));
      return;
    case LinkPhase::connecting:
      if (st.pending.size() < st.config.pending_max) {
        st.pending.push_back(std::move(wire));
        return;
      }
      break;
    case LinkPhase::waiting:
      break;
  }
  drop(self, 1);
}

void init_metrics(LinkState& st) {
  auto& m = *st.config.metrics;
  prometheus::Labels labels{{"node", st.config.local_node}, {"peer", st.config.remote_node}};
  st.sent = &m.counter("craton_link_sent_total", "Envelopes handed to the peer's router", labels);
  st.dropped = &m.counter("craton_link_dropped_total",
                          "Envelopes dropped because the peer was unreachable", labels);
  st.connects = &m.counter("craton_link_connects_total", "Successful connects to the peer", labels);
  st.up = &m.gauge("craton_link_up", "1 while the link to the peer is up", labels);
}

caf::behavior link(LinkActor* self, LinkConfig config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.backoff = Backoff(st.config.backoff);
  st.rng = Rng(derive_seed(st.config.seed, "link/" + st.config.remote_node));
  init_metrics(st);
  self->set_exit_handler([self](caf::exit_msg& exit) {
    auto& st = self->state;
    // The router closes our session when it takes the route out (runtime/router.cpp).
    *st.exited = true;
    self->send(st.config.router, unroute_atom::value, st.config.remote_node);
    self->quit(exit.reason);
  });
  return {
      [self](WireEnvelope& wire) { forward(self, wire); },
      [self](connect_atom_) {
        if (self->state.phase == LinkPhase::waiting) connect(self);
      },
      [self](connect_atom_, std::uint64_t attempt, ChannelPtr& session) {
        if (attempt != self->state.attempt || self->state.phase != LinkPhase::connecting) {
          session->close_after_sending();  // stale: a newer attempt, or nobody waits for it
          return;
        }
        on_connected(self, std::move(session));
      },
      [self](connect_atom_, std::uint64_t attempt, const std::string& why) {
        if (attempt != self->state.attempt || self->state.phase != LinkPhase::connecting) return;
        schedule_reconnect(self, "connect to " + self->state.config.remote_node + " at " +
                                     self->state.config.host + ":" +
                                     std::to_string(self->state.config.port) + " failed: " + why);
      },
      [self](closed_atom, const ChannelPtr& session, const std::string& why) {
        on_closed(self, session, why);
      },
  };
}

}  // namespace

caf::actor spawn_link(caf::actor_system& sys, LinkConfig config) {
  auto router = config.router;
  auto node = config.remote_node;
  auto actor = sys.spawn<caf::lazy_init>(link, std::move(config));
  // Sent from the caller's thread, so the route is in place before anything the caller sends
  // to the router after this returns. The first connect waits for it.
  caf::anon_send(router, route_atom::value, node, actor);
  caf::anon_send(actor, connect_atom_::value);
  return actor;
}

}  // namespace craton
