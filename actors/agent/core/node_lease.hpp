// NodeLease and StatusSchedule: the node agent's two heartbeats, as the kubelet keeps them
// (pkg/kubelet/nodelease and kubelet_node_status.go). Pure state machines; the caller owns
// the clock and sends the calls.
//
// NodeLease keeps coordination.k8s.io/v1 Lease kube-node-lease/<node>: holderIdentity = the
// node's name, leaseDurationSeconds 40, renewTime (MicroTime) = now, renewed every 10 s.
//   next(now)            the call to make now, if any; one call at a time
//   on_reply(id, r, now) the API's answer to call `id` (other ids are ignored)
// It reads the Lease once (GET), creates it when absent, then renews with UPDATEs conditional
// on the resourceVersion it last wrote (no read per renewal, as the kubelet's latestLease).
// A failed renewal is retried after retry_ms doubling up to retry_ms_max (the kubelet's
// 200 ms .. 7 s), and after a conflict (409) or a lost lease (404) it reads first. The owner
// reference to the Node (set_owner) makes the Lease go with its Node, as the kubelet does.
//
// StatusSchedule says when the node's status is posted: when it changed (its fingerprint,
// status_fingerprint in node_status.hpp), or when report_ms (60 s) passed since the last post
// that succeeded, whichever is first; a failed post is retried after retry_ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/api/client/api_protocol.hpp"

namespace craton::agent {

struct NodeLeaseConfig {
  std::string node_name;
  std::string lease_namespace = "kube-node-lease";
  std::int64_t lease_duration_ms = 40'000;  ///< written as leaseDurationSeconds
  std::int64_t renew_ms = 10'000;
  std::int64_t retry_ms = 200;
  std::int64_t retry_ms_max = 7'000;
  std::int64_t call_timeout_ms = 10'000;  ///< unanswered this long: failed
};

/// One call to make and the id its reply comes back with.
struct NodeLeaseCall {
  std::uint64_t id = 0;
  api::ApiCall call;
};

class NodeLease {
 public:
  explicit NodeLease(NodeLeaseConfig config) : config_(std::move(config)) {}

  /// The Node's uid, for the Lease's ownerReference (written from the next create or renewal).
  void set_owner(std::string node_uid) { owner_uid_ = std::move(node_uid); }

  std::optional<NodeLeaseCall> next(std::int64_t now_ms);
  void on_reply(std::uint64_t id, const api::ApiReply& reply, std::int64_t now_ms);

  /// When the last renewal (or creation) the API accepted was sent; nullopt: none yet.
  std::optional<std::int64_t> renewed_ms() const { return renewed_ms_; }
  std::uint64_t renewals() const { return renewals_; }
  std::uint64_t failures() const { return failures_; }

 private:
  enum class Step { idle, get, create, update };
  NodeLeaseCall send(Step step, api::ApiCall call, std::int64_t now_ms);
  NodeLeaseCall write(Step step, std::int64_t now_ms);
  void failed(std::int64_t now_ms, bool read_first);

  NodeLeaseConfig config_;
  std::string owner_uid_;
  Step step_ = Step::idle;  ///< the call in flight
  Step follow_up_ = Step::idle;
  std::uint64_t call_id_ = 0;
  std::int64_t sent_ms_ = 0;
  std::int64_t due_ms_ = INT64_MIN;  ///< at once: node clocks may read below 0
  std::int64_t backoff_ms_ = 0;      ///< 0: no failure since the last success
  /// The Lease's resourceVersion after our last read or write; 0: read before writing.
  std::int64_t resource_version_ = 0;
  std::optional<std::int64_t> renewed_ms_;
  std::uint64_t renewals_ = 0;
  std::uint64_t failures_ = 0;
};

struct StatusScheduleConfig {
  std::int64_t report_ms = 60'000;
  std::int64_t retry_ms = 10'000;
};

class StatusSchedule {
 public:
  explicit StatusSchedule(StatusScheduleConfig config = {}) : config_(config) {}

  /// Whether the status with this fingerprint must be posted now (never while one is in
  /// flight).
  bool due(const std::string& fingerprint, std::int64_t now_ms) const;
  /// A post of `fingerprint` was sent.
  void sent(const std::string& fingerprint, std::int64_t now_ms);
  /// The post in flight was accepted, or failed (retried after retry_ms).
  void answered(bool ok, std::int64_t now_ms);
  bool in_flight() const { return in_flight_; }
  std::uint64_t posts() const { return posts_; }

 private:
  StatusScheduleConfig config_;
  bool in_flight_ = false;
  std::string sending_;
  std::optional<std::string> posted_;  ///< the fingerprint the API holds
  std::int64_t posted_ms_ = 0;         ///< when the post the API holds was sent
  std::int64_t sent_ms_ = 0;
  std::int64_t retry_at_ms_ = INT64_MIN;  ///< no failure yet (node clocks may read below 0)
  std::uint64_t posts_ = 0;
};

}  // namespace craton::agent
