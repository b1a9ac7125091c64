#include "sim/lease_checker.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace craton::sim {
namespace {

struct LeaseFacts {
  std::int64_t ttl_ms = 0;
  std::int64_t grant_sent_ms = 0;
  std::vector<std::int64_t> renew_sent_ms;  ///< sends of renewals the leader acknowledged
  std::string key;
  std::optional<std::int64_t> abandoned_ms;
};

struct KeyEvent {
  std::int64_t time_ms = 0;
  std::uint64_t incarnation = 0;
  bool add = false;
  std::string key;
};

struct Facts {
  std::map<std::string, LeaseFacts> leases;                 ///< by lease id (decimal text)
  std::map<std::string, std::string> key_lease;             ///< key -> lease id
  std::map<std::string, std::vector<KeyEvent>> key_events;  ///< by node, in time order
  std::int64_t puts_after_settle = 0;
};

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "lease <process> <what> [args]": the workload's record of one lease client.
void read_lease_event(const Observation& o, const std::vector<std::string>& w, Facts& facts,
                      std::map<std::string, std::int64_t>& sent, std::int64_t settle_ms) {
  if (w.size() < 3) return;
  const auto& process = w[1];
  const auto& what = w[2];
  if (what == "granting" || what == "renewing") {
    sent[process] = o.time_ms;
  } else if (what == "granted" && w.size() >= 5) {
    auto& lease = facts.leases[w[3]];
    lease.ttl_ms = std::stoll(w[4]) * 1000;
    lease.grant_sent_ms = sent[process];
  } else if (what == "put" && w.size() >= 5) {
    facts.leases[w[4]].key = w[3];
    facts.key_lease[w[3]] = w[4];
    if (o.time_ms >= settle_ms) ++facts.puts_after_settle;
  } else if (what == "renewed" && w.size() >= 4) {
    facts.leases[w[3]].renew_sent_ms.push_back(sent[process]);
  } else if (what == "abandoned" && w.size() >= 4) {
    facts.leases[w[3]].abandoned_ms = o.time_ms;
  }
}

Facts gather(const RunHistory& history) {
  Facts facts;
  std::map<std::string, std::int64_t> sent;  // process -> send time of its request in flight
  for (const auto& o : history.observations) {
    auto w = words(o.event);
    if (w.empty()) continue;
    if (w[0] == "lease") read_lease_event(o, w, facts, sent, history.settle_ms);
    if (w[0] == "leasekey" && w.size() == 3 && (w[1] == "add" || w[1] == "del"))
      facts.key_events[o.node].push_back({o.time_ms, o.incarnation, w[1] == "add", w[2]});
  }
  return facts;
}

// The latest time before which the lease was certainly alive, as of time x.
std::int64_t protected_until(const LeaseFacts& lease, std::int64_t x) {
  std::int64_t until = lease.grant_sent_ms + lease.ttl_ms;
  for (auto s : lease.renew_sent_ms)
    if (s <= x) until = std::max(until, s + lease.ttl_ms);
  return until;
}

void check_safety(const Facts& facts, const LeaseCheckOptions& options, CheckResult& result) {
  for (const auto& [node, events] : facts.key_events) {
    for (const auto& e : events) {
      if (e.add) continue;
      auto id = facts.key_lease.find(e.key);
      if (id == facts.key_lease.end()) continue;  // its put was never acknowledged
      const auto& lease = facts.leases.at(id->second);
      if (lease.ttl_ms == 0) continue;
      auto until = protected_until(lease, e.time_ms);
      if (e.time_ms + options.probe_ms < until)
        result.fail("lease " + id->second + " expired early: " + node + " dropped " + e.key +
                    " at " + std::to_string(e.time_ms) + " ms, but it was kept alive until " +
                    std::to_string(until) + " ms");
    }
  }
}

// Whether `node`'s replica (final incarnation) held `key` at time t, by its probe's reports.
bool holds(const std::vector<KeyEvent>& events, std::uint64_t incarnation, const std::string& key,
           std::int64_t t) {
  bool held = false;
  for (const auto& e : events)
    if (e.incarnation == incarnation && e.key == key && e.time_ms <= t) held = e.add;
  return held;
}

void check_liveness(const RunHistory& history, const Facts& facts, const LeaseCheckOptions& options,
                    CheckResult& result) {
  for (const auto& [id, lease] : facts.leases) {
    if (!lease.abandoned_ms || lease.key.empty() || lease.ttl_ms == 0) continue;
    auto deadline =
        std::max(*lease.abandoned_ms, history.settle_ms) + lease.ttl_ms + options.slack_ms;
    if (deadline + options.probe_ms > history.end_ms) continue;  // the run ended too soon
    for (const auto& [node, end_state] : history.final_state) {
      if (!end_state.up) continue;  // crashed for good: its state is not served
      auto events = facts.key_events.find(node);
      if (events == facts.key_events.end()) continue;
      if (holds(events->second, end_state.incarnation, lease.key, deadline + options.probe_ms))
        result.fail("abandoned lease " + id + ": " + node + " still holds " + lease.key + " at " +
                    std::to_string(deadline) + " ms (abandoned at " +
                    std::to_string(*lease.abandoned_ms) + " ms, TTL " +
                    std::to_string(lease.ttl_ms) + " ms)");
    }
  }
}

}  // namespace

CheckResult check_lease_history(const RunHistory& history, LeaseCheckOptions options) {
  CheckResult result;
  auto facts = gather(history);
  check_safety(facts, options, result);
  check_liveness(history, facts, options, result);
  if (options.require_progress && facts.puts_after_settle == 0)
    result.fail("no lease was granted and used after the settle point");
  return result;
}

}  // namespace craton::sim
