#include "actors/store/raft/raft.hpp"

#include <algorithm>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

using detail::is_local_request;
using detail::not_leader;

// Leader side of replication: answers from followers, appends, heartbeats, proposals and
// the commit rule.

namespace {
/// How long (in election timeouts of heartbeat answers) a leader waits for a snapshot's
/// delivery report before it probes the follower again.
constexpr int kSnapshotWaitElectionTimeouts = 5;
}  // namespace

void Raft::step_leader(Message& m) {
  if (m.type == MessageType::read_index) {
    leader_read(m.from, std::move(m.context));
    return;
  }
  if (m.type == MessageType::transfer_leader) {
    start_transfer(m.from);
    return;
  }
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return;  // not (or no longer) a member
  Progress& pr = it->second;
  if (m.type == MessageType::app_resp) {
    handle_append_response(m, pr);
  } else if (m.type == MessageType::heartbeat_resp) {
    handle_heartbeat_response(m, pr);
  }
}

void Raft::handle_append_response(const Message& m, Progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    // Fast back-off: skip every entry of a term the follower does not have (etcd's
    // findConflictByTerm), instead of one index per round trip.
    std::uint64_t probe = m.reject_hint;
    if (m.log_term > 0) probe = log_.find_conflict_by_term(m.reject_hint, m.log_term);
    if (pr.maybe_decrease_to(m.index, probe)) {
      if (pr.state == ProgressState::replicate) pr.become_probe();
      send_append(m.from);
    }
    return;
  }
  bool was_paused = pr.is_paused();
  if (!pr.maybe_update(m.index)) return;
  if (pr.state == ProgressState::probe) {
    pr.become_replicate();
  } else if (pr.state == ProgressState::snapshot && pr.match >= pr.pending_snapshot) {
    pr.become_probe();
  } else if (pr.state == ProgressState::replicate) {
    pr.inflights.free_to(m.index);
  }
  if (maybe_commit()) {
    broadcast_append();
  } else if (was_paused) {
    send_append(m.from, false);
  }
  // Pipelining: keep the window full while there is something to send.
  while (progress_.count(m.from) && send_append(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr.match == log_.last_index()) {
    send(Message{.type = MessageType::timeout_now, .to = m.from});
  }
}

void Raft::handle_heartbeat_response(const Message& m, Progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;
  // Safety net for a transport that never reports a snapshot's fate: after this many live
  // heartbeat answers, treat it as lost (a probe finds out whether it was installed).
  if (pr.state == ProgressState::snapshot &&
      ++pr.snapshot_heartbeats >= kSnapshotWaitElectionTimeouts * cfg_.election_tick) {
    pr.pending_snapshot = 0;
    pr.become_probe();
  }
  // A reply proves the follower is reachable again: let one more append through.
  if (pr.state == ProgressState::replicate && pr.inflights.full()) pr.inflights.reset();
  if (pr.match < log_.last_index()) send_append(m.from);
  std::uint64_t round = ReadOnlyQueue::parse_round(m.context);
  if (round == 0 || !membership_.is_voter(m.from)) return;
  std::uint64_t confirmed = read_only_.ack(round, m.from, membership_.quorum());
  if (confirmed == 0) return;
  for (auto& req : read_only_.release_through(confirmed)) {
    answer_read(req.from, req.index, std::move(req.context));
  }
}

void Raft::send(Message m) {
  m.from = id_;
  if (m.term == 0 && !is_local_request(m.type)) m.term = term_;
  msgs_.push_back(std::move(m));
}

bool Raft::send_append(NodeId to, bool send_if_empty) {
  auto it = progress_.find(to);
  if (it == progress_.end() || to == id_) return false;
  Progress& pr = it->second;
  if (pr.is_paused()) return false;
  auto prev_term = log_.term(pr.next - 1);
  if (!prev_term) {  // the entries this follower needs were compacted away
    send_snapshot(to, pr);
    return true;
  }
  std::vector<Entry> ents;
  if (pr.next <= log_.last_index()) {
    ents = log_.slice(pr.next, log_.last_index(), cfg_.msg_entries_max, cfg_.msg_bytes_max);
  }
  if (ents.empty() && !send_if_empty) return false;
  Message m{.type = MessageType::app, .to = to, .log_term = *prev_term, .index = pr.next - 1};
  m.commit = log_.committed();
  if (!ents.empty()) {
    pr.sent_entries(ents.back().index);
  } else if (pr.state == ProgressState::probe) {
    pr.probe_sent = true;
  }
  m.entries = std::move(ents);
  send(std::move(m));
  return true;
}

void Raft::send_snapshot(NodeId to, Progress& pr) {
  CRATON_ASSERT(snapshot_.meta.index == log_.snapshot_index(), "snapshot matches the log offset");
  Message m{.type = MessageType::snap, .to = to};
  m.snapshot = snapshot_;
  pr.become_snapshot(snapshot_.meta.index);
  send(std::move(m));
}

void Raft::send_heartbeat(NodeId to, const std::string& context) {
  const Progress& pr = progress_.at(to);
  // Never tell a follower to commit beyond what it is known to hold.
  Message m{.type = MessageType::heartbeat, .to = to, .context = context};
  m.commit = std::min(pr.match, log_.committed());
  send(std::move(m));
}

void Raft::broadcast_append() {
  for (auto& [node, pr] : progress_) {
    if (node == id_ || !send_append(node)) continue;
    // Pipelining: a replicating follower gets everything new, up to its in-flight window.
    while (pr.state == ProgressState::replicate && send_append(node, false)) {
    }
  }
}

void Raft::broadcast_heartbeat(const std::string& context) {
  for (auto& entry : progress_) {
    if (entry.first != id_) send_heartbeat(entry.first, context);
  }
}

Status Raft::check_can_propose() const {
  if (role_ != Role::leader) return not_leader(lead_);
  if (lead_transferee_ != 0) {
    return Error{"transferring",
                 "leadership is being transferred to " + std::to_string(lead_transferee_)};
  }
  return Ok{};
}

Result<std::uint64_t> Raft::propose(std::string data) {
  std::vector<std::string> one;
  one.push_back(std::move(data));
  return propose_batch(std::move(one));
}

Result<std::uint64_t> Raft::propose_batch(std::vector<std::string> data) {
  if (data.empty()) return Error{"invalid", "empty proposal batch"};
  std::vector<Entry> entries;
  for (auto& d : data) {
    if (d.size() > cfg_.entry_bytes_max) {
      return Error{"too_large", "proposal of " + std::to_string(d.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(cfg_.entry_bytes_max)};
    }
    entries.push_back(Entry{0, 0, EntryType::normal, std::move(d)});
  }
  return append_proposals(std::move(entries));
}

Result<std::uint64_t> Raft::propose_conf_change(const ConfChange& cc) {
  if (auto st = check_can_propose(); !st) return st.error();
  if (pending_conf_index_ > log_.applied()) {
    return Error{"change_in_progress", "a membership change is still being applied"};
  }
  if (auto next = membership_.apply(cc); !next) return next.error();
  auto index = append_proposals({Entry{0, 0, EntryType::conf_change, cc.encode()}});
  if (index) pending_conf_index_ = *index;
  return index;
}

Result<std::uint64_t> Raft::append_proposals(std::vector<Entry> entries) {
  if (auto st = check_can_propose(); !st) return st.error();
  // Without a live quorum nothing commits: bound the log instead of growing it forever.
  if (log_.last_index() - log_.committed() + entries.size() > cfg_.uncommitted_entries_max) {
    return Error{"busy", "too many uncommitted entries (" +
                             std::to_string(log_.last_index() - log_.committed()) + ")"};
  }
  append_entries(std::move(entries));
  broadcast_append();
  return log_.last_index();
}

void Raft::append_entries(std::vector<Entry> entries) {
  std::uint64_t index = log_.last_index();
  for (auto& e : entries) {
    e.term = term_;
    e.index = ++index;
  }
  std::uint64_t last = log_.append(std::move(entries));
  progress_.at(id_).maybe_update(last);
  maybe_commit();
}

bool Raft::maybe_commit() {
  std::vector<std::uint64_t> matches;
  for (NodeId v : membership_.voters) {
    auto it = progress_.find(v);
    matches.push_back(it == progress_.end() ? 0 : it->second.match);
  }
  if (matches.empty()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  std::uint64_t candidate = matches[membership_.quorum() - 1];
  // Only entries of the current term are committed by counting (Raft 5.4.2, Figure 8).
  if (candidate <= log_.committed() || log_.term(candidate) != term_) return false;
  log_.commit_to(candidate);
  release_pending_reads();
  return true;
}

}  // namespace craton::raft
