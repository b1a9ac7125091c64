// History: what the clients of a concurrent system saw, in real-time order, as the input of the
// linearizability checker. Each client operation is an `invoke` event followed, from the same
// process, by one completion: `ok` (it took effect, with this result), `fail` (it certainly did
// not take effect) or `info` (the outcome is unknown: it may have taken effect at any moment
// after its invocation, or never). An invocation with no completion at the end of the history is
// treated like `info`.
//
// Histories come from two places: the simulator builds `History` values in memory, and users give
// `craton check linearizable` a JSON-lines file (format in docs/linearizability.md) that
// `parse_history_jsonl` reads. The parser bounds its input and names the line of every error; it
// also checks that invocations and completions pair up (see `collect_operations`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace craton::linearizability {

enum class EventType { invoke, ok, fail, info };

/// What an operation does. The history format's `get` is parsed as `read` and `put` as `write`.
enum class OpKind { read, write, cas, append };

/// A recorded value: null, a string, or an integer. Values are equal when kind and text are equal,
/// so the string "1" and the integer 1 differ.
struct Value {
  enum class Kind : std::uint8_t { null, string, integer };
  Kind kind = Kind::null;
  std::string text;  ///< the string's contents, or the integer's decimal text; empty for null

  static Value null_value() { return {}; }
  static Value string(std::string s) { return {Kind::string, std::move(s)}; }
  static Value integer(std::int64_t i) { return {Kind::integer, std::to_string(i)}; }
  bool is_null() const { return kind == Kind::null; }
  bool operator==(const Value&) const = default;
};

/// One line of a history.
struct Event {
  std::string process;  ///< the client; integers in JSON become their decimal text
  EventType type = EventType::invoke;
  OpKind f = OpKind::read;
  std::optional<std::string> key;  ///< absent: the single register of a keyless history
  /// invoke write/append: the value written or appended; invoke cas: the new value;
  /// ok read: the value read. Ignored elsewhere (a mutation's completion repeats its value).
  Value value;
  Value expected;        ///< invoke cas: the value that must be current
  std::size_t line = 0;  ///< 1-based line in the source file; 0 when built in memory

  /// An invocation of read, write or append (`value` unused for read).
  static Event invoke(std::string process, OpKind f, std::optional<std::string> key,
                      Value value = {}) {
    Event e;
    e.process = std::move(process);
    e.f = f;
    e.key = std::move(key);
    e.value = std::move(value);
    return e;
  }
  /// An invocation of cas: set `next` iff the current value is `expected`.
  static Event invoke_cas(std::string process, std::optional<std::string> key, Value expected,
                          Value next) {
    Event e = invoke(std::move(process), OpKind::cas, std::move(key), std::move(next));
    e.expected = std::move(expected);
    return e;
  }
  /// A completion (ok, fail or info); `read_value` is the value an ok read returned.
  static Event complete(std::string process, EventType type, OpKind f, Value read_value = {}) {
    Event e;
    e.process = std::move(process);
    e.type = type;
    e.f = f;
    e.value = std::move(read_value);
    return e;
  }
};

struct History {
  std::vector<Event> events;  ///< in real-time order
};

/// Bounds on a history file; past them parsing stops with an error naming the line.
struct ParseLimits {
  std::size_t line_bytes_max = std::size_t{4} << 20;  // a 1.5 MiB store value, JSON-escaped
  std::size_t events_max = 5'000'000;
};

/// Reads a JSON-lines history: one event object per line; blank lines are skipped. Errors
/// (code "malformed" or "too_large") name the 1-based line.
Result<History> parse_history_jsonl(std::istream& in, const ParseLimits& limits = {});

/// Parses one event line (without its newline). `line_no` only labels errors.
Result<Event> parse_event_line(std::string_view line, std::size_t line_no);

const char* to_string(EventType type);
const char* to_string(OpKind f);

/// Renders a value for people: strings JSON-quoted, integers bare, `null`.
std::string render(const Value& value);

}  // namespace craton::linearizability
