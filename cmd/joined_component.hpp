// A component that runs in a process of its own and reaches the API actor of a control-plane
// process (`craton server`) over a link: `craton controller-manager --join`, `craton scheduler
// --join`. This is what they share: the --join, --verbose and link flags, the node that dials
// the servers (its node id is the component's name or certificate name plus "@<random>", so
// several instances never collide), and running until a signal.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "cmd/link_flags.hpp"
#include "runtime/node_host.hpp"

namespace craton::cmd {

struct JoinFlags {
  std::string join;
  bool verbose = false;
  LinkFlags link;
};

/// Adds --join, --verbose and the link flags of `name` to `sub`.
void add_join_flags(CLI::App* sub, JoinFlags& flags, const std::string& name);

/// Starts the node joined to the servers, then `spawn(node, api_nodes)` (which adopts the
/// component's actor), and runs until a signal. Returns the exit code (2: bad flags, 1: the
/// node did not start).
int run_joined(
    const std::string& name, const JoinFlags& flags, const std::vector<std::string>& extras,
    const std::function<void(NodeHost& node, std::vector<std::string> api_nodes)>& spawn);

}  // namespace craton::cmd
