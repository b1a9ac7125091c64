// ChildProcess: a benchmark's peer process, started with fork/exec and pipes.
//
// The child's stdin is a pipe we hold: closing it (or our death) tells the child to exit,
// so a crashed benchmark leaves no peer behind. Its stdout is a pipe we read lines from with
// a bounded wait; its stderr is inherited. The destructor closes stdin, waits a bounded time,
// then kills. Used only by benchmark drivers (never by actors).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::bench {

class ChildProcess {
 public:
  /// Starts `binary` with `args` (argv[0] is set to `binary`).
  static Result<ChildProcess> start(const std::string& binary,
                                    const std::vector<std::string>& args);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  /// One line from the child's stdout (without the newline), waiting at most `limit`.
  /// Lines are bounded at 4 KiB.
  Result<std::string> read_line(std::chrono::milliseconds limit);

  /// CPU time (user + system) the child has used so far, in seconds (clock-tick resolution).
  double cpu_seconds() const;

  /// Closes the child's stdin and waits up to `limit` for it to exit, then SIGKILLs it.
  /// Returns true if it exited by itself.
  bool finish(std::chrono::milliseconds limit);

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
};

}  // namespace craton::bench
