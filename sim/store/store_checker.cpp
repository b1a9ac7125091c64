#include "sim/store/store_checker.hpp"

#include <map>
#include <optional>
#include <sstream>

#include "sim/linearizability/check_report.hpp"
#include "sim/linearizability/checker.hpp"
#include "sim/store/raft_invariants.hpp"

namespace craton::sim {
namespace {

namespace lin = linearizability;

lin::OpKind op_kind(OpFunction f) {
  switch (f) {
    case OpFunction::read:
      return lin::OpKind::read;
    case OpFunction::write:
      return lin::OpKind::write;
    case OpFunction::cas:
      return lin::OpKind::cas;
  }
  return lin::OpKind::read;
}

lin::EventType event_type(OpPhase phase) {
  switch (phase) {
    case OpPhase::invoke:
      return lin::EventType::invoke;
    case OpPhase::ok:
      return lin::EventType::ok;
    case OpPhase::fail:
      return lin::EventType::fail;
    case OpPhase::info:
      return lin::EventType::info;
  }
  return lin::EventType::info;
}

// One operation record as a history event; an error names what does not fit.
Result<lin::Event> to_history_event(const StoreOpEvent& op) {
  auto type = event_type(op.phase);
  auto f = op_kind(op.function);
  if (op.phase != OpPhase::invoke) {
    lin::Value read;
    if (op.phase == OpPhase::ok && op.function == OpFunction::read) {
      if (op.values.size() != 1) return Error{"malformed", "an ok read carries one value"};
      read = lin::Value::string(op.values[0]);
    }
    return lin::Event::complete(op.process, type, f, read);
  }
  std::size_t values = f == lin::OpKind::read ? 0 : (f == lin::OpKind::cas ? 2 : 1);
  if (op.values.size() != values)
    return Error{"malformed", "a " + std::string(to_string(op.function)) + " carries " +
                                  std::to_string(values) + " values"};
  if (f == lin::OpKind::cas)
    return lin::Event::invoke_cas(op.process, op.key, lin::Value::string(op.values[0]),
                                  lin::Value::string(op.values[1]));
  return lin::Event::invoke(op.process, f, op.key,
                            values ? lin::Value::string(op.values[0]) : lin::Value::null_value());
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
    const auto* op = std::get_if<StoreOpEvent>(&o.event);
    if (op == nullptr) continue;
    if (op->phase == OpPhase::invoke) invoked_at[op->process] = o.time_ms;
    if (op->phase == OpPhase::ok && invoked_at.count(op->process) &&
        invoked_at[op->process] >= from_ms)
      return true;
  }
  return false;
}

// ---- Raft safety: every replica's RaftEvents, in the order they were observed ----

void check_raft(const RunHistory& history, CheckResult& result) {
  RaftInvariants invariants;
  for (const auto& o : history.observations) {
    // RaftEvents come from the store's production shell as text, in their own codec.
    const auto* text = std::get_if<TextEvent>(&o.event);
    if (text == nullptr || text->text.rfind("raft ", 0) != 0) continue;
    auto event = store::parse_raft_event(text->text);
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
          "at " + std::to_string(o.time_ms) + " ms, " + o.node + ": " + text->text.substr(0, 120));
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
    const auto* op = std::get_if<StoreOpEvent>(&o.event);
    if (op == nullptr) continue;
    auto e = to_history_event(*op);
    if (!e)
      return Error{"malformed", "observation " + std::to_string(i) + " (" + o.node + " at " +
                                    std::to_string(o.time_ms) + " ms, " + o.text() +
                                    "): " + e.error().message};
    h.events.push_back(std::move(*e));
  }
  return h;
}

CheckResult check_store_history(const RunHistory& history, const StoreCheckOptions& options) {
  CheckResult result;
  for (const auto& o : history.observations)
    if (auto* f = std::get_if<StoreFailureEvent>(&o.event);
        f && f->kind != StoreFailureEvent::Kind::disk_stop)
      result.fail(o.node + ": " + o.text());
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
