// The internal IP of a simulated worker (see the header).
#include "sim/cluster/worker_ip.hpp"

namespace craton::sim {

std::string worker_internal_ip(std::size_t index) {
  return "10." + std::to_string(1 + index / 65536) + "." + std::to_string((index / 256) % 256) +
         "." + std::to_string(index % 256);
}

}  // namespace craton::sim
