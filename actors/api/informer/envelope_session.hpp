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
// (no event, no bookmark), count as transport errors: the session stops the watch (the
// caller sends stop_watch for the old id) and goes on as the Informer says.
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
  std::int64_t watch_silence_ms = 90000;  ///< > the API's bookmark interval (60 s)
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
  // The list being gathered.
  std::vector<InformerObject> items_;
  std::int64_t list_revision_ = 0;
  std::string continue_;
};

}  // namespace craton::api
