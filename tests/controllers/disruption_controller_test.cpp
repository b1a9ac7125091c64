// The disruption controller, run by the controller manager against a real API service in one
// thread (controllers_world.hpp): each rule of kube's PodDisruptionBudget status, checked by
// what ends up stored.
#define BOOST_TEST_MODULE controllers_disruption
#include <boost/test/unit_test.hpp>

#include "actors/api/client/kube_time.hpp"
#include "actors/controllers/disruption/disruption_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kBudgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
const std::string kSets = "/apis/apps/v1/namespaces/default/replicasets";
const std::string kDeployments = "/apis/apps/v1/namespaces/default/deployments";
const std::string kPods = "/api/v1/namespaces/default/pods";
constexpr std::int64_t kBase_s = 1'800'000'000;

struct Manager : World {
  Manager() {
    manager.add(disruption_controller(DisruptionConfig{kBase_s, 120}));
    manager.set_acting(true);
    run();
  }
  json status(const std::string& name) { return get(kBudgets + "/" + name)["status"]; }
  int status_writes() {
    int n = 0;
    for (const auto& c : calls)
      n += c.resource == "poddisruptionbudgets" && c.subresource == "status";
    return n;
  }
};

json budget(const std::string& name, const json& spec_rule) {
  json spec = spec_rule;
  spec["selector"] = {{"matchLabels", {{"app", "web"}}}};
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", {{"name", name}}},
          {"spec", spec}};
}

json owner(const json& object, const std::string& kind, const std::string& api_version) {
  return json::array({{{"apiVersion", api_version},
                       {"kind", kind},
                       {"name", object["metadata"]["name"]},
                       {"uid", object["metadata"]["uid"]},
                       {"controller", true}}});
}

json template_of(const std::string& app) {
  return {{"metadata", {{"labels", {{"app", app}}}}},
          {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx"}}}}}}};
}

json replica_set(const std::string& name, int replicas, json owners = json::array()) {
  json meta = {{"name", name}};
  if (!owners.empty()) meta["ownerReferences"] = owners;
  return {{"apiVersion", "apps/v1"},
          {"kind", "ReplicaSet"},
          {"metadata", meta},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template", template_of("web")}}}};
}

// A pod labelled app=`app`, Running and Ready unless `ready` is false.
void add_pod(World& w, const std::string& name, bool ready = true, json owners = json::array(),
             const std::string& app = "web") {
  json meta = {{"name", name}, {"labels", {{"app", app}}}};
  if (!owners.empty()) meta["ownerReferences"] = owners;
  auto p = w.post(kPods, {{"apiVersion", "v1"},
                          {"kind", "Pod"},
                          {"metadata", meta},
                          {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx"}}}}}}});
  p["status"] = {{"phase", "Running"},
                 {"conditions",
                  {{{"type", "Ready"},
                    {"status", ready ? "True" : "False"},
                    {"lastTransitionTime", "2027-01-01T00:00:00Z"}}}}};
  auto r = w.api.call("PUT", kPods + "/" + name + "/status", p.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
}

json allowed_condition(const json& status) {
  for (const auto& c : status.value("conditions", json::array()))
    if (c["type"] == "DisruptionAllowed") return c;
  return json::object();
}

}  // namespace

BOOST_AUTO_TEST_CASE(min_available_as_a_number_expects_the_selected_pods) {
  Manager w;
  for (auto name : {"a", "b", "c"}) add_pod(w, name);
  add_pod(w, "other", true, json::array(), "db");  // not selected
  w.post(kBudgets, budget("web", {{"minAvailable", 2}}));
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s["expectedPods"] == 3);
  BOOST_TEST(s["desiredHealthy"] == 2);
  BOOST_TEST(s["currentHealthy"] == 3);
  BOOST_TEST(s["disruptionsAllowed"] == 1);
  BOOST_TEST(s["observedGeneration"] == 1);
  auto c = allowed_condition(s);
  BOOST_TEST(c["status"] == "True");
  BOOST_TEST(c["reason"] == "SufficientPods");
}

BOOST_AUTO_TEST_CASE(a_percentage_of_min_available_is_of_the_controllers_scale_rounded_up) {
  Manager w;
  auto rs = w.post(kSets, replica_set("web-1", 5));
  for (auto name : {"a", "b", "c"}) add_pod(w, name, true, owner(rs, "ReplicaSet", "apps/v1"));
  w.post(kBudgets, budget("web", {{"minAvailable", "50%"}}));
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s["expectedPods"] == 5);    // the ReplicaSet's replicas, not the 3 pods
  BOOST_TEST(s["desiredHealthy"] == 3);  // 2.5 rounded up
  BOOST_TEST(s["currentHealthy"] == 3);
  BOOST_TEST(s.value("disruptionsAllowed", 0) == 0);
  auto c = allowed_condition(s);
  BOOST_TEST(c["status"] == "False");
  BOOST_TEST(c["reason"] == "InsufficientPods");
}

BOOST_AUTO_TEST_CASE(max_unavailable_takes_the_scale_of_the_deployment_above_the_replica_set) {
  Manager w;
  auto d = w.post(kDeployments, {{"apiVersion", "apps/v1"},
                                 {"kind", "Deployment"},
                                 {"metadata", {{"name", "web"}}},
                                 {"spec",
                                  {{"replicas", 4},
                                   {"selector", {{"matchLabels", {{"app", "web"}}}}},
                                   {"template", template_of("web")}}}});
  auto rs = w.post(kSets, replica_set("web-1", 2, owner(d, "Deployment", "apps/v1")));
  for (auto name : {"a", "b", "c", "d"}) add_pod(w, name, true, owner(rs, "ReplicaSet", "apps/v1"));
  w.post(kBudgets, budget("web", {{"maxUnavailable", "30%"}}));
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s["expectedPods"] == 4);    // the Deployment's replicas, not the ReplicaSet's 2
  BOOST_TEST(s["desiredHealthy"] == 2);  // 4 - ceil(1.2)
  BOOST_TEST(s["disruptionsAllowed"] == 2);
}

BOOST_AUTO_TEST_CASE(pods_not_ready_or_being_deleted_are_not_healthy) {
  Manager w;
  add_pod(w, "a");
  add_pod(w, "b", false);
  add_pod(w, "c");
  w.patch(kPods + "/c", {{"metadata", {{"finalizers", {"example.com/hold"}}}}});
  auto r = w.api.call("DELETE", kPods + "/c");
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  w.post(kBudgets, budget("web", {{"minAvailable", 0}}));
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s["currentHealthy"] == 1);
  BOOST_TEST(s["disruptionsAllowed"] == 1);
}

BOOST_AUTO_TEST_CASE(an_evicted_pod_stays_out_of_the_healthy_count_until_its_entry_lapses) {
  Manager w;
  for (auto name : {"a", "b", "c"}) add_pod(w, name);
  w.post(kBudgets, budget("web", {{"minAvailable", 1}}));
  w.run();
  BOOST_REQUIRE(w.status("web")["currentHealthy"] == 3);
  // The API recorded an eviction of "a" now and of "gone" (no such pod) now.
  auto pdb = w.get(kBudgets + "/web");
  auto now = api::format_rfc3339(kBase_s + w.now_ms / 1000);
  pdb["status"]["disruptedPods"] = {{"a", now}, {"gone", now}};
  auto r = w.api.call("PUT", kBudgets + "/web/status", pdb.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s["currentHealthy"] == 2);
  BOOST_TEST(s["disruptionsAllowed"] == 1);
  BOOST_TEST(s["disruptedPods"] == json({{"a", now}}));  // the pod that is gone is dropped
  // "a" was never deleted: after 2 minutes it counts again, with nothing else changing.
  w.now_ms += 121'000;
  w.run();
  s = w.status("web");
  BOOST_TEST(s["currentHealthy"] == 3);
  BOOST_TEST(s["disruptionsAllowed"] == 2);
  BOOST_TEST(s.value("disruptedPods", json::object()).empty());
}

BOOST_AUTO_TEST_CASE(a_pod_whose_controller_is_unknown_makes_the_budget_fail_safe) {
  Manager w;
  json ghost = json::array({{{"apiVersion", "apps/v1"},
                             {"kind", "StatefulSet"},
                             {"name", "db"},
                             {"uid", "1234"},
                             {"controller", true}}});
  add_pod(w, "a", true, ghost);
  add_pod(w, "b");
  w.post(kBudgets, budget("web", {{"maxUnavailable", 1}}));
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s.value("disruptionsAllowed", 0) == 0);
  BOOST_TEST(s.value("observedGeneration", 0) == 0);  // the API calls it "still being processed"
  auto c = allowed_condition(s);
  BOOST_TEST(c["status"] == "False");
  BOOST_TEST(c["reason"] == "SyncFailed");
  BOOST_TEST(c["message"] == "found no controllers for pod \"a\"");
}

BOOST_AUTO_TEST_CASE(status_is_written_only_when_it_changes) {
  Manager w;
  for (auto name : {"a", "b"}) add_pod(w, name);
  w.post(kBudgets, budget("web", {{"minAvailable", 1}}));
  w.run();
  BOOST_REQUIRE_EQUAL(w.status_writes(), 1);
  auto since = allowed_condition(w.status("web"))["lastTransitionTime"];
  w.patch(kBudgets + "/web", {{"metadata", {{"labels", {{"x", "1"}}}}}});  // no generation bump
  w.run();
  BOOST_TEST(w.status_writes() == 1);
  add_pod(w, "c", false);  // selected, not ready: nothing changes but expectedPods
  w.run();
  BOOST_TEST(w.status_writes() == 2);
  BOOST_TEST(w.status("web")["expectedPods"] == 3);
  BOOST_TEST(allowed_condition(w.status("web"))["lastTransitionTime"] == since);
  w.patch(kBudgets + "/web", {{"metadata", {{"labels", {{"x", "2"}}}}}});
  w.run();
  BOOST_TEST(w.status_writes() == 2);
}

BOOST_AUTO_TEST_CASE(an_eviction_through_the_api_spends_the_budget_and_the_next_is_refused) {
  Manager w;
  for (auto name : {"a", "b"}) add_pod(w, name);
  w.post(kBudgets, budget("web", {{"minAvailable", 1}}));
  w.run();
  BOOST_REQUIRE(w.status("web")["disruptionsAllowed"] == 1);
  json eviction = {{"apiVersion", "policy/v1"},
                   {"kind", "Eviction"},
                   {"metadata", {{"name", "a"}, {"namespace", "default"}}}};
  auto r = w.api.call("POST", kPods + "/a/eviction", eviction.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  w.run();
  auto s = w.status("web");
  BOOST_TEST(s["currentHealthy"] == 1);
  BOOST_TEST(s.value("disruptionsAllowed", 0) == 0);
  eviction["metadata"]["name"] = "b";
  r = w.api.call("POST", kPods + "/b/eviction", eviction.dump());
  BOOST_TEST(r.status == 429);
  BOOST_TEST(r.body.find("Cannot evict pod as it would violate the pod's disruption budget.") !=
             std::string::npos);
}
