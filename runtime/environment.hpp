// ActorEnv: everything an actor may use to reach the world, handed over at spawn.
//
// The one rule of the architecture: actors never touch time, randomness, peers, disks or the
// host directly. Time comes from CAF's actor clock (simulated under the testing scheduler) seen
// through the node's clock (skew and drift in the simulator, the identity in production): an
// actor reads it with now_ms() and sets timers with timer(), never with the raw actor clock,
// randomness from the seeded Rng here, peers through the node's router, durable state from
// `data_dir`, and anything that blocks through a driver interface. The same actor code then
// runs in production and, unchanged, in the deterministic simulator.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "runtime/address.hpp"
#include "runtime/envelope_codec.hpp"
#include "runtime/logger.hpp"
#include "runtime/metrics.hpp"
#include "runtime/node_clock.hpp"
#include "runtime/rng.hpp"
#include "runtime/wire.hpp"

namespace craton {

/// What all actors of one node share. Owned by the process (production) or by the
/// simulated world; the pointers outlive every actor of the node.
struct NodeContext {
  std::string node_id;
  std::uint64_t incarnation = 0;  ///< grows by one per restart of the node
  std::uint64_t seed = 0;         ///< node seed; actors derive theirs from it and their name
  std::filesystem::path data_dir;
  caf::actor router;
  std::shared_ptr<LogSink> log;
  std::shared_ptr<Metrics> metrics;
  /// The node's clock against the actor clock; null is the identity (production). The
  /// simulator owns one per node and changes it between steps (clock faults).
  std::shared_ptr<const NodeClock> clock;
  /// Probe for checkers: in the simulator the world records these events; in production
  /// they are logged at debug level. Never used to make decisions.
  std::function<void(const std::string& event)> observe;
  /// Opens a link to node `node` at "host:port" (a Link actor over the process's transport,
  /// registered with the router; send it an exit to close it). Null where nodes have no
  /// links of their own (the simulator routes through its network).
  std::function<caf::actor(const std::string& node, const std::string& host, std::uint16_t port)>
      open_link;
};

/// Milliseconds on the actor clock itself, for process infrastructure that belongs to no
/// node's logic (router and link log stamps, log rate limits). Node logic uses ActorEnv.
std::int64_t actor_clock_ms(caf::local_actor* self);

class ActorEnv {
 public:
  ActorEnv(NodeContext node, std::string actor_name);

  const Address& address() const { return address_; }
  const NodeContext& node() const { return node_; }
  Rng& rng() { return rng_; }
  Metrics& metrics() { return *node_.metrics; }
  const caf::actor& router() const { return node_.router; }

  /// The node's time in milliseconds: the actor clock (simulated time in the simulator)
  /// through the node's clock. Only differences between two readings of one node mean
  /// anything; nodes never compare their readings.
  std::int64_t now_ms(caf::local_actor* self) const;

  /// The actor-clock delay of a timer meant to last `local` on the node's clock, for
  /// delayed_send: a fast node clock fires its timers early, as a real one would.
  caf::timespan timer(std::chrono::nanoseconds local) const;

  /// Encodes and hands the envelope to the router.
  void send(caf::event_based_actor* self, EnvelopeBuilder& envelope);

  void log(caf::local_actor* self, LogLevel level, std::string_view message);
  void observe(const std::string& event) {
    if (node_.observe) node_.observe(event);
  }

  /// Registers the actor with the node's router under this env's name.
  void register_with_router(caf::event_based_actor* self, const caf::actor& me);

 private:
  NodeContext node_;
  Address address_;
  Rng rng_;
};

}  // namespace craton
