#include "sim/linearizability/check_report.hpp"

#include <sstream>

namespace craton::linearizability {
namespace {

using nlohmann::json;

std::string key_label(const std::string& key) {
  return key.empty() ? "(no key)" : render(Value::string(key));
}

void write_stuck(std::ostringstream& out, const KeyResult& key) {
  const StuckPoint& p = *key.stuck;
  out << "  longest linearizable prefix: " << p.linearized << " of " << p.completed
      << " completed operations";
  if (!p.prefix_tail.empty()) out << "; it ends with (value after each):";
  out << "\n";
  for (std::size_t k = 0; k < p.prefix_tail.size(); ++k)
    out << "    " << describe(p.prefix_tail[k]) << "  => " << render(p.states_after[k]) << "\n";
  out << "  then the value is " << render(p.state) << " and nothing more can be placed:\n";
  if (p.blocked)
    out << "    " << describe(*p.blocked) << "  <- completed before it could take effect\n";
  for (const Operation& op : p.pending) out << "    " << describe(op) << "\n";
  if (p.pending_unknown.empty()) return;
  out << "  nor any operation of unknown outcome";
  if (p.more_unknown > 0) out << " (" << p.more_unknown << " older ones not shown)";
  out << ":\n";
  for (const Operation& op : p.pending_unknown) out << "    " << describe(op) << "\n";
}

json value_json(const Value& v) {
  switch (v.kind) {
    case Value::Kind::null:
      return nullptr;
    case Value::Kind::string:
      return v.text;
    case Value::Kind::integer:
      return json::parse(v.text, nullptr, false);
  }
  return nullptr;
}

json op_json(const Operation& op) {
  json j = {{"process", op.process},
            {"f", to_string(op.f)},
            {"outcome", op.completed ? "ok" : "unknown"},
            {"invoke_line", op.invoke_line}};
  if (op.key) j["key"] = *op.key;
  if (op.f == OpKind::cas)
    j["value"] = json::array({value_json(op.expected), value_json(op.value)});
  else if (op.f != OpKind::read || op.completed)
    j["value"] = value_json(op.value);
  if (op.completed) j["complete_line"] = op.complete_line;
  return j;
}

json key_json(const KeyResult& key) {
  json j = {{"key", key.key},
            {"verdict", to_string(key.verdict)},
            {"operations", key.operations},
            {"steps", key.steps}};
  if (!key.stuck) return j;
  const StuckPoint& p = *key.stuck;
  json tail = json::array();
  for (std::size_t k = 0; k < p.prefix_tail.size(); ++k) {
    json op = op_json(p.prefix_tail[k]);
    op["value_after"] = value_json(p.states_after[k]);
    tail.push_back(std::move(op));
  }
  json pending = json::array();
  for (const Operation& op : p.pending) pending.push_back(op_json(op));
  j["linearized"] = p.linearized;
  j["completed"] = p.completed;
  j["prefix_tail"] = std::move(tail);
  j["value"] = value_json(p.state);
  j["blocked"] = p.blocked ? op_json(*p.blocked) : json(nullptr);
  j["pending"] = std::move(pending);
  json unknown = json::array();
  for (const Operation& op : p.pending_unknown) unknown.push_back(op_json(op));
  j["pending_unknown"] = std::move(unknown);
  j["more_unknown"] = p.more_unknown;
  return j;
}

// Names at most `keys_max` keys, then how many more there are.
std::string key_list(const std::vector<std::string>& keys, std::size_t keys_max) {
  std::string out;
  for (std::size_t i = 0; i < keys.size() && i < keys_max; ++i)
    out += (i ? ", " : "") + key_label(keys[i]);
  if (keys.size() > keys_max) out += " and " + std::to_string(keys.size() - keys_max) + " more";
  return out;
}

}  // namespace

std::string format_text(const CheckResult& result, std::size_t keys_max) {
  std::ostringstream out;
  out << to_string(result.verdict) << "\n";
  std::size_t violated = 0, undecided = 0;
  for (const KeyResult& key : result.keys) {
    violated += key.verdict == Verdict::not_linearizable;
    undecided += key.verdict == Verdict::unknown;
  }
  const std::size_t failing = violated + undecided;
  out << result.operations << " operations on " << result.keys.size() << " key(s) checked";
  if (violated > 0) out << "; not linearizable: " << violated << " key(s)";
  if (undecided > 0) out << "; undecided: " << undecided << " key(s)";
  out << "\n";
  if (!result.unchecked_keys.empty())
    out << "stopped early at the first key proven not linearizable; "
        << result.unchecked_keys.size() << " key(s) not checked (--all-keys checks them): "
        << key_list(result.unchecked_keys, keys_max) << "\n";
  if (failing == 0) return out.str();
  std::size_t listed = 0;
  for (const KeyResult& key : result.keys) {
    if (key.verdict == Verdict::linearizable) continue;
    if (listed == keys_max) {
      out << "... and " << failing - listed << " more key(s)\n";
      break;
    }
    out << "key " << key_label(key.key) << ": " << to_string(key.verdict);
    if (key.verdict == Verdict::unknown)
      out << " (search limit reached after " << key.steps << " steps)";
    out << "\n";
    if (listed++ == 0 && key.stuck) write_stuck(out, key);
  }
  return out.str();
}

json to_json(const CheckResult& result) {
  json failing = json::array();
  for (const KeyResult& key : result.keys)
    if (key.verdict != Verdict::linearizable) failing.push_back(key_json(key));
  return {{"verdict", to_string(result.verdict)},
          {"linearizable", result.verdict == Verdict::linearizable},
          {"operations", result.operations},
          {"keys", result.keys.size()},
          {"stopped_early", !result.unchecked_keys.empty()},
          {"unchecked_keys", result.unchecked_keys},
          {"failing_keys", std::move(failing)}};
}

}  // namespace craton::linearizability
