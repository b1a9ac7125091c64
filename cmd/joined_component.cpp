// Running a component joined to the servers (see the header).
#include "cmd/joined_component.hpp"

#include <iostream>
#include <random>

#include "actors/store/client/client.hpp"
#include "actors/store/codec/store_protocol.hpp"
#include "runtime/shutdown_signal.hpp"

namespace craton::cmd {

void add_join_flags(CLI::App* sub, JoinFlags& flags, const std::string& name) {
  sub->add_option("--join", flags.join, "The servers: id=host:port,... (their --listen)");
  sub->add_flag("--verbose", flags.verbose, "Log at debug level");
  add_link_flags(sub, flags.link, name);
}

int run_joined(
    const std::string& name, const JoinFlags& flags, const std::vector<std::string>& extras,
    const std::function<void(NodeHost& node, std::vector<std::string> api_nodes)>& spawn) {
  auto fail = [&name](const std::string& message) {
    std::cerr << "craton " << name << ": " << message << "\n";
    return 2;
  };
  if (!extras.empty()) return fail("unknown argument '" + extras.front() + "'");
  if (flags.join.empty()) return fail("--join is required (the servers: id=host:port,...)");
  auto endpoints = store::parse_store_endpoints(flags.join);
  if (!endpoints) return fail("--join: " + endpoints.error().message);
  auto security = link_security(flags.link);
  if (!security) return fail(security.error().message);
  NodeOptions options;
  auto seed = (std::uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  char session[24];
  std::snprintf(session, sizeof(session), "@%016llx", static_cast<unsigned long long>(seed));
  if (!security->certs_dir.empty() && security->cert_name.empty()) security->cert_name = name;
  options.node_id = (security->certs_dir.empty() ? name : security->cert_name) + session;
  options.listens = false;  // the servers answer over the connection it opened
  options.security = *security;
  options.seed = seed;
  std::vector<std::string> api_nodes;
  for (const auto& endpoint : *endpoints) {
    if (endpoint.id == 0) return fail("--join: give each server's id (id=host:port)");
    auto node = store::replica_node_id(endpoint.id);
    options.peers.push_back(PeerSpec{node, endpoint.endpoint});
    api_nodes.push_back(node);
  }
  ShutdownSignal shutdown;  // before the actor system starts its threads
  auto log = std::make_shared<StderrSink>(flags.verbose ? LogLevel::debug : LogLevel::info);
  auto host = NodeHost::start(std::move(options), log);
  if (!host) {
    std::cerr << "craton " << name << ": " << host.error().message << "\n";
    return 1;
  }
  auto& node = **host;
  spawn(node, api_nodes);
  log->write(
      LogRecord{LogLevel::info, 0, node.context().node_id, name, name + " joined " + flags.join});
  int signal = shutdown.wait([&node] { (void)node.reload_certificates(); });
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, name,
                       "signal " + std::to_string(signal) + ": shutting down"});
  node.stop();
  return 0;
}

}  // namespace craton::cmd
