// HistoryRecorder: builds in-memory histories for tests, one event per call, the way a client
// harness would record them. Completions repeat the `f` of the process's outstanding invocation.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "sim/linearizability/history.hpp"

namespace craton::linearizability::testing {

class HistoryRecorder {
 public:
  /// Following invocations act on `key` (none: the keyless register).
  HistoryRecorder& on(std::optional<std::string> key) {
    key_ = std::move(key);
    return *this;
  }
  HistoryRecorder& read(int p) { return invoke(p, OpKind::read, {}); }
  HistoryRecorder& write(int p, Value v) { return invoke(p, OpKind::write, std::move(v)); }
  HistoryRecorder& write(int p, int v) { return write(p, Value::integer(v)); }
  HistoryRecorder& append(int p, std::string s) {
    return invoke(p, OpKind::append, Value::string(std::move(s)));
  }
  HistoryRecorder& cas(int p, Value expected, Value next) {
    invoke(p, OpKind::cas, std::move(next));
    history_.events.back().expected = std::move(expected);
    return *this;
  }
  HistoryRecorder& cas(int p, int expected, int next) {
    return cas(p, Value::integer(expected), Value::integer(next));
  }

  HistoryRecorder& ok(int p) { return complete(p, EventType::ok, {}); }
  HistoryRecorder& ok(int p, Value read_value) { return complete(p, EventType::ok, read_value); }
  HistoryRecorder& ok(int p, int read_value) { return ok(p, Value::integer(read_value)); }
  HistoryRecorder& fail(int p) { return complete(p, EventType::fail, {}); }
  HistoryRecorder& info(int p) { return complete(p, EventType::info, {}); }

  const History& history() const { return history_; }
  History& history() { return history_; }

 private:
  HistoryRecorder& invoke(int p, OpKind f, Value v) {
    Event e;
    e.process = std::to_string(p);
    e.type = EventType::invoke;
    e.f = f;
    e.key = key_;
    e.value = std::move(v);
    history_.events.push_back(std::move(e));
    pending_f_[p] = f;
    return *this;
  }
  HistoryRecorder& complete(int p, EventType type, Value v) {
    Event e;
    e.process = std::to_string(p);
    e.type = type;
    e.f = pending_f_[p];
    e.value = std::move(v);
    history_.events.push_back(std::move(e));
    return *this;
  }

  History history_;
  std::optional<std::string> key_;
  std::map<int, OpKind> pending_f_;
};

}  // namespace craton::linearizability::testing
