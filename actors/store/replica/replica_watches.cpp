// ReplicaWatches: per-stream bookkeeping over the replica's WatchHub (see replica_watches.hpp).
#include "actors/store/replica/replica_watches.hpp"

#include <string>

namespace craton::store {

ReplicaWatches::ReplicaWatches(ReplicaWatchLimits limits, std::int64_t revision)
    : limits_(limits), hub_(limits.hub, revision) {}

Result<bool> ReplicaWatches::handle(std::uint64_t request_id, StreamId stream,
                                    const StoreRequest& request, const storage::MvccStore& mvcc,
                                    std::uint64_t now_tick) {
  if (auto* create = std::get_if<WatchCreate>(&request)) {
    if (auto s = create_watch(request_id, stream, create->request, mvcc, now_tick); !s)
      return s.error();
    return false;
  }
  auto it = streams_.find(stream);
  if (it != streams_.end()) it->second.last_heard_tick = now_tick;
  if (auto* c = std::get_if<WatchCancel>(&request)) {
    if (auto s = cancel(stream, c->watch_id); !s) return s.error();
    return true;
  }
  if (std::holds_alternative<WatchProgress>(request)) {
    // Also the keepalive: a stream without watches here has nothing to keep alive.
    if (it != streams_.end()) hub_.request_progress(stream);
    return true;
  }
  return Error{"invalid", "not a watch request"};
}

// The `canceled` response goes to the watch's creator, so the creator map entry stays until
// pump() delivers it.
Status ReplicaWatches::cancel(StreamId stream, WatchId watch_id) {
  auto it = streams_.find(stream);
  if (it == streams_.end() || !it->second.creators.count(watch_id))
    return Error{"watch_not_found", "no watch " + std::to_string(watch_id) + " on this stream"};
  return hub_.cancel(stream, watch_id);
}

Status ReplicaWatches::create_watch(std::uint64_t request_id, StreamId stream,
                                    const WatchRequest& r, const storage::MvccStore& mvcc,
                                    std::uint64_t now_tick) {
  auto it = streams_.find(stream);
  if (it == streams_.end() && streams_.size() >= limits_.streams_max)
    return Error{"too_many_streams", "this replica serves " + std::to_string(limits_.streams_max) +
                                         " watch streams already: use another"};
  if (it != streams_.end() && it->second.creators.size() >= limits_.stream_watches_max)
    return Error{"too_many_watchers", "at most " + std::to_string(limits_.stream_watches_max) +
                                          " watches per client stream"};
  auto id = hub_.create(stream, r, mvcc);
  if (!id) return id.error();
  auto& s = streams_[stream];
  s.last_heard_tick = now_tick;
  s.creators[*id] = request_id;
  return Ok{};
}

void ReplicaWatches::close_stream(StreamId stream) {
  hub_.close_stream(stream);
  streams_.erase(stream);
}

// Taking frees room for watches catching up, so a few rounds run; whatever is left continues
// on the next tick.
void ReplicaWatches::pump(const storage::MvccStore& mvcc, ReplicaOutput& out) {
  constexpr int kRoundsMax = 8;
  for (int round = 0; round < kRoundsMax; ++round) {
    hub_.on_applied(mvcc);
    auto responses = hub_.take_all();
    if (responses.empty()) break;
    for (auto& response : responses) {
      auto it = streams_.find(response.stream);
      if (it == streams_.end()) continue;  // closed meanwhile
      std::uint64_t creator = 0;
      if (response.watch_id != kProgressWatchId) {
        auto c = it->second.creators.find(response.watch_id);
        if (c == it->second.creators.end()) continue;
        creator = c->second;
        if (response.canceled) it->second.creators.erase(c);
      }
      out.watch.push_back({response.stream, creator, std::move(response)});
    }
    if (hub_.unsynced_watchers() == 0) break;
  }
}

void ReplicaWatches::tick(std::uint64_t now_tick, const storage::MvccStore& mvcc,
                          ReplicaOutput& out) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (now_tick - it->second.last_heard_tick <= std::uint64_t(limits_.idle_ticks)) {
      ++it;
      continue;
    }
    hub_.close_stream(it->first);
    out.closed_streams.push_back(it->first);
    it = streams_.erase(it);
  }
  if (limits_.progress_ticks > 0 && now_tick % std::uint64_t(limits_.progress_ticks) == 0)
    hub_.tick_progress();
  pump(mvcc, out);
}

}  // namespace craton::store
