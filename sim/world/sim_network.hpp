// SimNetwork: the simulator's stand-in for links between nodes.
//
// Every node's router has SimNetwork as its default route, so every inter-node envelope
// arrives here. SimNetwork decodes it to learn sender, receiver and body kind, asks the
// NetworkModel what happens to it, and either records a drop (with the reason) or delivers
// each copy after its latency with `delayed_send` on CAF's (simulated) clock. At delivery
// time it asks the world again: a message for a node that is down is dropped ("crashed");
// otherwise it goes to the node's current router. Messages sent by a node that is down (its
// actors' last words while they are being killed) are dropped ("sender_down").
#pragma once

#include <caf/all.hpp>

#include <string>
#include <string_view>

#include "sim/world/network_model.hpp"

namespace craton::sim {

/// What SimNetwork needs from the world. Implemented by World; must outlive the actor.
class NetworkHost {
 public:
  virtual ~NetworkHost() = default;
  virtual bool node_known(const std::string& node) const = 0;
  /// False if the node is crashed (paused nodes are up: their mailboxes fill).
  virtual bool node_up(const std::string& node) const = 0;
  /// The node's current router; null if unknown or down.
  virtual caf::actor router_of(const std::string& node) const = 0;
  virtual NetworkModel& model() = 0;
  /// The simulated time since the run's start.
  virtual std::int64_t now_ms() const = 0;
  /// Records a trace event at the current simulated time.
  virtual void record(std::string_view kind, std::string_view details) = 0;
  virtual void count_message(bool delivered) = 0;
};

caf::actor spawn_sim_network(caf::actor_system& sys, NetworkHost* host);

}  // namespace craton::sim
