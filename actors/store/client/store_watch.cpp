// StoreWatch: one watch followed across replicas (see "Watches" in client.hpp). The client
// actor delivers the watch's responses to this object's scoped actor; this file turns them
// into batches for the caller and resumes the watch on another replica when its replica goes
// silent, from the revision after the last one it returned (no gap, no duplicate).
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <thread>

#include "actors/store/client/client.hpp"
#include "actors/store/codec/store_codec.hpp"
#include "runtime/node_host.hpp"

namespace craton::store {
namespace {

WireEnvelope encode(const StoreRequest& request) {
  capnp::MallocMessageBuilder message;
  write_store_request(message.initRoot<schema::StoreRequest>(), request);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return WireEnvelope{std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

}  // namespace

Result<std::unique_ptr<StoreWatch>> StoreClient::watch(const WatchRequest& request) {
  std::unique_ptr<StoreWatch> w(new StoreWatch(*this, request));
  if (auto s = w->start(0); !s) return s.error();
  return w;
}

StoreWatch::StoreWatch(StoreClient& client, WatchRequest request)
    : client_(client),
      request_(std::move(request)),
      self_(std::make_unique<caf::scoped_actor>(client.host_->system())) {}

StoreWatch::~StoreWatch() {
  if (correlation_ != 0 && watch_id_ > 0 && !canceled_)
    caf::anon_send(client_.actor_, call_atom::value, replica_node_id(replica_),
                   encode(WatchCancel{watch_id_}));
  drop_current();
}

void StoreWatch::drop_current() {
  if (correlation_ != 0) caf::anon_send(client_.actor_, unwatch_atom::value, correlation_);
  correlation_ = 0;
  watch_id_ = 0;
}

// Creates the watch on the endpoints in turn, starting at `first_endpoint`, until one accepts.
// A resumed watch starts right after revision_; the first one where the request says.
Status StoreWatch::start(std::size_t first_endpoint) {
  const auto& endpoints = client_.options_.endpoints;
  WatchRequest request = request_;
  request.watch_id = 0;
  if (started_) request.start_revision = revision_ + 1;
  auto wire = encode(WatchCreate{request});
  auto guard = std::chrono::milliseconds(client_.options_.timeout_ms + 2000);
  Error last{"unavailable", "no replica accepted the watch"};
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    std::size_t index = (first_endpoint + i) % endpoints.size();
    auto id = endpoints[index].id;
    DecodedStoreResponse answer;
    (*self_)
        ->request(client_.actor_, guard, watch_atom::value, replica_node_id(id), wire,
                  caf::actor_cast<caf::actor>(*self_))
        .receive([&](WireEnvelope& reply) { answer = decode_store_response(reply); },
                 [&](caf::error&) {
                   answer.reply = Error{
                       "unavailable", "no answer from replica " + std::to_string(id) + " within " +
                                          std::to_string(client_.options_.timeout_ms) + " ms"};
                 });
    auto* created = answer.reply && !answer.reply->error
                        ? std::get_if<WatchResponse>(&answer.reply->body)
                        : nullptr;
    if (!created || !created->created) {
      if (answer.correlation != 0)
        caf::anon_send(client_.actor_, unwatch_atom::value, answer.correlation);
      if (!answer.reply) {
        last = answer.reply.error();
      } else if (answer.reply->error) {
        last = to_error(*answer.reply->error);
        // A refusal of the request itself is the same on every replica.
        if (classify(answer.reply->error->code) == ErrorClass::rejected) return last;
      }
      continue;
    }
    endpoint_ = index;
    replica_ = id;
    correlation_ = answer.correlation;
    watch_id_ = created->watch_id;
    if (!started_) {
      // From now on revision_ is the last revision the caller has everything up to.
      revision_ =
          request.start_revision > 0 ? request.start_revision - 1 : created->header_revision;
      started_ = true;
    }
    last_heard_ = std::chrono::steady_clock::now();
    return Ok{};
  }
  return last;
}

Status StoreWatch::resume() {
  drop_current();
  // Paused: that replica is fine, only this caller was slow. Otherwise it went silent.
  auto first = paused_ ? endpoint_ : endpoint_ + 1;
  paused_ = false;
  return start(first);
}

void StoreWatch::on_event(std::uint64_t id, const WireEnvelope& wire,
                          std::optional<Result<WatchEvents>>& result) {
  // Taken, whatever it is: that is what bounds the client actor's forwarding.
  caf::anon_send(client_.actor_, watch_taken_atom::value, id, std::uint64_t{wire.bytes.size()});
  if (id != correlation_) return;  // from a watch this object left behind
  last_heard_ = std::chrono::steady_clock::now();
  auto d = decode_store_response(wire);
  if (d.reply) result = handle(*d.reply);
}

// Turns one response into a result for next(), or nothing (keep waiting).
std::optional<Result<WatchEvents>> StoreWatch::handle(const StoreReply& reply) {
  auto* r = std::get_if<WatchResponse>(&reply.body);
  if (reply.error || !r) return std::nullopt;
  if (r->watch_id == kProgressWatchId) {
    // Stream-wide progress (our keepalive's answer): nothing at or below it is still coming.
    revision_ = std::max(revision_, r->header_revision);
    return std::nullopt;
  }
  if (r->watch_id != watch_id_ || r->created) return std::nullopt;
  if (r->canceled) {
    correlation_ = 0;
    if (r->compact_revision > 0)
      final_ =
          Error{"compacted",
                "revision " + std::to_string(revision_ + 1) + " was compacted (compact revision " +
                    std::to_string(r->compact_revision) + "): re-read and watch again"};
    else
      final_ = Error{"canceled", r->cancel_reason.empty() ? "watch canceled" : r->cancel_reason};
    drop_current();
    return Result<WatchEvents>(*final_);
  }
  if (r->events.empty()) {
    revision_ = std::max(revision_, r->header_revision);
    if (!request_.progress_notify) return std::nullopt;
    return Result<WatchEvents>(WatchEvents{r->header_revision, {}});
  }
  // Events of a revision already returned cannot come (the hub resumes after revision_), but
  // a stale message from before a resume is dropped by the correlation check in next().
  revision_ = std::max(revision_, r->events.back().kv.mod_revision);
  return Result<WatchEvents>(WatchEvents{r->header_revision, r->events});
}

Result<WatchEvents> StoreWatch::next(std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + timeout;
  auto silence = std::chrono::milliseconds(client_.options_.watch_silence_ms);
  while (true) {
    if (final_) return *final_;
    if (correlation_ == 0) {
      if (auto s = resume(); !s) {
        if (clock::now() >= deadline) return Error{"unavailable", s.error().message};
        std::this_thread::sleep_for(std::chrono::milliseconds(client_.options_.backoff_ms));
        continue;
      }
    }
    // What already waits comes first: a caller that was away does not make its replica silent.
    std::optional<Result<WatchEvents>> waiting;
    if (receive_one(std::chrono::milliseconds(0), waiting)) {
      if (waiting) return std::move(*waiting);
      continue;
    }
    auto now = clock::now();
    if (now - last_heard_ >= silence) {  // the replica went quiet: follow the watch elsewhere
      drop_current();
      continue;
    }
    if (now >= deadline) return Error{"timeout", "no watch events yet"};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min(deadline, last_heard_ + silence) - now);
    std::optional<Result<WatchEvents>> result;
    receive_one(std::max(wait, std::chrono::milliseconds(1)), result);
    if (result) return std::move(*result);
  }
}

// Handles one message from the client actor if one arrives within `wait`; false if none did.
bool StoreWatch::receive_one(std::chrono::milliseconds wait,
                             std::optional<Result<WatchEvents>>& result) {
  bool received = true;
  (*self_)->receive(
      [&](watch_event_atom, std::uint64_t id, WireEnvelope& wire) { on_event(id, wire, result); },
      [&](watch_lost_atom, std::uint64_t id) {
        if (id == correlation_) drop_current();
      },
      [&](watch_paused_atom, std::uint64_t id) {
        if (id != correlation_) return;
        correlation_ = 0;  // the client actor dropped the route and cancelled the watch
        watch_id_ = 0;
        paused_ = true;
      },
      caf::after(wait) >> [&] { received = false; });
  return received;
}

Status StoreWatch::cancel() {
  if (final_) return Ok{};
  canceled_ = true;
  final_ = Error{"canceled", "watch canceled"};
  if (correlation_ == 0) return Ok{};
  auto id = replica_;
  auto watch_id = watch_id_;
  drop_current();
  auto reply = client_.call_member(id, WatchCancel{watch_id});
  if (!reply) return reply.error();
  return Ok{};
}

}  // namespace craton::store
