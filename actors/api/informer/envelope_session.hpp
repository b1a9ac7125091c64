// EnvelopeSession: the envelope driver of an Informer (informer.hpp), as a pure state machine
// that an actor embeds (a controller, the scheduler, a node agent, a simulated client). It
// says which ApiCall to send to the API actor (actors/api/actor/) and when; the actor sends
// it with a fresh correlation id, routes the apiResponse and apiWatchEvents carrying that id
// back here, and calls tick() on its timer. Objects arrive as stored bytes and become
// InformerObjects without JSON.
//
//   LIST   pages of list_page_items (`limit` + `continue`, all at the first page's revision;
//          a page the API cut short by its byte bound continues the same way);
//   WATCH  from the list's revision, with bookmarks and timeoutSeconds = watch_timeout_s;
//   then   whatever the Informer decides after a watch or list ends (watch again from its
//          revision, relist after a 410), after its backoff.
// A call that gets no answer within call_timeout_ms, and a watch silent for watch_silence_ms
// (no event, no bookmark, no probe answer), count as transport errors: the session stops the
// watch (the caller sends stop_watch for the old id) and goes on as the Informer says.
//
// Watch liveness: a watch silent for watch_probe_ms is probed (probeWatch with the watch's own
// correlation id). The API answers 200 while it holds the watch, 404 when it does not: it
// restarted since (alone or with its process) and forgot its watches without a word, which
// would otherwise leave the informer blind until watch_silence_ms. A 404 ends the watch like a
// closed stream: the Informer watches again from its revision (a 410 then makes it list).
// A 200 also says how many events the API has sent on the watch (in its listRevision): the link
// keeps them in order before the answer, so fewer received means some were lost (a link that
// broke and came back: production's links drop what is sent while the peer is unreachable, the
// simulator's partitions too) and the session watches again from the last revision it got,
// which replays the lost ones.
// Why a probe and not the other signals: an incarnation id stamped on events tells nothing to
// a watch the new API never writes to, and a link going down (runtime/link.hpp) covers a
// process that died but not an API actor respawned in a live process, nor the simulator; the
// probe answers all three, costs one small call per quiet watch every few seconds, and a
// probe left unanswered is how a dead server shows within watch_silence_ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/api/client/api_protocol.hpp"
#include "actors/api/informer/informer.hpp"

namespace craton::api {

struct EnvelopeSessionOptions {
  ApiCall collection;          ///< group, version, resource, namespace_ (or all), selectors
  capnp::StructSchema schema;  ///< the struct the objects are
  std::int64_t list_page_items = 500;
  std::int64_t watch_timeout_s = 300;
  std::int64_t call_timeout_ms = 15000;
  /// A watch silent this long is probed (above); 0: never.
  std::int64_t watch_probe_ms = 5000;
  /// A watch silent this long (probe unanswered) is given up: > watch_probe_ms + a round trip.
  std::int64_t watch_silence_ms = 15000;
};

class EnvelopeSession {
 public:
  explicit EnvelopeSession(EnvelopeSessionOptions options);

  Informer& informer() { return informer_; }
  const Informer& informer() const { return informer_; }

  /// What to send now: nothing, or a call (the caller gives it a new correlation id and
  /// passes that id to sent()). stop_previous_watch: the watch that was current() before
  /// this call is abandoned; the caller sends stopWatch with its id.
  struct Output {
    std::optional<ApiCall> call;
    bool stop_previous_watch = false;
    /// A probeWatch to send with current()'s id (not a new one); the session stays current.
    std::optional<ApiCall> probe;
  };
  /// The caller's timer: starts the first list, sends what a backoff held back, and gives up
  /// on calls and watches that went silent.
  Output tick(std::int64_t now_ms);
  /// The call tick() or on_reply() returned was sent with this correlation id.
  void sent(std::uint64_t correlation, std::int64_t now_ms);
  /// An apiResponse with the current call's id (others are ignored: late answers).
  Output on_reply(std::uint64_t correlation, const ApiReply& reply, std::int64_t now_ms);
  /// An apiWatchEvent with the current watch's id.
  Output on_event(std::uint64_t correlation, const ApiEvent& event, std::int64_t now_ms);

  /// Lists again now (abandoning the watch or list in flight; stop_previous_watch says so): what
  /// a controller manager that just became leader does, so that it acts on what the store
  /// holds after its election, not on what a cache it kept while not leading still replays.
  Output relist(std::int64_t now_ms);
  /// Complete lists applied to the informer so far.
  std::uint64_t lists() const { return lists_; }

  /// The id of the call or watch in flight (0: none).
  std::uint64_t current() const { return correlation_; }

 private:
  Output next(NextStep step, std::int64_t now_ms);
  Output list_page(std::int64_t now_ms);
  Result<InformerObject> object_of(const ApiObjectBytes& bytes) const;

  EnvelopeSessionOptions options_;
  Informer informer_;
  enum class Phase { idle, listing, watching } phase_ = Phase::idle;
  std::optional<NextStep> pending_;  ///< held back until due_ms
  std::int64_t due_ms_ = 0;
  std::uint64_t correlation_ = 0;
  std::uint64_t lists_ = 0;
  std::int64_t heard_ms_ = 0;
  bool probing_ = false;            ///< a probe of the current watch is unanswered
  std::uint64_t watch_events_ = 0;  ///< events of the current watch received so far
  // The list being gathered.
  std::vector<InformerObject> items_;
  std::int64_t list_revision_ = 0;
  std::string continue_;
};

}  // namespace craton::api
