// Peer lists from the command line: where each node of a cluster listens.
//
//   --listen 127.0.0.1:7001
//   --peers  b=127.0.0.1:7002,c=10.0.0.3:7001
//
// Parsing is strict and bounded: node ids follow validate_name, hosts are 1..253 bytes of
// [A-Za-z0-9.-] (names, IPv4), ports are decimal 0..65535 (0 only where a caller allows it:
// "any free port"), at most kPeersMax peers, no duplicate node ids. Pure, no CAF.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace craton {

inline constexpr std::size_t kPeersMax = 1024;

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  bool operator==(const Endpoint&) const = default;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

struct PeerSpec {
  std::string node;
  Endpoint endpoint;

  bool operator==(const PeerSpec&) const = default;
};

/// Parses "host:port". Port 0 is accepted only if `allow_any_port`.
Result<Endpoint> parse_endpoint(std::string_view text, bool allow_any_port = false);

/// Parses "node=host:port[,node=host:port...]"; an empty string is an empty list.
Result<std::vector<PeerSpec>> parse_peer_list(std::string_view text);

}  // namespace craton
