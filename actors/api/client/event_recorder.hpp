// EventRecorder: how a controller records core/v1 Events (issue 12), client-go's event
// recorder and correlator (tools/record) as a pure core. Given what happened, it answers the
// API call to make; the caller owns the clock and the API connection. No CAF, no threads.
//
// What it promises, as client-go's EventCorrelator does it:
// - Deduplication: an event identical to one seen before (same source, involved object, type,
//   reason and message) is not created again: the existing Event is PATCHed with count + 1,
//   lastTimestamp and message; its name and firstTimestamp stay.
// - Aggregation: when similar events (same source, object, type and reason, different
//   messages) reach similar_events_max distinct messages with no gap longer than
//   similar_window_ms, they are recorded as one Event whose message starts with
//   "(combined from similar events): ", counted from then on.
// - Spam filter: each source + object may record spam_burst events, then one per
//   spam_refill_ms (a token bucket); the rest are dropped (record() answers nullopt).
// - Bounded memory: each of the three caches (counts, aggregation, spam) keeps at most
//   cache_entries_max entries, forgetting the least recently used. A forgotten event is
//   simply created afresh.
// - A new Event is named "<involved name>.<hex>" in the object's namespace ("default" for a
//   cluster-scoped object), the hex being a nanosecond timestamp as kube names them, made
//   unique within this recorder. Names never repeat, so a create never collides with ours.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "actors/api/client/api_protocol.hpp"

namespace craton::api {

/// The object an event is about (core/v1 ObjectReference).
struct ObjectRef {
  std::string kind, namespace_, name, uid, api_version, resource_version, field_path;
};

enum class EventType { normal, warning };

/// What happened: the arguments of client-go's recorder.Event(object, type, reason, message).
struct EventReport {
  ObjectRef object;
  EventType type = EventType::normal;
  std::string reason;     ///< UpperCamelCase, short (e.g. "SuccessfulCreate")
  std::string message;    ///< for a human
  std::string component;  ///< source.component and reportingComponent ("replicaset-controller")
  std::string host;       ///< source.host and reportingInstance ("" : none)
};

struct EventRecorderConfig {
  std::size_t cache_entries_max = 4096;      ///< per cache (client-go's maxLruCacheEntries)
  std::size_t similar_events_max = 10;       ///< distinct messages before aggregation
  std::int64_t similar_window_ms = 600'000;  ///< a longer gap starts aggregation afresh
  std::uint32_t spam_burst = 25;          ///< events a source may record about one object at once
  std::int64_t spam_refill_ms = 300'000;  ///< then one more per this period
};

/// One write to make: the call, and what the recorder needs back with its reply.
struct EventWrite {
  api::ApiCall call;            ///< CREATE of a new Event, or PATCH of the existing one
  api::ApiCall create_instead;  ///< for a PATCH: the CREATE to make if the Event is gone
  std::string cache_key;        ///< internal: which count this write carries
};

class EventRecorder {
 public:
  explicit EventRecorder(EventRecorderConfig config = {});

  /// The write that records `report` at `now_ms` (ms since the epoch: written as the
  /// timestamps), or nullopt when the spam filter drops it.
  std::optional<EventWrite> record(const EventReport& report, std::int64_t now_ms);
  /// Digests the API's answer to `write`. Returns the call to make instead when a PATCHed
  /// Event was gone (404: it expired); nullopt otherwise. After another failure the caller
  /// may send the same write again later, or drop it (client-go tries 12 times, 10 s apart).
  std::optional<api::ApiCall> on_reply(const EventWrite& write, const api::ApiReply& reply);

  std::size_t counted_events() const { return counts_.size(); }

 private:
  /// A least-recently-used map bounded at `entries_max`.
  template <class Value>
  class Lru {
   public:
    explicit Lru(std::size_t entries_max) : entries_max_(entries_max) {}
    Value* find(const std::string& key);
    void put(const std::string& key, Value value);
    std::size_t size() const { return index_.size(); }

   private:
    using Entry = std::pair<std::string, Value>;
    std::size_t entries_max_;
    std::list<Entry> order_;  ///< most recently used first
    std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
  };

  /// How often an event (or an aggregate) was recorded, and as which Event.
  struct Count {
    std::int32_t count = 0;
    std::string first_timestamp;
    std::string name;
  };
  struct Similar {
    std::set<std::string> messages;
    std::int64_t last_ms = 0;
  };
  struct Tokens {
    double tokens = 0;
    std::int64_t last_ms = 0;
  };

  bool aggregate(const EventReport& report, std::int64_t now_ms);
  bool spam_allows(const EventReport& report, std::int64_t now_ms);
  std::string new_name(const ObjectRef& object, std::int64_t now_ms);

  EventRecorderConfig config_;
  Lru<Count> counts_;
  Lru<Similar> similar_;
  Lru<Tokens> spam_;
  std::uint64_t names_made_ = 0;
};

}  // namespace craton::api
