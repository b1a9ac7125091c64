// ReadOnlyQueue: the leader's pending ReadIndex requests (Raft thesis, section 6.4).
//
// A read arriving at the leader is recorded with the commit index at that moment, then the
// leader broadcasts a heartbeat naming the request's round. Once a majority of voters has
// answered that round, the leader knows it was still leader when the read arrived, so every
// request up to that round may be served at its recorded index. No log write is involved.
// Promises: requests are released in arrival order; the queue is bounded by its constructor.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "actors/store/raft/raft_types.hpp"

namespace craton::raft {

struct ReadRequest {
  std::uint64_t round = 0;  ///< heartbeat round that confirms it
  std::uint64_t index = 0;  ///< the leader's commit index when the request arrived
  NodeId from = 0;          ///< who asked (the leader itself, or a follower)
  std::string context;      ///< the caller's identifier for the read
  std::set<NodeId> acks;    ///< voters that answered this round (the leader included)
};

class ReadOnlyQueue {
 public:
  explicit ReadOnlyQueue(std::size_t max_pending) : pending_max_(max_pending) {}

  bool full() const { return queue_.size() >= pending_max_; }
  std::size_t size() const { return queue_.size(); }
  /// Records a request; returns the round its heartbeat must carry. With `join_round` (the
  /// latest round, whose heartbeats have not left yet) the request shares that round instead
  /// of starting a new one. Precondition: !full().
  std::uint64_t add(std::uint64_t index, NodeId from, std::string context, NodeId self,
                    std::uint64_t join_round = 0);
  /// Records `from`'s answer to `round`. An answer to a later round also vouches for every
  /// earlier request (the heartbeat was sent after they arrived). Returns the latest round
  /// now confirmed by `quorum` nodes, or 0.
  std::uint64_t ack(std::uint64_t round, NodeId from, std::size_t quorum);
  /// Removes and returns every request up to and including `round`.
  std::vector<ReadRequest> release_through(std::uint64_t round);
  void clear() { queue_.clear(); }

  static std::string round_context(std::uint64_t round);
  /// Parses a heartbeat context back into a round; 0 when it is not one of ours.
  static std::uint64_t parse_round(const std::string& context);

 private:
  std::size_t pending_max_;
  std::uint64_t next_round_ = 1;
  std::deque<ReadRequest> queue_;
};

}  // namespace craton::raft
