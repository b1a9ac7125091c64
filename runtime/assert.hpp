// CRATON_ASSERT: the project's one assertion, on in every build.
//
// Tests and benchmarks build with NDEBUG (RelWithDebInfo), so a plain assert() never runs where
// it would catch something. CRATON_ASSERT always checks; a broken invariant prints where and
// what, then aborts the process (a core dump and a stack beat limping on with corrupt state).
// Use it on both sides of a contract, as TigerBeetle does: preconditions a caller must meet,
// postconditions a function promises, and invariants of a data structure. Never for input from
// outside the process (bytes, files, flags): that is a Result with a clear error.
//
// Cost: one predictable branch when the condition holds; the message is a string literal and is
// only touched on failure. Keep conditions O(1) on hot paths.
//
//   CRATON_ASSERT(commit <= last_index, "commit past the end of the log");
#pragma once

namespace craton::detail {

/// Prints "assertion failed: <expr> (<message>) at <file>:<line>" to stderr and aborts.
[[noreturn]] void assertion_failed(const char* expr, const char* message, const char* file,
                                   int line) noexcept;

}  // namespace craton::detail

/// Checks `condition` in every build; on failure prints it with `message` and aborts.
#define CRATON_ASSERT(condition, message)                                          \
  do {                                                                             \
    if (!(condition)) [[unlikely]]                                                 \
      ::craton::detail::assertion_failed(#condition, message, __FILE__, __LINE__); \
  } while (false)
