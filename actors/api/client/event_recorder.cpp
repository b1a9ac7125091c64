// The event recorder: correlation (dedup, aggregation, spam filter) and the Event writes.
#include "actors/api/client/event_recorder.hpp"

#include <capnp/message.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "actors/api/client/kube_time.hpp"
#include "runtime/assert.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

namespace k8s = schema::k8s;

constexpr const char* kCombinedPrefix = "(combined from similar events): ";

const char* type_name(EventType type) {
  return type == EventType::warning ? "Warning" : "Normal";
}

// Keys join their parts with a separator no name contains, so no two differ only in where
// one part ends.
std::string join(std::initializer_list<const std::string*> parts) {
  std::string key;
  for (const auto* p : parts) key.append(*p).push_back('\x1f');
  return key;
}

// Source and involved object: the spam filter's key (client-go's getSpamKey).
std::string object_key(const EventReport& r) {
  const auto& o = r.object;
  return join({&r.component, &r.host, &o.kind, &o.namespace_, &o.name, &o.uid, &o.api_version});
}

// Similar events: all but the message (client-go's EventAggregatorByReasonFunc).
std::string similar_key(const EventReport& r) {
  std::string type = type_name(r.type);
  return object_key(r) + join({&type, &r.reason});
}

// Identical events (client-go's getEventKey).
std::string event_key(const EventReport& r) {
  return similar_key(r) + join({&r.object.field_path, &r.message});
}

std::string event_namespace(const ObjectRef& o) {
  return o.namespace_.empty() ? "default" : o.namespace_;
}

struct EventFields {
  std::string name, message, first_timestamp, last_timestamp;
  std::int32_t count = 1;
};

std::string event_bytes(const EventReport& r, const EventFields& f) {
  capnp::MallocMessageBuilder message;
  auto e = message.initRoot<k8s::Event>();
  e.setApiVersion("v1");
  e.setKind("Event");
  e.getMetadata().setName(f.name);
  e.getMetadata().setNamespace(event_namespace(r.object));
  auto ref = e.getInvolvedObject();
  ref.setKind(r.object.kind);
  ref.setNamespace(r.object.namespace_);
  ref.setName(r.object.name);
  ref.setUid(r.object.uid);
  ref.setApiVersion(r.object.api_version);
  ref.setResourceVersion(r.object.resource_version);
  ref.setFieldPath(r.object.field_path);
  e.setReason(r.reason);
  e.setMessage(f.message);
  e.getSource().setComponent(r.component);
  e.getSource().setHost(r.host);
  e.setFirstTimestamp(f.first_timestamp);
  e.setLastTimestamp(f.last_timestamp);
  e.setCount(f.count);
  e.setType(type_name(r.type));
  e.setReportingComponent(r.component);
  e.setReportingInstance(r.host);
  return flat_bytes(message);
}

api::ApiCall event_call(api::ApiVerb verb, const EventReport& r) {
  api::ApiCall call;
  call.verb = verb;
  call.version = "v1";
  call.resource = "events";
  call.namespace_ = event_namespace(r.object);
  return call;
}

api::ApiCall create_call(const EventReport& r, const EventFields& f) {
  auto call = event_call(api::ApiVerb::create, r);
  call.object = event_bytes(r, f);
  return call;
}

// What client-go's two-way strategic merge patch of a repeat holds.
api::ApiCall patch_call(const EventReport& r, const EventFields& f) {
  auto call = event_call(api::ApiVerb::patch, r);
  call.name = f.name;
  call.patch_type = api::ApiPatchType::strategic;
  call.patch = nlohmann::json{
      {"count", f.count},
      {"lastTimestamp", f.last_timestamp},
      {"message",
       f.message}}.dump();
  return call;
}

}  // namespace

template <class Value>
Value* EventRecorder::Lru<Value>::find(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return &it->second->second;
}

template <class Value>
void EventRecorder::Lru<Value>::put(const std::string& key, Value value) {
  if (Value* found = find(key)) {
    *found = std::move(value);
    return;
  }
  order_.emplace_front(key, std::move(value));
  index_[key] = order_.begin();
  if (order_.size() > entries_max_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
  CRATON_ASSERT(order_.size() == index_.size() && order_.size() <= entries_max_,
                "the cache stays within its bound");
}

EventRecorder::EventRecorder(EventRecorderConfig config)
    : config_(config),
      counts_(config.cache_entries_max),
      similar_(config.cache_entries_max),
      spam_(config.cache_entries_max) {
  CRATON_ASSERT(config.cache_entries_max > 0 && config.similar_events_max > 0,
                "an event recorder needs room for one event");
}

std::optional<EventWrite> EventRecorder::record(const EventReport& report, std::int64_t now_ms) {
  EventFields f;
  f.message = report.message;
  f.last_timestamp = api::kube_time(now_ms);
  std::string key = event_key(report);
  if (aggregate(report, now_ms)) {
    f.message = kCombinedPrefix + report.message;
    key = similar_key(report);  // every later similar event counts into the combined one
  }
  Count* seen = counts_.find(key);
  if (seen != nullptr) {
    f.name = seen->name;
    f.first_timestamp = seen->first_timestamp;
    f.count = seen->count + 1;
  } else {
    f.name = new_name(report.object, now_ms);
    f.first_timestamp = f.last_timestamp;
  }
  counts_.put(key, Count{f.count, f.first_timestamp, f.name});
  // As client-go does: a dropped event is still counted, so the next one that passes
  // carries the true count.
  if (!spam_allows(report, now_ms)) return std::nullopt;
  if (f.count == 1) return EventWrite{create_call(report, f), {}, key};
  return EventWrite{patch_call(report, f), create_call(report, f), key};
}

std::optional<api::ApiCall> EventRecorder::on_reply(const EventWrite& write,
                                                    const api::ApiReply& reply) {
  if (reply.code == 404 && write.call.verb == api::ApiVerb::patch) return write.create_instead;
  if (!reply.ok()) return std::nullopt;
  // The server's count wins (client-go's UpdateState), for the Event this key still names.
  Count* count = counts_.find(write.cache_key);
  if (count == nullptr) return std::nullopt;
  auto message = FlatMessage::open(reply.object.bytes);
  if (!message) return std::nullopt;
  try {
    auto event = message->root<k8s::Event>();
    if (event.getMetadata().getName() == count->name.c_str() && event.getCount() > 0)
      count->count = std::max(count->count, event.getCount());
  } catch (const kj::Exception&) {
    // An answer we cannot read changes nothing.
  }
  return std::nullopt;
}

// True when this event joins an aggregate (client-go's EventAggregate).
bool EventRecorder::aggregate(const EventReport& report, std::int64_t now_ms) {
  std::string key = similar_key(report);
  Similar similar;
  if (Similar* found = similar_.find(key);
      found != nullptr && now_ms - found->last_ms <= config_.similar_window_ms)
    similar = std::move(*found);
  similar.messages.insert(report.message);
  similar.last_ms = now_ms;
  bool combined = similar.messages.size() >= config_.similar_events_max;
  // The set never grows past the bound: drop one (client-go drops any; we drop the first,
  // so runs repeat).
  if (combined) similar.messages.erase(similar.messages.begin());
  similar_.put(key, std::move(similar));
  return combined;
}

// A token bucket per source + object (client-go's EventSourceObjectSpamFilter).
bool EventRecorder::spam_allows(const EventReport& report, std::int64_t now_ms) {
  std::string key = object_key(report);
  Tokens bucket{double(config_.spam_burst), now_ms};
  if (Tokens* found = spam_.find(key)) {
    bucket = *found;
    double refilled =
        double(std::max<std::int64_t>(0, now_ms - bucket.last_ms)) / double(config_.spam_refill_ms);
    bucket.tokens = std::min(double(config_.spam_burst), bucket.tokens + refilled);
    bucket.last_ms = std::max(bucket.last_ms, now_ms);
  }
  bool allowed = bucket.tokens >= 1;
  if (allowed) bucket.tokens -= 1;
  spam_.put(key, bucket);
  return allowed;
}

// "<name>.<hex nanoseconds>": now in ns plus how many names this recorder made, so two
// events in one millisecond get two names.
std::string EventRecorder::new_name(const ObjectRef& object, std::int64_t now_ms) {
  auto ns = static_cast<std::uint64_t>(now_ms) * 1'000'000u + (names_made_++ % 1'000'000u);
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ns));
  return object.name + "." + hex;
}

}  // namespace craton::api
