// ConfigCache: the configurations the linearizability search has visited, so that it never
// explores one twice (Lowe's memoization). A configuration is the model state, the set of
// completed operations already linearized, and the set of unknown-outcome operations already
// linearized. A new configuration is pruned when one with the same state and completed set was
// visited with a subset of its unknown-outcome operations: anything the new one can still do, the
// old one could do too (unknown-outcome operations are optional), so it was already explored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/linearizability/state_space.hpp"

namespace craton::linearizability {

/// The exact part of a configuration: state and linearized completed operations. Those are all
/// completed operations before the one at rank `frontier`, plus `above` (op ids past it).
struct ConfigKey {
  StateSpace::StateId state = 0;
  std::uint32_t frontier = 0;
  std::vector<std::uint32_t> above;
  bool operator==(const ConfigKey&) const = default;
};

struct ConfigKeyHash {
  std::size_t operator()(const ConfigKey& key) const {
    std::uint64_t h = (std::uint64_t{key.state} << 32) ^ key.frontier;
    for (std::uint32_t id : key.above) h = (h ^ id) * 0x100000001b3ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

class ConfigCache {
 public:
  /// `unknown_words`: 64-bit words in the bitset of unknown-outcome operations.
  explicit ConfigCache(std::size_t unknown_words) : words_(unknown_words) {}

  /// Records the configuration and returns true, or returns false if it is dominated by (or
  /// equal to) one recorded before. `unknown` has exactly `unknown_words` words.
  bool insert(ConfigKey key, const std::vector<std::uint64_t>& unknown);

  std::size_t size() const { return chain_next_.size(); }

 private:
  static constexpr std::uint32_t kEnd = UINT32_MAX;

  bool subset(std::uint32_t entry, const std::vector<std::uint64_t>& unknown) const;

  std::size_t words_;
  std::unordered_map<ConfigKey, std::uint32_t, ConfigKeyHash> heads_;  // -> newest entry
  std::vector<std::uint64_t> unknown_sets_;  // words_ words per entry
  std::vector<std::uint32_t> chain_next_;    // per entry: older entry with the same key
};

}  // namespace craton::linearizability
