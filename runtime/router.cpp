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
  // While a link is up, its channel: envelopes go straight to the session's send queue,
  // without a hop through the link actor.
  std::map<std::string, ChannelPtr> channels;
  caf::actor default_route;
  // Return routes: for a node with no configured link (a client process that listens
  // nowhere), the channel its last envelope came in on. Replies then travel back over the
  // connection the request came in on. Bounded; forgotten when the channel closes.
  std::map<std::string, ChannelPtr> learned;
  std::set<std::string> subscribers;
  std::set<std::string> up_peers;  ///< as the links last announced: told to new subscribers
  RateLimiter malformed_log{1000};
  prometheus::Counter* delivered = nullptr;
  prometheus::Counter* forwarded = nullptr;
  prometheus::Counter* malformed = nullptr;
  prometheus::Counter* unroutable = nullptr;
  prometheus::Counter* refused = nullptr;
  prometheus::Counter* impostors = nullptr;
  static inline const char* name = "craton.router";
};

using RouterActor = caf::stateful_actor<RouterState>;

void log(RouterActor* self, LogLevel level, const std::string& message) {
  auto& cfg = self->state.config;
  if (cfg.log)
    cfg.log->write(LogRecord{level, actor_clock_ms(self), cfg.node_id, "router", message});
}

void drop_malformed(RouterActor* self, const std::string& peer, const Error& error) {
  auto& st = self->state;
  st.malformed->Increment();
  if (st.malformed_log.allow(peer, actor_clock_ms(self)))
    log(self, LogLevel::warn, "dropped malformed envelope from " + peer + ": " + error.message);
}

constexpr std::size_t kLearnedRoutesMax = 4096;

void learn_return_route(RouterActor* self, const std::string& from_node, const ChannelPtr& via) {
  auto& st = self->state;
  if (from_node == st.config.node_id || st.links.count(from_node)) return;
  auto it = st.learned.find(from_node);
  if (it != st.learned.end()) {
    it->second = via;
    return;
  }
  if (st.learned.size() >= kLearnedRoutesMax) st.learned.erase(st.learned.begin());
  st.learned.emplace(from_node, via);
}

void deliver_local(RouterActor* self, const std::string& actor, WireEnvelope& wire) {
  auto& st = self->state;
  auto it = st.locals.find(actor);
  if (it == st.locals.end()) {
    st.unroutable->Increment();
    return;
  }
  st.delivered->Increment();
  self->send(it->second, std::move(wire));
}

void send_to_channel(RouterState& st, const ChannelPtr& channel, WireEnvelope& wire) {
  if (channel->send(std::move(wire.bytes)))
    st.forwarded->Increment();
  else
    st.refused->Increment();
}

void forward(RouterActor* self, const std::string& node, WireEnvelope& wire) {
  auto& st = self->state;
  if (auto it = st.channels.find(node); it != st.channels.end())
    return send_to_channel(st, it->second, wire);
  if (auto it = st.links.find(node); it != st.links.end()) {
    st.forwarded->Increment();
    self->send(it->second, std::move(wire));
    return;
  }
  if (auto it = st.learned.find(node); it != st.learned.end())
    return send_to_channel(st, it->second, wire);
  if (st.default_route) {
    st.forwarded->Increment();
    self->send(st.default_route, std::move(wire));
    return;
  }
  st.unroutable->Increment();
}

// An envelope from a local actor (or, in the simulator, from the simulated network): encoded
// in this process, so the codec's cheap check suffices.
void route_local(RouterActor* self, WireEnvelope& wire) {
  auto& st = self->state;
  auto decoded = decode_envelope(wire.bytes, st.config.limits, Validation::opened);
  if (!decoded) return drop_malformed(self, "a local actor", decoded.error());
  auto to = decoded->to();
  if (to.node == st.config.node_id) return deliver_local(self, to.actor, wire);
  forward(self, to.node, wire);
}

// An envelope that came in on a link from another process: checked in full, once, here; its
// sender must be the node the channel authenticated (or a session of its certificate), which
// is also what makes the return route safe to learn.
void route_inbound(RouterActor* self, WireEnvelope& wire, const ChannelPtr& via) {
  auto& st = self->state;
  const std::string& peer = via->peer();
  auto decoded = decode_envelope(wire.bytes, st.config.limits, Validation::full);
  if (!decoded) return drop_malformed(self, peer.empty() ? "a peer" : peer, decoded.error());
  std::string from = decoded->root().getFrom().getNode();
  if (!peer.empty() && certified_name(from) != certified_name(peer)) {
    st.impostors->Increment();
    if (st.malformed_log.allow(peer, actor_clock_ms(self)))
      log(self, LogLevel::warn,
          "dropped an envelope from " + from + " that came over the link of " + peer);
    return;
  }
  learn_return_route(self, from, via);
  auto to = decoded->to();
  if (to.node == st.config.node_id || is_via_node(to.node))
    return deliver_local(self, to.actor, wire);
  forward(self, to.node, wire);
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
  st.refused = &m.counter("craton_router_link_refused_total",
                          "Envelopes a link refused: its send queue full, or it closed", labels);
  st.impostors = &m.counter("craton_router_impostor_total",
                            "Envelopes dropped: their sender is not the link's peer", labels);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& locals = self->state.locals;
    for (auto it = locals.begin(); it != locals.end();)
      it = (it->second.address() == down.source) ? locals.erase(it) : std::next(it);
  });
  return {
      [self](WireEnvelope& wire) { route_local(self, wire); },
      [self](WireEnvelope& wire, const ChannelPtr& via) { route_inbound(self, wire, via); },
      [self](closed_atom, const ChannelPtr& channel) {
        auto& learned = self->state.learned;
        for (auto it = learned.begin(); it != learned.end();)
          it = (it->second == channel) ? learned.erase(it) : std::next(it);
      },
      [self](register_atom, const std::string& name, const caf::actor& actor) {
        self->monitor(actor);
        self->state.locals[name] = actor;
      },
      [self](route_atom, const std::string& node, const ChannelPtr& channel) {
        self->state.channels[node] = channel;  // from the link: it is up
      },
      [self](route_atom, const std::string& node, const caf::actor& link) {
        self->state.channels.erase(node);  // the link is (again) the way: it is down
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
        // The router closes the session, not the link: envelopes sent to the router before
        // the link was told to exit (a leader's last word to a member it removed) are ahead
        // of this message, so they are in the session's queue and still go out.
        if (auto it = st.channels.find(node); it != st.channels.end()) {
          it->second->close_after_sending();
          st.channels.erase(it);
        }
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
