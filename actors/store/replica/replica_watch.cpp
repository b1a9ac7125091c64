// Replica: the watch side (see "Watches" in replica.hpp). The replica owns one WatchHub over
// its MVCC store; this file keeps the per-stream bookkeeping the hub does not: which create
// request each watch answers to (so the shell can address its responses), when each stream
// was last heard from (idle streams are closed), and the stream and watch bounds.
#include "actors/store/replica/replica.hpp"

namespace craton::store {

ReplicaOutput Replica::watch(std::uint64_t request_id, StreamId stream, StoreRequest request) {
  ReplicaOutput out;
  if (failed()) {
    out.replies.push_back({request_id, refuse("failed", failure_->message)});
    return out;
  }
  if (auto* create = std::get_if<WatchCreate>(&request))
    return watch_create(request_id, stream, create->request);
  auto it = streams_.find(stream);
  if (it != streams_.end()) it->second.last_heard_tick = ticks_;
  StoreReply ok{std::nullopt, raft_->lead(), {}};
  if (auto* cancel = std::get_if<WatchCancel>(&request)) {
    // The `canceled` response goes to the watch's creator, so the creator map entry stays
    // until pump_watches() delivers it.
    if (it == streams_.end() || !it->second.creators.count(cancel->watch_id)) {
      out.replies.push_back(
          {request_id, refuse("watch_not_found",
                              "no watch " + std::to_string(cancel->watch_id) + " on this stream")});
      return out;
    }
    if (auto s = hub_->cancel(stream, cancel->watch_id); !s) {
      out.replies.push_back({request_id, refuse(s.error().code, s.error().message)});
      return out;
    }
    out.replies.push_back({request_id, ok});
  } else if (std::holds_alternative<WatchProgress>(request)) {
    // Also the keepalive: a stream without watches here has nothing to keep alive.
    if (it != streams_.end()) hub_->request_progress(stream);
    out.replies.push_back({request_id, ok});
  } else {
    out.replies.push_back({request_id, refuse("invalid", "not a watch request")});
    return out;
  }
  pump_watches(out);
  return out;
}

ReplicaOutput Replica::watch_create(std::uint64_t request_id, StreamId stream,
                                    const WatchRequest& r) {
  ReplicaOutput out;
  auto it = streams_.find(stream);
  if (it == streams_.end() && streams_.size() >= config_.watch_streams_max) {
    out.replies.push_back(
        {request_id, refuse("too_many_streams", "this replica serves " +
                                                    std::to_string(config_.watch_streams_max) +
                                                    " watch streams already: use another")});
    return out;
  }
  if (it != streams_.end() && it->second.creators.size() >= config_.watch_stream_watches_max) {
    out.replies.push_back(
        {request_id,
         refuse("too_many_watchers", "at most " + std::to_string(config_.watch_stream_watches_max) +
                                         " watches per client stream")});
    return out;
  }
  auto id = hub_->create(stream, r, *mvcc_);
  if (!id) {
    out.replies.push_back({request_id, refuse(id.error().code, id.error().message)});
    return out;
  }
  auto& s = streams_[stream];
  s.last_heard_tick = ticks_;
  s.creators[*id] = request_id;
  pump_watches(out);
  return out;
}

void Replica::close_stream(StreamId stream) {
  hub_->close_stream(stream);
  streams_.erase(stream);
}

// Lets the hub read what was applied, then hands out every queued response. Taking frees room
// for watches catching up, so a few rounds run; whatever is left continues on the next tick.
void Replica::pump_watches(ReplicaOutput& out) {
  constexpr int kRoundsMax = 8;
  for (int round = 0; round < kRoundsMax; ++round) {
    hub_->on_applied(*mvcc_);
    auto responses = hub_->take_all();
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
    if (hub_->unsynced_watchers() == 0) break;
  }
}

void Replica::tick_watches(ReplicaOutput& out) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if (ticks_ - it->second.last_heard_tick <= std::uint64_t(config_.watch_idle_ticks)) {
      ++it;
      continue;
    }
    hub_->close_stream(it->first);
    out.closed_streams.push_back(it->first);
    it = streams_.erase(it);
  }
  if (config_.watch_progress_ticks > 0 && ticks_ % std::uint64_t(config_.watch_progress_ticks) == 0)
    hub_->tick_progress();
  pump_watches(out);
}

}  // namespace craton::store
