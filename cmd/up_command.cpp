// `craton up`: a whole cluster on this host in one process, with embedded defaults: one store
// replica, the API server, the controller manager, the scheduler and a node agent that runs
// pods with the Linux driver (namespaces, cgroups, overlayfs, a bridge). Data under
// ./craton-data; a kubeconfig is written there and how to use it is printed. Runs until
// SIGINT or SIGTERM; the pods' containers outlive the process (as they outlive a kubelet) and
// are adopted when it starts again. As root.
//
//   craton up [--data craton-data] [--http 127.0.0.1:6443] [--pod-cidr 10.244.0.0/24]
//             [--driver linux|fake]
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>

#include "cmd/agent_runtime.hpp"
#include "cmd/commands.hpp"
#include "cmd/server_parts.hpp"

namespace craton::cmd {
namespace {

struct UpFlags {
  std::string data = "craton-data";
  std::string http = "127.0.0.1:6443";
  std::string listen = "127.0.0.1:2380";  ///< the store replica's link (nobody else dials it)
  std::string pod_cidr = "10.244.0.0/24";
  std::string driver = "linux";
  int port = 10250;
  bool verbose = false;
};

int run_up(const UpFlags& flags, const std::vector<std::string>& extras) {
  auto say_error = [](const std::string& message) {
    std::cerr << "craton up: " << message << "\n";
  };
  auto http = http_endpoint(flags.http);
  if (!http) {
    say_error(http.error().message);
    return 2;
  }
  if (mkdir(flags.data.c_str(), 0700) != 0 && errno != EEXIST) {
    say_error("cannot create " + flags.data);
    return 1;
  }
  // The agent: this host is the only node; the API reaches its log server on loopback.
  AgentFlags agent;
  char host[256] = {};
  agent.node_name = gethostname(host, sizeof host - 1) == 0 ? host : "craton";
  agent.data_dir = flags.data + "/agent";
  agent.pod_cidr = flags.pod_cidr;
  agent.driver = flags.driver;
  agent.node_ip = "127.0.0.1";
  agent.listen_ip = "127.0.0.1";
  agent.port = flags.port;
  if (mkdir(agent.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    say_error("cannot create " + agent.data_dir);
    return 1;
  }
  auto config = agent_config(agent);
  if (!config) {
    say_error(config.error().message);
    return 2;
  }
  auto runtime = start_agent_runtime(agent);
  if (!runtime) {
    say_error(runtime.error().message);
    return 1;
  }
  attach_runtime(*config, *runtime);

  const std::string server =
      "http://" + http->address().to_string() + ":" + std::to_string(http->port());
  const std::string kubeconfig = flags.data + "/kubeconfig";
  std::ofstream(kubeconfig) << kubeconfig_text(server);
  std::cout << "Craton is starting: a store replica, the API server on " << server
            << ", the controller manager, the scheduler and node " << agent.node_name << ".\n"
            << "  export KUBECONFIG=" << kubeconfig << "\n"
            << "  kubectl get nodes\n"
            << "  craton image import DIR --root " << agent.data_dir
            << "/images   # images pods can run\n"
            << "Ctrl-C stops it; the pods' containers keep running and are adopted next time.\n"
            << std::flush;

  StoreFlags store;
  store.id = "1";
  store.data = flags.data + "/store";
  store.listen = flags.listen;
  store.verbose = flags.verbose;
  store.link.insecure_loopback = true;
  auto actor_config = *config;
  auto companion = api_companion(*http, 3600, true, [actor_config](NodeHost& node) -> Status {
    node.adopt(agent::spawn_agent(node.system(), node.context(), actor_config));
    return Ok{};
  });
  int code = run_replica(store, extras, "up", companion);
  runtime->logs->stop();  // before the driver it reads from goes
  return code;
}

}  // namespace

void add_up_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "up",
      "Run a whole single-host cluster in this process (store, API, controllers, "
      "scheduler, node agent); writes DATA/kubeconfig");
  auto flags = std::make_shared<UpFlags>();
  sub->add_option("--data", flags->data, "Where everything is kept (default ./craton-data)");
  sub->add_option("--http", flags->http, "Where kubectl connects (loopback; 127.0.0.1:6443)");
  sub->add_option("--listen", flags->listen, "The store replica's link (127.0.0.1:2380)");
  sub->add_option("--pod-cidr", flags->pod_cidr, "The pods' addresses (10.244.0.0/24)");
  sub->add_option("--driver", flags->driver, "linux (run pods) or fake (simulate them)");
  sub->add_option("--port", flags->port, "The agent's log port on loopback (10250; 0: any)");
  sub->add_flag("--verbose", flags->verbose, "Log every component's messages");
  sub->allow_extras();
  sub->callback([sub, flags, &exit_code] { exit_code = run_up(*flags, sub->remaining()); });
}

}  // namespace craton::cmd
