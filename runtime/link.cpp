#include "runtime/link.hpp"

#include <caf/io/all.hpp>

#include <deque>

#include "runtime/environment.hpp"
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
  caf::actor remote;  // the remote router's proxy while up
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

// Envelopes leave with the local router as their CAF sender, exactly as when the router
// sends to the remote proxy itself: the remote router learns return routes from senders
// (runtime/router.hpp), and a link as sender would bounce replies back to the remote.
void send_as_router(LinkActor* self, WireEnvelope&& wire) {
  caf::send_as(self->state.config.router, self->state.remote, std::move(wire));
}

void on_connected(LinkActor* self, caf::strong_actor_ptr& remote_router) {
  auto& st = self->state;
  if (!remote_router) {
    schedule_reconnect(
        self, "no router published at " + st.config.host + ":" + std::to_string(st.config.port));
    return;
  }
  st.remote = caf::actor_cast<caf::actor>(remote_router);
  // A dead proxy (the middleman's cache can still hold one for a moment) yields a down
  // message at once, which sends us round the reconnect loop again.
  self->monitor(st.remote);
  st.phase = LinkPhase::up;
  st.backoff.reset();
  st.outage_logged = false;
  st.connects->Increment();
  for (auto& wire : st.pending) send_as_router(self, std::move(wire));
  st.sent->Increment(double(st.pending.size()));
  st.pending.clear();
  // While up, the router sends straight to the remote router's proxy: one actor hop less per
  // envelope. Envelopes it sent us before this arrives are still forwarded below.
  self->send(st.config.router, route_atom::value, st.config.remote_node, st.remote);
  set_peer_up(self, true);
}

void connect(LinkActor* self) {
  auto& st = self->state;
  st.phase = LinkPhase::connecting;
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, st.config.connect_timeout, caf::connect_atom::value, st.config.host,
                st.config.port)
      .then([self](const caf::node_id&, caf::strong_actor_ptr& remote_router,
                   const std::set<std::string>&) { on_connected(self, remote_router); },
            [self](const caf::error& err) {
              schedule_reconnect(self, "connect to " + self->state.config.remote_node +
                                           " failed: " + self->system().render(err));
            });
}

void forward(LinkActor* self, WireEnvelope& wire) {
  auto& st = self->state;
  switch (st.phase) {
    case LinkPhase::up:
      st.sent->Increment();
      send_as_router(self, std::move(wire));
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

void on_down(LinkActor* self, const caf::down_msg& down) {
  auto& st = self->state;
  if (!st.remote || down.source != st.remote.address()) return;
  self->demonitor(st.remote);
  st.remote = nullptr;
  // Route through us again, so that envelopes for the unreachable peer are counted and dropped.
  self->send(st.config.router, route_atom::value, st.config.remote_node,
             caf::actor_cast<caf::actor>(self));
  set_peer_up(self, false);
  schedule_reconnect(self,
                     "lost " + st.config.remote_node + ": " + self->system().render(down.reason));
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
  self->set_down_handler([self](caf::down_msg& down) { on_down(self, down); });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    self->send(self->state.config.router, unroute_atom::value, self->state.config.remote_node);
    self->quit(exit.reason);
  });
  return {
      [self](WireEnvelope& wire) { forward(self, wire); },
      [self](connect_atom_) {
        if (self->state.phase == LinkPhase::waiting) connect(self);
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
