// single_host.hpp: assembling the agent's runtime and running it beside the store replica,
// the API server, the controller manager and the scheduler.
#include "cmd/single_host.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>

#include "cmd/server_parts.hpp"

namespace craton::cmd {

int run_single_host(const SingleHostFlags& flags, const std::vector<std::string>& extras,
                    const SingleHostHooks& hooks, const std::string& role) {
  auto say_error = [&role](const std::string& message) {
    std::cerr << "craton " << role << ": " << message << "\n";
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
  agent.bridge = flags.bridge;
  agent.cgroup_root = flags.cgroup_root;
  agent.workers = flags.workers;
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
  if (hooks.runtime) hooks.runtime(*runtime);
  attach_runtime(*config, *runtime);

  const std::string server =
      "http://" + http->address().to_string() + ":" + std::to_string(http->port());
  const std::string kubeconfig = flags.data + "/kubeconfig";
  std::ofstream(kubeconfig) << kubeconfig_text(server);
  if (flags.banner)
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
  auto started = hooks.started;
  auto companion =
      api_companion(*http, 3600, true, [actor_config, started](NodeHost& node) -> Status {
        node.adopt(agent::spawn_agent(node.system(), node.context(), actor_config));
        if (started) started();
        return Ok{};
      });
  int code = run_replica(store, extras, role, companion);
  runtime->logs->stop();  // before the driver it reads from goes
  return code;
}

}  // namespace craton::cmd
