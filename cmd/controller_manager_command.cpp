// `craton controller-manager`: the controller manager alone, in a process of its own, reaching
// the API actor of a control-plane process (`craton server`) over a link. Every `craton
// server` runs one already; this is for running more (or elsewhere).
//
//   craton controller-manager --join 1=127.0.0.1:2379 --insecure-loopback
//   craton controller-manager --join 1=h:p,2=h:p,3=h:p --certs pki
//
// --join names the servers as `craton server --peers` does (id=host:port; their nodes are
// store-<id>); the manager talks to the first and moves to the next when it stops answering.
#include <iostream>
#include <random>

#include "actors/controllers/manager/controller_manager_actor.hpp"
#include "actors/store/client/client.hpp"
#include "actors/store/codec/store_protocol.hpp"
#include "cmd/commands.hpp"
#include "cmd/link_flags.hpp"
#include "cmd/wall_clock.hpp"
#include "runtime/node_host.hpp"
#include "runtime/shutdown_signal.hpp"

namespace craton::cmd {
namespace {

struct ManagerFlags {
  std::string join;
  bool verbose = false;
  LinkFlags link;
};

int run_controller_manager(const ManagerFlags& flags, const std::vector<std::string>& extras) {
  auto fail = [](const std::string& message) {
    std::cerr << "craton controller-manager: " << message << "\n";
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
  if (!security->certs_dir.empty() && security->cert_name.empty())
    security->cert_name = "controller-manager";
  options.node_id =
      (security->certs_dir.empty() ? std::string("controller-manager") : security->cert_name) +
      session;
  options.listens = false;  // the servers answer over the connection it opened
  options.security = *security;
  options.seed = seed;
  controllers::ControllerManagerActorConfig config;
  for (const auto& endpoint : *endpoints) {
    if (endpoint.id == 0) return fail("--join: give each server's id (id=host:port)");
    auto node = store::replica_node_id(endpoint.id);
    options.peers.push_back(PeerSpec{node, endpoint.endpoint});
    config.api_nodes.push_back(node);
  }
  config.wall_clock_base_s = wall_clock_base_s();
  ShutdownSignal shutdown;  // before the actor system starts its threads
  auto log = std::make_shared<StderrSink>(flags.verbose ? LogLevel::debug : LogLevel::info);
  auto host = NodeHost::start(std::move(options), log);
  if (!host) {
    std::cerr << "craton controller-manager: " << host.error().message << "\n";
    return 1;
  }
  auto& node = **host;
  node.adopt(controllers::spawn_controller_manager(node.system(), node.context(), config));
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "controller-manager",
                       "controller manager joined " + flags.join});
  int signal = shutdown.wait([&node] { (void)node.reload_certificates(); });
  log->write(LogRecord{LogLevel::info, 0, node.context().node_id, "controller-manager",
                       "signal " + std::to_string(signal) + ": shutting down"});
  node.stop();
  return 0;
}

}  // namespace

void add_controller_manager_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "controller-manager",
      "Run the controller manager alone, joined to the API of a `craton server`");
  auto flags = std::make_shared<ManagerFlags>();
  sub->add_option("--join", flags->join, "The servers: id=host:port,... (their --listen)");
  sub->add_flag("--verbose", flags->verbose, "Log at debug level");
  add_link_flags(sub, flags->link, "controller-manager");
  sub->allow_extras();
  sub->callback(
      [sub, flags, &exit_code] { exit_code = run_controller_manager(*flags, sub->remaining()); });
}

}  // namespace craton::cmd
