// The cache checker: informer snapshots against the replayed watch history.
#include "sim/api/cache_checker.hpp"

#include <algorithm>
#include <map>

namespace craton::sim {

CheckResult check_cache_snapshots(const RunHistory& history, const CacheCheckOptions& options) {
  CheckResult result;
  std::map<std::int64_t, std::vector<WatchedChange>> changes;  // revision -> its changes
  struct Ack {
    std::int64_t time_ms, revision;
  };
  std::vector<Ack> acknowledged;
  std::map<std::string, std::pair<std::int64_t, const CacheSnapshot*>> last;  // by informer
  std::vector<std::pair<std::int64_t, const CacheSnapshot*>> snapshots;
  for (const auto& o : history.observations) {
    if (const auto* w = std::get_if<WatchEvent>(&o.event)) {
      for (const auto& c : w->changes) {
        auto& at = changes[c.revision];
        if (std::find(at.begin(), at.end(), c) == at.end()) at.push_back(c);
      }
    } else if (const auto* op = std::get_if<StoreOpEvent>(&o.event)) {
      if (op->phase == OpPhase::ok && op->revision != 0)
        acknowledged.push_back({o.time_ms, op->revision});
    } else if (const auto* s = std::get_if<CacheSnapshot>(&o.event)) {
      snapshots.emplace_back(o.time_ms, s);
      const auto& final =
          history.final_state.count(o.node) ? history.final_state.at(o.node) : NodeFinalState{};
      if (final.up && o.incarnation == final.incarnation) last[s->node] = {o.time_ms, s};
    }
  }
  std::int64_t covered = changes.empty() ? 0 : changes.rbegin()->first;
  std::uint64_t checked = 0;
  for (const auto& [time, s] : snapshots) {
    if (s->revision > covered) continue;  // beyond what the watchers' history tells
    std::map<std::string, std::string> state;
    for (auto it = changes.begin(); it != changes.end() && it->first <= s->revision; ++it)
      for (const auto& c : it->second) {
        if (c.put)
          state[c.key] = c.value;
        else
          state.erase(c.key);
      }
    ++checked;
    if (state != s->entries) {
      std::string want, got;
      for (const auto& [k, v] : state) want += " " + k + "=" + v;
      for (const auto& [k, v] : s->entries) got += " " + k + "=" + v;
      result.fail("informer " + s->node + " at " + std::to_string(time) + " ms, revision " +
                  std::to_string(s->revision) + ": cache{" + got + " } but the history says{" +
                  want + " }");
    }
  }
  for (const auto& [node, seen] : last) {
    const auto& [time, s] = seen;
    for (const auto& a : acknowledged)
      if (a.time_ms >= history.settle_ms && a.time_ms + options.lag_ms <= time &&
          a.revision > s->revision) {
        result.fail("informer " + node + " at " + std::to_string(time) + " ms is at revision " +
                    std::to_string(s->revision) + ", behind the write acknowledged at " +
                    std::to_string(a.time_ms) + " ms (revision " + std::to_string(a.revision) +
                    ")");
        break;
      }
  }
  // Not vacuous across runs (tests sum this): an informer that failed early may still be in
  // its backoff (up to 30 s) when a short run ends.
  result.counts["cache_snapshots_checked"] = checked;
  return result;
}

}  // namespace craton::sim
