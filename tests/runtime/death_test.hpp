// Death tests for CRATON_ASSERT (runtime/assert.hpp): runs a function in a forked child and
// reports how the child ended and what it wrote to stderr, so that a test can check that a
// broken contract aborts with the right message without taking the test process down.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace craton::testing {

struct ChildEnd {
  bool aborted = false;  ///< ended by SIGABRT (what CRATON_ASSERT does)
  std::string stderr_text;
};

/// Runs `fn` in a child process; the child exits 0 if `fn` returns.
inline ChildEnd run_in_child(const std::function<void()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    // Boost.Test catches SIGABRT in the test process (and so in this fork): the child must die
    // of it as a plain process would.
    ::signal(SIGABRT, SIG_DFL);
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    fn();
    ::_exit(0);
  }
  ::close(fds[1]);
  ChildEnd end;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) end.stderr_text.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  end.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  return end;
}

/// True when `fn` aborts through CRATON_ASSERT with `message` in its report.
inline bool dies_with(const std::function<void()>& fn, const std::string& message) {
  auto end = run_in_child(fn);
  return end.aborted && end.stderr_text.find("assertion failed") != std::string::npos &&
         end.stderr_text.find(message) != std::string::npos;
}

}  // namespace craton::testing
