// WaitingPods: the pods a Permit plugin asked to wait (Kubernetes' waitingPodsMap and
// waitingPod, pkg/scheduler/framework/runtime/waiting_pods_map.go), pure: no timers, no threads;
// time arrives as `now_ms` and decisions are drained by the caller, as etcd's raft hands out
// Ready.
//
// A pod waits with one deadline per plugin that answered Wait (now + that plugin's timeout,
// capped at kube's 15 minutes). It is allowed when every one of those plugins has allowed it;
// it is rejected by the first reject (any plugin, or "" when the scheduler removes it), or by
// tick() once a pending plugin's deadline has passed, with kube's message "rejected due to
// timeout after waiting 10s at plugin Coscheduling". The first decision is final (kube's
// signal channel holds one): a later allow or reject changes nothing. Plugins reach the pods
// through FrameworkHandle::waiting_pods() (kube's IterateOverWaitingPods, GetWaitingPod), e.g.
// a gang plugin allowing its whole group at once; the scheduler drains take_decided() after
// each cycle and each tick and resumes (PreBind, Bind) or undoes (Unreserve, forget, requeue)
// each pod's binding cycle.
//
// Promises: deterministic (iteration by uid, decisions drained in the order they were made);
// a pod is listed once (add answers an Error for a uid already waiting); a decided pod is no
// longer seen by get or iterate and leaves when drained.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/scheduler/framework/pod_info.hpp"
#include "runtime/result.hpp"

namespace craton::scheduler {

/// Kubernetes' maxTimeout for a Permit wait: longer timeouts are cut to this.
inline constexpr std::int64_t kPermitWaitMaxMs = 15 * 60 * 1000;

/// One plugin's Wait: how long it may hold the pod.
struct PluginWait {
  std::string plugin;
  std::int64_t timeout_ms = 0;
  bool operator==(const PluginWait&) const = default;
};

/// How a wait ended, for the scheduler to resume or undo the pod's binding cycle.
struct WaitOutcome {
  std::shared_ptr<const PodInfo> pod;  ///< the assumed pod, as it was added
  std::string node;
  bool allowed = false;
  std::string plugin;   ///< rejected: the plugin that rejected ("" when the scheduler removed it)
  std::string message;  ///< rejected: why
};

class WaitingPods;

/// A pod waiting on Permit (Kubernetes' framework.WaitingPod).
class WaitingPod {
 public:
  const PodInfo& pod() const { return *pod_; }
  const std::string& node() const { return node_; }
  /// The plugins that still hold the pod, in the order they asked it to wait.
  std::vector<std::string_view> pending_plugins() const;
  /// `plugin` no longer holds the pod; when no plugin does, the pod is allowed. Nothing
  /// happens once the pod is decided.
  void allow(std::string_view plugin);
  /// Rejects the pod with `message`, in the name of `plugin`. Nothing happens once decided.
  void reject(std::string_view plugin, std::string message);
  bool decided() const { return decision_.has_value(); }

 private:
  friend class WaitingPods;
  struct Pending {
    std::string plugin;
    std::int64_t timeout_ms = 0;
    std::int64_t deadline_ms = 0;
  };
  WaitingPod(WaitingPods& owner, std::shared_ptr<const PodInfo> pod, std::string node)
      : owner_(owner), pod_(std::move(pod)), node_(std::move(node)) {}
  void decide(bool allowed, std::string_view plugin, std::string message);

  WaitingPods& owner_;
  std::shared_ptr<const PodInfo> pod_;
  std::string node_;
  std::vector<Pending> pending_;
  std::optional<WaitOutcome> decision_;
  std::uint64_t decided_order_ = 0;
};

class WaitingPods {
 public:
  WaitingPods() = default;
  WaitingPods(const WaitingPods&) = delete;
  WaitingPods& operator=(const WaitingPods&) = delete;

  /// Parks `pod` (the assumed pod, bound for `node`) until every plugin of `waits` allows it.
  /// Timeouts are cut to [0, kPermitWaitMaxMs]; a plugin listed twice keeps its first entry.
  /// Error "already_waiting" when the uid waits already, "invalid" when `waits` is empty.
  Result<Ok> add(std::shared_ptr<const PodInfo> pod, std::string node,
                 const std::vector<PluginWait>& waits, std::int64_t now_ms);
  /// The undecided waiting pod with that uid, or nullptr (kube's GetWaitingPod).
  WaitingPod* get(std::string_view uid);
  /// Every undecided waiting pod, by uid (kube's IterateOverWaitingPods). `visit` may allow or
  /// reject any of them; it must not add pods.
  void iterate(const std::function<void(WaitingPod&)>& visit);
  /// Rejects the pod if it waits undecided (kube's RejectWaitingPod): true when it did.
  bool reject(std::string_view uid, std::string_view plugin, std::string message);
  /// Rejects every undecided pod a pending plugin's deadline has reached (deadline <= now).
  void tick(std::int64_t now_ms);
  /// The decided pods, in the order they were decided; they leave the set.
  std::vector<WaitOutcome> take_decided();

  /// Pods waiting, decided ones not yet drained included.
  std::size_t size() const { return pods_.size(); }
  /// The earliest deadline of an undecided pod, for a caller that wants to wake up then.
  std::optional<std::int64_t> next_deadline_ms() const;

 private:
  friend class WaitingPod;
  std::map<std::string, std::unique_ptr<WaitingPod>, std::less<>> pods_;  // by uid
  std::uint64_t decisions_ = 0;
};

/// A duration as Go's time.Duration prints it, which is how kube's messages show timeouts:
/// "0s", "500ms", "10s", "1.5s", "15m0s", "1h0m0s".
std::string go_duration_text(std::int64_t ms);

}  // namespace craton::scheduler
