#include "actors/store/watch/watch_hub.hpp"

#include <algorithm>
#include <set>

#include "runtime/assert.hpp"
#include "storage/mvcc_key_index.hpp"

namespace craton::store {

namespace {

using storage::Event;
using storage::EventsRequest;
using storage::EventType;

Error invalid(std::string message) {
  return Error{"invalid", "watch: " + std::move(message)};
}

bool is_all_keys_end(const std::string& range_end) {
  return range_end.size() == 1 && range_end[0] == '\0';
}

/// Calls fn(revision, events of that revision) for each run of one revision in `events`.
template <class Fn>
void for_each_revision(const std::vector<Event>& events, Fn&& fn) {
  std::size_t begin = 0;
  while (begin < events.size()) {
    std::int64_t rev = events[begin].kv.mod_revision;
    std::size_t end = begin;
    while (end < events.size() && events[end].kv.mod_revision == rev) ++end;
    fn(rev, std::vector<Event>(events.begin() + static_cast<std::ptrdiff_t>(begin),
                               events.begin() + static_cast<std::ptrdiff_t>(end)));
    begin = end;
  }
}

}  // namespace

WatchHub::WatchHub(WatchHubOptions options, std::int64_t store_revision)
    : options_(options), revision_(store_revision) {
  CRATON_ASSERT(options_.pending_events_max > 0 && options_.events_per_response_max > 0,
                "watch hub limits are positive");
  CRATON_ASSERT(options_.catchup_events_max > 0 && options_.live_read_events_max > 0,
                "watch hub limits are positive");
}

// ---------------------------------------------------------------- watches

Status WatchHub::validate(const WatchRequest& r) const {
  if (r.key.empty()) return invalid("key is not provided");
  if (r.key.size() > options_.limits.key_bytes_max ||
      r.range_end.size() > options_.limits.key_bytes_max) {
    return invalid("key or range end longer than " + std::to_string(options_.limits.key_bytes_max) +
                   " bytes");
  }
  if (!r.range_end.empty() && !is_all_keys_end(r.range_end) && r.range_end <= r.key) {
    return invalid("range end must be greater than the key");
  }
  if (r.start_revision < 0) return invalid("start revision must not be negative");
  if (r.watch_id < 0) return invalid("watch id must not be negative");
  return Ok{};
}

WatchId WatchHub::assign_id(StreamId stream) {
  // Never reuse an id on a stream: responses of a cancelled watch may still be in flight.
  WatchId& next = next_auto_id_.try_emplace(stream, 1).first->second;
  while (watchers_.contains(Key{stream, next})) ++next;
  return next++;
}

Result<WatchId> WatchHub::create(StreamId stream, const WatchRequest& request,
                                 const storage::MvccStore& store) {
  auto st = validate(request);
  if (!st) return st.error();
  if (watchers_.size() >= options_.watchers_max) {
    return Error{
        "too_many_watchers",
        "watch: the limit of " + std::to_string(options_.watchers_max) + " watches is reached"};
  }
  if (auto sit = streams_.find(stream);
      sit != streams_.end() && sit->second.queue.size() >= options_.stream_responses_max) {
    return Error{"stream_backlog", "watch: the stream has " +
                                       std::to_string(sit->second.queue.size()) +
                                       " responses not yet taken; read them first"};
  }
  if (request.watch_id != 0 && watchers_.contains(Key{stream, request.watch_id})) {
    return Error{"watch_exists",
                 "watch: id " + std::to_string(request.watch_id) + " is in use on the stream"};
  }
  WatchId id = request.watch_id != 0 ? request.watch_id : assign_id(stream);
  // "From now" means after every revision the store has applied: catch the hub up first.
  read_new_revisions(store);
  Key key{stream, id};
  Watcher w;
  w.request = request;
  w.request.watch_id = id;
  w.next_revision = request.start_revision == 0 ? revision_ + 1 : request.start_revision;
  w.synced = w.next_revision > revision_;
  w.serial = next_serial_++;
  enqueue(w.serial, WatchResponse{stream, id, revision_, true, false, {}, 0, {}});
  std::int64_t compacted = store.compacted_revision();
  bool is_compacted = !w.synced && compacted > 0 && w.next_revision <= compacted;
  auto [it, inserted] = watchers_.emplace(key, std::move(w));
  CRATON_ASSERT(inserted, "watch ids are unique");
  index(key, it->second);
  if (is_compacted) {
    cancel_compacted(key, compacted);
    return id;
  }
  if (!it->second.synced) catch_up(key, it->second, store);
  return id;
}

Status WatchHub::cancel(StreamId stream, WatchId watch_id) {
  auto it = watchers_.find(Key{stream, watch_id});
  if (it == watchers_.end()) {
    return Error{"watch_not_found", "watch: no watch " + std::to_string(watch_id)};
  }
  std::uint64_t serial = it->second.serial;
  erase(it);
  // The client asked to stop: queued events and progress of this watch are of no use to it
  // (its `created` stays, so that the client never sees a cancel for a watch it never saw).
  std::erase_if(streams_[stream].queue,
                [&](const Queued& q) { return q.serial == serial && !q.response.created; });
  enqueue(serial,
          WatchResponse{stream, watch_id, revision_, false, true, "canceled by the client", 0, {}});
  return Ok{};
}

void WatchHub::close_stream(StreamId stream) {
  auto first = watchers_.lower_bound(Key{stream, std::numeric_limits<WatchId>::min()});
  auto last = watchers_.lower_bound(Key{stream + 1, std::numeric_limits<WatchId>::min()});
  if (stream == std::numeric_limits<StreamId>::max()) last = watchers_.end();
  while (first != last) first = erase(first);
  streams_.erase(stream);
  next_auto_id_.erase(stream);
}

// ---------------------------------------------------------------- indexes

// Synced delivery looks at the watches an event can match (by key, or ranged) and catch-up at
// the unsynced ones only, so that many idle watches cost nothing per revision.
void WatchHub::index(const Key& key, const Watcher& w) {
  if (w.request.range_end.empty()) {
    by_key_.emplace(w.request.key, key);
  } else {
    ranged_.insert(key);
  }
  if (!w.synced) unsynced_.insert(key);
}

std::map<WatchHub::Key, WatchHub::Watcher>::iterator WatchHub::erase(
    std::map<Key, Watcher>::iterator it) {
  const Key& key = it->first;
  if (it->second.request.range_end.empty()) {
    auto [first, last] = by_key_.equal_range(it->second.request.key);
    for (; first != last; ++first) {
      if (first->second == key) {
        by_key_.erase(first);
        break;
      }
    }
  } else {
    ranged_.erase(key);
  }
  unsynced_.erase(key);
  return watchers_.erase(it);
}

void WatchHub::set_synced(const Key& key, Watcher& w, bool synced) {
  w.synced = synced;
  if (synced) {
    unsynced_.erase(key);
  } else {
    unsynced_.insert(key);
  }
}

std::size_t WatchHub::pending_events(StreamId stream, WatchId watch_id) const {
  auto it = watchers_.find(Key{stream, watch_id});
  return it == watchers_.end() ? 0 : it->second.pending_events;
}

// ---------------------------------------------------------------- new revisions

void WatchHub::on_applied(const storage::MvccStore& store) {
  read_new_revisions(store);
  catch_up_round(store);
  flush_progress_requests();
}

bool WatchHub::any_synced_prev_kv() const {
  return std::any_of(watchers_.begin(), watchers_.end(),
                     [](const auto& kw) { return kw.second.synced && kw.second.request.prev_kv; });
}

void WatchHub::read_new_revisions(const storage::MvccStore& store) {
  if (store.current_revision() <= revision_) return;
  // Nobody waits at the head: skip the read (unsynced watches read their own history).
  if (unsynced_.size() == watchers_.size()) {
    revision_ = store.current_revision();
    return;
  }
  bool prev_kv = any_synced_prev_kv();  // loading previous versions costs a read each
  while (revision_ < store.current_revision()) {
    EventsRequest req;
    req.key = std::string(1, '\0');
    req.range_end = std::string(1, '\0');
    req.start_revision = revision_ + 1;
    req.prev_kv = prev_kv;
    req.events_max = options_.live_read_events_max;
    auto r = store.events(req);
    std::int64_t next = 0;
    if (r) {
      for_each_revision(r->events, [&](std::int64_t rev, std::vector<Event> events) {
        deliver_revision(rev, events);
      });
      next = r->next_revision;
    } else {
      // Revisions the hub had not read were compacted (see the contract in the header), or
      // the store failed: synced watches that needed them cannot be served without a gap.
      std::int64_t lost_to =
          r.error().code == "compacted" ? store.compacted_revision() : store.current_revision();
      std::vector<Key> lost;
      for (const auto& [key, w] : watchers_) {
        if (w.synced && std::max(w.next_revision, revision_ + 1) <= lost_to) lost.push_back(key);
      }
      for (const Key& key : lost) {
        if (r.error().code == "compacted") {
          cancel_compacted(key, lost_to);
        } else {
          fail(key, "store read failed: " + r.error().message);
        }
      }
      next = lost_to + 1;
    }
    CRATON_ASSERT(next > revision_, "revisions only grow");
    revision_ = std::min(next - 1, store.current_revision());
  }
}

void WatchHub::deliver_revision(std::int64_t revision, const Events& events) {
  for (const Key& key : ranged_) deliver_to(key, revision, events);
  std::vector<Key> singles;
  for (const Event& e : events) {
    auto [first, last] = by_key_.equal_range(e.kv.key);
    for (; first != last; ++first) singles.push_back(first->second);
  }
  std::sort(singles.begin(), singles.end());
  singles.erase(std::unique(singles.begin(), singles.end()), singles.end());
  for (const Key& key : singles) deliver_to(key, revision, events);
}

void WatchHub::deliver_to(const Key& key, std::int64_t revision, const Events& events) {
  Watcher& w = watchers_.at(key);
  // A synced watch's position is implicitly the hub's; next_revision matters only for a
  // start revision in the future.
  if (!w.synced || revision < w.next_revision) return;
  Events mine = matching(w, events);
  if (mine.empty()) return;
  if (w.pending_events > 0 && w.pending_events + mine.size() > options_.pending_events_max) {
    // Slow consumer: fall back to unsynced at this revision (etcd's victim path).
    set_synced(key, w, false);
    w.next_revision = revision;
    return;
  }
  enqueue_events(key, w, std::move(mine));
  w.next_revision = revision + 1;
}

WatchHub::Events WatchHub::matching(const Watcher& w, const Events& events) const {
  Events out;
  for (const Event& e : events) {
    if (!storage::in_range(e.kv.key, w.request.key, w.request.range_end)) continue;
    if (e.type == EventType::put && w.request.filter_put) continue;
    if (e.type == EventType::del && w.request.filter_delete) continue;
    out.push_back(e);
    if (!w.request.prev_kv) out.back().prev_kv.reset();
  }
  return out;
}

namespace {

// What an event adds to an encoded response, roughly: its keys and values plus a fixed
// allowance for the revisions, version, lease and framing.
std::size_t event_bytes(const Event& e) {
  constexpr std::size_t kFieldsBytes = 64;
  std::size_t bytes = kFieldsBytes + e.kv.key.size() + e.kv.value.size();
  if (e.prev_kv) bytes += kFieldsBytes + e.prev_kv->key.size() + e.prev_kv->value.size();
  return bytes;
}

}  // namespace

void WatchHub::enqueue_events(const Key& key, Watcher& w, Events events) {
  CRATON_ASSERT(!events.empty(), "a response carries events");
  std::int64_t header = std::max(revision_, events.back().kv.mod_revision);
  std::size_t bytes = 0;
  for (const Event& e : events) bytes += event_bytes(e);
  w.pending_events += events.size();
  w.events_since_tick = true;
  auto& queue = streams_[key.stream].queue;
  if (!queue.empty() && queue.back().serial == w.serial) {
    Queued& last = queue.back();
    bool same = !last.response.created && !last.response.canceled && !last.response.events.empty();
    if (same && last.response.events.size() + events.size() <= options_.events_per_response_max &&
        last.event_bytes + bytes <= options_.response_bytes_max) {
      std::move(events.begin(), events.end(), std::back_inserter(last.response.events));
      last.response.header_revision = std::max(last.response.header_revision, header);
      last.event_bytes += bytes;
      return;
    }
  }
  queue.push_back(
      Queued{WatchResponse{key.stream, key.id, header, false, false, {}, 0, std::move(events)},
             w.serial, bytes});
}

void WatchHub::enqueue(std::uint64_t serial, WatchResponse response) {
  StreamId stream = response.stream;
  streams_[stream].queue.push_back(Queued{std::move(response), serial});
}

void WatchHub::cancel_compacted(const Key& key, std::int64_t compacted) {
  auto it = watchers_.find(key);
  CRATON_ASSERT(it != watchers_.end(), "the watcher exists");
  std::uint64_t serial = it->second.serial;
  erase(it);
  // Events already queued stay: they precede the gap and are valid.
  enqueue(serial, WatchResponse{key.stream,
                                key.id,
                                revision_,
                                false,
                                true,
                                "required revision has been compacted (compacted at " +
                                    std::to_string(compacted) + ")",
                                compacted,
                                {}});
}

void WatchHub::fail(const Key& key, std::string reason) {
  auto it = watchers_.find(key);
  CRATON_ASSERT(it != watchers_.end(), "the watcher exists");
  std::uint64_t serial = it->second.serial;
  erase(it);
  enqueue(serial,
          WatchResponse{key.stream, key.id, revision_, false, true, std::move(reason), 0, {}});
}

// ---------------------------------------------------------------- catch-up

void WatchHub::catch_up_round(const storage::MvccStore& store) {
  // Round robin from the cursor, so that many unsynced watches all make progress.
  std::vector<Key> due;
  auto visit = [&](auto first, auto last) {
    for (auto it = first; it != last && due.size() < options_.catchup_watchers_max; ++it) {
      if (watchers_.at(*it).pending_events < options_.pending_events_max) due.push_back(*it);
    }
  };
  auto cursor = unsynced_.lower_bound(catchup_cursor_);
  visit(cursor, unsynced_.end());
  visit(unsynced_.begin(), cursor);
  for (const Key& key : due) {
    auto it = watchers_.find(key);
    if (it != watchers_.end()) catch_up(key, it->second, store);
  }
  if (!due.empty()) catchup_cursor_ = Key{due.back().stream, due.back().id + 1};
}

void WatchHub::catch_up(const Key& key, Watcher& w, const storage::MvccStore& store) {
  if (w.pending_events >= options_.pending_events_max) return;
  EventsRequest req;
  req.key = w.request.key;
  req.range_end = w.request.range_end;
  req.start_revision = w.next_revision;
  req.prev_kv = w.request.prev_kv;
  req.events_max =
      std::min(options_.catchup_events_max, options_.pending_events_max - w.pending_events);
  auto r = store.events(req);
  if (!r) {
    if (r.error().code == "compacted") return cancel_compacted(key, store.compacted_revision());
    return fail(key, "store read failed: " + r.error().message);
  }
  // The hub reads new revisions before catching up, so the store is not ahead of it; the
  // bound below only guards that invariant.
  std::int64_t next = std::min(r->next_revision, revision_ + 1);
  for_each_revision(r->events, [&](std::int64_t rev, std::vector<Event> events) {
    if (rev >= next) return;
    Events mine = matching(w, events);
    if (!mine.empty()) enqueue_events(key, w, std::move(mine));
  });
  w.next_revision = next;
  set_synced(key, w, next > revision_);
}

// ---------------------------------------------------------------- progress

void WatchHub::request_progress(StreamId stream) {
  streams_[stream].progress_requested = true;
  flush_progress_requests();
}

void WatchHub::flush_progress_requests() {
  std::set<StreamId> behind;
  bool any_requested = std::any_of(streams_.begin(), streams_.end(),
                                   [](const auto& s) { return s.second.progress_requested; });
  if (!any_requested) return;
  for (const Key& key : unsynced_) behind.insert(key.stream);
  for (auto& [id, s] : streams_) {
    if (!s.progress_requested || behind.contains(id)) continue;
    s.progress_requested = false;
    // Repeated requests while the client takes nothing refresh the last response instead of
    // piling up: nothing is queued after it, so the newer revision promises no more than true.
    if (!s.queue.empty() && s.queue.back().serial == 0) {
      s.queue.back().response.header_revision = revision_;
      continue;
    }
    s.queue.push_back(
        Queued{WatchResponse{id, kProgressWatchId, revision_, false, false, {}, 0, {}}, 0});
  }
}

void WatchHub::tick_progress() {
  for (auto& [key, w] : watchers_) {
    // At most one progress response per watch waits to be taken (a bound on the queue).
    if (w.synced && w.request.progress_notify && !w.events_since_tick && !w.progress_queued) {
      w.progress_queued = true;
      enqueue(w.serial, WatchResponse{key.stream, key.id, revision_, false, false, {}, 0, {}});
    }
    w.events_since_tick = false;
  }
}

// ---------------------------------------------------------------- taking responses

std::vector<WatchResponse> WatchHub::take(StreamId stream, std::size_t responses_max) {
  std::vector<WatchResponse> out;
  auto sit = streams_.find(stream);
  if (sit == streams_.end()) return out;
  auto& queue = sit->second.queue;
  while (!queue.empty() && out.size() < responses_max) {
    Queued& q = queue.front();
    auto wit = watchers_.find(Key{stream, q.response.watch_id});
    if (wit != watchers_.end() && wit->second.serial == q.serial) {
      CRATON_ASSERT(wit->second.pending_events >= q.response.events.size(),
                    "pending events are counted per watcher");
      wit->second.pending_events -= q.response.events.size();
      if (q.response.is_progress()) wit->second.progress_queued = false;
    }
    out.push_back(std::move(q.response));
    queue.pop_front();
  }
  if (queue.empty() && !sit->second.progress_requested) streams_.erase(sit);
  return out;
}

std::vector<WatchResponse> WatchHub::take_all() {
  std::vector<WatchResponse> out;
  for (StreamId stream : streams_with_responses()) {
    auto part = take(stream);
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
  return out;
}

std::vector<StreamId> WatchHub::streams_with_responses() const {
  std::vector<StreamId> out;
  for (const auto& [id, s] : streams_) {
    if (!s.queue.empty()) out.push_back(id);
  }
  return out;
}

}  // namespace craton::store
