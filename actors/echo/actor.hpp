// Echo actors: the CAF shells around actors/echo/core.hpp.
//
// spawn_echo: registers as "echo" with the node's router and answers every Ping with a Pong.
// spawn_pinger: registers as "pinger", subscribes to peer status, pings each peer's echo
// every `interval_ms` on the actor clock, and logs each Pong (peer, seq, round trip) and each
// peer up/down. Together they make two `craton node` processes visibly talk.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/environment.hpp"

namespace craton::echo {

caf::actor spawn_echo(caf::actor_system& sys, const NodeContext& node);

struct PingerOptions {
  std::vector<std::string> peers;
  std::int64_t interval_ms = 1000;
  std::size_t payload_bytes = 16;
};

caf::actor spawn_pinger(caf::actor_system& sys, const NodeContext& node, PingerOptions options);

}  // namespace craton::echo
