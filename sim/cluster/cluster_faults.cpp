// The cluster scenario's faults (see the header).
#include "sim/cluster/cluster_faults.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runtime/rng.hpp"
#include "sim/world/clock_faults.hpp"

namespace craton::sim {
namespace {

using Kind = Fault::Kind;

constexpr int kSyncFailuresMax = 2;

/// During [from_ms, to_ms) the nodes of `side` cannot reach the others.
struct Cut {
  std::int64_t from_ms = 0, to_ms = 0;
  std::set<std::string> side;
};

std::int64_t draw(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::int64_t>(rng.uniform(std::uint64_t(lo), std::uint64_t(hi)));
}

/// The partitions (and the final heal) the cuts make: at each time a cut begins or ends, nodes
/// on the same side of every active cut form one group.
std::vector<Fault> partitions_of(const std::vector<Cut>& cuts,
                                 const std::vector<std::string>& nodes) {
  std::set<std::int64_t> times;
  for (const auto& c : cuts) times.insert({c.from_ms, c.to_ms});
  std::vector<Fault> out;
  bool cut_before = false;
  for (auto t : times) {
    std::map<std::string, std::vector<std::string>> groups;  // sides -> nodes
    bool active = false;
    for (const auto& node : nodes) {
      std::string sides;
      for (const auto& c : cuts) {
        if (t < c.from_ms || t >= c.to_ms) continue;
        active = true;
        sides += c.side.count(node) ? '1' : '0';
      }
      groups[sides].push_back(node);
    }
    if (!active && !cut_before) continue;
    Fault f;
    f.at_ms = t;
    f.kind = active ? Kind::partition : Kind::heal;
    if (active)
      for (auto& [sides, members] : groups) f.groups.push_back(std::move(members));
    out.push_back(std::move(f));
    cut_before = active;
  }
  return out;
}

}  // namespace

std::size_t control_plane_size(std::size_t nodes) {
  return nodes < 5 ? 1 : 3;
}

std::vector<Fault> cluster_faults(std::uint64_t seed, ClusterFaultKind kind,
                                  const std::vector<std::string>& nodes, std::int64_t settle_ms,
                                  std::int64_t evict_bound_ms, bool control_plane,
                                  std::size_t control_plane_nodes) {
  const auto cp_size =
      std::min(control_plane_nodes != 0 ? control_plane_nodes : control_plane_size(nodes.size()),
               nodes.size());
  const std::vector<std::string> cp(nodes.begin(), nodes.begin() + std::ptrdiff_t(cp_size));
  const std::set<std::string> workers(nodes.begin() + std::ptrdiff_t(cp_size), nodes.end());
  Rng rng(seed);
  const auto last = settle_ms - 1;  // faults come before the settle point
  std::vector<Fault> faults;
  std::vector<Cut> cuts;
  auto add = [&](std::int64_t at, Kind k, std::vector<std::string> on = {}) {
    Fault f;
    f.at_ms = std::min(at, last);
    f.kind = k;
    f.nodes = std::move(on);
    return &faults.emplace_back(std::move(f));
  };
  auto cut = [&](std::int64_t from, std::int64_t to, std::set<std::string> side) {
    cuts.push_back(Cut{std::min(from, last), std::min(to, last), std::move(side)});
  };
  // Random latency; SimNetwork keeps each link in send order (the agents' and auditors'
  // informers take a stream's events in revision order and drop an older one as a replay).
  auto* latency = add(0, Kind::latency);
  latency->latency = {LatencyDistribution::Kind::uniform, 1, draw(rng, 5, 50), 0};
  for (auto& f : random_clock_faults(derive_seed(seed, "clock"), nodes, settle_ms))
    faults.push_back(std::move(f));

  if (!workers.empty()) {
    const auto& worker = nodes[cp_size + rng.uniform(0, workers.size() - 1)];
    auto start = draw(rng, 5000, 15000);
    if (kind == ClusterFaultKind::worker_partition) {
      cut(start, settle_ms - draw(rng, 1, 5000), {worker});
    } else {
      add(start, Kind::crash, {worker});
      // Restarted once the eviction is due at the earliest; control-plane faults may push the
      // checker's deadline past the settle point, the last moment a restart can come.
      if (kind == ClusterFaultKind::worker_crash_restart)
        add(std::max(start + evict_bound_ms, last - 1000), Kind::restart, {worker});
    }
  }

  if (control_plane) {
    // Store disks: random_disk_faults' mix on the control-plane nodes (the workers keep no
    // store replica), from their own stream.
    // A failed sync restarts the whole control-plane node (the world restarts it, as a process
    // that cannot trust its disk): at most kSyncFailuresMax of them, or a one-node control plane
    // restarting every few seconds never elects a scheduler and nothing runs.
    int sync_failures = 0;
    for (auto& f : random_disk_faults(derive_seed(seed, "cp-disk"), cp, settle_ms))
      if (f.kind != Kind::fsync_fail || ++sync_failures <= kSyncFailuresMax)
        faults.push_back(std::move(f));
    const auto count = draw(rng, 2, 5);
    std::int64_t t = 5000;
    for (std::int64_t i = 0; i < count; ++i) {
      t += draw(rng, 2000, 12000);
      if (t >= last - 20000) break;  // leave the control plane time to recover
      const auto& node = cp[rng.uniform(0, cp.size() - 1)];
      switch (rng.uniform(0, 3)) {
        case 0: {
          add(t, Kind::crash, {node});
          t += draw(rng, 3000, 20000);
          add(t, Kind::restart, {node});
          break;
        }
        case 1: {
          auto end = t + draw(rng, 1000, 10000);
          if (!workers.empty()) cut(t, end, workers);
          t = end;
          break;
        }
        case 2: {
          auto end = t + draw(rng, 2000, 15000);
          if (cp.size() > 1) cut(t, end, {node});  // one replica: the agents' cut covers it
          t = end;
          break;
        }
        default: {
          if (workers.empty()) break;
          auto it = workers.begin();
          std::advance(it, std::ptrdiff_t(rng.uniform(0, workers.size() - 1)));
          auto end = t + draw(rng, 200, 2000);
          cut(t, end, {*it});
          t = end;
          break;
        }
      }
    }
  }
  for (auto& f : partitions_of(cuts, nodes)) faults.push_back(std::move(f));
  std::stable_sort(faults.begin(), faults.end(),
                   [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return faults;
}

}  // namespace craton::sim
