// EnvelopeSession: list pages, watches and reconnects of an Informer over the API actor.
#include "actors/api/informer/envelope_session.hpp"

#include <kj/exception.h>

#include "runtime/flat_message.hpp"

namespace craton::api {

EnvelopeSession::EnvelopeSession(EnvelopeSessionOptions options) : options_(std::move(options)) {
  pending_ = informer_.first_step();
}

namespace {
// Room for metadata.resourceVersion: a decimal int64 and its NUL, in words, plus its pointer's.
constexpr std::uint64_t kResourceVersionWords = 4;
}  // namespace

Result<InformerObject> EnvelopeSession::object_of(const ApiObjectBytes& o) const {
  auto flat = FlatMessage::open(o.bytes);
  if (!flat) return flat.error();
  try {
    // The cache keeps this message as long as the object lives: one segment of the object's
    // size (and its resourceVersion text), not capnp's default 8 KiB first segment. At 300
    // simulated nodes the default was 783 MB of 1.26 GB of heap, most of it unused.
    auto object = flat->root(options_.schema);
    auto words = object.totalSize().wordCount + kResourceVersionWords;
    auto message = std::make_shared<capnp::MallocMessageBuilder>(words);
    message->setRoot(object);
    // Stored bytes leave resourceVersion empty: the store's revision is the version.
    auto root = message->getRoot<capnp::DynamicStruct>(options_.schema);
    root.get("metadata")
        .as<capnp::DynamicStruct>()
        .set("resourceVersion", capnp::Text::Reader(std::to_string(o.resource_version)));
    return make_informer_object(std::move(message), options_.schema);
  } catch (const kj::Exception& e) {
    return Error{"malformed",
                 std::string("an object does not decode: ") + e.getDescription().cStr()};
  }
}

EnvelopeSession::Output EnvelopeSession::list_page(std::int64_t now_ms) {
  auto call = options_.collection;
  call.verb = ApiVerb::list;
  call.limit = options_.list_page_items;
  call.continue_token = continue_;
  phase_ = Phase::listing;
  heard_ms_ = now_ms;
  return Output{call, false, std::nullopt};
}

EnvelopeSession::Output EnvelopeSession::next(NextStep step, std::int64_t now_ms) {
  bool was_watching = phase_ == Phase::watching && correlation_ != 0;
  correlation_ = 0;
  probing_ = false;
  phase_ = Phase::idle;
  if (step.delay_ms > 0) {
    pending_ = NextStep{step.action, step.from_resource_version, 0};
    due_ms_ = now_ms + step.delay_ms;
    return Output{std::nullopt, was_watching, std::nullopt};
  }
  pending_.reset();
  if (step.action == NextStep::Action::list) {
    items_.clear();
    continue_.clear();
    auto out = list_page(now_ms);
    out.stop_previous_watch = was_watching;
    return out;
  }
  watch_events_ = 0;
  auto call = options_.collection;
  call.verb = ApiVerb::watch;
  call.resource_version = std::to_string(step.from_resource_version);
  call.allow_bookmarks = true;
  call.timeout_seconds = options_.watch_timeout_s;
  phase_ = Phase::watching;
  heard_ms_ = now_ms;
  return Output{call, was_watching, std::nullopt};
}

EnvelopeSession::Output EnvelopeSession::relist(std::int64_t now_ms) {
  return next(NextStep{NextStep::Action::list, 0, 0}, now_ms);
}

void EnvelopeSession::sent(std::uint64_t correlation, std::int64_t now_ms) {
  correlation_ = correlation;
  heard_ms_ = now_ms;
}

EnvelopeSession::Output EnvelopeSession::tick(std::int64_t now_ms) {
  if (pending_ && phase_ == Phase::idle && correlation_ == 0 && now_ms >= due_ms_)
    return next(*pending_, now_ms);
  if (phase_ == Phase::listing && correlation_ != 0 &&
      now_ms - heard_ms_ >= options_.call_timeout_ms)
    return next(informer_.after_list_failure(), now_ms);
  if (phase_ != Phase::watching || correlation_ == 0) return Output{};
  if (now_ms - heard_ms_ >= options_.watch_silence_ms)
    return next(informer_.after_watch(WatchEnd::transport_error), now_ms);
  if (!probing_ && options_.watch_probe_ms > 0 && now_ms - heard_ms_ >= options_.watch_probe_ms) {
    probing_ = true;
    Output out;
    out.probe = options_.collection;
    out.probe->verb = ApiVerb::probe_watch;
    return out;
  }
  return Output{};
}

EnvelopeSession::Output EnvelopeSession::on_reply(std::uint64_t correlation, const ApiReply& reply,
                                                  std::int64_t now_ms) {
  if (correlation == 0 || correlation != correlation_) return Output{};
  if (phase_ == Phase::watching) {
    // 200 answers a probe (the API refuses watches with codes >= 400): the watch is held.
    // Anything else ends the watch: refused when it started (410: expired), or unknown to the
    // API a probe asked (404: it restarted).
    if (reply.ok()) {
      probing_ = false;
      heard_ms_ = now_ms;
      if (reply.watch_events_sent == watch_events_) return Output{};
      // Events sent before this answer never came: watch again from the last one received.
      return next(informer_.after_watch(WatchEnd::transport_error), now_ms);
    }
    auto end = reply.code == 410 ? WatchEnd::expired : WatchEnd::server_error;
    return next(informer_.after_watch(end), now_ms);
  }
  if (phase_ != Phase::listing) return Output{};
  if (!reply.ok()) return next(informer_.after_list_failure(), now_ms);
  if (continue_.empty()) list_revision_ = reply.list_revision;
  for (const auto& item : reply.items) {
    auto object = object_of(item);
    if (!object) return next(informer_.after_list_failure(), now_ms);
    items_.push_back(std::move(*object));
  }
  correlation_ = 0;
  if (!reply.continue_token.empty()) {
    continue_ = reply.continue_token;
    return list_page(now_ms);
  }
  informer_.on_list(std::uint64_t(list_revision_), items_);
  ++lists_;
  items_.clear();
  continue_.clear();
  return next(NextStep{NextStep::Action::watch, informer_.resource_version(), 0}, now_ms);
}

EnvelopeSession::Output EnvelopeSession::on_event(std::uint64_t correlation, const ApiEvent& e,
                                                  std::int64_t now_ms) {
  if (correlation == 0 || correlation != correlation_ || phase_ != Phase::watching) return {};
  heard_ms_ = now_ms;
  ++watch_events_;
  probing_ = false;  // the stream works: an answer still on its way changes nothing
  WatchEvent event;
  switch (e.type) {
    case ApiEventType::closed:
      return next(informer_.after_watch(WatchEnd::closed), now_ms);
    case ApiEventType::bookmark:
      event.type = WatchEventType::bookmark;
      event.resource_version = std::uint64_t(e.object.resource_version);
      break;
    case ApiEventType::error:
      event.type = WatchEventType::error;
      event.error_code = e.code;
      event.error_message = e.failure.message;
      break;
    case ApiEventType::added:
    case ApiEventType::modified:
    case ApiEventType::deleted: {
      auto object = object_of(e.object);
      if (!object) return next(informer_.after_watch(WatchEnd::decode_error), now_ms);
      event.type = e.type == ApiEventType::added      ? WatchEventType::added
                   : e.type == ApiEventType::modified ? WatchEventType::modified
                                                      : WatchEventType::deleted;
      event.object = std::move(*object);
      break;
    }
  }
  if (auto end = informer_.on_watch_event(event)) {
    correlation_ = 0;  // the API ended the watch with the error event
    phase_ = Phase::idle;
    return next(informer_.after_watch(*end), now_ms);
  }
  return Output{};
}

}  // namespace craton::api
