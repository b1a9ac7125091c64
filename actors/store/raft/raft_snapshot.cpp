#include "actors/store/raft/raft.hpp"

#include <algorithm>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

using detail::is_local_request;
using detail::not_leader;

// Snapshots: compaction on request of the state machine, and snapshot delivery reports.

Status Raft::create_snapshot(std::uint64_t index, std::string data,
                             std::map<NodeId, std::string> addresses) {
  if (index <= log_.snapshot_index()) {
    return Error{"stale_snapshot",
                 "a snapshot at or after index " + std::to_string(index) + " already exists"};
  }
  if (index > log_.applied() || index > log_.stable()) {
    return Error{"invalid", "snapshot index " + std::to_string(index) +
                                " is beyond the applied and persisted log"};
  }
  Snapshot s;
  s.meta.index = index;
  s.meta.term = log_.term(index).value();
  membership_at(index).fill(s.meta);
  s.meta.addresses = std::move(addresses);
  s.data = std::move(data);
  log_.compact_to(index);
  snapshot_ = std::move(s);
  // Keep only the history still needed: the last configuration at or before the snapshot.
  while (conf_history_.size() > 1 && conf_history_[1].first <= index) {
    conf_history_.erase(conf_history_.begin());
  }
  return Ok{};
}

Membership Raft::membership_at(std::uint64_t index) const {
  const Membership* m = &conf_history_.front().second;
  for (const auto& [at, config] : conf_history_) {
    if (at <= index) m = &config;
  }
  return *m;
}

void Raft::report_snapshot(NodeId to, bool delivered) {
  auto it = progress_.find(to);
  if (role_ != Role::leader || it == progress_.end()) return;
  Progress& pr = it->second;
  if (pr.state != ProgressState::snapshot) return;
  // Either way, probe: on success the follower's answer moves it to replicate; on failure
  // the next heartbeat response retries (with a fresh snapshot if still needed).
  if (!delivered) pr.pending_snapshot = 0;
  pr.become_probe();
  pr.probe_sent = true;  // wait for a heartbeat response before probing
}

void Raft::report_snapshot_activity(NodeId from) {
  auto it = progress_.find(from);
  if (role_ != Role::leader || it == progress_.end()) return;
  if (it->second.state == ProgressState::snapshot) it->second.recent_active = true;
}

void Raft::report_unreachable(NodeId to) {
  auto it = progress_.find(to);
  if (role_ != Role::leader || it == progress_.end()) return;
  if (it->second.state == ProgressState::replicate) it->second.become_probe();
}

}  // namespace craton::raft
