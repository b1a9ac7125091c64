#include "runtime/shutdown_signal.hpp"

#include <pthread.h>

namespace craton {

ShutdownSignal::ShutdownSignal() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

ShutdownSignal::~ShutdownSignal() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int ShutdownSignal::wait() {
  int signal = 0;
  while (sigwait(&set_, &signal) != 0) {
  }
  return signal;
}

}  // namespace craton
