// AgentService: the node agent as an ApiComponent (actors/api/informer/api_component.hpp), a
// pure state machine its actor shell (agent_actor.hpp) drives, as the kubelet's
// registerWithAPIServer, node lease controller and syncNodeStatus do:
//
//   set_host_facts (the shell reads the host off the actor threads) -> register the Node:
//     CREATE it (node_json: labels, taints, spec.podCIDR, status); when it exists (409) GET it
//     and merge-PATCH only what the agent owns: its default labels when they differ (hostname,
//     os, arch, instance-type; kubelet's updateDefaultLabels) and spec.podCIDR when the Node
//     has none. Labels and taints others set (kubectl label, taint, cordon) are never touched:
//     a merge patch names only the agent's keys. Refusals other than 409 are retried after
//     register_retry_ms.
//   registered -> the Lease (NodeLease: kube-node-lease/<node>, renewed every 10 s, owned by
//     the Node) and the status (StatusSchedule: merge-PATCH nodes/<node>/status when it changed
//     or every 60 s; conditions keep their lastTransitionTime across posts).
//   always -> an informer on the pods bound here (fieldSelector spec.nodeName=<node>) whose
//     changes go to a PodSink: the seam where the pod side (PodSync) plugs in.
//
// Time: the node clock (now_ms); wall-clock times written to the API are
// wall_clock_base_s * 1000 + now_ms. Not leader-elected: every agent acts for its own node.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/agent/core/node_lease.hpp"
#include "actors/agent/core/node_status.hpp"
#include "actors/agent/volumes/informer_sources.hpp"
#include "actors/api/informer/api_component.hpp"
#include "actors/api/informer/api_connection.hpp"

namespace craton::agent {

/// Where the pods bound to this node go: the pod side of the agent (PodSync, wired by the
/// lead once actors/agent/core/pod_sync.hpp lands). Handlers run inside the service's inputs;
/// they may make API calls through `AgentService::call` (pod status writes, deletions).
class PodSink {
 public:
  virtual ~PodSink() = default;
  virtual void pod_added(const api::InformerObject& pod, std::int64_t now_ms) = 0;
  virtual void pod_updated(const api::InformerObject& old_pod, const api::InformerObject& pod,
                           std::int64_t now_ms) = 0;
  virtual void pod_deleted(const api::InformerObject& last_pod, std::int64_t now_ms) = 0;
  /// Every input of the service ends with this (timers: back-offs, probes, grace periods).
  virtual void tick(std::int64_t now_ms) = 0;
};

struct AgentServiceConfig {
  NodeConfig node;  ///< checked with check_node_config before (AgentService::create does)
  /// Fed by informers on ConfigMaps and Secrets (the pods' volumes and env read them); null:
  /// none are watched (the simulator's fake pods need none).
  std::shared_ptr<volumes::InformerVolumeSources> volume_sources;
  NodeLeaseConfig lease;  ///< node_name is set from node.name
  StatusScheduleConfig status;
  std::uint64_t first_correlation = 1;
  std::int64_t call_timeout_ms = 30'000;
  std::int64_t register_retry_ms = 7'000;
  std::int64_t wall_clock_base_s = 0;
};

struct AgentCounters {
  std::uint64_t registrations = 0;  ///< CREATEs or reconciles that succeeded
  std::uint64_t register_failures = 0;
  std::uint64_t status_posts = 0;
  std::uint64_t status_failures = 0;
};

class AgentService final : public api::ApiComponent {
 public:
  /// Errors "invalid": the node configuration (check_node_config).
  static Result<std::unique_ptr<AgentService>> create(AgentServiceConfig config);

  /// The host's figures now (the shell reads them every ~10 s); registration waits for them.
  void set_host_facts(HostFacts facts);
  /// Runtime health: Ready=False with the message when not empty.
  void set_health(NodeHealth health) {
    health_ = std::move(health);
    ++status_inputs_;
  }
  /// The pod side; may be null (pods are then only watched). Not owned: outlives the service.
  void set_pod_sink(PodSink* sink) { sink_ = sink; }

  Sends tick(std::int64_t now_ms) override;
  Sends on_reply(std::uint64_t correlation, const api::ApiReply& reply,
                 std::int64_t now_ms) override;
  Sends on_event(std::uint64_t correlation, const api::ApiEvent& event,
                 std::int64_t now_ms) override;
  bool wants_act() const override { return act_wanted_; }
  Sends act(std::int64_t now_ms) override { return pump(now_ms); }
  void call(api::ApiCall call, api::ApiConnection::Done done, std::int64_t now_ms) override;
  void set_acting(bool) override {}  // every agent acts for its node
  bool acting() const override { return true; }
  std::size_t calls_in_flight() const override { return api_.calls_in_flight(); }
  void api_changed(std::int64_t now_ms) override { api_.api_changed(now_ms); }
  /// Calls that got no answer in time, or were in flight when the agent changed API.
  std::uint64_t call_timeouts() const { return api_.timeouts(); }

  bool registered() const { return registered_; }
  const std::string& node_uid() const { return node_uid_; }
  const NodeLease& lease() const { return lease_; }
  const AgentCounters& counters() const { return counters_; }
  /// The informer of the pods bound to this node.
  const api::Informer& pods() const { return *pods_; }

 private:
  explicit AgentService(AgentServiceConfig config);
  Sends pump(std::int64_t now_ms);
  void register_node(std::int64_t now_ms);
  void registered_as(const api::ApiReply& reply, std::int64_t now_ms);
  void reconcile_existing(const api::ApiReply& reply, std::int64_t now_ms);
  void register_failed(const api::ApiReply& reply, std::int64_t now_ms);
  void renew_lease(std::int64_t now_ms);
  void post_status(std::int64_t now_ms);
  std::int64_t wall_ms(std::int64_t now_ms) const;

  AgentServiceConfig config_;
  api::ApiConnection api_;
  api::Informer* pods_ = nullptr;
  PodSink* sink_ = nullptr;
  std::optional<HostFacts> facts_;
  NodeHealth health_;
  ConditionTimes condition_times_;
  NodeLease lease_;
  StatusSchedule status_;
  /// Counts changes of what the status is made of (facts_, health_); the fingerprint of the
  /// status last built from them (post_status skips rebuilding while they hold).
  std::uint64_t status_inputs_ = 0;
  std::uint64_t fingerprinted_inputs_ = 0;
  std::optional<std::string> fingerprint_;
  bool registered_ = false;
  bool act_wanted_ = false;                   ///< answers or events taken in since the last pump
  bool registering_ = false;                  ///< a registration call is in flight
  std::int64_t register_due_ms_ = INT64_MIN;  ///< at once: node clocks may read below 0
  std::string node_uid_;
  std::int64_t now_ms_ = 0;
  AgentCounters counters_;
};

}  // namespace craton::agent
