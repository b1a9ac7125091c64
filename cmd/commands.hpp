// The `craton` binary's subcommands. Each subcommand lives in its own file and adds itself to
// the CLI11 app here; main.cpp only wires them together. A subcommand's callback stores its
// exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace craton::cmd {

void add_sim_command(CLI::App& app, int& exit_code);    // cmd/sim_command.cpp
void add_node_command(CLI::App& app, int& exit_code);   // cmd/node_command.cpp
void add_bench_command(CLI::App& app, int& exit_code);  // cmd/bench_command.cpp
void add_check_command(CLI::App& app, int& exit_code);  // cmd/check_command.cpp
void add_store_command(CLI::App& app, int& exit_code);  // cmd/store_command.cpp
void add_kv_command(CLI::App& app, int& exit_code);     // cmd/kv_command.cpp
void add_lease_command(CLI::App& app, int& exit_code);  // cmd/lease_command.cpp
void add_certs_command(CLI::App& app, int& exit_code);  // cmd/certs_command.cpp
/// `craton server` and `craton kubeconfig`.
void add_server_command(CLI::App& app, int& exit_code);  // cmd/server_command.cpp
/// `craton up`: a single-host cluster in one process.
void add_up_command(CLI::App& app, int& exit_code);  // cmd/up_command.cpp
/// `craton controller-manager`.
void add_controller_manager_command(CLI::App& app,
                                    int& exit_code);  // cmd/controller_manager_command.cpp
/// `craton image import|list|remove`: the node's local image store.
void add_image_command(CLI::App& app, int& exit_code);  // cmd/image_command.cpp
/// `craton scheduler` and `craton scheduler explain`.
void add_scheduler_command(CLI::App& app, int& exit_code);  // cmd/scheduler_command.cpp
/// `craton agent`: the node agent on a host.
void add_agent_command(CLI::App& app, int& exit_code);  // cmd/agent_command.cpp
/// `craton research import|synth`: research workloads (more research tools register inside).
void add_research_command(CLI::App& app, int& exit_code);  // cmd/research_command.cpp
/// `store member ...` and `store move-leader`, added under the `store` subcommand.
void add_member_commands(CLI::App& store, int& exit_code);  // cmd/member_command.cpp
/// `craton bench store ...`, added under `craton bench` by add_bench_command.
void add_store_bench(CLI::App& bench, int& exit_code);  // cmd/bench_store_command.cpp
/// `craton bench controllers`.
void add_controllers_bench(CLI::App& bench, int& exit_code);  // cmd/bench_controllers_command.cpp
/// `craton bench scheduler`.
void add_scheduler_bench(CLI::App& bench, int& exit_code);  // cmd/bench_scheduler_command.cpp
/// `craton bench api`.
void add_api_bench(CLI::App& bench, int& exit_code);  // cmd/bench_api_command.cpp
/// `craton bench containers`.
void add_container_bench(CLI::App& bench, int& exit_code);  // cmd/bench_container_command.cpp

}  // namespace craton::cmd
