#include "sim/lease/lease_checker.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/store/raft/raft_event.hpp"

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

// True time a node clock that runs at least 1 - drift fast needs to measure `local_ms`.
std::int64_t slow(std::int64_t local_ms, double drift) {
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(local_ms) / (1.0 - drift)));
}

// The latest time before which the lease was certainly alive, as of time x: a renewal sent at
// s holds for TTL on a leader clock at most 1 + drift fast.
std::int64_t protected_until(const LeaseFacts& lease, std::int64_t x, double drift) {
  auto held = [&](std::int64_t sent) {
    return sent +
           static_cast<std::int64_t>(std::floor(static_cast<double>(lease.ttl_ms) / (1.0 + drift)));
  };
  std::int64_t until = held(lease.grant_sent_ms);
  for (auto s : lease.renew_sent_ms)
    if (s <= x) until = std::max(until, held(s));
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
      auto until = protected_until(lease, e.time_ms, options.clock_drift_max);
      if (e.time_ms < until)
        result.fail("lease " + id->second + " expired early: " + node + " dropped " + e.key +
                    " at " + std::to_string(e.time_ms) + " ms, but it was kept alive until " +
                    std::to_string(until) + " ms");
    }
  }
}

// Whether `node`'s replica (final incarnation) held `key` at time t, by its probe's reports,
// and since when it no longer did (the last drop at or before t).
struct Holding {
  bool held = false;
  std::int64_t since_ms = 0;
};
Holding holding(const std::vector<KeyEvent>& events, std::uint64_t incarnation,
                const std::string& key, std::int64_t t) {
  Holding h;
  for (const auto& e : events)
    if (e.incarnation == incarnation && e.key == key && e.time_ms <= t) h = {e.add, e.time_ms};
  return h;
}

// The liveness deadline of the header, for a lease of `ttl_ms` abandoned (or settled) at
// `start`, under the leader promoted at `promoted_ms`.
std::int64_t expiry_deadline(const RunHistory& history, const LeaseCheckOptions& o,
                             std::int64_t ttl_ms, std::int64_t start, std::int64_t promoted_ms) {
  const auto drift = o.clock_drift_max;
  const auto delay = history.delay_max_ms;
  auto expiry = std::max(start + delay + slow(ttl_ms, drift),
                         promoted_ms + slow(o.election_timeout_ms + ttl_ms, drift));
  if (promoted_ms < history.settle_ms)
    expiry = std::max(expiry, history.settle_ms + slow(o.revoke_retry_ms, drift));
  return expiry + slow(o.lease_check_ms + o.tick_ms, drift) + 3 * delay + 2 * o.tick_ms;
}

// What the replicas' RaftEvents say: when leaders took office, and how far each replica
// (by node and incarnation) had applied the log over time.
struct RaftFacts {
  std::vector<std::int64_t> promotions;  ///< in time order
  std::map<std::pair<std::string, std::uint64_t>,
           std::vector<std::pair<std::int64_t, std::uint64_t>>>
      applied;  ///< (node, incarnation) -> (time, applied index), in time order

  /// The index `node`'s incarnation had applied at time t (0 if unknown).
  std::uint64_t applied_at(const std::string& node, std::uint64_t incarnation,
                           std::int64_t t) const {
    auto it = applied.find({node, incarnation});
    if (it == applied.end()) return 0;
    std::uint64_t index = 0;
    for (const auto& [time, i] : it->second)
      if (time <= t) index = std::max(index, i);
    return index;
  }
};

RaftFacts gather_raft(const RunHistory& history) {
  RaftFacts facts;
  for (const auto& o : history.observations) {
    const auto* text = std::get_if<TextEvent>(&o.event);
    if (text == nullptr || text->text.rfind("raft ", 0) != 0) continue;
    auto event = store::parse_raft_event(text->text);
    if (!event) continue;  // the store checker reports unreadable events
    if (event->kind == store::RaftEventKind::leader) {
      facts.promotions.push_back(o.time_ms);
      continue;
    }
    std::optional<std::uint64_t> index;  // how far this replica has applied, if the event says
    if (event->kind == store::RaftEventKind::opened) index = event->applied;
    if (event->kind == store::RaftEventKind::applied)
      index = event->index + event->entries.size() - 1;
    if (event->kind == store::RaftEventKind::snapshot) index = event->index;
    if (index) facts.applied[{o.node, o.incarnation}].emplace_back(o.time_ms, *index);
  }
  return facts;
}

// A lower bound on the log index of the revoke that dropped `key`: the first replica to drop
// it had not applied the revoke at its previous probe. 0 if no replica dropped it by `t`.
std::uint64_t revoke_index_min(const Facts& facts, const RaftFacts& raft, const std::string& key,
                               std::int64_t t, std::int64_t probe_ms) {
  std::optional<std::pair<std::int64_t, std::uint64_t>> first;  // (time, index)
  for (const auto& [node, events] : facts.key_events)
    for (const auto& e : events)
      if (!e.add && e.key == key && e.time_ms <= t && (!first || e.time_ms < first->first))
        first = {e.time_ms, raft.applied_at(node, e.incarnation, e.time_ms - probe_ms) + 1};
  return first ? first->second : 0;
}

// The deadline under the leader that holds: the last one promoted before the lease's start,
// or a later one elected while the key was still held. After the settle point a leader that
// holds is never replaced (no faults, pre-vote), so a later election means that no leader held
// in between: the bound runs from the new leader's promotion ("once a leader holds"), and the
// new leader extends every lease anyway.
template <class HeldAt>
std::int64_t deadline_for(const RunHistory& history, const LeaseCheckOptions& options,
                          const std::vector<std::int64_t>& promoted, std::int64_t ttl_ms,
                          std::int64_t start, HeldAt held_at) {
  auto it = std::upper_bound(promoted.begin(), promoted.end(), start);
  std::int64_t leader_since = it == promoted.begin() ? 0 : *std::prev(it);
  for (; it != promoted.end() && *it <= history.end_ms && held_at(*it); ++it) leader_since = *it;
  return expiry_deadline(history, options, ttl_ms, start, leader_since);
}

// A replica still behind the revoke's log position at the deadline (restarting, catching up
// through snapshots) serves its older state, as any lagging replica does: the bound is for
// replicas that keep up with the log. It must have dropped the key by the end of the run.
void check_liveness(const RunHistory& history, const Facts& facts, const LeaseCheckOptions& options,
                    CheckResult& result) {
  const auto raft = gather_raft(history);
  std::uint64_t judged = 0, lagging = 0;
  std::int64_t margin_min = std::numeric_limits<std::int64_t>::max();
  for (const auto& [id, lease] : facts.leases) {
    if (!lease.abandoned_ms || lease.key.empty() || lease.ttl_ms == 0) continue;
    auto start = std::max(*lease.abandoned_ms, history.settle_ms);
    auto held_at = [&](std::int64_t t) {
      for (const auto& [node, end_state] : history.final_state) {
        auto events = facts.key_events.find(node);
        if (end_state.up && events != facts.key_events.end() &&
            holding(events->second, end_state.incarnation, lease.key, t).held)
          return true;
      }
      return false;
    };
    auto deadline = deadline_for(history, options, raft.promotions, lease.ttl_ms, start, held_at);
    auto judged_at = deadline + options.probe_ms;
    if (judged_at > history.end_ms) continue;  // the run ended too soon
    ++judged;
    const auto revoke_index = revoke_index_min(facts, raft, lease.key, judged_at, options.probe_ms);
    std::int64_t gone_ms = 0;  // when the last replica that keeps up dropped it
    for (const auto& [node, end_state] : history.final_state) {
      if (!end_state.up) continue;  // crashed for good: its state is not served
      auto events = facts.key_events.find(node);
      if (events == facts.key_events.end()) continue;
      auto h = holding(events->second, end_state.incarnation, lease.key, judged_at);
      auto behind = revoke_index > 0 && raft.applied.count({node, end_state.incarnation}) &&
                    raft.applied_at(node, end_state.incarnation, judged_at) < revoke_index;
      if (h.held && behind) {
        ++lagging;
        if (holding(events->second, end_state.incarnation, lease.key, history.end_ms).held)
          result.fail("abandoned lease " + id + ": " + node + " still holds " + lease.key +
                      " at the end of the run (abandoned at " +
                      std::to_string(*lease.abandoned_ms) + " ms)");
        continue;
      }
      gone_ms = std::max(gone_ms, h.since_ms);
      if (h.held)
        result.fail("abandoned lease " + id + ": " + node + " still holds " + lease.key + " at " +
                    std::to_string(deadline) + " ms (abandoned at " +
                    std::to_string(*lease.abandoned_ms) + " ms, TTL " +
                    std::to_string(lease.ttl_ms) + " ms, the bound of docs/store.md)");
    }
    margin_min = std::min(margin_min, deadline - gone_ms);
  }
  result.counts["leases_judged"] = judged;
  result.counts["lease_replicas_behind"] = lagging;
  // How close the slowest expiry came to the bound (0 when it was missed).
  if (judged > 0)
    result.counts["lease_bound_margin_min_ms"] =
        std::uint64_t(std::max<std::int64_t>(0, margin_min));
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
