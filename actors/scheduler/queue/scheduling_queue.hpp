// SchedulingQueue: the pods waiting to be scheduled, as Kubernetes' PriorityQueue
// (pkg/scheduler/backend/queue/scheduling_queue.go), pure and single-threaded: time arrives as
// `now_ms`, pop never blocks (the actor polls), nothing runs on its own.
//
// A pending pod is in exactly one place:
//   activeQ        ready now; pop hands out the first by the QueueSort order, ties by arrival
//   backoffQ       waits until its back-off ends: initial * 2^(attempts-1), capped at max
//   unschedulable  rejected; waits for a cluster event one of its rejecting plugins registered
//                  (EnqueueExtensions), or for the unschedulable timeout (5 min by default)
//   in flight      popped, being scheduled; comes back by add_unschedulable or
//                  requeue_after_error, or leaves by done
// An event that happens while a pod is in flight is remembered for it, so a pod rejected by a
// plugin whose event came during its own cycle goes to backoffQ instead of waiting for a
// second such event (kube's in-flight events with queueing hints, in spirit).
//
// Promises: deterministic (same calls, same pops); a rejected pod is never popped again before
// a matching event, a flush past the unschedulable timeout, or its own update, so there is no
// busy loop; an event costs O(unschedulable pods) time and keeps nothing per event (in-flight
// pods keep one bit set per resource); memory is O(pods queued), at most `pods_max` (add
// answers an Error past it). Errors are values; a broken invariant aborts (CRATON_ASSERT).
// Also the nominator: pods a preemption nominated a node for, by node.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/cluster_event.hpp"
#include "actors/scheduler/framework/pod_info.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

/// The QueueSort order: true when `a` goes before `b` (the lead passes Framework::queue_less).
using QueueLess = std::function<bool(const QueuedPodInfo& a, const QueuedPodInfo& b)>;

/// Plugin name -> the events that may undo its rejections (Framework::events_to_register).
using PluginEvents = std::map<std::string, std::vector<ClusterEvent>, std::less<>>;

struct SchedulingQueueOptions {
  std::int64_t initial_backoff_ms = 1000;  ///< kube's podInitialBackoffSeconds
  std::int64_t max_backoff_ms = 10000;     ///< kube's podMaxBackoffSeconds
  /// kube's podMaxInUnschedulablePodsDuration: a rejected pod waits at most this long for an
  /// event before flush retries it anyway.
  std::int64_t max_in_unschedulable_ms = 5 * 60 * 1000;
  std::size_t pods_max = 1'000'000;  ///< pods queued or in flight, together
};

/// Where a pod went (answers of the calls that place one, for logs and tests).
enum class QueueName : std::uint8_t { active, backoff, unschedulable, in_flight, none };
std::string_view queue_name(QueueName queue);

/// A pod handed out by pop. `info.pod` points into `pod`, which keeps the PodInfo alive for
/// the cycle even if the pod is removed or updated meanwhile.
struct PoppedPod {
  QueuedPodInfo info;                  ///< attempts counts this one
  std::shared_ptr<const PodInfo> pod;  ///< owner of *info.pod
  std::uint64_t scheduling_cycle = 0;  ///< the queue's cycle count at this pop (from 1)
};

class SchedulingQueue {
 public:
  /// An Error when the options are out of range (back-offs not positive, max below initial,
  /// a negative timeout, pods_max 0) or `less` is empty.
  static Result<std::unique_ptr<SchedulingQueue>> create(QueueLess less, PluginEvents events,
                                                         SchedulingQueueOptions options = {});

  /// A new pending pod: to activeQ. Error "already_queued" when its uid is known (use update),
  /// "queue_full" past pods_max.
  Result<QueueName> add(std::shared_ptr<const PodInfo> pod, std::int64_t now_ms);
  /// A new version of a pending pod. In activeQ or backoffQ it is replaced in place; an
  /// unschedulable pod goes to backoffQ or activeQ (its own change may make it fit: the caller
  /// passes only updates that change what scheduling reads, not status-only ones, as kube's
  /// isPodUpdated); an in-flight pod is replaced when it comes back, and counts as an event
  /// for it; an unknown pod is added.
  Result<QueueName> update(std::shared_ptr<const PodInfo> pod, std::int64_t now_ms);
  /// A new version of a pending pod that changed nothing scheduling reacts to (its status: kube's
  /// Update when isPodUpdated is false): the stored PodInfo, and its nomination's, is replaced
  /// where it is, nothing moves, so the next cycle reads e.g. the status.nominatedNodeName its
  /// preemption wrote. A pod in flight (in its cycle, or its binding cycle waiting on Permit)
  /// keeps the version it was popped with until it comes back, then takes this one (a later
  /// update's or refresh's, whichever came last), without counting it as a change; its
  /// nomination's is replaced at once. False when the uid is unknown.
  bool refresh(std::shared_ptr<const PodInfo> pod);
  /// Forgets the pod and its nomination. An in-flight pod is forgotten when it comes back
  /// (its PodInfo stays valid for the cycle). False when the uid is unknown.
  bool remove(std::string_view uid);

  /// Moves back-offs that ended by now to activeQ, then hands out activeQ's first pod, now in
  /// flight. Never blocks; nullopt when activeQ is empty.
  std::optional<PoppedPod> pop(std::int64_t now_ms);

  /// After a cycle that found no node: the pod waits in unschedulable for an event one of
  /// `unschedulable_plugins` registered, or goes to backoffQ when such an event happened while
  /// it was in flight, when it was updated in flight, or when no plugin is named (something
  /// unusual failed: retry after back-off, as kube). Error "not_in_flight" when the uid was
  /// not popped; QueueName::none when it was removed in flight (dropped).
  Result<QueueName> add_unschedulable(const QueuedPodInfo& pod,
                                      std::vector<std::string> unschedulable_plugins,
                                      std::int64_t now_ms);
  /// After a cycle that failed with an error (a plugin or the API failed): to backoffQ.
  Result<QueueName> requeue_after_error(const QueuedPodInfo& pod, std::int64_t now_ms);
  /// The pod was scheduled (assumed or bound): no longer in flight, nomination dropped.
  /// False when it was not in flight.
  bool done(std::string_view uid);

  /// A cluster change: every unschedulable pod one of whose rejecting plugins registered a
  /// matching event (a pod with none: any event; a wildcard event: every pod) moves to
  /// backoffQ while its back-off lasts, else to activeQ, in the order they became
  /// unschedulable. Returns how many moved.
  std::size_t on_event(const ClusterEvent& event, std::int64_t now_ms);

  /// Called about every second: back-offs that ended -> activeQ; pods unschedulable for longer
  /// than max_in_unschedulable_ms -> backoffQ or activeQ (kube's UnschedulableTimeout).
  void flush(std::int64_t now_ms);

  /// Kube's calculateBackoffDuration: 0 before any attempt, then initial * 2^(attempts-1),
  /// never above max.
  std::int64_t backoff_ms(std::int32_t attempts) const;

  // The nominator: pods a preemption nominated a node for (kube's nominator).
  /// Nominates (or re-nominates) the pod for `node`; an empty node drops the nomination.
  void add_nominated(std::shared_ptr<const PodInfo> pod, std::string node);
  void remove_nominated(std::string_view uid);
  /// The pods nominated for the node, in nomination order.
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods_for_node(std::string_view node) const;
  /// The node the pod is nominated for, "" when none.
  std::string_view nominated_node(std::string_view uid) const;
  /// Some pod is nominated somewhere (the framework's Filter skips the per-node look-up if not).
  bool any_nominated() const { return !nominated_.empty(); }

  std::size_t active() const { return active_.size(); }
  std::size_t backoff() const { return backoff_.size(); }
  std::size_t unschedulable() const { return unschedulable_.size(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  std::uint64_t scheduling_cycle() const { return scheduling_cycle_; }

  SchedulingQueue(const SchedulingQueue&) = delete;
  SchedulingQueue& operator=(const SchedulingQueue&) = delete;

 private:
  /// A set of events folded into bits: per resource, the action bits that can move a pod
  /// (registered) or that happened while it was in flight. Fixed size whatever the count.
  struct EventMask {
    std::array<std::uint32_t, kEventResources> actions{};
    bool any = false;  ///< every event (a wildcard), or, happened, a wildcard event
    void add_registered(const ClusterEvent& e);
    void add_happened(const ClusterEvent& e);
    bool empty() const;
    /// Registered mask: `matches(registered, happened)` for one of the registered events.
    bool matches(const ClusterEvent& happened) const;
    /// Registered mask: one of the happened events matches.
    bool matches_any(const EventMask& happened) const;
  };
  struct Entry {
    std::shared_ptr<const PodInfo> pod;
    QueuedPodInfo info;  ///< info.pod == pod.get()
    QueueName where = QueueName::none;
    std::uint64_t seq = 0;  ///< order of arrival in its current queue (ties, determinism)
    std::int64_t backoff_until_ms = 0;
    std::int64_t unschedulable_since_ms = 0;
    EventMask moves_on;  ///< unschedulable: the events its rejecting plugins registered
    // In flight only:
    EventMask happened_in_flight;
    bool removed_in_flight = false;
    /// The latest version update() or refresh() gave meanwhile, swapped in on return.
    std::shared_ptr<const PodInfo> newer_in_flight;
    bool updated_in_flight = false;  ///< by update(): a change scheduling reacts to
  };
  struct ActiveOrder {
    const SchedulingQueue* queue;
    bool operator()(const Entry* a, const Entry* b) const;
  };
  using Key = std::pair<std::int64_t, std::uint64_t>;  // (time, seq)

  SchedulingQueue(QueueLess less, PluginEvents events, SchedulingQueueOptions options);
  Entry* find(std::string_view uid);
  Entry* in_flight_entry(const QueuedPodInfo& pod);
  void detach(Entry& e);  ///< takes the entry out of its queue (not from pods_)
  void to_active(Entry& e);
  void to_backoff(Entry& e);
  void to_unschedulable(Entry& e, std::int64_t now_ms);
  QueueName to_active_or_backoff(Entry& e, std::int64_t now_ms);
  void finish_in_flight(Entry& e, std::int64_t now_ms);
  void move_completed_backoffs(std::int64_t now_ms);
  EventMask mask_for(const std::vector<std::string>& plugins) const;

  QueueLess less_;
  PluginEvents events_;
  SchedulingQueueOptions options_;
  std::map<std::string, Entry, std::less<>> pods_;  // by uid; node addresses are stable
  std::set<Entry*, ActiveOrder> active_;
  std::map<Key, Entry*> backoff_;                  // by (backoff_until_ms, seq)
  std::map<std::uint64_t, Entry*> unschedulable_;  // by seq: arrival order
  std::map<std::uint64_t, Entry*> in_flight_;      // by seq
  std::uint64_t next_seq_ = 0;
  std::uint64_t scheduling_cycle_ = 0;

  struct Nomination {
    std::shared_ptr<const PodInfo> pod;
    std::string node;
    std::uint64_t seq = 0;
  };
  std::map<std::string, Nomination, std::less<>> nominated_;  // by uid
  std::map<std::string, std::map<std::uint64_t, std::string>, std::less<>> nominated_by_node_;
};

}  // namespace craton::scheduler
