// ApiConnection: what a component keeps of its conversation with the API actor, as a pure state
// machine its actor shell drives (the controller manager's and the scheduler's):
//   - one informer per resource (an EnvelopeSession: LIST + WATCH), made on first use and
//     shared by everything in the component that reads that resource;
//   - calls in flight by correlation id, each with the callback that gets its answer; a call
//     unanswered for call_timeout_ms gets code 0 ("Timeout") and a late answer is ignored;
//   - the outbox: what the shell sends next (take_sends()).
// The shell hands every apiResponse and apiWatchEvent to on_reply()/on_event() and calls tick()
// on its timer. Calls carry a tag so a component can forget a class of them at once (the
// controllers' calls when the manager loses its lease): their callbacks never run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/api/informer/envelope_session.hpp"

namespace craton::api {

struct ApiConnectionConfig {
  std::uint64_t first_correlation = 1;  ///< this incarnation's first id (runtime/correlation.hpp)
  std::int64_t call_timeout_ms = 30000;
};

class ApiConnection {
 public:
  struct Send {
    std::uint64_t correlation = 0;
    ApiCall call;
  };
  using Done = std::function<void(const ApiReply&)>;

  explicit ApiConnection(ApiConnectionConfig config);

  /// The informer on `collection` (a LIST call: group, resource, namespace or all), decoding
  /// objects as `schema`; made on first use under `name`.
  Informer& informer(const std::string& name, const ApiCall& collection,
                     capnp::StructSchema schema);
  /// Every informer has listed since it was made, and since relist_all() when it was called.
  bool synced() const;
  /// Every informer lists again (a new leader starts from a complete view).
  void relist_all(std::int64_t now_ms);

  /// Sends `call` with the next batch; `done` (may be empty) gets its answer, or code 0 when
  /// none came in time.
  void call(ApiCall call, Done done, std::int64_t now_ms, int tag = 0);
  /// Forgets the calls in flight with `tag`: their answers are ignored, `done` never runs.
  void forget(int tag);
  std::size_t calls_in_flight() const { return calls_.size(); }
  std::size_t calls_in_flight(int tag) const;

  /// The shell now sends to another API actor (the one it spoke to stopped answering): what
  /// the old one had in flight will never be answered. Every call in flight fails now, as a
  /// timeout would (code 0, "Timeout"), and every informer lists again from the new API, so
  /// no watch stays open on the old one until its silence is noticed (watch_silence_ms).
  void api_changed(std::int64_t now_ms);
  /// Informers' next steps and calls timed out.
  void tick(std::int64_t now_ms);
  void on_reply(std::uint64_t correlation, const ApiReply& reply, std::int64_t now_ms);
  void on_event(std::uint64_t correlation, const ApiEvent& event, std::int64_t now_ms);
  std::vector<Send> take_sends();

  std::uint64_t timeouts() const { return timeouts_; }

 private:
  struct Pending {
    Done done;
    int tag = 0;
    std::int64_t sent_ms = 0;
  };
  void carry_out(EnvelopeSession& session, std::uint64_t previous,
                 const EnvelopeSession::Output& out, std::int64_t now_ms);
  /// Answers these calls with a timeout (their callbacks may make new calls).
  void time_out(const std::vector<std::uint64_t>& correlations, std::int64_t now_ms);

  ApiConnectionConfig config_;
  std::map<std::string, std::unique_ptr<EnvelopeSession>> sessions_;
  /// Per informer, the lists() it must have reached to count as synced (after relist_all).
  std::map<std::string, std::uint64_t> lists_needed_;
  std::map<std::uint64_t, Pending> calls_;
  std::vector<Send> outbox_;
  std::uint64_t next_correlation_;
  std::uint64_t timeouts_ = 0;
};

}  // namespace craton::api
