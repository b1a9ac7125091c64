#include "cmd/agent_runtime.hpp"

#include <boost/asio/ip/address.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "actors/agent/fake/fake_driver.hpp"
#include "actors/agent/linux/linux_driver.hpp"
#include "actors/agent/podnet/pod_network.hpp"
#include "actors/agent/volumes/pod_volumes.hpp"
#include "cmd/wall_clock.hpp"
#include "storage/images/image_store.hpp"

namespace craton::cmd {
namespace {

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

// The Linux driver and what it borrows (images, network), owned together: the driver is handed
// out through an aliasing shared_ptr, so the others live exactly as long as it does.
struct LinuxRuntime {
  images::ImageStore images;
  std::unique_ptr<agent::PodNetwork> network;
  std::unique_ptr<agent::LinuxDriver> driver;
  explicit LinuxRuntime(std::string images_root) : images(std::move(images_root)) {}
};

Result<std::shared_ptr<LinuxRuntime>> linux_driver(const AgentFlags& flags) {
  if (flags.pod_cidr.empty())
    return Error{"invalid", "--pod-cidr is required with --driver linux (the pods' addresses)"};
  auto runtime = std::make_shared<LinuxRuntime>(images::ImageStore::default_root(flags.data_dir));
  agent::PodNetworkConfig net;
  net.bridge_name = flags.bridge;
  net.pod_cidr = flags.pod_cidr;
  net.state_dir = flags.data_dir + "/network";
  auto network = agent::PodNetwork::create(net);
  if (!network) return Error{network.error().code, "pod network: " + network.error().message};
  runtime->network = std::move(*network);
  agent::LinuxDriverConfig config;
  config.state_dir = flags.data_dir + "/pods";
  config.log_dir = flags.data_dir + "/logs";
  config.cgroup_root = flags.cgroup_root;
  config.shim_command = shim_command();
  runtime->driver =
      std::make_unique<agent::LinuxDriver>(config, runtime->images, *runtime->network);
  return runtime;
}

}  // namespace

std::vector<std::string> shim_command() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto beside = self.parent_path() / "craton-shim";
    if (::access(beside.c_str(), X_OK) == 0) return {beside.string()};
  }
  return {"/proc/self/exe", "shim"};
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
  if (flags.data_dir.empty()) return invalid("--data is required (the agent's state directory)");
  config.host.data_dir = flags.data_dir;
  config.host.internal_ip = flags.node_ip;
  config.pods.sync.plan_limits.volume_root = flags.data_dir + "/volumes";
  config.service.wall_clock_base_s = wall_clock_base_s();
  if (flags.workers < 1 || flags.workers > kAgentWorkersMax)
    return invalid("--workers must be 1.." + std::to_string(kAgentWorkersMax));
  config.jobs.workers = flags.workers;
  return config;
}

Result<AgentRuntime> start_agent_runtime(const AgentFlags& flags) {
  AgentRuntime out;
  if (flags.driver == "fake") {
    out.driver = std::make_shared<agent::FakeDriver>(
        wall_clock_ms, flags.node_ip.empty() ? std::string("10.0.0.1") : flags.node_ip);
  } else if (flags.driver == "linux") {
    auto made = linux_driver(flags);
    if (!made) return made.error();
    auto runtime = std::move(*made);
    out.driver = std::shared_ptr<agent::PodDriver>(runtime, runtime->driver.get());
    out.network = std::shared_ptr<agent::PodNetwork>(runtime, runtime->network.get());
    out.sources = std::make_shared<agent::volumes::InformerVolumeSources>();
    out.volumes =
        std::make_shared<agent::volumes::PodVolumes>(flags.data_dir + "/volumes", out.sources);
  } else {
    return Error{"invalid", "--driver must be linux or fake, not \"" + flags.driver + "\""};
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(flags.listen_ip, ec);
  if (ec) return Error{"invalid", "not an IP address: '" + flags.listen_ip + "'"};
  if (flags.port < 0 || flags.port > 65535)
    return Error{"invalid", "--port must be 0..65535, not " + std::to_string(flags.port)};
  agent::ContainerLogServerOptions options;
  options.now_ms = wall_clock_ms;
  auto logs =
      agent::ContainerLogServer::start({address, std::uint16_t(flags.port)}, *out.driver, options);
  if (!logs)
    return Error{logs.error().code, "the agent's log server on " + flags.listen_ip + ":" +
                                        std::to_string(flags.port) + ": " + logs.error().message};
  out.logs = std::move(*logs);
  return out;
}

void attach_runtime(agent::AgentActorConfig& config, const AgentRuntime& runtime) {
  config.driver = runtime.driver;
  config.volume_host = runtime.volumes;
  config.service.volume_sources = runtime.sources;
  config.pods.sync.sources = runtime.sources;
  config.service.node.daemon_port = runtime.port();
}

}  // namespace craton::cmd
