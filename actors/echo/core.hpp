// Echo core: the pure logic of the echo protocol (schemas/envelope.capnp: Ping, Pong).
//
// answer_ping() turns a Ping into the Pong that answers it (same seq, same payload, same
// correlation id, sent back to the pinger). PingerCore is the other side: it makes one Ping
// per peer per tick, remembers a bounded number of outstanding pings, and matches Pongs to
// them to report round-trip times. No CAF, no clock: times come in as arguments.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/address.hpp"
#include "runtime/envelope_codec.hpp"

namespace craton::echo {

/// The Pong answering `ping`, encoded, or nullopt if `ping` is not a Ping.
std::optional<std::vector<std::uint8_t>> answer_ping(const DecodedEnvelope& ping);

struct PingerConfig {
  Address self;                    ///< the pinger's own address
  std::vector<std::string> peers;  ///< node ids; each gets pings at peer/echo
  std::size_t payload_bytes = 16;
  std::size_t outstanding_max = 1024;  ///< older unanswered pings are forgotten
};

/// A Pong matched to one of our Pings.
struct PongSeen {
  std::string peer;
  std::uint64_t seq = 0;
  std::int64_t rtt_ms = 0;
};

class PingerCore {
 public:
  explicit PingerCore(PingerConfig config);

  /// The Pings to send now, one per peer, encoded.
  std::vector<std::vector<std::uint8_t>> tick(std::int64_t now_ms);

  /// Matches a Pong to an outstanding Ping. nullopt for anything else: not a Pong, a Pong we
  /// never asked for or already matched (duplicates), or one from the wrong node.
  std::optional<PongSeen> on_pong(const DecodedEnvelope& pong, std::int64_t now_ms);

  std::uint64_t pongs_from(const std::string& peer) const;
  std::size_t outstanding() const { return outstanding_.size(); }

 private:
  struct Outstanding {
    std::string peer;
    std::int64_t sent_ms;
  };

  PingerConfig config_;
  std::uint64_t next_seq_ = 1;
  std::map<std::uint64_t, Outstanding> outstanding_;  // by seq; the oldest is first
  std::map<std::string, std::uint64_t> pongs_;
};

}  // namespace craton::echo
