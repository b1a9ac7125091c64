// craton: one binary, one subcommand per role or tool. `craton --help` lists them.
#include <iostream>
#include <string_view>

#include "actors/agent/linux/shim.hpp"
#include "cmd/commands.hpp"

int main(int argc, char** argv) {
  // `craton shim VERB ...`: the container supervisor the Linux driver spawns (shim.hpp). It
  // runs before anything else starts a thread (it forks and enters namespaces), and it is not
  // a user's command, so it stays out of --help.
  if (argc > 1 && std::string_view(argv[1]) == "shim")
    return craton::agent::linux_driver::run_shim(argc - 2, argv + 2);
  CLI::App app{"Craton: an open cluster platform (store, orchestrator, network, registry)"};
  app.require_subcommand(1);
  int exit_code = 0;
  craton::cmd::add_sim_command(app, exit_code);
  craton::cmd::add_node_command(app, exit_code);
  craton::cmd::add_bench_command(app, exit_code);
  craton::cmd::add_check_command(app, exit_code);
  craton::cmd::add_store_command(app, exit_code);
  craton::cmd::add_kv_command(app, exit_code);
  craton::cmd::add_lease_command(app, exit_code);
  craton::cmd::add_certs_command(app, exit_code);
  craton::cmd::add_server_command(app, exit_code);
  craton::cmd::add_up_command(app, exit_code);
  craton::cmd::add_controller_manager_command(app, exit_code);
  craton::cmd::add_scheduler_command(app, exit_code);
  craton::cmd::add_image_command(app, exit_code);
  craton::cmd::add_agent_command(app, exit_code);
  craton::cmd::add_research_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Every usage error is one line and exit code 2, whatever CLI11's own code would be.
    std::cerr << "craton: " << e.what() << " (see craton --help)\n";
    return 2;
  }
  return exit_code;
}
