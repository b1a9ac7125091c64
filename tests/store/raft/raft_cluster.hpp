// RaftCluster: a tiny in-test world for the pure Raft core. It owns several Raft replicas, the
// "disk" of each (exactly what its Readys asked to persist), a toy state machine (the list of
// applied values) and a network of in-flight messages that tests deliver in order, at random,
// drop, duplicate or partition. Crashing a replica discards everything but its disk; restart
// rebuilds it from that disk.
//
// Every Ready is checked against the Raft safety properties (RaftChecker): election safety,
// log matching, leader completeness and state machine safety. A violation throws
// std::runtime_error with a description.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/store/raft/raft.hpp"

// Tests build messages with designated initializers naming only the fields they need.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace craton::raft {
inline std::ostream& operator<<(std::ostream& os, Role r) {
  return os << to_string(r);
}
inline std::ostream& operator<<(std::ostream& os, ProgressState s) {
  return os << to_string(s);
}
}  // namespace craton::raft

namespace craton::raft::test {

/// The state machine: applied values in order, plus the applied index.
struct StateMachine {
  std::uint64_t applied = 0;
  std::vector<std::string> values;

  std::string encode() const;
  static StateMachine decode(std::uint64_t index, const std::string& data);
};

/// Global safety checks across replicas and time.
class RaftChecker {
 public:
  void on_role(const Raft& r);
  void on_persist(const Raft& r, const std::vector<Entry>& entries);
  void on_commit_seen(const Raft& r);
  void on_apply(NodeId node, const Entry& e);
  void on_snapshot_apply(NodeId node, const SnapshotMeta& meta);
  void forget_commit_cursor(NodeId node) { commit_seen_.erase(node); }

 private:
  struct Known {
    std::uint64_t term;
    EntryType type;
    std::string data;
  };
  std::map<std::uint64_t, NodeId> leader_of_term_;
  std::set<std::pair<NodeId, std::uint64_t>> completeness_checked_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, Known> entries_;       // (index, term)
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> prev_;  // -> prev term
  struct Committed {
    Known entry;
    std::uint64_t seen_term;
  };
  std::map<std::uint64_t, Committed> committed_;
  std::map<NodeId, std::uint64_t> commit_seen_;
  std::map<std::uint64_t, Known> applied_;
};

class RaftCluster {
 public:
  using Tweak = std::function<void(RaftConfig&)>;

  /// Replicas start from `disks` where given, otherwise from empty storage (bootstrap).
  RaftCluster(std::vector<NodeId> voters, std::uint64_t seed, Tweak tweak = {},
              std::map<NodeId, PersistentState> disks = {});

  Raft& node(NodeId id) { return *nodes_.at(id); }
  bool up(NodeId id) const { return nodes_.count(id) && nodes_.at(id).has_value(); }
  const StateMachine& state(NodeId id) const { return machines_.at(id); }
  const std::vector<ReadState>& reads(NodeId id) { return reads_[id]; }
  const PersistentState& disk(NodeId id) const { return disks_.at(id); }
  std::vector<NodeId> ids() const;
  RaftChecker& checker() { return checker_; }

  /// Starts a fresh replica that knows no configuration (it joins through the leader).
  void add_fresh_node(NodeId id);
  void crash(NodeId id);
  void restart(NodeId id);

  /// Drains Readys of `id` until there is none: persist, send, apply, advance.
  void process(NodeId id);
  void tick(NodeId id, int times = 1);
  /// Hands `m` to its destination (dropped if the link is cut or the node is down).
  void deliver(Message m);
  /// Delivers queued messages in order until none is left (bounded).
  void deliver_all(std::size_t max_messages = 100000);
  /// Ticks `id` until it campaigns, then delivers everything.
  void campaign(NodeId id);
  /// The highest-term live leader, if any.
  std::optional<NodeId> leader() const;

  std::deque<Message>& network() { return network_; }
  void cut(NodeId a, NodeId b);
  void isolate(NodeId id);
  void heal() { cut_.clear(); }
  void heal_link(NodeId a, NodeId b) {
    cut_.erase({a, b});
    cut_.erase({b, a});
  }
  bool linked(NodeId a, NodeId b) const { return !cut_.count({a, b}); }
  /// Drops (not delivers) messages for which it returns true.
  std::function<bool(const Message&)> drop_if;
  /// Plays a transport that cannot observe delivery and reports every snapshot as sent.
  bool snapshots_always_reported_delivered = false;
  /// Plays a transport that never reports snapshots at all.
  bool report_snapshots = true;

  /// The state machine takes a snapshot at its applied index and tells Raft.
  void snapshot(NodeId id);

 private:
  RaftConfig config_for(NodeId id) const;
  void persist(NodeId id, const Ready& rd);
  void apply(NodeId id, const Ready& rd);
  void report_snapshot_outcome(const Message& m, bool delivered);

  std::vector<NodeId> initial_voters_;
  std::uint64_t seed_;
  Tweak tweak_;
  std::set<NodeId> fresh_;  // joined later: start with no configuration
  std::map<NodeId, std::optional<Raft>> nodes_;
  std::map<NodeId, PersistentState> disks_;
  std::map<NodeId, StateMachine> machines_;
  std::map<NodeId, std::vector<ReadState>> reads_;
  std::deque<Message> network_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  RaftChecker checker_;
};

}  // namespace craton::raft::test
