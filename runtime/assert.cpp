// The failure path of CRATON_ASSERT (runtime/assert.hpp).
#include "runtime/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace craton::detail {

void assertion_failed(const char* expr, const char* message, const char* file, int line) noexcept {
  std::fprintf(stderr, "craton: assertion failed: %s (%s) at %s:%d\n", expr, message, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace craton::detail
