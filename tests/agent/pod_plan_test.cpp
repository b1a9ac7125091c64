// plan_pod() (actors/agent/core/pod_plan.hpp): a Pod decoded by the API's converter into the
// agent's plan, with Kubernetes' defaults, and the clear errors for what cannot run.
#define BOOST_TEST_MODULE agent_pod_plan
#include <boost/test/unit_test.hpp>

#include "tests/agent/pod_sync_harness.hpp"

using namespace craton::agent;
using namespace craton::agent::testing;

namespace {

craton::Result<PodPlan> plan_of(const json& pod) {
  return plan_pod(informer_object(pod).as<craton::schema::k8s::Pod>(), PlanLimits{});
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_pod_becomes_a_plan_with_kubernetes_defaults) {
  json app = container("app", {"serve", "--port=8080"});
  app["command"] = json::array({"/bin/httpd"});
  app["workingDir"] = "/srv";
  app["env"] = json::array(
      {{{"name", "MODE"}, {"value", "prod"}},
       {{"name", "POD"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}});
  app["resources"] = {{"requests", {{"cpu", "250m"}, {"memory", "64Mi"}}},
                      {"limits", {{"cpu", "1"}, {"memory", "128Mi"}}}};
  app["ports"] = json::array({{{"name", "http"}, {"containerPort", 8080}}});
  app["livenessProbe"] = {{"httpGet", {{"port", "http"}}}};
  app["readinessProbe"] = {{"tcpSocket", {{"port", 8080}}},
                           {"periodSeconds", 3},
                           {"timeoutSeconds", 2},
                           {"successThreshold", 2},
                           {"initialDelaySeconds", 5}};
  app["lifecycle"]["preStop"]["exec"]["command"] = json::array({"/bin/drain"});
  app["volumeMounts"] = json::array({{{"name", "scratch"}, {"mountPath", "/tmp/s"}},
                                     {{"name", "conf"}, {"mountPath", "/etc/app"}}});
  app["securityContext"] = {{"runAsUser", 1000}};
  json spec{{"restartPolicy", "OnFailure"},
            {"terminationGracePeriodSeconds", 5},
            {"securityContext", {{"runAsUser", 7}, {"runAsGroup", 8}}},
            {"initContainers", json::array({container("init", {"exit", "0"})})},
            {"volumes", json::array({{{"name", "scratch"}, {"emptyDir", json::object()}},
                                     {{"name", "conf"}, {"configMap", {{"name", "app-conf"}}}}})}};
  auto plan = plan_of(pod_json("web", json::array({app}), spec));
  BOOST_REQUIRE_MESSAGE(plan.ok(), (plan.ok() ? "" : plan.error().message));
  BOOST_TEST(plan->uid == "uid-web");
  BOOST_TEST(plan->pod_namespace == "default");
  BOOST_TEST(plan->hostname == "web");
  BOOST_TEST(plan->node_name == "node-a");
  BOOST_TEST((plan->restart_policy == RestartPolicy::on_failure));
  BOOST_TEST(plan->grace_period_ms == 5000);
  BOOST_TEST(!plan->deletion_ms.has_value());
  BOOST_REQUIRE(plan->init_containers.size() == 1u);
  BOOST_REQUIRE(plan->containers.size() == 1u);
  const ContainerPlan& c = plan->containers[0];
  BOOST_TEST(c.spec.command == (std::vector<std::string>{"/bin/httpd"}),
             boost::test_tools::per_element());
  BOOST_TEST(c.spec.args == (std::vector<std::string>{"serve", "--port=8080"}),
             boost::test_tools::per_element());
  BOOST_TEST(c.spec.working_dir == "/srv");
  BOOST_REQUIRE(c.spec.env.size() == 2u);
  BOOST_TEST(c.spec.env[1].second == "web");
  BOOST_TEST(c.spec.resources.cpu_request_milli == 250);
  BOOST_TEST(c.spec.resources.cpu_limit_milli == 1000);
  BOOST_TEST(c.spec.resources.memory_limit_bytes == 128 * 1024 * 1024);
  BOOST_TEST(*c.spec.run_as_user == 1000);  // the container's wins over the pod's
  BOOST_TEST(*c.spec.run_as_group == 8);
  BOOST_REQUIRE(c.liveness.has_value());
  BOOST_TEST((c.liveness->action.type == ProbeAction::Type::http));
  BOOST_TEST(c.liveness->action.http.port == 8080);  // the named port
  BOOST_TEST(c.liveness->action.http.path == "/");
  BOOST_TEST(c.liveness->period_ms == 10'000);
  BOOST_TEST(c.liveness->timeout_ms == 1'000);
  BOOST_TEST(c.liveness->failure_threshold == 3);
  BOOST_REQUIRE(c.readiness.has_value());
  BOOST_TEST(c.readiness->period_ms == 3'000);
  BOOST_TEST(c.readiness->action.tcp.timeout_ms == 2'000);
  BOOST_TEST(c.readiness->success_threshold == 2);
  BOOST_TEST(c.readiness->initial_delay_ms == 5'000);
  BOOST_TEST(!c.startup.has_value());
  BOOST_REQUIRE(c.pre_stop.has_value());
  BOOST_TEST(c.pre_stop->command == (std::vector<std::string>{"/bin/drain"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(c.spec.mounts.size() == 2u);
  BOOST_TEST(c.spec.mounts[0].source == "/var/lib/craton/pods/uid-web/volumes/scratch");
  BOOST_TEST(!c.spec.mounts[0].read_only);
  BOOST_TEST(c.spec.mounts[1].read_only);  // configMaps are mounted read-only
  BOOST_TEST(plan->volumes[1].source_name == "app-conf");
}

BOOST_AUTO_TEST_CASE(deletion_fields_are_read) {
  json pod = pod_json("web", json::array({container("app")}));
  pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:00:30Z";
  pod["metadata"]["deletionGracePeriodSeconds"] = 0;
  auto plan = plan_of(pod);
  BOOST_REQUIRE(plan.ok());
  BOOST_TEST(*plan->deletion_ms == kStartMs + 30'000);
  BOOST_TEST(*plan->deletion_grace_ms == 0);
  BOOST_TEST(plan->grace_period_ms == 30'000);  // the default
}

BOOST_AUTO_TEST_CASE(what_cannot_run_is_a_clear_error) {
  auto error_of = [](json c, json spec = json::object()) {
    auto plan = plan_of(pod_json("bad", json::array({c}), spec));
    BOOST_REQUIRE(!plan.ok());
    return plan.error();
  };
  json named = container("app");
  named["livenessProbe"] = {{"tcpSocket", {{"port", "metrics"}}}};
  BOOST_TEST(error_of(named).message.find("no container port named \"metrics\"") !=
             std::string::npos);
  json two = container("app");
  two["readinessProbe"] = {{"tcpSocket", {{"port", 1}}}, {"exec", {{"command", {"x"}}}}};
  BOOST_TEST(error_of(two).message.find("exactly one") != std::string::npos);
  json mount = container("app");
  mount["volumeMounts"] = json::array({{{"name", "nope"}, {"mountPath", "/x"}}});
  BOOST_TEST(error_of(mount).message.find("unknown volume") != std::string::npos);
  BOOST_TEST(error_of(container("app"), {{"restartPolicy", "Sometimes"}}).code == "invalid_pod");
  json resource = container("app");
  resource["env"] = json::array(
      {{{"name", "MEM"}, {"valueFrom", {{"resourceFieldRef", {{"resource", "limits.memory"}}}}}}});
  BOOST_TEST(error_of(resource).code == "unsupported");
  json both = container("app");
  both["envFrom"] =
      json::array({{{"configMapRef", {{"name", "x"}}}, {"secretRef", {{"name", "y"}}}}});
  BOOST_TEST(error_of(both).message.find("exactly one of configMapRef, secretRef") !=
             std::string::npos);
  auto volume_error = [&](json volume) {
    return error_of(container("app"), {{"volumes", json::array({volume})}}).message;
  };
  BOOST_TEST(volume_error({{"name", "h"}, {"hostPath", {{"path", "/x"}, {"type", "Fifo"}}}})
                 .find("unknown hostPath.type \"Fifo\"") != std::string::npos);
  BOOST_TEST(
      volume_error({{"name", "c"},
                    {"configMap",
                     {{"name", "x"}, {"items", json::array({{{"key", "k"}, {"path", "../k"}}})}}}})
          .find("must be relative without '..'") != std::string::npos);
  BOOST_TEST(volume_error({{"name", "c"}, {"secret", {{"secretName", "x"}, {"defaultMode", 4095}}}})
                 .find("defaultMode") != std::string::npos);
  BOOST_TEST(volume_error({{"name", "e"}, {"emptyDir", {{"medium", "HugePages"}}}})
                 .find("not supported") != std::string::npos);
  BOOST_TEST(volume_error({{"name", "c"}, {"configMap", {{"name", ""}}}}).find("name is empty") !=
             std::string::npos);
  json quantity = container("app");
  quantity["resources"]["limits"]["memory"] = "lots";
  auto plan = plan_of(pod_json("bad", json::array({quantity})));
  // The API refuses malformed quantities itself; either way nothing half-planned comes out.
  BOOST_TEST(!plan.ok());
}

BOOST_AUTO_TEST_CASE(volumes_carry_their_type_medium_items_modes_and_optional) {
  json app = container("app");
  json spec{
      {"volumes",
       json::array({{{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "64Mi"}}}},
                    {{"name", "sock"}, {"hostPath", {{"path", "/run/x.sock"}, {"type", "Socket"}}}},
                    {{"name", "conf"},
                     {"configMap",
                      {{"name", "app-conf"},
                       {"defaultMode", 0440},
                       {"optional", true},
                       {"items", json::array({{{"key", "a"}, {"path", "dir/a.txt"}, {"mode", 0600}},
                                              {{"key", "b"}, {"path", "b"}}})}}}},
                    {{"name", "creds"}, {"secret", {{"secretName", "db"}}}}})}};
  auto plan = plan_of(pod_json("web", json::array({app}), spec));
  BOOST_REQUIRE_MESSAGE(plan.ok(), (plan.ok() ? "" : plan.error().message));
  BOOST_REQUIRE(plan->volumes.size() == 4u);
  const auto& mem = plan->volumes[0];
  BOOST_TEST(mem.memory_medium);
  BOOST_TEST(mem.size_limit_bytes == 64 * 1024 * 1024);
  BOOST_TEST(mem.host_path == "/var/lib/craton/pods/uid-web/volumes/mem");
  BOOST_TEST(plan->volumes[1].host_path == "/run/x.sock");
  BOOST_TEST(plan->volumes[1].host_path_type == "Socket");
  const auto& conf = plan->volumes[2];
  BOOST_TEST(conf.default_mode == 0440);
  BOOST_TEST(conf.optional);
  BOOST_TEST(conf.source_namespace == "default");
  BOOST_REQUIRE(conf.items.size() == 2u);
  BOOST_TEST(conf.items[0].path == "dir/a.txt");
  BOOST_TEST(*conf.items[0].mode == 0600);
  BOOST_TEST(!conf.items[1].mode.has_value());
  const auto& creds = plan->volumes[3];
  BOOST_TEST((creds.kind == VolumePlan::Kind::secret));
  BOOST_TEST(creds.default_mode == 0644);
  BOOST_TEST(!creds.optional);
}

BOOST_AUTO_TEST_CASE(env_references_are_planned_in_kubernetes_order) {
  json app = container("app");
  app["envFrom"] = json::array({{{"configMapRef", {{"name", "base"}}}, {"prefix", "CFG_"}},
                                {{"secretRef", {{"name", "creds"}, {"optional", true}}}}});
  app["env"] = json::array(
      {{{"name", "A"}, {"value", "1"}},
       {{"name", "K"},
        {"valueFrom", {{"configMapKeyRef", {{"name", "cm"}, {"key", "k"}, {"optional", true}}}}}},
       {{"name", "P"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "p"}}}}}},
       {{"name", "IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}},
       {{"name", "HOST"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.hostIP"}}}}}},
       {{"name", "TIER"},
        {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.labels['tier']"}}}}}}});
  json pod = pod_json("web", json::array({app}));
  pod["metadata"]["labels"] = {{"tier", "front"}};
  auto plan = plan_of(pod);
  BOOST_REQUIRE_MESSAGE(plan.ok(), (plan.ok() ? "" : plan.error().message));
  const auto& env = plan->containers[0].env_sources;
  BOOST_REQUIRE(env.size() == 8u);
  BOOST_TEST((env[0].kind == EnvSource::Kind::config_map_all));
  BOOST_TEST(env[0].name == "CFG_");
  BOOST_TEST(env[0].source_name == "base");
  BOOST_TEST((env[1].kind == EnvSource::Kind::secret_all));
  BOOST_TEST(env[1].optional);
  BOOST_TEST((env[3].kind == EnvSource::Kind::config_map_key));
  BOOST_TEST(env[3].key == "k");
  BOOST_TEST(env[3].optional);
  BOOST_TEST((env[4].kind == EnvSource::Kind::secret_key));
  BOOST_TEST(!env[4].optional);
  BOOST_TEST((env[5].kind == EnvSource::Kind::pod_ip));
  BOOST_TEST((env[6].kind == EnvSource::Kind::host_ip));
  BOOST_TEST(env[7].value == "front");
  // What is known now is in the spec already.
  const auto& known = plan->containers[0].spec.env;
  BOOST_REQUIRE(known.size() == 2u);
  BOOST_TEST(known[1].second == "front");
}

BOOST_AUTO_TEST_CASE(resource_field_refs_divide_and_round_up_as_kube_does) {
  auto ref = [](const std::string& name, const std::string& resource, const std::string& divisor,
                const std::string& container = "") {
    json r{{"resource", resource}};
    if (!divisor.empty()) r["divisor"] = divisor;
    if (!container.empty()) r["containerName"] = container;
    return json{{"name", name}, {"valueFrom", {{"resourceFieldRef", r}}}};
  };
  json app = container("app");
  app["resources"] = {{"requests", {{"cpu", "250m"}}}, {"limits", {{"memory", "128Mi"}}}};
  app["env"] = json::array(
      {ref("MEM_MI", "limits.memory", "1Mi"), ref("CPU", "requests.cpu", ""),
       ref("CPU_M", "requests.cpu", "1m"), ref("CPU_LIMIT", "limits.cpu", "1m"),
       ref("MEM_REQ", "requests.memory", ""), ref("SIDE_MEM", "limits.memory", "1Ki", "side")});
  json side = container("side");
  side["resources"] = {{"limits", {{"memory", "1Mi"}}}};
  PlanLimits limits;
  limits.node_allocatable_cpu_milli = 4000;
  auto plan = plan_pod(
      informer_object(pod_json("r", json::array({app, side}))).as<craton::schema::k8s::Pod>(),
      limits);
  BOOST_REQUIRE_MESSAGE(plan.ok(), (plan.ok() ? "" : plan.error().message));
  std::map<std::string, std::string> env(plan->containers[0].spec.env.begin(),
                                         plan->containers[0].spec.env.end());
  BOOST_TEST(env.at("MEM_MI") == "128");
  BOOST_TEST(env.at("CPU") == "1");  // 250m rounded up to whole cores
  BOOST_TEST(env.at("CPU_M") == "250");
  BOOST_TEST(env.at("CPU_LIMIT") == "4000");     // unset: the node's allocatable
  BOOST_TEST(env.at("MEM_REQ") == "134217728");  // unset request: the limit
  BOOST_TEST(env.at("SIDE_MEM") == "1024");      // another container's
}
