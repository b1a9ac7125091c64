#include "actors/store/raft/raft.hpp"

#include <algorithm>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

using detail::is_local_request;
using detail::not_leader;

// ReadIndex: linearizable reads confirmed by a heartbeat round (thesis 6.4).

Status Raft::read_index(std::string context) {
  if (role_ == Role::leader) {
    if (read_only_.full() || reads_awaiting_commit_.size() >= cfg_.pending_reads_max) {
      return Error{"busy", "too many pending linearizable reads"};
    }
    leader_read(id_, std::move(context));
    return Ok{};
  }
  if (lead_ == 0) return not_leader(0);
  send(Message{.type = MessageType::read_index, .to = lead_, .context = std::move(context)});
  return Ok{};
}

void Raft::leader_read(NodeId from, std::string context) {
  if (membership_.voters.size() == 1 && membership_.is_voter(id_)) {
    answer_read(from, log_.committed(), std::move(context));
    return;
  }
  // Until an entry of this term commits, our commit index may lag the cluster's.
  if (log_.term(log_.committed()) != term_) {
    if (reads_awaiting_commit_.size() < cfg_.pending_reads_max) {
      reads_awaiting_commit_.emplace_back(from, std::move(context));
    }
    return;
  }
  if (read_only_.full()) {
    if (from != id_)
      send(Message{.type = MessageType::read_index_resp,
                   .to = from,
                   .reject = true,
                   .context = std::move(context)});
    return;
  }
  // Reads that arrive before the round's heartbeats leave (the next Ready) share the round:
  // those heartbeats are still sent after the reads arrived, which is all ReadIndex needs.
  if (unsent_read_round_ != 0) {
    read_only_.add(log_.committed(), from, std::move(context), id_, unsent_read_round_);
    return;
  }
  unsent_read_round_ = read_only_.add(log_.committed(), from, std::move(context), id_);
  broadcast_heartbeat(ReadOnlyQueue::round_context(unsent_read_round_));
}

void Raft::answer_read(NodeId from, std::uint64_t index, std::string context) {
  if (from == id_) {
    read_states_.push_back({index, std::move(context)});
  } else {
    Message m{.type = MessageType::read_index_resp, .to = from, .context = std::move(context)};
    m.index = index;
    send(std::move(m));
  }
}

void Raft::release_pending_reads() {
  if (reads_awaiting_commit_.empty() || log_.term(log_.committed()) != term_) return;
  auto reads = std::move(reads_awaiting_commit_);
  reads_awaiting_commit_.clear();
  for (auto& [from, context] : reads) leader_read(from, std::move(context));
}

}  // namespace craton::raft
