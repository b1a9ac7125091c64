#include "sim/lease_checker.hpp"

#include <algorithm>
#include <map>
#include <optional>
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

// A lease client's step (LeaseEvent): when requests were sent, what was granted and renewed.
void read_lease_event(const Observation& o, const LeaseEvent& e, Facts& facts,
                      std::map<std::string, std::int64_t>& sent, std::int64_t settle_ms) {
  const auto id = std::to_string(e.lease);
  switch (e.kind) {
    case LeaseEvent::Kind::granting:
    case LeaseEvent::Kind::renewing:
      sent[e.process] = o.time_ms;
      break;
    case LeaseEvent::Kind::granted: {
      auto& lease = facts.leases[id];
      lease.ttl_ms = e.ttl_s * 1000;
      lease.grant_sent_ms = sent[e.process];
      break;
    }
    case LeaseEvent::Kind::put:
      facts.leases[id].key = e.key;
      facts.key_lease[e.key] = id;
      if (o.time_ms >= settle_ms) ++facts.puts_after_settle;
      break;
    case LeaseEvent::Kind::renewed:
      facts.leases[id].renew_sent_ms.push_back(sent[e.process]);
      break;
    case LeaseEvent::Kind::abandoned:
      facts.leases[id].abandoned_ms = o.time_ms;
      break;
    case LeaseEvent::Kind::lost:
      break;
  }
}

Facts gather(const RunHistory& history) {
  Facts facts;
  std::map<std::string, std::int64_t> sent;  // process -> send time of its request in flight
  for (const auto& o : history.observations) {
    if (const auto* lease = std::get_if<LeaseEvent>(&o.event))
      read_lease_event(o, *lease, facts, sent, history.settle_ms);
    const auto* key = std::get_if<LeaseKeyEvent>(&o.event);
    if (key && key->kind != LeaseKeyEvent::Kind::start)
      facts.key_events[o.node].push_back(
          {o.time_ms, o.incarnation, key->kind == LeaseKeyEvent::Kind::add, key->key});
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
