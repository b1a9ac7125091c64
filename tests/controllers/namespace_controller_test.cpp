// Deleting a namespace (the API's namespace deletion and actors/controllers/namespace/), run by
// the controller manager against a real API service in one thread (controllers_world.hpp): its
// contents go through the normal graceful DELETE, so a bound, running pod is only marked
// (deletionTimestamp, its grace) and stays until its node agent deletes it with grace 0, while
// the namespace stays Terminating; then the controller's next pass removes the namespace.
#define BOOST_TEST_MODULE controllers_namespace
#include <boost/test/unit_test.hpp>

#include "actors/controllers/namespace/namespace_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kNamespace = "/api/v1/namespaces/team";
const std::string kPods = kNamespace + "/pods";
constexpr std::int64_t kRetryMs = 2'000;

json pod(const std::string& name, const std::string& node_name) {
  json spec = {{"containers", {{{"name", "c"}, {"image", "app:1"}}}},
               {"terminationGracePeriodSeconds", 30}};
  if (!node_name.empty()) spec["nodeName"] = node_name;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

struct Manager : World {
  Manager() {
    NamespaceConfig config;
    config.retry_ms = kRetryMs;
    manager.add(namespace_controller(config));
    manager.set_acting(true);
    run();
  }
  bool exists(const std::string& path) { return api.call("GET", path).status == 200; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_running_pod_is_deleted_gracefully_and_holds_its_namespace_terminating) {
  Manager m;
  m.post("/api/v1/namespaces", {{"metadata", {{"name", "team"}}}});
  m.post(kPods, pod("running", "n1"));
  m.patch(kPods + "/running/status", {{"status", {{"phase", "Running"}}}});
  m.post(kPods, pod("unbound", ""));
  m.post(kNamespace + "/configmaps", {{"metadata", {{"name", "settings"}}}});

  auto r = m.api.call("DELETE", kNamespace);
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  // What has nothing to stop goes at once; the running pod is marked as a DELETE marks it.
  BOOST_TEST(!m.exists(kNamespace + "/configmaps/settings"));
  BOOST_TEST(!m.exists(kPods + "/unbound"));
  auto running = m.get(kPods + "/running");
  BOOST_TEST(running["metadata"].contains("deletionTimestamp"));
  BOOST_TEST(running["metadata"]["deletionGracePeriodSeconds"] == 30);

  // The controller's passes neither remove the pod nor the namespace while the pod terminates.
  m.run_for(3 * kRetryMs);
  BOOST_TEST(m.exists(kPods + "/running"));
  BOOST_TEST(m.get(kNamespace)["status"]["phase"] == "Terminating");
  BOOST_TEST(m.get(kPods + "/running")["metadata"]["deletionGracePeriodSeconds"] == 30);

  // Its node agent has stopped it and deletes it with grace 0: the namespace goes next.
  r = m.api.call("DELETE", kPods + "/running", R"({"gracePeriodSeconds":0})");
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  m.run_for(2 * kRetryMs);
  BOOST_TEST(!m.exists(kNamespace));
}
