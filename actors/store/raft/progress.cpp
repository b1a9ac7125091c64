#include "actors/store/raft/progress.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::raft {

void Inflights::add(std::uint64_t last_index) {
  CRATON_ASSERT(!full(), "raft: the caller checks is_paused() before sending into the window");
  window_.push_back(last_index);
}

void Inflights::free_to(std::uint64_t index) {
  while (!window_.empty() && window_.front() <= index) window_.pop_front();
}

const char* to_string(ProgressState state) {
  switch (state) {
    case ProgressState::probe:
      return "probe";
    case ProgressState::replicate:
      return "replicate";
    case ProgressState::snapshot:
      return "snapshot";
  }
  return "?";
}

void Progress::become_probe() {
  // Coming back from a snapshot, resume right after it; otherwise after the known match.
  if (state == ProgressState::snapshot) {
    next = std::max(match + 1, pending_snapshot + 1);
  } else {
    next = match + 1;
  }
  state = ProgressState::probe;
  probe_sent = false;
  pending_snapshot = 0;
  inflights.reset();
}

void Progress::become_replicate() {
  state = ProgressState::replicate;
  next = match + 1;
  probe_sent = false;
  pending_snapshot = 0;
  inflights.reset();
}

void Progress::become_snapshot(std::uint64_t snapshot_index) {
  state = ProgressState::snapshot;
  snapshot_heartbeats = 0;
  probe_sent = false;
  pending_snapshot = snapshot_index;
  inflights.reset();
}

bool Progress::maybe_update(std::uint64_t index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, index + 1);
  return updated;
}

void Progress::sent_entries(std::uint64_t last) {
  if (state == ProgressState::replicate) {
    next = last + 1;
    inflights.add(last);
  } else if (state == ProgressState::probe) {
    probe_sent = true;
  }
}

bool Progress::maybe_decrease_to(std::uint64_t rejected, std::uint64_t match_hint) {
  if (state == ProgressState::replicate) {
    // Stale if the rejected append is already known to match.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In probe state only the answer to the latest probe counts.
  if (next == 0 || next - 1 != rejected) return false;
  next = std::max(std::min(rejected, match_hint + 1), match + 1);
  probe_sent = false;
  return true;
}

bool Progress::is_paused() const {
  switch (state) {
    case ProgressState::probe:
      return probe_sent;
    case ProgressState::replicate:
      return inflights.full();
    case ProgressState::snapshot:
      return true;
  }
  return true;
}

}  // namespace craton::raft
