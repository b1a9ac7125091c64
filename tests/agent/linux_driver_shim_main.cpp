// The Linux driver tests' shim: what `craton shim` is in production, without the rest of the
// binary, so the driver's tests need not build craton.
#include "actors/agent/linux/shim.hpp"

int main(int argc, char** argv) {
  return craton::agent::linux_driver::run_shim(argc - 1, argv + 1);
}
