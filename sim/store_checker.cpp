#include "sim/store_checker.hpp"

#include <map>
#include <optional>
#include <sstream>

#include "sim/linearizability/check_report.hpp"
#include "sim/linearizability/checker.hpp"
#include "sim/raft_invariants.hpp"

namespace craton::sim {
namespace {

namespace lin = linearizability;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    auto j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// "=<text>" -> text
std::optional<std::string> value_token(const std::string& token) {
  if (token.empty() || token[0] != '=') return std::nullopt;
  return token.substr(1);
}

std::optional<lin::OpKind> op_kind(const std::string& f) {
  if (f == "read") return lin::OpKind::read;
  if (f == "write") return lin::OpKind::write;
  if (f == "cas") return lin::OpKind::cas;
  return std::nullopt;
}

std::optional<lin::EventType> event_type(const std::string& t) {
  if (t == "invoke") return lin::EventType::invoke;
  if (t == "ok") return lin::EventType::ok;
  if (t == "fail") return lin::EventType::fail;
  if (t == "info") return lin::EventType::info;
  return std::nullopt;
}

// "op <process> <type> <f> ..." (see sim/store_workload.hpp).
std::optional<lin::Event> parse_op(const std::string& event) {
  auto t = split(event);
  if (t.size() < 4 || t[0] != "op") return std::nullopt;
  auto type = event_type(t[2]);
  auto f = op_kind(t[3]);
  if (!type || !f) return std::nullopt;
  if (*type != lin::EventType::invoke) {
    lin::Value read;
    if (*type == lin::EventType::ok && *f == lin::OpKind::read) {
      if (t.size() != 5 || !value_token(t[4])) return std::nullopt;
      read = lin::Value::string(*value_token(t[4]));
    }
    return lin::Event::complete(t[1], *type, *f, read);
  }
  std::size_t values = *f == lin::OpKind::read ? 0 : (*f == lin::OpKind::cas ? 2 : 1);
  if (t.size() != 5 + values) return std::nullopt;
  std::vector<std::string> v;
  for (std::size_t i = 5; i < t.size(); ++i) {
    auto x = value_token(t[i]);
    if (!x) return std::nullopt;
    v.push_back(*x);
  }
  if (*f == lin::OpKind::cas)
    return lin::Event::invoke_cas(t[1], t[4], lin::Value::string(v[0]), lin::Value::string(v[1]));
  return lin::Event::invoke(t[1], *f, t[4],
                            values ? lin::Value::string(v[0]) : lin::Value::null_value());
}

void check_linearizable(const RunHistory& history, CheckResult& result) {
  auto h = store_ops_history(history);
  if (!h) return result.fail("store history: " + h.error().message);
  auto verdict = lin::check_history(*h, lin::Model::kv);
  if (!verdict) return result.fail("store history malformed: " + verdict.error().message);
  if (verdict->verdict == lin::Verdict::linearizable) return;
  std::istringstream report(lin::format_text(*verdict, 3));
  result.fail(std::string("store history is ") + lin::to_string(verdict->verdict));
  for (std::string line; std::getline(report, line);) result.fail("  " + line);
}

// Does some operation invoked at or after `from_ms` complete ok?
bool progress_after(const RunHistory& history, std::int64_t from_ms) {
  std::map<std::string, std::int64_t> invoked_at;  // by process
  for (const auto& o : history.observations) {
    if (o.event.rfind("op ", 0) != 0) continue;
    auto t = split(o.event);
    if (t.size() < 3) continue;
    if (t[2] == "invoke") invoked_at[t[1]] = o.time_ms;
    if (t[2] == "ok" && invoked_at.count(t[1]) && invoked_at[t[1]] >= from_ms) return true;
  }
  return false;
}

// ---- Raft safety: every replica's RaftEvents, in the order they were observed ----

void check_raft(const RunHistory& history, CheckResult& result) {
  RaftInvariants invariants;
  for (const auto& o : history.observations) {
    if (o.event.rfind("raft ", 0) != 0) continue;
    auto event = store::parse_raft_event(o.event);
    if (!event) {
      result.fail("unreadable raft observation at " + std::to_string(o.time_ms) + " ms on " +
                  o.node + ": " + event.error().message);
      continue;
    }
    auto failures = result.failures.size();
    invariants.on_event(o.node, *event, result);
    if (result.failures.size() > failures)  // say when and where the first violation showed
      result.failures.insert(
          result.failures.begin() + std::ptrdiff_t(failures),
          "at " + std::to_string(o.time_ms) + " ms, " + o.node + ": " + o.event.substr(0, 120));
  }
  const auto& c = invariants.counts();
  result.counts["raft_events"] = c.events;
  result.counts["elections"] = c.elections;
  result.counts["restarts"] = c.restarts;
  result.counts["entries_persisted"] = c.entries_persisted;
  result.counts["entries_committed"] = c.entries_committed;
  result.counts["entries_applied"] = c.entries_applied;
  result.counts["invariant_checks"] = c.checks;
}

}  // namespace

Result<lin::History> store_ops_history(const RunHistory& history) {
  lin::History h;
  for (std::size_t i = 0; i < history.observations.size(); ++i) {
    const auto& o = history.observations[i];
    if (o.event.rfind("op ", 0) != 0) continue;
    auto e = parse_op(o.event);
    if (!e)
      return Error{"malformed", "observation " + std::to_string(i) + " (" + o.node + " at " +
                                    std::to_string(o.time_ms) +
                                    " ms) is not an operation: " + o.event};
    h.events.push_back(std::move(*e));
  }
  return h;
}

CheckResult check_store_history(const RunHistory& history, const StoreCheckOptions& options) {
  CheckResult result;
  for (const auto& o : history.observations)
    if (o.event.rfind("store ", 0) == 0) result.fail(o.node + ": " + o.event);
  check_linearizable(history, result);
  check_raft(history, result);
  if (options.require_progress && history.settle_ms + options.progress_grace_ms < history.end_ms &&
      !progress_after(history, history.settle_ms + options.progress_grace_ms))
    result.fail("no operation invoked after " +
                std::to_string(history.settle_ms + options.progress_grace_ms) +
                " ms completed ok: the store made no progress after the network healed");
  return result;
}

}  // namespace craton::sim
