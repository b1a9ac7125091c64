// operator<< for the checker's types, so Boost.Test can print them in failed assertions.
#pragma once

#include <ostream>

#include "sim/linearizability/checker.hpp"

namespace craton::linearizability {

inline std::ostream& operator<<(std::ostream& os, const Value& v) {
  return os << render(v);
}
inline std::ostream& operator<<(std::ostream& os, OpKind f) {
  return os << to_string(f);
}
inline std::ostream& operator<<(std::ostream& os, EventType t) {
  return os << to_string(t);
}
inline std::ostream& operator<<(std::ostream& os, Verdict v) {
  return os << to_string(v);
}

}  // namespace craton::linearizability
