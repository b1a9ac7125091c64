#include "sim/linearizability/history.hpp"

#include <nlohmann/json.hpp>

#include "sim/linearizability/operation.hpp"

namespace craton::linearizability {
namespace {

using nlohmann::json;

Error malformed(std::size_t line_no, const std::string& what) {
  return Error{"malformed", "line " + std::to_string(line_no) + ": " + what};
}

std::optional<EventType> parse_type(const std::string& s) {
  if (s == "invoke") return EventType::invoke;
  if (s == "ok") return EventType::ok;
  if (s == "fail") return EventType::fail;
  if (s == "info") return EventType::info;
  return std::nullopt;
}

std::optional<OpKind> parse_f(const std::string& s) {
  if (s == "read" || s == "get") return OpKind::read;
  if (s == "write" || s == "put") return OpKind::write;
  if (s == "cas") return OpKind::cas;
  if (s == "append") return OpKind::append;
  return std::nullopt;
}

// Process ids and keys may be strings or integers (Jepsen writes integers).
std::optional<std::string> parse_name(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_integer()) return j.dump();
  return std::nullopt;
}

std::optional<Value> parse_value(const json& j) {
  if (j.is_null()) return Value::null_value();
  if (j.is_string()) return Value::string(j.get<std::string>());
  if (j.is_number_integer()) return Value{Value::Kind::integer, j.dump()};
  return std::nullopt;
}

const char* kValueKinds = "null, a string or an integer";

// Fills value/expected from the "value" field; cas invocations need [expected, new].
Status parse_event_value(const json& j, Event& e, std::size_t line_no) {
  const bool needs_value = e.type == EventType::invoke && e.f != OpKind::read;
  auto it = j.find("value");
  if (it == j.end()) {
    if (needs_value)
      return malformed(line_no, std::string("invoke ") + to_string(e.f) + " needs a \"value\"");
    return Ok{};
  }
  if (e.f == OpKind::cas) {
    if (it->is_null() && !needs_value) return Ok{};
    if (!it->is_array() || it->size() != 2)
      return malformed(line_no, "cas \"value\" must be [expected, new]");
    auto expected = parse_value((*it)[0]);
    auto next = parse_value((*it)[1]);
    if (!expected || !next)
      return malformed(line_no, std::string("cas values must be ") + kValueKinds);
    e.expected = std::move(*expected);
    e.value = std::move(*next);
    return Ok{};
  }
  auto v = parse_value(*it);
  if (!v) return malformed(line_no, std::string("\"value\" must be ") + kValueKinds);
  e.value = std::move(*v);
  return Ok{};
}

Result<Event> event_from_json(const json& j, std::size_t line_no) {
  if (!j.is_object()) return malformed(line_no, "an event must be a JSON object");
  for (const char* field : {"process", "type", "f"})
    if (!j.contains(field)) return malformed(line_no, std::string("missing \"") + field + "\"");
  Event e;
  e.line = line_no;
  auto process = parse_name(j["process"]);
  if (!process) return malformed(line_no, "\"process\" must be a string or an integer");
  e.process = std::move(*process);
  const json& type = j["type"];
  auto t = type.is_string() ? parse_type(type.get<std::string>()) : std::nullopt;
  if (!t) return malformed(line_no, "\"type\" must be one of invoke, ok, fail, info");
  e.type = *t;
  const json& f = j["f"];
  auto kind = f.is_string() ? parse_f(f.get<std::string>()) : std::nullopt;
  if (!kind) return malformed(line_no, "\"f\" must be one of read, write, cas, put, get, append");
  e.f = *kind;
  if (auto it = j.find("key"); it != j.end() && !it->is_null()) {
    auto key = parse_name(*it);
    if (!key) return malformed(line_no, "\"key\" must be a string or an integer");
    e.key = std::move(*key);
  }
  if (auto st = parse_event_value(j, e, line_no); !st) return st.error();
  return e;
}

enum class LineStatus { ok, end, too_long };

// Reads up to '\n' without ever holding more than `max` bytes of one line.
LineStatus read_bounded_line(std::istream& in, std::string& out, std::size_t max) {
  out.clear();
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (;;) {
    int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) return any ? LineStatus::ok : LineStatus::end;
    any = true;
    if (c == '\n') return LineStatus::ok;
    if (out.size() == max) return LineStatus::too_long;
    out.push_back(static_cast<char>(c));
  }
}

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

Result<History> read_history(std::istream& in, const ParseLimits& limits);

}  // namespace

const char* to_string(EventType type) {
  switch (type) {
    case EventType::invoke:
      return "invoke";
    case EventType::ok:
      return "ok";
    case EventType::fail:
      return "fail";
    case EventType::info:
      return "info";
  }
  return "?";
}

const char* to_string(OpKind f) {
  switch (f) {
    case OpKind::read:
      return "read";
    case OpKind::write:
      return "write";
    case OpKind::cas:
      return "cas";
    case OpKind::append:
      return "append";
  }
  return "?";
}

std::string render(const Value& value) {
  switch (value.kind) {
    case Value::Kind::null:
      return "null";
    case Value::Kind::integer:
      return value.text;
    case Value::Kind::string:
      return json(value.text).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return "?";
}

Result<Event> parse_event_line(std::string_view line, std::size_t line_no) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return malformed(line_no, "not valid JSON");
  return event_from_json(j, line_no);
}

Result<History> parse_history_jsonl(std::istream& in, const ParseLimits& limits) {
  // A stream buffer may throw on a read error (a directory, an I/O error): make it a value.
  try {
    return read_history(in, limits);
  } catch (const std::ios_base::failure& e) {
    return Error{"io", std::string("reading the history failed: ") + e.what()};
  }
}

namespace {

Result<History> read_history(std::istream& in, const ParseLimits& limits) {
  History history;
  std::string line;
  for (std::size_t line_no = 1;; ++line_no) {
    LineStatus status = read_bounded_line(in, line, limits.line_bytes_max);
    if (status == LineStatus::end) break;
    if (status == LineStatus::too_long)
      return Error{"too_large", "line " + std::to_string(line_no) + ": longer than " +
                                    std::to_string(limits.line_bytes_max) + " bytes"};
    if (is_blank(line)) continue;
    if (history.events.size() == limits.events_max)
      return Error{"too_large", "line " + std::to_string(line_no) + ": more than " +
                                    std::to_string(limits.events_max) + " events"};
    auto event = parse_event_line(line, line_no);
    if (!event) return event.error();
    history.events.push_back(std::move(event.value()));
  }
  if (in.bad()) return Error{"io", "reading the history failed"};
  // Pairing errors (a completion without an invocation, ...) are input errors too: report them
  // here, with their line, rather than later from the checker.
  if (auto ops = collect_operations(history); !ops) return ops.error();
  return history;
}

}  // namespace

}  // namespace craton::linearizability
