#include "runtime/router.hpp"

#include <map>
#include <set>

#include "runtime/environment.hpp"
#include "runtime/wire.hpp"

namespace craton {
namespace {

struct RouterState {
  RouterConfig config;
  std::map<std::string, caf::actor> locals;
  std::map<std::string, caf::actor> links;
  std::map<std::string, caf::actor> link_owners;  ///< the link actor behind each route
  caf::actor default_route;
  // Return routes: for a node with no configured link (a client process that listens
  // nowhere), the remote router that last sent us an envelope from that node. Replies then
  // travel back over the connection the request came in on. Bounded; forgotten when the
  // proxy dies.
  std::map<std::string, caf::actor> learned;
  std::set<std::string> subscribers;
  std::set<std::string> up_peers;  ///< as the links last announced: told to new subscribers
  RateLimiter malformed_log{1000};
  prometheus::Counter* delivered = nullptr;
  prometheus::Counter* forwarded = nullptr;
  prometheus::Counter* malformed = nullptr;
  prometheus::Counter* unroutable = nullptr;
  static inline const char* name = "craton.router";
};

using RouterActor = caf::stateful_actor<RouterState>;

void log(RouterActor* self, LogLevel level, const std::string& message) {
  auto& cfg = self->state.config;
  if (cfg.log)
    cfg.log->write(LogRecord{level, actor_clock_ms(self), cfg.node_id, "router", message});
}

void drop_malformed(RouterActor* self, const Error& error) {
  auto& st = self->state;
  st.malformed->Increment();
  auto sender = self->current_sender();
  std::string peer = sender ? caf::to_string(sender->node()) : "unknown";
  if (st.malformed_log.allow(peer, actor_clock_ms(self)))
    log(self, LogLevel::warn, "dropped malformed envelope from " + peer + ": " + error.message);
}

constexpr std::size_t kLearnedRoutesMax = 4096;

void learn_return_route(RouterActor* self, const std::string& from_node) {
  auto& st = self->state;
  auto sender = self->current_sender();
  if (!sender || sender->node() == self->node() || from_node == st.config.node_id) return;
  if (st.links.count(from_node)) return;
  auto proxy = caf::actor_cast<caf::actor>(sender);
  auto it = st.learned.find(from_node);
  if (it != st.learned.end() && it->second == proxy) return;
  if (it == st.learned.end() && st.learned.size() >= kLearnedRoutesMax)
    st.learned.erase(st.learned.begin());
  st.learned[from_node] = proxy;
  self->monitor(proxy);
}

const caf::actor* next_hop(RouterState& st, const std::string& node) {
  if (auto it = st.links.find(node); it != st.links.end()) return &it->second;
  if (auto it = st.learned.find(node); it != st.learned.end()) return &it->second;
  return st.default_route ? &st.default_route : nullptr;
}

void route(RouterActor* self, WireEnvelope& wire) {
  auto& st = self->state;
  // Bytes from another process get the full check here, once; local ones were encoded here.
  auto sender = self->current_sender();
  bool remote = !sender || sender->node() != self->node();
  auto decoded =
      decode_envelope(wire.bytes, st.config.limits, remote ? Validation::full : Validation::opened);
  if (!decoded) return drop_malformed(self, decoded.error());
  learn_return_route(self, decoded->root().getFrom().getNode());
  auto to = decoded->to();
  bool from_peer = sender && sender->node() != self->node();
  if (to.node == st.config.node_id || (from_peer && is_via_node(to.node))) {
    auto it = st.locals.find(to.actor);
    if (it == st.locals.end()) {
      st.unroutable->Increment();
      return;
    }
    st.delivered->Increment();
    self->send(it->second, std::move(wire));
    return;
  }
  const caf::actor* next = next_hop(st, to.node);
  if (!next) {
    st.unroutable->Increment();
    return;
  }
  st.forwarded->Increment();
  self->send(*next, std::move(wire));
}

void tell_peer_status(RouterActor* self, const std::string& subscriber, const std::string& node,
                      bool up) {
  auto& st = self->state;
  auto it = st.locals.find(subscriber);
  if (it == st.locals.end()) return;
  EnvelopeBuilder b(Address{st.config.node_id, "router"}, Address{st.config.node_id, subscriber});
  auto status = b.body().initPeerStatus();
  status.setNode(node);
  status.setUp(up);
  self->send(it->second, WireEnvelope{b.encode()});
}

void announce_peer(RouterActor* self, const std::string& node, bool up) {
  auto& st = self->state;
  if (up)
    st.up_peers.insert(node);
  else
    st.up_peers.erase(node);
  for (const auto& name : st.subscribers) tell_peer_status(self, name, node, up);
}

// A subscriber that arrives after a link came up learns of it at once (it would otherwise
// wait for the next change: a client's first calls waited 300 ms for its fallback).
void subscribe(RouterActor* self, const std::string& name) {
  auto& st = self->state;
  if (!st.subscribers.insert(name).second) return;
  for (const auto& node : st.up_peers) tell_peer_status(self, name, node, true);
}

caf::behavior router(RouterActor* self, RouterConfig config) {
  auto& st = self->state;
  st.config = std::move(config);
  auto& m = *st.config.metrics;
  prometheus::Labels labels{{"node", st.config.node_id}};
  st.delivered =
      &m.counter("craton_router_delivered_total", "Envelopes delivered to local actors", labels);
  st.forwarded = &m.counter("craton_router_forwarded_total", "Envelopes handed to links", labels);
  st.malformed = &m.counter("craton_router_malformed_total", "Malformed envelopes dropped", labels);
  st.unroutable =
      &m.counter("craton_router_unroutable_total", "Envelopes dropped for want of a route", labels);
  self->set_down_handler([self](caf::down_msg& down) {
    for (auto* table : {&self->state.locals, &self->state.learned})
      for (auto it = table->begin(); it != table->end();)
        it = (it->second.address() == down.source) ? table->erase(it) : std::next(it);
  });
  return {
      [self](WireEnvelope& wire) { route(self, wire); },
      [self](register_atom, const std::string& name, const caf::actor& actor) {
        self->monitor(actor);
        self->state.locals[name] = actor;
      },
      [self](route_atom, const std::string& node, const caf::actor& link) {
        self->state.links[node] = link;
        // spawn_link announces the link anonymously; later updates come from the link itself.
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        self->state.link_owners[node] = sender ? sender : link;
      },
      [self](unroute_atom, const std::string& node) {
        auto& st = self->state;
        auto owner = st.link_owners.find(node);
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (owner == st.link_owners.end() || owner->second != sender) return;  // a newer link
        st.link_owners.erase(owner);
        st.links.erase(node);
      },
      [self](default_route_atom, const caf::actor& actor) { self->state.default_route = actor; },
      [self](subscribe_atom, const std::string& name) { subscribe(self, name); },
      [self](peer_atom, const std::string& node, bool up) { announce_peer(self, node, up); },
  };
}

}  // namespace

caf::actor spawn_router(caf::actor_system& sys, RouterConfig config) {
  return sys.spawn(router, std::move(config));
}

}  // namespace craton
