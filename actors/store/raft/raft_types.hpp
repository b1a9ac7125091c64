// Raft's durable vocabulary: log entries, hard state and snapshot metadata as plain structs.
// The Raft core produces and consumes them; the replica's LMDB log store
// (replica/raft_log_store.hpp) persists them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace craton::raft {

using NodeId = std::uint64_t;  ///< a replica's id (craton store --id N); 0 means "none"

enum class EntryType : std::uint8_t {
  normal = 0,       ///< an opaque command for the state machine
  conf_change = 1,  ///< a membership change (encoded by the Raft core)
};

struct Entry {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  EntryType type = EntryType::normal;
  std::string data;
  bool operator==(const Entry&) const = default;
};

/// What must be durable before a replica votes or acknowledges.
struct HardState {
  std::uint64_t term = 0;
  NodeId vote = 0;
  std::uint64_t commit = 0;
  bool operator==(const HardState&) const = default;
};

/// The configuration and position a snapshot stands for (its data travels separately).
struct SnapshotMeta {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  /// Where members listen (the store's conf change entries carry addresses, and a compacted
  /// log no longer holds those entries). Opaque to Raft; empty where unknown.
  std::map<NodeId, std::string> addresses;
  bool operator==(const SnapshotMeta&) const = default;
};

}  // namespace craton::raft
