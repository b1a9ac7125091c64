// `craton agent`: the node agent on a host, joined to the API of the `craton server`s.
//
//   craton agent --join 1=10.0.0.1:2379[,2=H:P,...] --node-name worker-1 --data /var/lib/craton
//                [--pod-cidr 10.244.1.0/24] [--labels k=v,...] [--taints k=v:NoSchedule,...]
//                [--system-reserved cpu=100m,memory=256Mi] [--kube-reserved ...]
//                [--node-ip IP] [--instance-type T] [--max-pods 110] [--driver linux|fake]
//                [--workers 16]
//
// It registers the Node (kubelet's --register-node), keeps its Lease in kube-node-lease
// renewed every 10 s and posts its status on change and every minute; --join names the
// servers as `craton server --peers` does, and the agent moves to the next when one stops
// answering. Bad flags are refused before anything starts (exit 2).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include <iostream>
#include <sstream>

#include "actors/agent/service/agent_actor.hpp"
#include "cmd/agent_runtime.hpp"
#include "cmd/commands.hpp"
#include "cmd/joined_component.hpp"
#include "cmd/wall_clock.hpp"

namespace craton::cmd {
void add_agent_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "agent", "Run the node agent on this host, joined to the API of the `craton server`s");
  auto join = std::make_shared<JoinFlags>();
  auto flags = std::make_shared<AgentFlags>();
  add_join_flags(sub, *join, "agent");
  sub->add_option("--node-name", flags->node_name, "The Node's name (default: the hostname)");
  sub->add_option("--data", flags->data_dir, "The agent's state directory (pods, logs, images)");
  sub->add_option("--pod-cidr", flags->pod_cidr, "The pods' addresses on this node (CIDR)");
  sub->add_option("--labels", flags->labels, "More labels of the Node: k=v,...");
  sub->add_option("--taints", flags->taints, "Taints to register with: k[=v]:Effect,...");
  sub->add_option("--system-reserved", flags->system_reserved,
                  "Held back for the system: cpu=100m,memory=256Mi,ephemeral-storage=1Gi");
  sub->add_option("--kube-reserved", flags->kube_reserved, "Held back for Craton itself");
  sub->add_option("--node-ip", flags->node_ip, "InternalIP (default: the default route's)");
  sub->add_option("--instance-type", flags->instance_type,
                  "node.kubernetes.io/instance-type label");
  sub->add_option("--max-pods", flags->max_pods, "Pods this node runs at most (110)");
  sub->add_option("--driver", flags->driver, "linux (run pods) or fake (simulate them)");
  sub->add_option("--port", flags->port,
                  "Where the API reads container logs (the kubelet's port, 10250; 0: any)");
  sub->add_option("--bridge", flags->bridge, "The pods' bridge with --driver linux (craton0)");
  sub->add_option("--cgroup-root", flags->cgroup_root,
                  "The pods' cgroups with --driver linux, under every hierarchy (craton)");
  sub->add_option("--workers", flags->workers,
                  "Pods whose driver calls run side by side (16; a pod's calls stay in order)");
  sub->allow_extras();
  sub->callback([sub, join, flags, &exit_code] {
    if (flags->node_name.empty()) {
      char host[256] = {};
      if (gethostname(host, sizeof host - 1) == 0) flags->node_name = host;
    }
    auto config = agent_config(*flags);
    if (!config) {
      std::cerr << "craton agent: " << config.error().message << "\n";
      exit_code = 2;
      return;
    }
    if (mkdir(flags->data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      std::cerr << "craton agent: cannot create " << flags->data_dir << "\n";
      exit_code = 2;
      return;
    }
    auto runtime = start_agent_runtime(*flags);
    if (!runtime) {
      std::cerr << "craton agent: " << runtime.error().message << "\n";
      exit_code = runtime.error().code == "invalid" ? 2 : 1;
      return;
    }
    attach_runtime(*config, *runtime);
    exit_code = run_joined("agent", *join, sub->remaining(),
                           [config = *config](NodeHost& node, std::vector<std::string> api_nodes) {
                             auto c = config;
                             c.api_nodes = std::move(api_nodes);
                             node.adopt(agent::spawn_agent(node.system(), node.context(), c));
                           });
    runtime->logs->stop();  // before the driver it reads from goes
  });
}

}  // namespace craton::cmd
