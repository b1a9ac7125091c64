// shim.hpp: the verb dispatcher.
#include "actors/agent/linux/shim.hpp"

#include <cstdio>
#include <string>

namespace craton::agent::linux_driver {

int run_shim(int argc, char** argv) {
  if (argc < 1) {
    std::fprintf(stderr, "usage: shim start|exec ...\n");
    return 2;
  }
  std::string verb = argv[0];
  if (verb == "start") return run_shim_start(argc - 1, argv + 1);
  if (verb == "exec") return run_shim_exec(argc - 1, argv + 1);
  std::fprintf(stderr, "shim: unknown verb '%s'\n", verb.c_str());
  return 2;
}

}  // namespace craton::agent::linux_driver
