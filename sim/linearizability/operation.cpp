#include "sim/linearizability/operation.hpp"

#include <unordered_map>

namespace craton::linearizability {
namespace {

// "line 12" for events read from a file, "event 12" (0-based index) for in-memory ones.
std::string where(const Event& e, std::size_t pos) {
  return e.line != 0 ? "line " + std::to_string(e.line) : "event " + std::to_string(pos);
}

std::string where(const Operation& op) {
  return op.invoke_line != 0 ? "line " + std::to_string(op.invoke_line)
                             : "event " + std::to_string(op.invoke_pos);
}

Error malformed(const Event& e, std::size_t pos, const std::string& what) {
  return Error{"malformed", where(e, pos) + ": " + what};
}

// Operations by index into the result, plus what each process is waiting on.
struct Pairing {
  std::vector<Operation> ops;
  std::vector<bool> dropped;
  std::unordered_map<std::string, std::size_t> outstanding;  // process -> index into ops
};

Status on_invoke(Pairing& p, const Event& e, std::size_t pos) {
  if (auto it = p.outstanding.find(e.process); it != p.outstanding.end()) {
    const Operation& open = p.ops[it->second];
    return malformed(e, pos,
                     "process " + e.process + " invokes again while its " + to_string(open.f) +
                         " from " + where(open) + " is still outstanding");
  }
  Operation op;
  op.process = e.process;
  op.f = e.f;
  op.key = e.key;
  op.value = e.value;
  op.expected = e.expected;
  op.invoke_pos = pos;
  op.invoke_line = e.line;
  p.outstanding.emplace(e.process, p.ops.size());
  p.ops.push_back(std::move(op));
  p.dropped.push_back(false);
  return Ok{};
}

Status on_complete(Pairing& p, const Event& e, std::size_t pos) {
  auto it = p.outstanding.find(e.process);
  if (it == p.outstanding.end())
    return malformed(e, pos,
                     std::string(to_string(e.type)) + " from process " + e.process +
                         " without a matching invoke");
  const std::size_t index = it->second;
  Operation& op = p.ops[index];
  if (op.f != e.f)
    return malformed(e, pos,
                     std::string(to_string(e.type)) + " " + to_string(e.f) + " completes a " +
                         to_string(op.f) + " invocation");
  p.outstanding.erase(it);
  if (e.type == EventType::fail) {
    p.dropped[index] = true;  // certainly took no effect: constrains nothing
    return Ok{};
  }
  if (e.type == EventType::info) {
    p.dropped[index] = op.f == OpKind::read;  // a read with no known result constrains nothing
    op.complete_line = e.line;
    return Ok{};
  }
  op.completed = true;
  op.complete_pos = pos;
  op.complete_line = e.line;
  if (op.f == OpKind::read) op.value = e.value;
  return Ok{};
}

}  // namespace

Result<std::vector<Operation>> collect_operations(const History& history) {
  Pairing p;
  for (std::size_t pos = 0; pos < history.events.size(); ++pos) {
    const Event& e = history.events[pos];
    Status st = e.type == EventType::invoke ? on_invoke(p, e, pos) : on_complete(p, e, pos);
    if (!st) return st.error();
  }
  // Invocations still outstanding at the end have unknown outcomes, like `info`.
  for (const auto& [process, index] : p.outstanding)
    if (p.ops[index].f == OpKind::read) p.dropped[index] = true;
  std::vector<Operation> kept;
  kept.reserve(p.ops.size());
  for (std::size_t i = 0; i < p.ops.size(); ++i)
    if (!p.dropped[i]) kept.push_back(std::move(p.ops[i]));
  return kept;
}

std::string describe(const Operation& op) {
  std::string s = "p" + op.process + " " + to_string(op.f);
  switch (op.f) {
    case OpKind::read:
      s += op.completed ? " -> " + render(op.value) : "";
      break;
    case OpKind::write:
    case OpKind::append:
      s += " " + render(op.value);
      break;
    case OpKind::cas:
      s += " " + render(op.expected) + " -> " + render(op.value);
      break;
  }
  if (op.invoke_line != 0) {
    if (op.completed)
      s += " (lines " + std::to_string(op.invoke_line) + "-" + std::to_string(op.complete_line) +
           ")";
    else
      s += " (line " + std::to_string(op.invoke_line) + ", outcome unknown)";
  } else if (op.completed) {  // built in memory: show event indices instead of lines
    s += " (events " + std::to_string(op.invoke_pos) + "-" + std::to_string(op.complete_pos) + ")";
  } else {
    s += " (event " + std::to_string(op.invoke_pos) + ", outcome unknown)";
  }
  return s;
}

}  // namespace craton::linearizability
