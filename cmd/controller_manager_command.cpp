// `craton controller-manager`: the controller manager alone, in a process of its own, reaching
// the API actor of a control-plane process (`craton server`) over a link. Every `craton
// server` runs one already; this is for running more (or elsewhere).
//
//   craton controller-manager --join 1=127.0.0.1:2379 --insecure-loopback
//   craton controller-manager --join 1=h:p,2=h:p,3=h:p --certs pki
//
// --join names the servers as `craton server --peers` does (id=host:port; their nodes are
// store-<id>); the manager talks to the first and moves to the next when it stops answering.
#include "actors/controllers/manager/controller_manager_actor.hpp"
#include "cmd/commands.hpp"
#include "cmd/joined_component.hpp"
#include "cmd/wall_clock.hpp"

namespace craton::cmd {

void add_controller_manager_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "controller-manager",
      "Run the controller manager alone, joined to the API of a `craton server`");
  auto flags = std::make_shared<JoinFlags>();
  add_join_flags(sub, *flags, "controller-manager");
  sub->allow_extras();
  sub->callback([sub, flags, &exit_code] {
    exit_code = run_joined(
        "controller-manager", *flags, sub->remaining(),
        [](NodeHost& node, std::vector<std::string> api_nodes) {
          controllers::ControllerManagerActorConfig config;
          config.api_nodes = std::move(api_nodes);
          config.wall_clock_base_s = wall_clock_base_s();
          node.adopt(controllers::spawn_controller_manager(node.system(), node.context(), config));
        });
  });
}

}  // namespace craton::cmd
