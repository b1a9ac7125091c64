// ShutdownSignal: lets a process's main thread wait for SIGTERM or SIGINT, and take SIGHUP
// (reload the certificates) on the way.
//
// Construct it first thing in main's path, before any thread (the actor system's) starts:
// it blocks the three signals in the calling thread, and threads started afterwards inherit the
// mask, so the signals stay pending until wait() takes them with sigwait(). No handler runs
// in an arbitrary thread and nothing async-signal-unsafe happens. The destructor restores
// the previous mask.
#pragma once

#include <signal.h>

#include <functional>

namespace craton {

class ShutdownSignal {
 public:
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  /// Blocks until SIGTERM or SIGINT arrives; returns the signal number. Each SIGHUP on the
  /// way calls `on_hangup` (if given) on this thread and goes on waiting.
  int wait(const std::function<void()>& on_hangup = {});

 private:
  sigset_t set_;
  sigset_t previous_;
};

}  // namespace craton
