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
    auto end_cutoffs = [&](std::int64_t t) {
      for (const auto& [node, since] : cut_since) cutoffs_[node].push_back(Cutoff{since, t});
      cut_since.clear();
    };
    for (const auto& f : h_.faults) {
      if (f.kind == Kind::crash && !f.nodes.empty()) crashes_[f.nodes[0]].push_back(f.at_ms);
      if (f.kind == Kind::restart && !f.nodes.empty()) restarts_[f.nodes[0]].push_back(f.at_ms);
      if (f.kind == Kind::heal) end_cutoffs(f.at_ms);
      if (f.kind != Kind::partition) continue;
      end_cutoffs(f.at_ms);
      for (const auto& group : f.groups) {
        if (std::find(group.begin(), group.end(), anchor) != group.end()) continue;
        for (const auto& node : group)
          if (is_worker(node)) cut_since[node] = f.at_ms;
      }
    }
    end_cutoffs(h_.settle_ms);  // the world heals the network at the settle point
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

  /// When a worker cut off at `t` could hear of the API again (t itself if not cut off).
  std::int64_t reachable_after(const std::string& node, std::int64_t t) const {
    auto it = cutoffs_.find(node);
    if (it == cutoffs_.end()) return t;
    for (const auto& c : it->second)
      if (t >= c.from_ms && t < c.to_ms) return c.to_ms;
    return t;
  }

  // 1. Pods of a crashed worker are evicted and replaced elsewhere.
  void check_evictions() {
    auto bound = b_.evict_bound_ms();
    for (const auto& [node, times] : crashes_) {
      if (!is_worker(node)) continue;
      for (auto crash : times) {
        auto deadline = crash + bound;
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
                    std::to_string(deadline) + " ms (crash + " + std::to_string(bound) + " ms)");
          else
            ++r_.counts["pods_evicted"];
        }
        bool back = false;
        for (const auto& v : views_) {
          if (v.time_ms < crash || v.time_ms > deadline) continue;
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
      auto reachable = reachable_after(i.node, it->second);
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
};

}  // namespace

CheckResult check_cluster(const RunHistory& history, const ClusterBounds& bounds) {
  return Judge(history, bounds).run();
}

}  // namespace craton::sim
