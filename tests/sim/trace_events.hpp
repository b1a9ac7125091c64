// Tests only: typed observations from their trace text, so that a test can write a fabricated
// history as the trace would print it ("op a invoke write k0 =a.1"). The inverse of
// format_event (sim/world/observation.hpp) for the formats the simulator's actors produce; anything
// else is a TextEvent, as production probes are. Checkers never parse text: this exists so that
// hand-written histories stay readable, and so that a round-trip test can show the trace text
// loses nothing.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "sim/world/observation.hpp"
#include "sim/world/run_history.hpp"

namespace craton::sim::testing {

inline std::vector<std::string> trace_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

inline ObservedEvent store_op_from_text(const std::vector<std::string>& w, const std::string& s) {
  static const char* phases[] = {"invoke", "ok", "fail", "info"};
  static const char* functions[] = {"read", "write", "cas"};
  StoreOpEvent e;
  e.process = w[1];
  int phase = -1, function = -1;
  for (int i = 0; i < 4; ++i)
    if (w[2] == phases[i]) phase = i;
  for (int i = 0; i < 3; ++i)
    if (w[3] == functions[i]) function = i;
  if (phase < 0 || function < 0) return TextEvent{s};
  e.phase = OpPhase(phase);
  e.function = OpFunction(function);
  std::size_t i = 4;
  if (e.phase == OpPhase::invoke && i < w.size()) e.key = w[i++];
  for (; i < w.size() && w[i][0] == '='; ++i) e.values.push_back(w[i].substr(1));
  if (i < w.size() && w[i][0] != '@') e.note = w[i++];
  if (i < w.size() && w[i][0] == '@') e.revision = std::stoll(w[i].substr(1));
  return e;
}

inline ObservedEvent watch_from_text(const std::vector<std::string>& w, const std::string& s) {
  WatchEvent e{w[1], WatchEvent::Kind::start, 0, {}};
  if (w[2] == "start" || w[2] == "canceled") {
    e.kind = w[2] == "start" ? WatchEvent::Kind::start : WatchEvent::Kind::canceled;
    e.revision = std::stoll(w.at(3));
    return e;
  }
  if (w[2] != "ev") return TextEvent{s};
  e.kind = WatchEvent::Kind::events;
  for (std::size_t i = 3; i < w.size(); ++i) {  // "<rev>/<p|d>/<key>/<value>"
    auto a = w[i].find('/'), b = w[i].find('/', a + 1), c = w[i].find('/', b + 1);
    e.changes.push_back({std::stoll(w[i].substr(0, a)), w[i][a + 1] == 'p',
                         w[i].substr(b + 1, c - b - 1), w[i].substr(c + 1)});
  }
  return e;
}

inline ObservedEvent lease_from_text(const std::vector<std::string>& w, const std::string& s) {
  static const char* kinds[] = {"granting", "granted", "put",      "renewing",
                                "renewed",  "lost",    "abandoned"};
  LeaseEvent e;
  e.process = w[1];
  int kind = -1;
  for (int i = 0; i < 7; ++i)
    if (w[2] == kinds[i]) kind = i;
  if (kind < 0) return TextEvent{s};
  e.kind = LeaseEvent::Kind(kind);
  if (e.kind == LeaseEvent::Kind::put) {
    e.key = w.at(3);
    e.lease = std::stoll(w.at(4));
  } else if (e.kind != LeaseEvent::Kind::granting) {
    e.lease = std::stoll(w.at(3));
    if (e.kind == LeaseEvent::Kind::granted) e.ttl_s = std::stoll(w.at(4));
  }
  return e;
}

/// The typed event whose trace text is `s`.
inline ObservedEvent event_from_text(const std::string& s) {
  auto w = trace_words(s);
  if (w.size() >= 4 && w[0] == "op") return store_op_from_text(w, s);
  if (w.size() >= 3 && w[0] == "watch") return watch_from_text(w, s);
  if (w.size() >= 3 && w[0] == "lease") return lease_from_text(w, s);
  if (w.size() >= 2 && w[0] == "leasekey") {
    if (w[1] == "start") return LeaseKeyEvent{LeaseKeyEvent::Kind::start, {}};
    return LeaseKeyEvent{w[1] == "add" ? LeaseKeyEvent::Kind::add : LeaseKeyEvent::Kind::del,
                         w.at(2)};
  }
  using Failure = StoreFailureEvent::Kind;
  if (s.rfind("store open failed: ", 0) == 0) return StoreFailureEvent{Failure::open, s.substr(19)};
  if (s.rfind("store failed: ", 0) == 0) return StoreFailureEvent{Failure::running, s.substr(14)};
  if (s.rfind("disk stop: ", 0) == 0) return StoreFailureEvent{Failure::disk_stop, s.substr(11)};
  return TextEvent{s};
}

/// An observation written as the trace prints it.
inline Observation observed(std::int64_t time_ms, std::string node, std::uint64_t incarnation,
                            const std::string& text) {
  return Observation{time_ms, std::move(node), incarnation, event_from_text(text)};
}

}  // namespace craton::sim::testing
