#include "sim/watch_checker.hpp"

#include <map>
#include <set>
#include <sstream>

namespace craton::sim {
namespace {

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

struct Event {
  std::int64_t revision = 0;
  std::string text;  ///< "<p|d>/<key>/<value>"
  std::string key, value;
  bool put = false;
};

// "<rev>/<p|d>/<key>/<value>" (the value may be empty; keys and values hold no '/').
bool parse_event(const std::string& token, Event& e) {
  auto a = token.find('/');
  if (a == std::string::npos) return false;
  auto b = token.find('/', a + 1);
  auto c = b == std::string::npos ? b : token.find('/', b + 1);
  if (c == std::string::npos) return false;
  try {
    e.revision = std::stoll(token.substr(0, a));
  } catch (...) {
    return false;
  }
  e.text = token.substr(a + 1);
  e.put = token.substr(a + 1, b - a - 1) == "p";
  e.key = token.substr(b + 1, c - b - 1);
  e.value = token.substr(c + 1);
  return true;
}

struct Watcher {
  std::int64_t last = 0;         ///< last revision delivered
  std::int64_t first_start = 0;  ///< 0: never started
  std::set<std::int64_t> delivered;
};

// Values clients asked to write ("op <p> invoke write|cas <key> ... =<value>").
std::set<std::pair<std::string, std::string>> written_values(const RunHistory& history) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& o : history.observations) {
    auto w = words(o.event);
    if (w.size() >= 5 && w[0] == "op" && w[2] == "invoke" && (w[3] == "write" || w[3] == "cas") &&
        w.back().size() >= 1 && w.back()[0] == '=')
      out.insert({w[4], w.back().substr(1)});
  }
  return out;
}

bool any_ok_write(const RunHistory& history) {
  for (const auto& o : history.observations) {
    auto w = words(o.event);
    if (w.size() >= 4 && w[0] == "op" && w[2] == "ok" && (w[3] == "write" || w[3] == "cas"))
      return true;
  }
  return false;
}

}  // namespace

CheckResult check_watch_history(const RunHistory& history, const WatchCheckOptions& options) {
  CheckResult result;
  std::map<std::string, Watcher> watchers;
  std::map<std::int64_t, std::vector<std::string>> reference;  // revision -> its events
  std::map<std::int64_t, std::string> first_seen_by;
  auto written = written_values(history);
  std::size_t events_seen = 0;
  for (const auto& o : history.observations) {
    auto w = words(o.event);
    if (w.size() < 3 || w[0] != "watch") continue;
    auto& watcher = watchers[w[1]];
    std::string where = "watch on " + w[1] + " at " + std::to_string(o.time_ms) + " ms: ";
    if (w[2] == "start" && w.size() == 4) {
      auto start = std::stoll(w[3]);
      if (start != watcher.last + 1)
        result.fail(where + "resumed from " + w[3] + ", expected " +
                    std::to_string(watcher.last + 1));
      if (watcher.first_start == 0) watcher.first_start = start;
    } else if (w[2] == "canceled") {
      if (!options.compaction_expected) result.fail(where + "canceled by the replica");
    } else if (w[2] == "ev") {
      std::map<std::int64_t, std::vector<std::string>> batch;
      std::int64_t previous = watcher.last;
      for (std::size_t i = 3; i < w.size(); ++i) {
        Event e;
        if (!parse_event(w[i], e)) {
          result.fail(where + "unreadable event '" + w[i] + "'");
          continue;
        }
        ++events_seen;
        if (e.revision < previous || (e.revision == previous && !batch.count(e.revision)))
          result.fail(where + "revision " + std::to_string(e.revision) + " after " +
                      std::to_string(previous) + " (out of order or duplicated)");
        previous = std::max(previous, e.revision);
        if (e.put && !written.count({e.key, e.value}))
          result.fail(where + "put of " + e.key + "=" + e.value + " that no client wrote");
        batch[e.revision].push_back(e.text);
      }
      for (auto& [rev, events] : batch) {
        watcher.delivered.insert(rev);
        auto [it, inserted] = reference.emplace(rev, events);
        if (inserted) {
          first_seen_by[rev] = w[1];
        } else if (it->second != events) {
          result.fail(where + "revision " + std::to_string(rev) +
                      " differs from what the watcher on " + first_seen_by[rev] + " saw");
        }
      }
      watcher.last = std::max(watcher.last, previous);
    }
  }
  for (const auto& [node, watcher] : watchers) {
    if (watcher.delivered.empty()) continue;
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
