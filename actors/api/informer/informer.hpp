// Informer: client-go's Reflector + DeltaFIFO + SharedInformer as one pure state machine, for
// Craton's controllers, scheduler and node agents. A driver (informer_http.hpp over HTTP; the
// envelope transport later) does all I/O and feeds it:
//
//   on_list(rv, items)      a complete LIST at revision rv (every page of it);
//   on_watch_event(event)   each event of a WATCH started from resource_version();
//   after_watch(end)        how the watch ended;      \  both answer the NextStep: "watch from
//   after_list_failure()    a LIST that failed;        /  rv N" or "list again", after delay_ms.
//
// What it promises to its handlers (called synchronously, in registration order, from these
// calls): every object is added, updated and deleted exactly once per change, in the order of
// the changes; an event no newer than the object the cache holds is dropped (a duplicate or a
// replay); after a relist, an object that vanished while the watch was down is delivered as a
// delete with final_state_unknown (client-go's DeletedFinalStateUnknown), one that changed as
// an update, and one replaced by a namesake (another uid) as a delete then an add. resync()
// re-delivers every object as an update of itself; the caller owns the clock and calls it.
//
// No threads, no clock, no sockets: the caller serializes calls. Handlers may read the
// informer (cache(), resource_version()) but must not call its inputs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/informer/informer_cache.hpp"
#include "actors/api/informer/informer_object.hpp"

namespace craton::api {

/// The first reconnect delay after a failure, and the bound every delay stays under.
inline constexpr std::int64_t informer_backoff_initial_ms = 100;
inline constexpr std::int64_t informer_backoff_ms_max = 30'000;

/// The delay before attempt number `attempts` (0: the first try, at once), doubling from
/// informer_backoff_initial_ms up to informer_backoff_ms_max, for any number of attempts.
std::int64_t informer_backoff_delay_ms(std::uint32_t attempts);

enum class WatchEventType { added, modified, deleted, bookmark, error };

/// One event of a watch stream, as a driver decoded it.
struct WatchEvent {
  WatchEventType type = WatchEventType::bookmark;
  std::optional<InformerObject> object;  ///< set for added, modified, deleted
  std::uint64_t resource_version = 0;    ///< a bookmark's revision
  int error_code = 0;                    ///< an error's Status code (410: the revision is too old)
  std::string error_message;             ///< an error's Status message
};

/// How a watch ended, as the driver saw it.
enum class WatchEnd {
  closed,           ///< the server ended the stream cleanly (timeoutSeconds, shutdown)
  transport_error,  ///< connect refused, connection reset, a read failed
  server_error,     ///< an HTTP status or ERROR event other than 410 (429, 500, 503, ...)
  expired,          ///< 410 Gone / ERROR 410: the revision left the server's window
  decode_error,     ///< a line that is not a valid event: the stream can no longer be trusted
};

/// What the driver does next.
struct NextStep {
  enum class Action { list, watch };
  Action action = Action::list;
  std::uint64_t from_resource_version = 0;  ///< for watch
  std::int64_t delay_ms = 0;                ///< wait this long first
};

/// Callbacks of one consumer; any may be empty.
struct InformerHandlers {
  std::function<void(const InformerObject&)> on_add;
  std::function<void(const InformerObject& old_object, const InformerObject& new_object)> on_update;
  /// `last` is the last state the cache held; final_state_unknown when the deletion was
  /// inferred by a relist rather than seen as a DELETED event.
  std::function<void(const InformerObject& last, bool final_state_unknown)> on_delete;
};

/// What the informer did, for tests, logs and metrics.
struct InformerCounters {
  std::uint64_t lists = 0;              ///< on_list calls
  std::uint64_t events_applied = 0;     ///< watch events that changed the cache
  std::uint64_t events_dropped = 0;     ///< duplicates, replays, deletes of unknown objects
  std::uint64_t synthetic_deletes = 0;  ///< deletes inferred by a relist
};

class Informer {
 public:
  /// Adds an index to the cache (see InformerCache::add_index).
  void add_index(const std::string& name, IndexFunction function);
  /// Adds the index unless one of that name exists (consumers sharing an informer each ask
  /// for the indexes they use, e.g. pods by namespace).
  void ensure_index(const std::string& name, const IndexFunction& function) {
    if (!cache_.has_index(name)) cache_.add_index(name, function);
  }
  /// Registers a consumer; the objects already held are delivered to it as adds, in key order.
  void add_handlers(InformerHandlers handlers);

  /// A complete list at revision `resource_version`: the cache becomes exactly `items`, and
  /// the differences reach the handlers. Resets the backoff.
  void on_list(std::uint64_t resource_version, const std::vector<InformerObject>& items);
  /// One event of the current watch. Returns how the watch ends when the event ends it (an
  /// ERROR event: expired for code 410, server_error otherwise). Precondition: synced().
  std::optional<WatchEnd> on_watch_event(const WatchEvent& event);
  /// Re-delivers every object as an update of itself.
  void resync();

  /// The step after a watch ended: watch again from resource_version(), or list after 410 or
  /// a decode error; with a delay that grows with consecutive failures (an event or a list
  /// resets it).
  NextStep after_watch(WatchEnd end);
  /// The step after a LIST failed (transport, a status, a page that would not decode).
  NextStep after_list_failure();
  /// The first step: list at once.
  NextStep first_step() const { return {NextStep::Action::list, 0, 0}; }

  /// True once a list has been applied (the cache is complete as of some revision).
  bool synced() const { return synced_; }
  /// The last revision seen: the list's, then each event's and bookmark's.
  std::uint64_t resource_version() const { return resource_version_; }
  /// Consecutive failures since the last list or event.
  std::uint32_t attempts() const { return attempts_; }
  const InformerCache& cache() const { return cache_; }
  const InformerCounters& counters() const { return counters_; }

 private:
  void apply_upsert(const InformerObject& object);
  void apply_delete(const InformerObject& object);
  void notify_add(const InformerObject& object);
  void notify_update(const InformerObject& old_object, const InformerObject& new_object);
  void notify_delete(const InformerObject& last, bool final_state_unknown);
  NextStep step(NextStep::Action action);

  InformerCache cache_;
  std::vector<InformerHandlers> handlers_;
  bool synced_ = false;
  std::uint64_t resource_version_ = 0;
  std::uint32_t attempts_ = 0;
  InformerCounters counters_;
};

}  // namespace craton::api
