#include "sim/store/watch_checker.hpp"

#include <map>
#include <set>

namespace craton::sim {
namespace {

struct Watcher {
  std::int64_t last = 0;         ///< last revision delivered
  std::int64_t first_start = 0;  ///< 0: never started
  std::set<std::int64_t> delivered;
};

// Values clients asked to write (the last value of a write or cas invocation).
std::set<std::pair<std::string, std::string>> written_values(const RunHistory& history) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& o : history.observations) {
    const auto* op = std::get_if<StoreOpEvent>(&o.event);
    if (op && op->phase == OpPhase::invoke && op->function != OpFunction::read &&
        !op->values.empty())
      out.insert({op->key, op->values.back()});
  }
  return out;
}

bool any_ok_write(const RunHistory& history) {
  for (const auto& o : history.observations) {
    const auto* op = std::get_if<StoreOpEvent>(&o.event);
    if (op && op->phase == OpPhase::ok && op->function != OpFunction::read) return true;
  }
  return false;
}

}  // namespace

CheckResult check_watch_history(const RunHistory& history, const WatchCheckOptions& options) {
  CheckResult result;
  std::map<std::string, Watcher> watchers;
  std::map<std::int64_t, std::vector<WatchedChange>> reference;  // revision -> its events
  std::map<std::int64_t, std::string> first_seen_by;
  auto written = written_values(history);
  std::size_t events_seen = 0;
  for (const auto& o : history.observations) {
    const auto* w = std::get_if<WatchEvent>(&o.event);
    if (w == nullptr) continue;
    auto& watcher = watchers[w->node];
    std::string where = "watch on " + w->node + " at " + std::to_string(o.time_ms) + " ms: ";
    if (w->kind == WatchEvent::Kind::start) {
      if (w->revision != watcher.last + 1)
        result.fail(where + "resumed from " + std::to_string(w->revision) + ", expected " +
                    std::to_string(watcher.last + 1));
      if (watcher.first_start == 0) watcher.first_start = w->revision;
    } else if (w->kind == WatchEvent::Kind::canceled) {
      if (!options.compaction_expected) result.fail(where + "canceled by the replica");
    } else {
      std::map<std::int64_t, std::vector<WatchedChange>> batch;
      std::int64_t previous = watcher.last;
      for (const auto& e : w->changes) {
        ++events_seen;
        if (e.revision < previous || (e.revision == previous && !batch.count(e.revision)))
          result.fail(where + "revision " + std::to_string(e.revision) + " after " +
                      std::to_string(previous) + " (out of order or duplicated)");
        previous = std::max(previous, e.revision);
        if (e.put && !written.count({e.key, e.value}))
          result.fail(where + "put of " + e.key + "=" + e.value + " that no client wrote");
        batch[e.revision].push_back(e);
      }
      for (auto& [rev, events] : batch) {
        watcher.delivered.insert(rev);
        auto [it, inserted] = reference.emplace(rev, events);
        if (inserted) {
          first_seen_by[rev] = w->node;
        } else if (it->second != events) {
          result.fail(where + "revision " + std::to_string(rev) +
                      " differs from what the watcher on " + first_seen_by[rev] + " saw");
        }
      }
      watcher.last = std::max(watcher.last, previous);
    }
  }
  // Acknowledged writes whose revision is known: a watcher whose span covers one delivered it
  // (all watchers could miss the same revision; "no gaps" alone would not see it).
  std::map<std::int64_t, std::string> acknowledged;  // revision -> process
  for (const auto& o : history.observations) {
    const auto* op = std::get_if<StoreOpEvent>(&o.event);
    if (op && op->phase == OpPhase::ok && op->revision != 0)
      acknowledged[op->revision] = op->process;
  }
  for (const auto& [node, watcher] : watchers) {
    if (watcher.delivered.empty()) continue;
    for (auto it = acknowledged.lower_bound(watcher.first_start);
         it != acknowledged.end() && it->first <= watcher.last; ++it)
      if (!watcher.delivered.count(it->first))
        result.fail("watch on " + node + ": revision " + std::to_string(it->first) + " (a write " +
                    it->second + " was told succeeded) never delivered");
    for (auto it = reference.lower_bound(watcher.first_start);
         it != reference.end() && it->first <= watcher.last; ++it)
      if (!watcher.delivered.count(it->first))
        result.fail("watch on " + node + ": gap, revision " + std::to_string(it->first) +
                    " (seen on " + first_seen_by[it->first] + ") never delivered");
    if (!options.every_revision_watched) continue;
    std::int64_t expect = *watcher.delivered.begin();
    for (auto rev : watcher.delivered) {
      if (rev != expect) {
        result.fail("watch on " + node + ": gap, revisions " + std::to_string(expect) + ".." +
                    std::to_string(rev - 1) + " missing");
        break;
      }
      expect = rev + 1;
    }
  }
  if (events_seen == 0 && !watchers.empty() && any_ok_write(history))
    result.fail("watch: writes succeeded but no watcher saw any event");
  return result;
}

}  // namespace craton::sim
