#include "runtime/stable_hash.hpp"

#include <cstdio>

namespace craton {

std::string StableHash::hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
  return buf;
}

}  // namespace craton
