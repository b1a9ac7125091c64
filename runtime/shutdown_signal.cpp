#include "runtime/shutdown_signal.hpp"

#include <pthread.h>

namespace craton {

ShutdownSignal::ShutdownSignal() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

ShutdownSignal::~ShutdownSignal() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int ShutdownSignal::wait(const std::function<void()>& on_hangup) {
  for (;;) {
    int signal = 0;
    if (sigwait(&set_, &signal) != 0) continue;
    if (signal != SIGHUP) return signal;
    if (on_hangup) on_hangup();
  }
}

}  // namespace craton
