// Snapshot transfer: the sender's exports (one read transaction per follower) and the
// receiver's staged, in-sequence chunks.
#include "actors/store/snapshot/snapshot_transfer.hpp"

#include <algorithm>

namespace craton::store {

// ---- SnapshotSender ----

SnapshotSender::Served SnapshotSender::refuse(const SnapshotFetch& fetch, std::string why) const {
  SnapshotChunk c;
  c.from = fetch.to;
  c.to = fetch.from;
  c.transfer_id = fetch.transfer_id;
  c.seq = fetch.seq;
  c.error = std::move(why);
  Served served;
  served.chunks.push_back(std::move(c));
  return served;
}

SnapshotSender::Served SnapshotSender::serve(const SnapshotFetch& fetch, storage::Environment& env,
                                             std::uint64_t applied, std::uint64_t applied_term,
                                             std::uint64_t now_tick) {
  auto it = exports_.find(fetch.from);
  if (it == exports_.end() || it->second.transfer_id != fetch.transfer_id) {
    // Only a first fetch may open an export: a later one belongs to a transfer we dropped.
    if (fetch.seq != 0) return refuse(fetch, kUnknownTransferRefusal);
    if (applied < fetch.snapshot_index)
      return refuse(fetch, "snapshot index " + std::to_string(fetch.snapshot_index) +
                               " not applied here (applied " + std::to_string(applied) + ")");
    if (it == exports_.end() && exports_.size() >= config_.transfers_max)
      return refuse(fetch, "too many snapshot transfers at once");
    if (it != exports_.end()) exports_.erase(it);  // the follower gave up on the old one
    auto tables = storage::TableExport::begin(env, config_.excluded_tables);
    if (!tables) return refuse(fetch, tables.error().message);
    Export e;
    e.transfer_id = fetch.transfer_id;
    e.applied = applied;
    e.applied_term = applied_term;
    e.tables = std::make_unique<storage::TableExport>(std::move(*tables));
    it = exports_.emplace(fetch.from, std::move(e)).first;
  }
  Export& e = it->second;
  e.last_tick = now_tick;
  const auto window = std::clamp<std::uint32_t>(fetch.window, 1, config_.window_chunks);
  Served served;
  auto after = fetch.after;
  for (std::uint32_t i = 0; i < window; ++i) {
    auto chunk = e.tables->next(after, config_.chunk_bytes_max);
    if (!chunk) {
      if (i == 0) return refuse(fetch, chunk.error().message);
      break;  // what was read goes out; the receiver asks again for the rest
    }
    SnapshotChunk c;
    c.from = fetch.to;
    c.to = fetch.from;
    c.transfer_id = fetch.transfer_id;
    c.seq = fetch.seq + i;
    c.applied_index = e.applied;
    c.applied_term = e.applied_term;
    c.records = std::move(chunk->records);
    c.last = chunk->done && chunk->count == 0 ? after : std::move(chunk->last);
    c.done = chunk->done;
    after = c.last;
    served.chunks.push_back(std::move(c));
    if (served.chunks.back().done) break;
  }
  // The export stays until it idles out: the last chunk may be lost and asked for again.
  if (served.chunks.back().done) {
    served.finished = !e.finished;
    e.finished = true;
  }
  return served;
}

std::optional<std::uint64_t> SnapshotSender::oldest_export() const {
  std::optional<std::uint64_t> oldest;
  for (const auto& [node, e] : exports_)
    if (!oldest || e.applied < *oldest) oldest = e.applied;
  return oldest;
}

std::vector<raft::NodeId> SnapshotSender::expire(std::uint64_t now_tick) {
  std::vector<raft::NodeId> unfinished;
  for (auto it = exports_.begin(); it != exports_.end();) {
    if (now_tick - it->second.last_tick < config_.idle_ticks_max) {
      ++it;
      continue;
    }
    if (!it->second.finished) unfinished.push_back(it->first);
    it = exports_.erase(it);
  }
  return unfinished;
}

// ---- SnapshotReceiver ----

Result<SnapshotFetch> SnapshotReceiver::start(raft::NodeId source, std::uint64_t now_tick) {
  staging_.reset();  // closes the old environment before its directory is removed
  auto staging = storage::SnapshotStaging::create(staging_options_);
  if (!staging) return staging.error();
  staging_.emplace(std::move(*staging));
  ++restarts_;
  fetch_ = SnapshotFetch{self_, source, next_id_++, 0, snapshot_index_, {}, config_.window_chunks};
  next_seq_ = 0;
  next_after_ = {};
  early_.clear();
  sent_tick_ = now_tick;
  resends_ = 0;
  refused_ = false;
  source_forgot_ = false;
  complete_ = false;
  applied_ = 0;
  return fetch_;
}

Result<std::optional<SnapshotFetch>> SnapshotReceiver::on_chunk(const SnapshotChunk& chunk,
                                                                std::uint64_t now_tick) {
  const auto window_end = fetch_.seq + fetch_.window;
  if (complete_ || !staging_ || chunk.transfer_id != fetch_.transfer_id ||
      chunk.from != fetch_.to || chunk.seq < next_seq_ || chunk.seq >= window_end)
    return std::optional<SnapshotFetch>{};  // stale, duplicated or misdirected
  if (!chunk.error.empty()) {
    refused_ = true;  // restarted by tick(), so a refusing source is not hammered
    source_forgot_ = chunk.error == kUnknownTransferRefusal;
    return std::optional<SnapshotFetch>{};
  }
  if (chunk.seq > next_seq_) {
    early_.emplace(chunk.seq, chunk);  // at most window - 1 of them
    return std::optional<SnapshotFetch>{};
  }
  if (auto s = accept(chunk, now_tick); !s) return s.error();
  for (auto it = early_.find(next_seq_); !complete_ && it != early_.end();
       it = early_.find(next_seq_)) {
    auto next = std::move(it->second);
    early_.erase(it);
    if (auto s = accept(next, now_tick); !s) return s.error();
  }
  if (complete_ || next_seq_ < window_end) return std::optional<SnapshotFetch>{};
  fetch_.seq = next_seq_;
  fetch_.after = next_after_;
  early_.clear();
  return std::optional<SnapshotFetch>{fetch_};
}

Status SnapshotReceiver::accept(const SnapshotChunk& chunk, std::uint64_t now_tick) {
  if (chunk.applied_index < snapshot_index_ || (applied_ != 0 && chunk.applied_index != applied_)) {
    refused_ = true;  // not one consistent view: start over
    return Error{"malformed", "snapshot chunk at applied index " +
                                  std::to_string(chunk.applied_index) + " does not fit transfer"};
  }
  if (auto s = staging_->add(chunk.records); !s) {
    refused_ = true;
    return s.error();
  }
  applied_ = chunk.applied_index;
  next_seq_ = chunk.seq + 1;
  next_after_ = chunk.last;
  sent_tick_ = now_tick;  // progress: no resend while chunks keep coming
  resends_ = 0;
  if (chunk.done) complete_ = true;
  return Ok{};
}

Result<std::optional<SnapshotFetch>> SnapshotReceiver::tick(raft::NodeId lead,
                                                            const std::vector<raft::NodeId>& peers,
                                                            std::uint64_t now_tick) {
  const auto waited = now_tick - sent_tick_;
  if (complete_ ||
      waited < (refused_ ? config_.refused_restart_ticks : config_.fetch_timeout_ticks))
    return std::optional<SnapshotFetch>{};
  // With no leader known the silent source may well be the leader that died: after one
  // timeout move on rather than resend to it, as any replica that applied the snapshot index
  // can serve.
  const bool stuck =
      refused_ || resends_ >= config_.fetch_retries_max || fetch_.to == 0 || lead == 0;
  if (stuck || (lead != 0 && lead != fetch_.to)) {
    raft::NodeId source = lead;
    if (source == 0 || (stuck && source == fetch_.to && !source_forgot_)) {
      auto it = std::upper_bound(peers.begin(), peers.end(), fetch_.to);
      source = it != peers.end() ? *it : (peers.empty() ? 0 : peers.front());
    }
    if (source == 0) return std::optional<SnapshotFetch>{};
    auto first = start(source, now_tick);
    if (!first) return first.error();
    return std::optional<SnapshotFetch>{*first};
  }
  ++resends_;
  sent_tick_ = now_tick;
  fetch_.seq = next_seq_;  // from the first chunk still missing
  fetch_.after = next_after_;
  early_.clear();
  return std::optional<SnapshotFetch>{fetch_};
}

}  // namespace craton::store
