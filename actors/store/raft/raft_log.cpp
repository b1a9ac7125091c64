#include "actors/store/raft/raft_log.hpp"

#include <algorithm>
#include <string>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

RaftLog::RaftLog(const SnapshotMeta& snapshot, std::vector<Entry> entries)
    : snapshot_index_(snapshot.index),
      snapshot_term_(snapshot.term),
      entries_(std::move(entries)),
      committed_(snapshot.index),
      applied_(snapshot.index),
      stable_(snapshot.index + entries_.size()) {
  check_invariants();
}

void RaftLog::check_invariants() const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    CRATON_ASSERT(entries_[i].index == snapshot_index_ + 1 + i, "entries are contiguous");
  }
  CRATON_ASSERT(applied_ <= committed_, "applied <= committed");
  CRATON_ASSERT(committed_ <= last_index(), "committed <= last index");
  CRATON_ASSERT(stable_ <= last_index(), "stable <= last index");
  CRATON_ASSERT(snapshot_index_ <= applied_, "snapshot index <= applied");
}

std::optional<std::uint64_t> RaftLog::term(std::uint64_t index) const {
  if (index == snapshot_index_) return snapshot_term_;
  if (index < snapshot_index_ || index > last_index()) return std::nullopt;
  return entries_[index - snapshot_index_ - 1].term;
}

const Entry& RaftLog::at(std::uint64_t index) const {
  CRATON_ASSERT(index >= first_index() && index <= last_index(), "at() in range");
  return entries_[index - snapshot_index_ - 1];
}

bool RaftLog::is_up_to_date(std::uint64_t index, std::uint64_t t) const {
  return t > last_term() || (t == last_term() && index >= last_index());
}

std::uint64_t RaftLog::append(std::vector<Entry> entries) {
  for (auto& e : entries) {
    CRATON_ASSERT(e.index == last_index() + 1, "leader appends at the end");
    entries_.push_back(std::move(e));
  }
  return last_index();
}

std::optional<std::uint64_t> RaftLog::maybe_append(std::uint64_t prev_index,
                                                   std::uint64_t prev_term,
                                                   std::uint64_t leader_commit,
                                                   std::vector<Entry> entries) {
  if (!match_term(prev_index, prev_term)) return std::nullopt;
  std::uint64_t last_new = prev_index + entries.size();
  // Skip the prefix we already hold; the first entry whose term differs is the conflict.
  std::size_t skip = 0;
  while (skip < entries.size() && match_term(entries[skip].index, entries[skip].term)) ++skip;
  if (skip < entries.size()) {
    CRATON_ASSERT(entries[skip].index > committed_, "never truncate a committed entry");
    entries.erase(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(skip));
    truncate_and_append(std::move(entries));
  }
  commit_to(std::min(leader_commit, last_new));
  return last_new;
}

void RaftLog::truncate_and_append(std::vector<Entry> entries) {
  std::uint64_t from = entries.front().index;
  CRATON_ASSERT(from > snapshot_index_ && from <= last_index() + 1, "append position");
  entries_.resize(from - snapshot_index_ - 1);
  stable_ = std::min(stable_, from - 1);
  append(std::move(entries));
}

std::uint64_t RaftLog::find_conflict_by_term(std::uint64_t index, std::uint64_t t) const {
  index = std::min(index, last_index());
  while (index > snapshot_index_) {
    auto ti = term(index);
    if (!ti || *ti <= t) break;
    --index;
  }
  return index;
}

std::vector<Entry> RaftLog::slice(std::uint64_t lo, std::uint64_t hi, std::size_t max_count,
                                  std::size_t max_bytes) const {
  CRATON_ASSERT(lo >= first_index(), "slice starts after the snapshot");
  std::vector<Entry> out;
  std::size_t bytes = 0;
  for (std::uint64_t i = lo; i <= hi && i <= last_index() && out.size() < max_count; ++i) {
    const Entry& e = at(i);
    bytes += e.data.size();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

std::vector<Entry> RaftLog::unstable_entries() const {
  if (stable_ >= last_index()) return {};
  return {entries_.begin() + static_cast<std::ptrdiff_t>(stable_ - snapshot_index_),
          entries_.end()};
}

bool RaftLog::has_next_committed() const {
  return committed_ > applied_;
}

std::vector<Entry> RaftLog::next_committed(std::size_t max_count) const {
  if (!has_next_committed()) return {};
  return slice(applied_ + 1, committed_, max_count, SIZE_MAX);
}

void RaftLog::commit_to(std::uint64_t index) {
  if (index <= committed_) return;
  CRATON_ASSERT(index <= last_index(), "commit within the log");
  committed_ = index;
}

void RaftLog::applied_to(std::uint64_t index) {
  if (index <= applied_) return;
  CRATON_ASSERT(index <= committed_, "apply only committed entries");
  applied_ = index;
}

void RaftLog::stable_to(std::uint64_t index, std::uint64_t t) {
  if (index > stable_ && match_term(index, t)) stable_ = index;
}

void RaftLog::compact_to(std::uint64_t index) {
  CRATON_ASSERT(index > snapshot_index_ && index <= applied_, "compact within applied entries");
  CRATON_ASSERT(index <= stable_, "compact only persisted entries");
  snapshot_term_ = term(index).value();
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index_));
  snapshot_index_ = index;
  check_invariants();
}

void RaftLog::restore(const SnapshotMeta& snapshot) {
  CRATON_ASSERT(snapshot.index > committed_, "a restored snapshot is ahead of commit");
  entries_.clear();
  snapshot_index_ = snapshot.index;
  snapshot_term_ = snapshot.term;
  committed_ = snapshot.index;
  applied_ = snapshot.index;
  stable_ = snapshot.index;
}

}  // namespace craton::raft
