// RaftEvent: what one replica reports about its Raft state after each handled input, for the
// simulator's invariant checker (sim/store/raft_invariants.hpp). Plain data, no CAF, no I/O.
//
// A replica records these only when asked (ReplicaConfig::record_raft_events, on in the
// simulator only) and the actor shell hands them to env.observe as one text line each
// ("raft <kind> ..."). The events describe what the replica made DURABLE and what it APPLIED,
// so a checker can model every replica's log across crashes and restarts:
//
//   opened     the replica restarted from its data: last persisted index and its term, the
//              stored commit index, the state machine's applied index, the snapshot index
//   leader     it became leader of `term` (its log is then what it had persisted)
//   persisted  entries first .. first+n-1 are durable; like RaftLogStore::save, they replace
//              any stored entry at first and everything after it
//   committed  its durable commit index rose to `index` while its term was `term`
//   applied    entries first .. first+n-1 were handed to the state machine, in order
//   snapshot   a snapshot at (index, term) replaced its log
//
// Entries travel as digests (term and a stable hash of type and data), not as data. The text
// form is bounded (parse_raft_event refuses more than kRaftEventEntriesMax digests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/store/raft/raft_message.hpp"
#include "runtime/result.hpp"

namespace craton::store {

enum class RaftEventKind : std::uint8_t { opened, leader, persisted, committed, applied, snapshot };

/// An entry as the checker sees it: same index, same term and same digest mean same entry.
struct EntryDigest {
  std::uint64_t term = 0;
  std::uint64_t hash = 0;  ///< StableHash of the entry type and data
  bool operator==(const EntryDigest&) const = default;
};

struct RaftEvent {
  RaftEventKind kind = RaftEventKind::leader;
  /// opened: last persisted index; persisted/applied: first entry's index; committed: commit
  /// index; snapshot: snapshot index. Unused by leader.
  std::uint64_t index = 0;
  /// opened: term of the last persisted entry; leader: the term led; committed: the replica's
  /// term when it learned the commit; snapshot: snapshot term. Unused otherwise.
  std::uint64_t term = 0;
  std::uint64_t commit = 0;          ///< opened only: stored commit index
  std::uint64_t applied = 0;         ///< opened only: state machine's applied index
  std::uint64_t snapshot_index = 0;  ///< opened only: index of the stored snapshot (0: none)
  std::vector<EntryDigest> entries;  ///< persisted and applied only, consecutive from `index`
  bool operator==(const RaftEvent&) const = default;
};

/// Largest number of entry digests one text event may carry.
constexpr std::size_t kRaftEventEntriesMax = std::size_t{1} << 20;

EntryDigest digest(const raft::Entry& entry);

/// Digests of `entries` (consecutive indexes, as in a Ready).
std::vector<EntryDigest> digests(const std::vector<raft::Entry>& entries);

/// "raft <kind> ..." (one line; the format parse_raft_event reads).
std::string format_raft_event(const RaftEvent& event);

/// Reads format_raft_event's output; anything else is an error naming the problem.
Result<RaftEvent> parse_raft_event(const std::string& text);

}  // namespace craton::store
