// `craton scheduler`: the scheduler alone, and its explanation of one pod.
//
//   craton scheduler --join 1=127.0.0.1:2379 --insecure-loopback [--config FILE]
//     The scheduler in a process of its own, reaching the API actor of a `craton server` over a
//     link (every server runs one already; this runs more, or another configuration). Several
//     instances elect one through the Lease the configuration names (kube-system/kube-scheduler).
//   craton scheduler explain NAMESPACE/POD [--server http://127.0.0.1:6443] [--config FILE]
//     Lists the nodes and pods through the API and runs one scheduling cycle for the pod, as the
//     scheduler would now (without binding): where it would go, or kube's FailedScheduling
//     message, which plugin rejected which nodes, and every plugin's score for the best nodes.
//
// --config is a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file, as
// kube-scheduler's --config (docs/scheduler-config.md).
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "actors/api/informer/http_informer.hpp"
#include "actors/scheduler/cache/scheduler_cache.hpp"
#include "actors/scheduler/config/scheduler_config.hpp"
#include "actors/scheduler/framework/explanation.hpp"
#include "actors/scheduler/framework/object_converter.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/service/scheduler_actor.hpp"
#include "cmd/commands.hpp"
#include "cmd/joined_component.hpp"
#include "cmd/wall_clock.hpp"
#include "schemas/api_cluster.capnp.h"
#include "schemas/api_pod.capnp.h"

namespace craton::cmd {
namespace {

namespace k8s = schema::k8s;
namespace sched = scheduler;

Result<sched::SchedulerConfig> load_config(const std::string& path) {
  if (path.empty()) return sched::default_scheduler_config();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"not_found", "--config: cannot read " + path};
  std::string text(sched::kConfigBytesMax + 1, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(std::size_t(in.gcount()));
  auto config = sched::parse_scheduler_config(text);
  if (!config)
    return Error{config.error().code, "--config " + path + ": " + config.error().message};
  return config;
}

struct ExplainFlags {
  std::string pod;
  std::string server = "http://127.0.0.1:6443";
  std::string config;
};

int run_explain(const ExplainFlags& flags) {
  auto fail = [](const std::string& message, int code = 2) {
    std::cerr << "craton scheduler explain: " << message << "\n";
    return code;
  };
  auto slash = flags.pod.find('/');
  std::string ns = slash == std::string::npos ? "default" : flags.pod.substr(0, slash);
  std::string name = slash == std::string::npos ? flags.pod : flags.pod.substr(slash + 1);
  if (name.empty()) return fail("give the pod as NAMESPACE/NAME or NAME");
  const std::string prefix = "http://";
  if (flags.server.rfind(prefix, 0) != 0) return fail("--server must be http://HOST:PORT");
  auto hostport = flags.server.substr(prefix.size());
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return fail("--server must be http://HOST:PORT");
  auto config = load_config(flags.config);
  if (!config) return fail(config.error().message);

  auto informer_on = [&](const std::string& path, capnp::StructSchema schema) {
    api::HttpInformerOptions o;
    o.host = hostport.substr(0, colon);
    o.port = std::uint16_t(std::stoi(hostport.substr(colon + 1)));
    o.resource_path = path;
    o.schema = schema;
    return std::make_unique<api::HttpInformer>(o);
  };
  auto nodes = informer_on("/api/v1/nodes", capnp::Schema::from<k8s::Node>());
  auto pods = informer_on("/api/v1/pods", capnp::Schema::from<k8s::Pod>());
  nodes->start();
  pods->start();
  if (!nodes->wait_synced(std::chrono::seconds(30)) || !pods->wait_synced(std::chrono::seconds(30)))
    return fail("no answer from the API at " + flags.server, 1);

  sched::ResourceNames resources;
  sched::ObjectConverter converter(resources);
  sched::SchedulerCache cache;
  std::shared_ptr<const sched::PodInfo> target;
  nodes->read([&](const api::Informer& informer) {
    for (const auto& o : informer.cache().list())
      if (auto node = converter.node(o.as<k8s::Node>())) cache.add_node(std::move(*node));
  });
  pods->read([&](const api::Informer& informer) {
    for (const auto& o : informer.cache().list()) {
      auto pod = o.as<k8s::Pod>();
      auto phase = pod.getStatus().getPhase();
      if (phase == "Succeeded" || phase == "Failed") continue;
      auto info = converter.pod(pod);
      if (!info) continue;
      auto shared = std::make_shared<const sched::PodInfo>(std::move(*info));
      if (o.name_space() == ns && o.name() == name) target = shared;
      if (!shared->node_name.empty()) (void)cache.add_pod(shared);
    }
  });
  nodes->stop();
  pods->stop();
  if (!target) return fail("pod " + ns + "/" + name + " not found", 1);
  const auto* profile = config->profile_for(target->scheduler_name);
  if (profile == nullptr)
    return fail("pod " + ns + "/" + name + " asks for scheduler \"" + target->scheduler_name +
                    "\", which no profile of this configuration is",
                1);
  auto registry = sched::default_registry();
  auto framework = sched::Framework::create(registry, *profile, resources);
  if (!framework) return fail(framework.error().message, 1);
  sched::Snapshot snapshot;
  cache.update_snapshot(snapshot);
  // A bound pod is explained as if it were pending again, without itself on its node.
  auto pending = std::make_shared<sched::PodInfo>(*target);
  if (!pending->node_name.empty()) {
    std::cout << "pod " << ns << "/" << name << " is bound to " << pending->node_name
              << "; where it would go now:\n";
    (void)cache.remove_pod(pending->uid);
    cache.update_snapshot(snapshot);
    pending->node_name.clear();
  }
  sched::CycleState state;
  sched::CycleOptions options;
  options.explain = true;
  auto result = (*framework)->schedule(state, *pending, snapshot.nodes(), options);
  std::cout << sched::explain_cycle(*pending, result, snapshot.nodes(), **framework);
  return 0;
}

}  // namespace

void add_scheduler_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "scheduler", "Run the scheduler alone, joined to the API of a `craton server`, or explain");
  auto flags = std::make_shared<JoinFlags>();
  auto config_path = std::make_shared<std::string>();
  add_join_flags(sub, *flags, "scheduler");
  sub->add_option("--config", *config_path, "A KubeSchedulerConfiguration file");
  auto* explain = sub->add_subcommand(
      "explain", "Run one scheduling cycle for a pod and show every plugin's verdict and scores");
  auto explain_flags = std::make_shared<ExplainFlags>();
  explain->add_option("pod", explain_flags->pod, "NAMESPACE/NAME (or NAME in default)")->required();
  explain->add_option("--server", explain_flags->server, "The API server's URL");
  explain->add_option("--config", explain_flags->config, "A KubeSchedulerConfiguration file");
  explain->callback([explain_flags, &exit_code] { exit_code = run_explain(*explain_flags); });
  sub->allow_extras();
  sub->callback([sub, explain, flags, config_path, &exit_code] {
    if (explain->parsed()) return;
    auto config = load_config(*config_path);
    if (!config) {
      std::cerr << "craton scheduler: " << config.error().message << "\n";
      exit_code = 2;
      return;
    }
    sched::SchedulerServiceConfig service;
    service.scheduler = std::move(*config);
    if (auto check = sched::SchedulerService::create(service); !check) {
      std::cerr << "craton scheduler: " << check.error().message << "\n";
      exit_code = 2;
      return;
    }
    exit_code =
        run_joined("scheduler", *flags, sub->remaining(),
                   [service](NodeHost& node, std::vector<std::string> api_nodes) {
                     sched::SchedulerActorConfig config;
                     config.service = service;
                     config.api_nodes = std::move(api_nodes);
                     config.wall_clock_base_s = wall_clock_base_s();
                     node.adopt(sched::spawn_scheduler(node.system(), node.context(), config));
                   });
  });
}

}  // namespace craton::cmd
