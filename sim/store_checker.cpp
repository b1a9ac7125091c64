#include "sim/store_checker.hpp"

#include <map>
#include <optional>
#include <sstream>

#include "sim/linearizability/check_report.hpp"
#include "sim/linearizability/checker.hpp"

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

// ---- Raft safety ----

struct Run {
  std::uint64_t term = 0;
  std::uint64_t start = 0;
};

struct LogShape {
  std::string node;
  std::uint64_t last = 0;
  std::vector<Run> runs;
};

struct Commit {
  std::string node;
  std::uint64_t index = 0, entry_term = 0, observer_term = 0;
  std::string hash;
};

struct Leader {
  std::string node;
  std::uint64_t term = 0;
  LogShape log;
};

std::uint64_t to_u64(const std::string& s) {
  return s.empty() ? 0 : std::stoull(s);
}

std::vector<Run> parse_runs(const std::string& text) {
  std::vector<Run> runs;
  if (text == "-") return runs;
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    auto piece = text.substr(i, j - i);
    auto at = piece.find('@');
    runs.push_back(Run{to_u64(piece.substr(0, at)), to_u64(piece.substr(at + 1))});
    i = j + 1;
  }
  return runs;
}

// True when `index` lies in the compacted prefix of the log (covered by a snapshot): its term
// is no longer observable there.
bool compacted_at(const LogShape& log, std::uint64_t index) {
  if (index > log.last) return false;
  return log.runs.empty() || index < log.runs.front().start;
}

std::uint64_t term_at(const LogShape& log, std::uint64_t index) {
  if (index > log.last) return 0;
  std::uint64_t t = 0;
  for (const auto& r : log.runs)
    if (r.start <= index) t = r.term;
  return t;
}

class RaftSafety {
 public:
  void add(const Observation& o, CheckResult& result) {
    auto t = split(o.event);
    if (t.size() < 2 || t[0] != "raft") return;
    if (t[1] == "leader" && t.size() == 5) {
      Leader l{o.node, to_u64(t[2]), LogShape{o.node, to_u64(t[3]), parse_runs(t[4])}};
      check_election(l, result);
      check_log_shape(l.log, result);
      leaders_.push_back(std::move(l));
    } else if (t[1] == "log" && t.size() == 4) {
      check_log_shape(LogShape{o.node, to_u64(t[2]), parse_runs(t[3])}, result);
    } else if (t[1] == "commit" && t.size() == 6) {
      Commit c{o.node, to_u64(t[2]), to_u64(t[3]), to_u64(t[5]), t[4]};
      check_state_machine(c, result);
      commits_.push_back(std::move(c));
    } else {
      result.fail("unreadable raft observation at " + std::to_string(o.time_ms) + " ms on " +
                  o.node + ": " + o.event);
    }
  }

  // Leader completeness needs every observation: run it at the end.
  void check_leader_completeness(CheckResult& result) const {
    for (const auto& l : leaders_)
      for (const auto& c : commits_) {
        if (c.observer_term >= l.term || compacted_at(l.log, c.index)) continue;
        auto have = term_at(l.log, c.index);
        if (have != c.entry_term)
          result.fail("leader completeness: " + l.node + " leads term " + std::to_string(l.term) +
                      " with term " + std::to_string(have) + " at index " +
                      std::to_string(c.index) + ", but " + c.node + " (term " +
                      std::to_string(c.observer_term) + ") committed term " +
                      std::to_string(c.entry_term) + " there");
      }
  }

 private:
  void check_election(const Leader& l, CheckResult& result) {
    auto [it, fresh] = leader_of_term_.emplace(l.term, l.node);
    if (!fresh && it->second != l.node)
      result.fail("election safety: term " + std::to_string(l.term) + " has two leaders, " +
                  it->second + " and " + l.node);
  }

  void check_log_shape(const LogShape& log, CheckResult& result) {
    for (std::size_t k = 0; k < log.runs.size(); ++k) {
      if (k == 0 && log.runs[k].start != 1) continue;  // predecessor unknown (compacted)
      std::uint64_t prev = k == 0 ? 0 : log.runs[k - 1].term;
      if (k > 0 && prev >= log.runs[k].term)
        result.fail("log matching: " + log.node + "'s log has term " +
                    std::to_string(log.runs[k].term) + " after term " + std::to_string(prev));
      auto key = log.runs[k].term;
      auto want = std::make_pair(log.runs[k].start, prev);
      auto [it, fresh] = term_start_.emplace(key, std::make_pair(want, log.node));
      if (!fresh && it->second.first != want)
        result.fail("log matching: term " + std::to_string(key) + " starts at index " +
                    std::to_string(want.first) + " after term " + std::to_string(want.second) +
                    " on " + log.node + ", but at " + std::to_string(it->second.first.first) +
                    " after term " + std::to_string(it->second.first.second) + " on " +
                    it->second.second);
    }
  }

  void check_state_machine(const Commit& c, CheckResult& result) {
    auto [it, fresh] = committed_.emplace(c.index, c);
    if (fresh) return;
    if (it->second.entry_term != c.entry_term || it->second.hash != c.hash)
      result.fail("state machine safety: index " + std::to_string(c.index) +
                  " committed as (term " + std::to_string(it->second.entry_term) + ", " +
                  it->second.hash + ") on " + it->second.node + " but as (term " +
                  std::to_string(c.entry_term) + ", " + c.hash + ") on " + c.node);
  }

  std::map<std::uint64_t, std::string> leader_of_term_;
  std::map<std::uint64_t, std::pair<std::pair<std::uint64_t, std::uint64_t>, std::string>>
      term_start_;
  std::map<std::uint64_t, Commit> committed_;
  std::vector<Leader> leaders_;
  std::vector<Commit> commits_;
};

void check_raft(const RunHistory& history, CheckResult& result) {
  RaftSafety safety;
  for (const auto& o : history.observations) safety.add(o, result);
  safety.check_leader_completeness(result);
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
