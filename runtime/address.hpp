// Address: a logical actor address, node id plus actor name, written "node/actor".
// Addresses never contain process ids or network endpoints: where a node lives is the
// router's business, so the same address works in a real cluster and in the simulator.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton {

struct Address {
  std::string node;
  std::string actor;

  auto operator<=>(const Address&) const = default;
  std::string to_string() const { return node + "/" + actor; }
};

/// Longest node id or actor name we accept (bounded so addresses stay cheap to route).
inline constexpr std::size_t kNameBytesMax = 64;

/// Checks one component: 1..64 bytes of [A-Za-z0-9._-].
Status validate_name(std::string_view name);

/// Checks a node id: a name (validate_name), or NAME@SESSION with SESSION 1..16 hex digits.
/// The second form is a session of the node its certificate names: clients that share one
/// certificate (`admin`) each speak as `admin@<random>`, so that replies find the right one.
Status validate_node_id(std::string_view id);

/// The name a node id's certificate must carry: NAME of NAME@SESSION, else the id itself.
std::string_view certified_name(std::string_view id);

/// Parses "node/actor"; node must pass validate_node_id, actor validate_name.
Result<Address> parse_address(std::string_view text);

}  // namespace craton
