// The kv vocabulary's one formatting rule (kv_types.hpp): lease ids in hex.
#include "storage/kv_types.hpp"

#include <cstdio>

namespace craton::storage {

std::string format_lease_id(std::int64_t id) {
  char text[24];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(id));
  return text;
}

}  // namespace craton::storage
