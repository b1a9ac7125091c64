// LeaderElection: which of several instances of a component acts (the controller manager's,
// the scheduler's): client-go's leader election over a coordination.k8s.io/v1 Lease as a pure
// state machine. The caller owns the clock and the API connection; no CAF, no threads.
//
//   next(now)             the call to make now, if any (GET the lease; CREATE it when absent;
//                         UPDATE it, conditional on the resourceVersion last read, to take an
//                         expired lease or renew ours); one call at a time
//   on_reply(id, r, now)  the API's answer to call `id` (replies to other ids are ignored)
//   leading()             whether this instance may act now
//
// What it promises, with client-go's defaults (lease 15 s, renew deadline 10 s, retry 2 s):
// - Another holder's lease is taken over only once this instance has watched the record stay
//   unchanged for the record's leaseDurationSeconds by its own clock (client-go's
//   observedTime): renewTime is never compared with our clock, so clock offsets between
//   instances do not matter, only clock rates.
// - A leader that has not renewed successfully for renew_deadline_ms steps down (leading()
//   turns false, on_stopped_leading runs) before any other instance can have seen its lease
//   expire. Its deadline counts from when its last successful renew was SENT (not answered),
//   which is never later than when others observed that write, so the lease_duration_ms -
//   renew_deadline_ms margin (5 s) absorbs clock-rate differences and in-flight time.
// - Every write is conditional (create: the name is free; update: the resourceVersion read),
//   so two candidates never both succeed: the loser gets 409 and reads the record again.
// - Lease fields as Kubernetes writes them: holderIdentity, leaseDurationSeconds, acquireTime
//   and renewTime as MicroTime, leaseTransitions + 1 whenever the holder changes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "actors/api/client/api_protocol.hpp"
#include "runtime/result.hpp"

namespace craton::api {

struct LeaderElectionConfig {
  std::string identity;  ///< unique per instance (kube: hostname + "_" + a uuid)
  std::string lease_namespace = "kube-system";
  std::string lease_name = "craton-controller-manager";
  std::int64_t lease_duration_ms = 15'000;  ///< written as leaseDurationSeconds (whole seconds)
  std::int64_t renew_deadline_ms = 10'000;
  std::int64_t retry_period_ms = 2'000;
  /// A call unanswered for this long counts as failed (its late reply is ignored).
  std::int64_t call_timeout_ms = 5'000;
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
};

/// One call to make, and the id its reply must be given back with.
struct LeaseCall {
  std::uint64_t id = 0;
  api::ApiCall call;
};

class LeaderElection {
 public:
  /// Errors: "invalid" (no identity or lease name, a duration under 1 s, lease_duration_ms
  /// not above renew_deadline_ms, or renew_deadline_ms not above 1.2 x retry_period_ms: the
  /// rules of client-go's NewLeaderElector).
  static Result<LeaderElection> make(LeaderElectionConfig config);

  /// The call to make now (nullopt: nothing until later; see next_due_ms). Steps down first
  /// when the renew deadline has passed.
  std::optional<LeaseCall> next(std::int64_t now_ms);
  /// Digests the answer to call `call_id`; a reply to any other id changes nothing.
  void on_reply(std::uint64_t call_id, const api::ApiReply& reply, std::int64_t now_ms);

  bool leading() const { return leading_; }
  /// The holder in the record last read or written ("" : none known).
  const std::string& observed_holder() const { return record_.holder; }
  std::int32_t observed_transitions() const { return record_.transitions; }
  /// When next() may next have something to do, for the caller's timer.
  std::int64_t next_due_ms() const;

 private:
  /// The Lease as read or written: what client-go calls the LeaderElectionRecord.
  struct Record {
    std::string holder;
    std::int32_t duration_s = 0;
    std::string acquire_time, renew_time;
    std::int32_t transitions = 0;
    std::int64_t resource_version = 0;
    bool operator==(const Record&) const = default;
  };
  enum class Step { idle, get, create, update };

  explicit LeaderElection(LeaderElectionConfig config) : config_(std::move(config)) {}
  LeaseCall send(Step step, api::ApiCall call, std::int64_t now_ms);
  LeaseCall get_call(std::int64_t now_ms);
  LeaseCall write_call(Step step, std::int64_t now_ms);
  void on_read(const api::ApiReply& reply, std::int64_t now_ms);
  void on_written(const api::ApiReply& reply, std::int64_t now_ms);
  void observe(Record record, std::int64_t now_ms);
  bool held_by_another(std::int64_t now_ms) const;
  void wait_retry(std::int64_t now_ms) { due_ms_ = now_ms + config_.retry_period_ms; }
  void start_leading();
  void stop_leading();

  LeaderElectionConfig config_;
  Step step_ = Step::idle;       ///< the call in flight (idle: none)
  Step follow_up_ = Step::idle;  ///< the write to make right after a read (idle: none)
  std::uint64_t call_id_ = 0;
  std::int64_t sent_ms_ = 0;  ///< when the call in flight was made
  /// next() makes no new call before this; at once at first (node clocks may read below 0).
  std::int64_t due_ms_ = INT64_MIN;
  Record record_;  ///< the lease as last read or written
  bool lease_exists_ = false;
  bool stale_ = true;  ///< record_ may be behind the API's (a write failed): read before writing
  std::int64_t observed_ms_ = 0;  ///< when record_ last changed, by our clock
  Record pending_;                ///< what the write in flight writes
  bool leading_ = false;
  std::int64_t renewed_ms_ = 0;  ///< when our last successful write was sent
};

}  // namespace craton::api
