// Trace: the simulated run's event record.
//
// Every event is one text line "<simulated ms> <kind> <details>", e.g.
//   1200 deliver n1->n2 heartbeat
//   5000 fault partition n1,n2 | n3
//   5412 observe n1 suspect n3
// The trace hash is a StableHash over all lines, so the same seed on the same build gives the
// same hash; lines never contain pointers, process ids, CAF node ids or wall-clock values.
// Lines are written to an optional stream (for `--trace FILE` and diffing) and otherwise only
// hashed and counted, so long runs need no memory for the trace.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "runtime/stable_hash.hpp"

namespace craton::sim {

class Trace {
 public:
  /// `out` (optional) receives every line; it must outlive this Trace.
  explicit Trace(std::ostream* out = nullptr) : out_(out) {}

  void record(std::int64_t time_ms, std::string_view kind, std::string_view details);

  std::uint64_t events() const { return events_; }
  std::string hash_hex() const { return hash_.hex(); }

 private:
  std::ostream* out_;
  StableHash hash_;
  std::uint64_t events_ = 0;
  std::string line_;  // reused buffer
};

}  // namespace craton::sim
