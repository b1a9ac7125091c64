// `craton-shim`: the Linux driver's container supervisor (actors/agent/linux/shim.hpp) as an
// executable of its own, installed beside `craton`. It links only the driver's library, so it
// starts in a few milliseconds where `craton shim` loads the whole binary and its libraries
// (~50 ms idle, far more on a busy host) -- twice per pod start (the sandbox, then each
// container). The agent uses it when it sits next to the craton binary and falls back to
// `craton shim` otherwise; both run the same code.
#include "actors/agent/linux/shim.hpp"

int main(int argc, char** argv) {
  return craton::agent::linux_driver::run_shim(argc - 1, argv + 1);
}
