// ConfigCache: the configurations the linearizability search has visited, so that it never
// explores one twice (Lowe's memoization). A configuration is the model state, the set of
// completed operations already linearized, and the set of unknown-outcome operations already
// linearized. A new configuration is pruned when one with the same state and completed set was
// visited with a subset of its unknown-outcome operations: anything the new one can still do, the
// old one could do too (unknown-outcome operations are optional), so it was already explored.
//
// Storage is flat (one open-addressing table over packed keys, one array of bitsets) because the
// search inserts millions of entries on long histories and per-entry allocations dominated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/linearizability/state_space.hpp"

namespace craton::linearizability {

/// The exact part of a configuration: the state and the linearized completed operations, which
/// are all completed operations before the one at rank `frontier`, plus `above` (op indices past
/// it, ascending).
struct ConfigKey {
  StateSpace::StateId state = 0;
  std::uint32_t frontier = 0;
  std::span<const std::uint32_t> above;
};

class ConfigCache {
 public:
  /// `unknown_words`: 64-bit words in the bitset of unknown-outcome operations.
  explicit ConfigCache(std::size_t unknown_words);

  /// Records the configuration and returns true, or returns false if it is dominated by (or
  /// equal to) one recorded before. `unknown` has exactly `unknown_words` words.
  bool insert(const ConfigKey& key, std::span<const std::uint64_t> unknown);

  /// Configurations recorded.
  std::size_t size() const { return chain_next_.size(); }

 private:
  static constexpr std::uint32_t kEnd = UINT32_MAX;

  static std::uint64_t hash(const ConfigKey& key);
  static std::uint64_t slot_value(std::uint64_t hash, std::uint32_t k);
  bool same_key(std::uint32_t k, const ConfigKey& key) const;
  std::uint32_t find_or_add(const ConfigKey& key);
  void grow();
  bool subset(std::uint32_t entry, std::span<const std::uint64_t> unknown) const;

  std::size_t words_;
  // Distinct keys: packed as [state, frontier, count, above...] at key_offset_[k].
  std::vector<std::uint32_t> packed_;
  std::vector<std::size_t> key_offset_;
  std::vector<std::uint64_t> key_hash_;
  std::vector<std::uint32_t> key_newest_;  // newest entry with this key, or kEnd
  // Open addressing: (high 32 bits of the key's hash) << 32 | (key index + 1); 0 = empty.
  std::vector<std::uint64_t> slots_;
  // Entries: one unknown-outcome set each, chained per key from newest to oldest.
  std::vector<std::uint64_t> unknown_sets_;
  std::vector<std::uint32_t> chain_next_;
};

}  // namespace craton::linearizability
