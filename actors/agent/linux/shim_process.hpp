// How the driver runs shim processes: spawned with posix_spawn (no fork in the agent, which
// is multithreaded), in their own session, with chosen descriptors; then waited for and read
// from with deadlines so that a stuck shim is an error, never a hung agent.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::agent::linux_driver {

/// Spawns argv with stdin from /dev/null, stdout and stderr to output_fd (or /dev/null when
/// -1) and report_fd (when not -1) as descriptor 3. Every other descriptor is closed
/// (ours are close-on-exec).
Result<pid_t> spawn_shim(const std::vector<std::string>& argv, int output_fd, int report_fd);

/// Waits for `pid` to exit: its exit code (128+signal when killed). On timeout SIGKILLs it,
/// reaps it and returns Error{"timeout"}.
Result<int> wait_for_exit(pid_t pid, std::int64_t timeout_ms);

/// Reads `fd` until EOF, the deadline (then "timeout" with what was read dropped), or until a
/// newline when stop_at_newline; keeps at most max_bytes (reading on, so a writer never blocks).
Result<std::string> read_with_deadline(int fd, std::int64_t timeout_ms, std::size_t max_bytes,
                                       bool stop_at_newline);

/// A pipe whose ends are close-on-exec and numbered above 3 (so dup2 onto 3 is never a no-op).
Status make_pipe(int fds[2]);

}  // namespace craton::agent::linux_driver
