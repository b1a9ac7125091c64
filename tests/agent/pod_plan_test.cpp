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
  json cm = container("app");
  cm["envFrom"] = json::array({{{"configMapRef", {{"name", "x"}}}}});
  BOOST_TEST(error_of(cm).code == "unsupported");
  json quantity = container("app");
  quantity["resources"]["limits"]["memory"] = "lots";
  auto plan = plan_of(pod_json("bad", json::array({quantity})));
  // The API refuses malformed quantities itself; either way nothing half-planned comes out.
  BOOST_TEST(!plan.ok());
}
