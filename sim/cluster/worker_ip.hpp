// The internal IP of a simulated worker (the cluster and research scenarios' fake hosts): a
// distinct, well-formed IPv4 address per worker index, up to 16,711,680 workers (the simulator
// runs at most 10,000 nodes). Well-formed matters: the agent refuses a host IP that does not parse
// (check_host_facts), as the API refuses every pod status naming it. The cluster scenario's
// "10.0.<index + 1>.1" once gave workers past the 255th no valid address, and their pods'
// statuses never reached the API (the stall at 300+ nodes, docs/simulator.md). Pure.
#pragma once

#include <cstddef>
#include <string>

namespace craton::sim {

/// 10.<1 + index / 65536>.<(index / 256) % 256>.<index % 256>
std::string worker_internal_ip(std::size_t index);

}  // namespace craton::sim
