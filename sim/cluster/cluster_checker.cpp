// The cluster checker (see the header).
#include "sim/cluster/cluster_checker.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace craton::sim {
namespace {

using Kind = Fault::Kind;

/// A replica whose sync failed restarts (the world restarts it 1 s on); its catch-up and the
/// leader election after it are bounded by this.
constexpr std::int64_t kSyncRestartMs = 5'000;

struct ViewAt {
  std::int64_t time_ms = 0;
  std::string auditor;  ///< node/incarnation
  const PodsView* view = nullptr;
};

/// One attempt of one container on one node, from its start to its stop (or its node's crash,
/// or the end of the run: then running_at_end).
struct Interval {
  std::string node, uid, pod, container;
  int attempt = 0;
  std::int64_t start_ms = 0, end_ms = 0;
  bool running_at_end = false;
};

/// [from, to) during which a worker was cut off from the control plane.
struct Cutoff {
  std::int64_t from_ms = 0, to_ms = 0;
};

/// [from, to) during which the control plane was disturbed (check 1).
struct Disturbance {
  std::int64_t from_ms = 0, to_ms = 0;
  bool moves_leader = false;
};

class Judge {
 public:
  Judge(const RunHistory& h, const ClusterBounds& b) : h_(h), b_(b) {}

  CheckResult run() {
    read_observations();
    read_faults();
    check_evictions();
    check_stops();
    check_one_node();
    check_end();
    r_.counts["pod_views"] = views_.size();
    r_.counts["container_runs"] = intervals_.size();
    r_.counts["pods_gone"] = gone_ms_.size();
    return std::move(r_);
  }

 private:
  bool is_worker(const std::string& node) const {
    return std::find(b_.workers.begin(), b_.workers.end(), node) != b_.workers.end();
  }

  static bool serving(const PodsView::Pod& p) {
    return p.phase == "Running" && p.ready && !p.terminating;
  }

  std::string describe(const std::string& uid) const {
    auto it = names_.find(uid);
    return (it == names_.end() ? std::string("?") : it->second) + " (" + uid + ")";
  }

  void read_observations() {
    std::map<std::string, std::set<std::string>> listed;  // auditor -> uids it listed
    using Key = std::tuple<std::string, std::uint64_t, std::string, std::string, int>;
    std::map<Key, std::size_t> open;  // running attempt -> intervals_ index
    for (const auto& o : h_.observations) {
      if (const auto* v = std::get_if<PodsView>(&o.event)) {
        auto auditor = o.node + "/" + std::to_string(o.incarnation);
        views_.push_back(ViewAt{o.time_ms, auditor, v});
        auto& seen = listed[auditor];
        for (const auto& uid : seen)
          if (!v->pods.count(uid)) gone(uid, o.time_ms);
        seen.clear();
        for (const auto& [uid, pod] : v->pods) {
          seen.insert(uid);
          names_[uid] = pod.name;
          if (!pod.node.empty()) bound_[uid] = pod.node;
          if (pod.terminating) gone(uid, o.time_ms);
        }
      } else if (const auto* c = std::get_if<ContainerEvent>(&o.event)) {
        Key key{o.node, o.incarnation, c->pod_uid, c->container, c->attempt};
        names_.emplace(c->pod_uid, c->pod);
        if (c->kind == ContainerEvent::Kind::start) {
          open[key] = intervals_.size();
          intervals_.push_back(Interval{o.node, c->pod_uid, c->pod, c->container, c->attempt,
                                        o.time_ms, h_.end_ms, true});
        } else if (auto it = open.find(key); it != open.end()) {
          intervals_[it->second].end_ms = o.time_ms;
          intervals_[it->second].running_at_end = false;
          open.erase(it);
        }
      }
    }
  }

  void gone(const std::string& uid, std::int64_t t) { gone_ms_.emplace(uid, t); }

  void read_faults() {
    const std::string anchor = b_.control_plane.empty() ? "" : b_.control_plane.front();
    std::map<std::string, std::int64_t> cut_since;  // worker -> since when
    // A worker stays cut off across consecutive partitions that all cut it off.
    auto repartition = [&](std::int64_t t, const std::set<std::string>& now_cut) {
      for (auto it = cut_since.begin(); it != cut_since.end();) {
        if (now_cut.count(it->first)) {
          ++it;
          continue;
        }
        cutoffs_[it->first].push_back(Cutoff{it->second, t});
        it = cut_since.erase(it);
      }
      for (const auto& node : now_cut) cut_since.emplace(node, t);
    };
    Timeline net;  // for deafness and disturbances
    for (const auto& f : h_.faults) {
      if (f.kind == Kind::crash && !f.nodes.empty()) crashes_[f.nodes[0]].push_back(f.at_ms);
      if (f.kind == Kind::restart && !f.nodes.empty()) restarts_[f.nodes[0]].push_back(f.at_ms);
      if (f.kind == Kind::heal) repartition(f.at_ms, {});
      note_disturbance(f);
      net.apply(f);
      deafness(net, f.at_ms);
      if (f.kind != Kind::partition) continue;
      std::set<std::string> now_cut;
      for (const auto& group : f.groups) {
        if (std::find(group.begin(), group.end(), anchor) != group.end()) continue;
        for (const auto& node : group)
          if (is_worker(node)) now_cut.insert(node);
      }
      repartition(f.at_ms, now_cut);
    }
    repartition(h_.settle_ms, {});  // the world heals the network at the settle point
    net.apply_heal();
    deafness(net, h_.settle_ms);
    deafness(net, h_.end_ms, true);
    if (partition_since_)
      disturbances_.push_back({*partition_since_, h_.settle_ms, partition_moves_leader_});
    // A container runs until its node crashes, if it never stopped before.
    for (auto& i : intervals_) {
      if (!i.running_at_end) continue;
      for (auto c : crashes_[i.node])
        if (c >= i.start_ms) {
          i.end_ms = c;
          i.running_at_end = false;
          break;
        }
    }
  }

  /// Which nodes are down and how the network is split, as the faults go.
  struct Timeline {
    std::set<std::string> down;
    std::map<std::string, int> group;  // empty: no partition
    void apply(const Fault& f) {
      if (f.kind == Kind::crash && !f.nodes.empty()) down.insert(f.nodes[0]);
      if (f.kind == Kind::restart && !f.nodes.empty()) down.erase(f.nodes[0]);
      if (f.kind == Kind::heal) group.clear();
      if (f.kind != Kind::partition) return;
      group.clear();
      for (std::size_t g = 0; g < f.groups.size(); ++g)
        for (const auto& n : f.groups[g]) group[n] = int(g);
    }
    void apply_heal() { group.clear(); }
    int group_of(const std::string& n) const {
      auto it = group.find(n);
      return it == group.end() ? -1 : it->second;
    }
    bool reaches(const std::string& a, const std::string& b) const {
      return !down.count(b) && (group.empty() || group_of(a) == group_of(b));
    }
  };

  /// Opens or closes each worker's deaf interval (some control-plane node down or out of its
  /// reach) at `t`; `close_all` at the end of the run.
  void deafness(const Timeline& net, std::int64_t t, bool close_all = false) {
    for (const auto& w : b_.workers) {
      bool deaf = false;
      for (const auto& cp : b_.control_plane) deaf = deaf || !net.reaches(w, cp);
      auto open = deaf_since_.find(w);
      if (deaf && !close_all && open == deaf_since_.end()) deaf_since_[w] = t;
      if ((!deaf || close_all) && open != deaf_since_.end()) {
        deaf_[w].push_back(Cutoff{open->second, t});
        deaf_since_.erase(open);
      }
    }
  }

  bool is_control_plane(const std::string& node) const {
    return std::find(b_.control_plane.begin(), b_.control_plane.end(), node) !=
           b_.control_plane.end();
  }

  /// Control-plane disturbances (check 1). One that may move the controller manager's leader
  /// (a control-plane node down, cut off from the other control-plane nodes, or restarting
  /// after a failed sync or a full disk) restarts the node lifecycle controller's grace; the
  /// others (agents or workers cut off) delay the eviction by their length.
  void note_disturbance(const Fault& f) {
    const std::string node = f.nodes.empty() ? "" : f.nodes[0];
    if (f.kind == Kind::partition || f.kind == Kind::heal) {
      if (partition_since_)
        disturbances_.push_back({*partition_since_, f.at_ms, partition_moves_leader_});
      partition_since_.reset();
      if (f.kind == Kind::partition) {
        partition_since_ = f.at_ms;
        std::set<std::size_t> cp_groups;
        for (std::size_t g = 0; g < f.groups.size(); ++g)
          for (const auto& n : f.groups[g])
            if (is_control_plane(n)) cp_groups.insert(g);
        std::size_t listed = 0;
        for (const auto& cp : b_.control_plane)
          for (const auto& g : f.groups) listed += std::count(g.begin(), g.end(), cp);
        partition_moves_leader_ = cp_groups.size() > 1 || listed < b_.control_plane.size();
      }
    }
    if (!is_control_plane(node)) return;
    if (f.kind == Kind::crash) cp_down_since_[node] = f.at_ms;
    if (f.kind == Kind::restart && cp_down_since_.count(node)) {
      disturbances_.push_back({cp_down_since_[node], f.at_ms, true});
      cp_down_since_.erase(node);
    }
    if (f.kind == Kind::disk_full) disk_full_since_[node] = f.at_ms;
    // A full disk fails the replica's next commit, which stops the node and restarts it (the
    // world's disk-stop, as after a failed sync): it may move the leader too (seeds 9, 65).
    if (f.kind == Kind::disk_ok && disk_full_since_.count(node)) {
      disturbances_.push_back({disk_full_since_[node], f.at_ms + kSyncRestartMs, true});
      disk_full_since_.erase(node);
    }
    if (f.kind == Kind::fsync_fail)
      disturbances_.push_back({f.at_ms, f.at_ms + kSyncRestartMs, true});
  }

  /// The eviction deadline of a worker crashed at `crash` (check 1).
  std::int64_t eviction_deadline(std::int64_t crash) {
    auto bound = b_.evict_bound_ms();
    auto deadline = crash + bound;
    // Crashed control-plane nodes still down, disks still full: until the end.
    auto all = disturbances_;
    for (const auto& [node, since] : cp_down_since_) all.push_back({since, h_.end_ms, true});
    for (const auto& [node, since] : disk_full_since_) all.push_back({since, h_.settle_ms, false});
    std::sort(all.begin(), all.end(),
              [](const Disturbance& a, const Disturbance& b) { return a.from_ms < b.from_ms; });
    for (const auto& d : all) {
      if (d.from_ms > deadline || d.to_ms < crash) continue;
      if (d.moves_leader)
        deadline = std::max(deadline, d.to_ms + b_.leader_lease_ms + bound);
      else
        deadline += d.to_ms - std::max(d.from_ms, crash);
    }
    return deadline;
  }

  /// When a worker cut off at `t` could hear of the API again (t itself if not cut off).
  std::int64_t reachable_after(const std::string& node, std::int64_t t) const {
    auto it = cutoffs_.find(node);
    if (it == cutoffs_.end()) return t;
    for (const auto& c : it->second)
      if (t >= c.from_ms && t < c.to_ms) return c.to_ms;
    return t;
  }

  /// When the agent of `node`, whose API node may have been down or out of reach at `t`, can
  /// hear of the API again: when it is back, or api_switch_ms on (t itself if none was).
  std::int64_t heard_after(const std::string& node, std::int64_t t) const {
    auto reachable = reachable_after(node, t);
    auto it = deaf_.find(node);
    if (it == deaf_.end()) return reachable;
    for (const auto& c : it->second)
      if (t >= c.from_ms && t < c.to_ms)
        return std::max(reachable, std::min(c.to_ms, std::max(t, c.from_ms) + b_.api_switch_ms));
    return reachable;
  }

  // 1. Pods of a crashed worker are evicted and replaced elsewhere.
  void check_evictions() {
    auto bound = b_.evict_bound_ms();
    for (const auto& [node, times] : crashes_) {
      if (!is_worker(node)) continue;
      for (auto crash : times) {
        auto deadline = eviction_deadline(crash);
        std::optional<std::int64_t> restart;
        for (auto t : restarts_[node])
          if (t > crash) {
            restart = t;
            break;
          }
        if (deadline > h_.end_ms || (restart && *restart < deadline)) {
          ++r_.counts["crashes_not_judged"];
          continue;
        }
        ++r_.counts["crashes_judged"];
        std::map<std::string, const PodsView*> last;  // auditor -> its last view before the crash
        for (const auto& v : views_)
          if (v.time_ms <= crash) last[v.auditor] = v.view;
        std::set<std::string> on_node;
        for (const auto& [auditor, view] : last)
          for (const auto& [uid, pod] : view->pods)
            if (pod.node == node && !pod.terminating) on_node.insert(uid);
        for (const auto& uid : on_node) {
          auto it = gone_ms_.find(uid);
          if (it == gone_ms_.end() || it->second > deadline)
            r_.fail("eviction: pod " + describe(uid) + " of " + node + " (crashed at " +
                    std::to_string(crash) + " ms) is still in the API, not terminating, at " +
                    std::to_string(deadline) + " ms (crash + " + std::to_string(bound) +
                    " ms, moved past control-plane disturbances)");
          else
            ++r_.counts["pods_evicted"];
        }
        // The views from the crash to the deadline, and each auditor's last one before the
        // crash: pods already Running elsewhere then need no new view.
        bool back = false;
        for (const auto& v : views_) {
          if (v.time_ms > deadline) continue;
          if (v.time_ms < crash && last[v.auditor] != v.view) continue;
          int serving_elsewhere = 0;
          for (const auto& [uid, pod] : v.view->pods)
            serving_elsewhere += serving(pod) && pod.node != node;
          if (serving_elsewhere >= b_.replicas) back = true;
        }
        if (!back)
          r_.fail("eviction: no view shows " + std::to_string(b_.replicas) + " Running pods off " +
                  node + " between its crash at " + std::to_string(crash) + " ms and " +
                  std::to_string(deadline) + " ms");
      }
    }
  }

  // 2. Containers of pods gone from the API stop, and none start.
  void check_stops() {
    for (const auto& i : intervals_) {
      auto it = gone_ms_.find(i.uid);
      if (it == gone_ms_.end()) continue;
      auto reachable = heard_after(i.node, it->second);
      auto what = i.node + " " + describe(i.uid) + " container " + i.container + "#" +
                  std::to_string(i.attempt);
      auto since = " (gone from the API at " + std::to_string(it->second) +
                   " ms, node reachable from " + std::to_string(reachable) + " ms)";
      if (i.start_ms > reachable + b_.stop_slack_ms) {
        r_.fail("stops: " + what + " started at " + std::to_string(i.start_ms) + " ms" + since);
        continue;
      }
      auto deadline = reachable + b_.grace_period_ms + b_.stop_slack_ms;
      ++r_.counts["deleted_containers_judged"];
      if (reachable > it->second) ++r_.counts["deleted_containers_cut_off"];
      if (deadline <= h_.end_ms && i.end_ms > deadline)
        r_.fail("stops: " + what + (i.running_at_end ? " still ran at the end" : " ran until ") +
                (i.running_at_end ? "" : std::to_string(i.end_ms) + " ms") + ", past " +
                std::to_string(deadline) + " ms" + since);
    }
  }

  // 3. No pod on two nodes, none off its binding.
  void check_one_node() {
    std::map<std::string, std::vector<const Interval*>> by_uid;
    for (const auto& i : intervals_) by_uid[i.uid].push_back(&i);
    for (const auto& [uid, runs] : by_uid) {
      auto b = bound_.find(uid);
      for (const auto* i : runs) {
        if (b != bound_.end() && b->second != i->node)
          r_.fail("one node: " + describe(uid) + " ran on " + i->node + " but is bound to " +
                  b->second);
        for (const auto* j : runs)
          if (i->node < j->node && i->start_ms < j->end_ms && j->start_ms < i->end_ms)
            r_.fail("one node: " + describe(uid) + " ran on " + i->node + " and " + j->node +
                    " at once (from " + std::to_string(std::max(i->start_ms, j->start_ms)) +
                    " ms)");
      }
    }
  }

  // 4. Every replica Running at the end, and really running.
  void check_end() {
    std::map<std::string, const PodsView*> last;
    for (const auto& v : views_) last[v.auditor] = v.view;
    std::set<std::pair<std::string, std::string>> running;  // node, uid
    for (const auto& i : intervals_)
      if (i.running_at_end) running.insert({i.node, i.uid});
    for (const auto& node : b_.control_plane) {
      auto final = h_.final_state.find(node);
      if (final == h_.final_state.end() || !final->second.up) continue;
      auto it = last.find(node + "/" + std::to_string(final->second.incarnation));
      if (it == last.end()) {
        r_.fail("end: the auditor on " + node + " reported no view");
        continue;
      }
      int serving_pods = 0;
      for (const auto& [uid, pod] : it->second->pods) {
        if (!serving(pod)) continue;
        ++serving_pods;
        if (!running.count({pod.node, uid}))
          r_.fail("end: " + describe(uid) + " is Running on " + pod.node +
                  " in the API, but no container of it runs there");
      }
      if (serving_pods != b_.replicas)
        r_.fail("end: the auditor on " + node + " sees " + std::to_string(serving_pods) +
                " pods Running and Ready, not " + std::to_string(b_.replicas));
      ++r_.counts["auditors_at_end"];
    }
  }

  const RunHistory& h_;
  const ClusterBounds& b_;
  CheckResult r_;
  std::vector<ViewAt> views_;
  std::vector<Interval> intervals_;
  std::map<std::string, std::int64_t> gone_ms_;       ///< uid -> first seen gone or terminating
  std::map<std::string, std::string> bound_, names_;  ///< uid -> node, uid -> ns/name
  std::map<std::string, std::vector<std::int64_t>> crashes_, restarts_;
  std::map<std::string, std::vector<Cutoff>> cutoffs_;
  std::map<std::string, std::vector<Cutoff>> deaf_;  ///< worker -> some API node unheard
  std::map<std::string, std::int64_t> deaf_since_;
  std::vector<Disturbance> disturbances_;  ///< check 1's control-plane disturbances
  std::optional<std::int64_t> partition_since_;
  bool partition_moves_leader_ = false;
  std::map<std::string, std::int64_t> cp_down_since_, disk_full_since_;
};

}  // namespace

CheckResult check_cluster(const RunHistory& history, const ClusterBounds& bounds) {
  return Judge(history, bounds).run();
}

}  // namespace craton::sim
