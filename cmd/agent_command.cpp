// `craton agent`: the node agent on a host, joined to the API of the `craton server`s.
//
//   craton agent --join 1=10.0.0.1:2379[,2=H:P,...] --node-name worker-1 --data /var/lib/craton
//                [--pod-cidr 10.244.1.0/24] [--labels k=v,...] [--taints k=v:NoSchedule,...]
//                [--system-reserved cpu=100m,memory=256Mi] [--kube-reserved ...]
//                [--node-ip IP] [--instance-type T] [--max-pods 110] [--driver linux|fake]
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
#include "cmd/commands.hpp"
#include "cmd/joined_component.hpp"
#include "cmd/wall_clock.hpp"

namespace craton::cmd {
namespace {

struct AgentFlags {
  std::string node_name, data_dir, pod_cidr, labels, taints, system_reserved, kube_reserved;
  std::string node_ip, instance_type;
  std::string driver = "linux";
  std::int64_t max_pods = 110;
};

Error invalid(const std::string& message) {
  return Error{"invalid", message};
}

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, by))
    if (!item.empty()) out.push_back(item);
  return out;
}

Result<std::map<std::string, std::string>> parse_labels(const std::string& text) {
  std::map<std::string, std::string> labels;
  for (const auto& item : split(text, ',')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) return invalid("--labels: \"" + item + "\" is not KEY=VALUE");
    labels[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return labels;
}

// kubelet's --register-with-taints: key[=value]:Effect, comma-separated.
Result<std::vector<agent::NodeTaint>> parse_taints(const std::string& text) {
  std::vector<agent::NodeTaint> taints;
  for (const auto& item : split(text, ',')) {
    auto colon = item.rfind(':');
    if (colon == std::string::npos)
      return invalid("--taints: \"" + item + "\" is not KEY[=VALUE]:EFFECT");
    agent::NodeTaint t;
    t.effect = item.substr(colon + 1);
    auto key_value = item.substr(0, colon);
    auto eq = key_value.find('=');
    t.key = key_value.substr(0, eq);
    if (eq != std::string::npos) t.value = key_value.substr(eq + 1);
    taints.push_back(std::move(t));
  }
  return taints;
}

Result<agent::AgentActorConfig> agent_config(const AgentFlags& flags) {
  agent::AgentActorConfig config;
  auto& node = config.service.node;
  node.name = flags.node_name;
  node.pod_cidr = flags.pod_cidr;
  node.instance_type = flags.instance_type;
  node.max_pods = flags.max_pods;
  auto labels = parse_labels(flags.labels);
  if (!labels) return labels.error();
  node.labels = std::move(*labels);
  auto taints = parse_taints(flags.taints);
  if (!taints) return taints.error();
  node.taints = std::move(*taints);
  auto system = agent::parse_reservation(flags.system_reserved);
  if (!system) return invalid("--system-reserved: " + system.error().message);
  node.system_reserved = *system;
  auto kube = agent::parse_reservation(flags.kube_reserved);
  if (!kube) return invalid("--kube-reserved: " + kube.error().message);
  node.kube_reserved = *kube;
  if (auto checked = agent::check_node_config(node); !checked) return checked.error();
  if (flags.driver != "linux" && flags.driver != "fake")
    return invalid("--driver must be linux or fake, not \"" + flags.driver + "\"");
  if (flags.data_dir.empty()) return invalid("--data is required (the agent's state directory)");
  config.host.data_dir = flags.data_dir;
  config.host.internal_ip = flags.node_ip;
  // TODO(issue 14, lead): config.make_driver from --driver (the Linux driver in
  // actors/agent/linux/, the fake one in actors/agent/fake/) once the pod side is wired.
  config.service.wall_clock_base_s = wall_clock_base_s();
  return config;
}

}  // namespace

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
    exit_code = run_joined("agent", *join, sub->remaining(),
                           [config = *config](NodeHost& node, std::vector<std::string> api_nodes) {
                             auto c = config;
                             c.api_nodes = std::move(api_nodes);
                             node.adopt(agent::spawn_agent(node.system(), node.context(), c));
                           });
  });
}

}  // namespace craton::cmd
