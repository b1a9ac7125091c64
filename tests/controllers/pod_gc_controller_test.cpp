// The pod garbage collector (actors/controllers/podgc/), run by the controller manager against a
// real API service in one thread (controllers_world.hpp): pods bound to nodes that do not exist
// (orphaned, or Terminating on a node deleted since) are deleted with grace 0 after the
// quarantine; pods of existing nodes and unbound pods are left alone.
#define BOOST_TEST_MODULE controllers_pod_gc
#include <boost/test/unit_test.hpp>

#include "actors/controllers/podgc/pod_gc_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kNodes = "/api/v1/nodes";
const std::string kPods = "/api/v1/namespaces/default/pods";
constexpr std::int64_t kQuarantineMs = 5'000;

json pod(const std::string& name, const std::string& node_name) {
  json spec = {{"containers", {{{"name", "c"}, {"image", "app:1"}}}}};
  if (!node_name.empty()) spec["nodeName"] = node_name;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

json node(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
}

struct Manager : World {
  Manager() {
    PodGcConfig config;
    config.quarantine_ms = kQuarantineMs;
    manager.add(pod_gc_controller(config));
    manager.set_acting(true);
    run();
  }
  bool exists(const std::string& name) { return api.call("GET", kPods + "/" + name).status == 200; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(orphaned_pods_go_after_the_quarantine_others_stay) {
  Manager m;
  m.post(kNodes, node("alive"));
  m.post(kPods, pod("on-alive", "alive"));
  m.post(kPods, pod("unbound", ""));
  m.post(kPods, pod("orphan", "never-existed"));
  m.run();
  BOOST_TEST(m.exists("orphan"), "not before the quarantine is over");
  m.run_for(kQuarantineMs + 1'000);
  BOOST_TEST(!m.exists("orphan"));
  BOOST_TEST(m.exists("on-alive"));
  BOOST_TEST(m.exists("unbound"));
  // The deletion is forced (grace 0) and meant for that pod only (uid precondition).
  bool forced = false;
  for (const auto& call : m.calls)
    if (call.verb == api::ApiVerb::remove && call.name == "orphan")
      forced = json::parse(call.object)["gracePeriodSeconds"] == 0 &&
               json::parse(call.object)["preconditions"].contains("uid");
  BOOST_TEST(forced);
}

BOOST_AUTO_TEST_CASE(terminating_pods_of_a_deleted_node_are_freed) {
  Manager m;
  m.post(kNodes, node("dead"));
  m.post(kPods, pod("stuck", "dead"));
  m.run();
  // Deleted gracefully: no agent will ever finish it, it stays Terminating.
  auto marked = m.api.call("DELETE", kPods + "/stuck");
  BOOST_REQUIRE_EQUAL(marked.status, 200);
  m.run_for(kQuarantineMs * 2);
  BOOST_TEST(m.exists("stuck"), "its node still exists: its agent may come back");
  BOOST_REQUIRE_EQUAL(m.api.call("DELETE", kNodes + "/dead").status, 200);
  m.run_for(kQuarantineMs + 1'000);
  BOOST_TEST(!m.exists("stuck"));
}

BOOST_AUTO_TEST_CASE(a_node_that_appears_within_the_quarantine_keeps_its_pods) {
  Manager m;
  m.post(kPods, pod("early", "late-node"));
  m.run_for(kQuarantineMs / 2);
  m.post(kNodes, node("late-node"));
  m.run_for(kQuarantineMs * 2);
  BOOST_TEST(m.exists("early"));
}
