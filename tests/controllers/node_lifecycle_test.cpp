// The node lifecycle controller, run by the controller manager against a real API service in one
// thread (controllers_world.hpp): each rule of issue 12 it carries, checked by what ends up
// stored. Node agents do not exist yet (issue 14): the tests renew the nodes' Leases themselves.
#define BOOST_TEST_MODULE controllers_node_lifecycle
#include <boost/test/unit_test.hpp>

#include "actors/api/client/kube_time.hpp"
#include "actors/controllers/nodelifecycle/node_lifecycle_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kNodes = "/api/v1/nodes";
const std::string kPods = "/api/v1/namespaces/default/pods";
const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
constexpr std::int64_t kWallBase_s = 1'800'000'000;

json node(const std::string& name, const std::string& ready = "True",
          const std::string& zone = "") {
  json n = {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}}},
            {"status",
             {{"conditions",
               {{{"type", "Ready"}, {"status", ready}, {"reason", "KubeletReady"}},
                {{"type", "MemoryPressure"}, {"status", "False"}},
                {{"type", "DiskPressure"}, {"status", "False"}},
                {{"type", "PIDPressure"}, {"status", "False"}}}}}}};
  if (!zone.empty()) n["metadata"]["labels"] = {{"topology.kubernetes.io/zone", zone}};
  return n;
}

// renewTime on the node's own clock: the controller must not compare it with its own.
std::string lease_time(int i) {
  return api::kube_micro_time((946'684'800LL + i) * 1000);
}

json lease(const std::string& name, const std::string& renew) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}}},
          {"spec", {{"holderIdentity", name}, {"renewTime", renew}}}};
}

json pod(const std::string& name, const std::string& node_name, json tolerations = json::array()) {
  json spec = {{"nodeName", node_name}, {"containers", {{{"name", "c"}, {"image", "app:1"}}}}};
  if (!tolerations.empty()) spec["tolerations"] = tolerations;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

json toleration(const std::string& key, std::optional<std::int64_t> seconds = std::nullopt) {
  json t = {{"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}};
  if (seconds) t["tolerationSeconds"] = *seconds;
  return t;
}

struct Manager : World {
  explicit Manager(NodeLifecycleConfig config = {}) {
    config.wall_clock_base_s = kWallBase_s;
    api.call("POST", "/api/v1/namespaces",
             R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-node-lease"}})");
    manager.add(node_lifecycle_controller(config));
    manager.set_acting(true);
    run();
  }
  // A node as its agent registers it: created, then its status posted (a create drops it).
  void post_node(const json& n) {
    auto stored = post(kNodes, n);
    stored["status"] = n["status"];
    auto path = kNodes + "/" + n["metadata"]["name"].get<std::string>() + "/status";
    auto r = api.call("PUT", path, stored.dump());
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }
  void add_node(const json& n, const std::string& lease_namespace_path = kLeases) {
    post_node(n);
    post(lease_namespace_path, lease(n["metadata"]["name"], lease_time(0)));
    run();
  }
  void renew(const std::string& name, int i, const std::string& path = kLeases) {
    patch(path + "/" + name, {{"spec", {{"renewTime", lease_time(i)}}}});
    run();
  }
  void advance(std::int64_t ms) {
    now_ms += ms;
    run();
  }
  json condition(const std::string& name, const std::string& type) {
    auto n = get(kNodes + "/" + name);  // kept: a range over a temporary's member dangles
    for (const auto& c : n["status"]["conditions"])
      if (c["type"] == type) return c;
    return json();
  }
  // "key:effect" of every taint of the node.
  std::set<std::string> taints(const std::string& name) {
    std::set<std::string> out;
    auto spec = get(kNodes + "/" + name).value("spec", json::object());
    for (const auto& t : spec.value("taints", json::array()))
      out.insert(t["key"].get<std::string>() + ":" + t["effect"].get<std::string>());
    return out;
  }
  bool evicted(const std::string& name) {
    auto r = api.call("GET", kPods + "/" + name);
    if (r.status == 404) return true;
    return json::parse(r.body)["metadata"].contains("deletionTimestamp");
  }
};

const std::set<std::string> kUnreachable = {"node.kubernetes.io/unreachable:NoSchedule",
                                            "node.kubernetes.io/unreachable:NoExecute"};
const std::set<std::string> kNotReady = {"node.kubernetes.io/not-ready:NoSchedule",
                                         "node.kubernetes.io/not-ready:NoExecute"};

}  // namespace

BOOST_AUTO_TEST_CASE(a_node_silent_for_the_grace_period_becomes_unknown_and_unreachable) {
  Manager w;
  w.add_node(node("n1"));
  w.advance(39'000);
  BOOST_TEST(w.condition("n1", "Ready")["status"] == "True");
  BOOST_TEST(w.taints("n1").empty());
  w.advance(2'000);
  for (auto type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    auto c = w.condition("n1", type);
    BOOST_TEST(c["status"] == "Unknown", type);
    BOOST_TEST(c["reason"] == "NodeStatusUnknown");
    BOOST_TEST(c["message"] == "Kubelet stopped posting node status.");
  }
  BOOST_TEST(w.taints("n1") == kUnreachable);
  auto n1 = w.get(kNodes + "/n1");
  for (const auto& t : n1["spec"]["taints"]) {
    if (t["effect"] != "NoExecute") continue;
    auto added = api::parse_rfc3339(t["timeAdded"]);
    BOOST_REQUIRE(added);
    BOOST_TEST(std::abs(*added - (kWallBase_s + w.now_ms / 1000)) <= 1);
  }
  bool status_write = false;
  for (const auto& c : w.calls)
    status_write = status_write || (c.resource == "nodes" && c.subresource == "status");
  BOOST_TEST(status_write);
}

BOOST_AUTO_TEST_CASE(a_node_that_never_posted_ready_gets_the_startup_grace_period) {
  Manager w;
  auto created = w.post(kNodes, {{"apiVersion", "v1"},
                                 {"kind", "Node"},
                                 {"metadata", {{"name", "n1"}}}})["metadata"]["creationTimestamp"];
  w.post(kLeases, lease("n1", lease_time(0)));
  w.run();
  w.advance(59'000);
  BOOST_TEST(w.condition("n1", "Ready").is_null());
  BOOST_TEST(w.taints("n1").empty());
  w.advance(2'000);
  for (auto type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    auto c = w.condition("n1", type);
    BOOST_TEST(c["status"] == "Unknown", type);
    BOOST_TEST(c["reason"] == "NodeStatusNeverUpdated");
    BOOST_TEST(c["message"] == "Kubelet never posted node status.");
    BOOST_TEST(c["lastHeartbeatTime"] == created);
  }
  BOOST_TEST(w.taints("n1") == kUnreachable);
}

BOOST_AUTO_TEST_CASE(renewals_count_when_the_controller_sees_them_whatever_the_lease_clock_says) {
  Manager w;
  w.add_node(node("old-clock"));  // renews with times from 2000: alive
  w.post_node(node("future-clock"));
  w.post(kLeases, lease("future-clock", api::kube_micro_time((kWallBase_s + 3600) * 1000)));
  w.run();
  for (int i = 1; i <= 4; ++i) {
    w.advance(30'000);
    w.renew("old-clock", i);
  }
  BOOST_TEST(w.condition("old-clock", "Ready")["status"] == "True");
  BOOST_TEST(w.taints("old-clock").empty());
  BOOST_TEST(w.condition("future-clock", "Ready")["status"] == "Unknown");
  BOOST_TEST(w.taints("future-clock") == kUnreachable);
}

BOOST_AUTO_TEST_CASE(leases_outside_kube_node_lease_are_not_heartbeats) {
  Manager w;
  const std::string elsewhere = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
  w.add_node(node("n1"), elsewhere);
  for (int i = 1; i <= 3; ++i) {
    w.advance(20'000);
    w.renew("n1", i, elsewhere);
  }
  BOOST_TEST(w.condition("n1", "Ready")["status"] == "Unknown");
}

BOOST_AUTO_TEST_CASE(a_node_that_renews_again_loses_the_taints_and_its_ready_is_left_to_its_agent) {
  Manager w;
  w.add_node(node("n1"));
  w.advance(41'000);
  BOOST_REQUIRE(w.taints("n1") == kUnreachable);
  w.renew("n1", 1);
  BOOST_TEST(w.taints("n1").empty());
  BOOST_TEST(w.condition("n1", "Ready")["status"] == "Unknown");  // the agent's to set
  w.advance(30'000);
  BOOST_TEST(w.taints("n1").empty());
}

BOOST_AUTO_TEST_CASE(a_node_with_ready_false_gets_the_not_ready_taints_until_it_is_ready) {
  Manager w;
  w.add_node(node("n1", "False"));
  BOOST_TEST(w.taints("n1") == kNotReady);
  auto n = w.get(kNodes + "/n1");
  n["status"]["conditions"][0]["status"] = "True";
  auto r = w.api.call("PUT", kNodes + "/n1/status", n.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  w.run();
  BOOST_TEST(w.taints("n1").empty());
}

BOOST_AUTO_TEST_CASE(a_pod_not_tolerating_a_no_execute_taint_is_evicted_at_once) {
  Manager w;
  w.add_node(node("n1"));
  w.post(kPods, pod("plain", "n1"));
  w.post(kPods, pod("tolerant", "n1", {toleration("example.com/maintenance")}));
  w.post(kPods, pod("elsewhere", "n2"));
  w.run();
  w.patch(
      kNodes + "/n1",
      {{"spec", {{"taints", {{{"key", "example.com/maintenance"}, {"effect", "NoExecute"}}}}}}});
  w.run();
  BOOST_TEST(w.evicted("plain"));
  BOOST_TEST(!w.evicted("tolerant"));
  BOOST_TEST(!w.evicted("elsewhere"));
}

BOOST_AUTO_TEST_CASE(a_tolerating_pod_is_evicted_its_toleration_seconds_after_the_taint_was_added) {
  Manager w;
  w.add_node(node("n1"));
  w.post(kPods, pod("defaulted", "n1"));  // admission: 300 s for not-ready and unreachable
  w.post(kPods, pod("minute", "n1", {toleration("node.kubernetes.io/unreachable", 60)}));
  w.post(kPods, pod("forever", "n1", {toleration("node.kubernetes.io/unreachable")}));
  w.run();
  w.advance(41'000);
  BOOST_REQUIRE(w.taints("n1") == kUnreachable);
  BOOST_TEST(!w.evicted("minute"));
  w.advance(58'000);
  BOOST_TEST(!w.evicted("minute"));
  w.advance(2'000);
  BOOST_TEST(w.evicted("minute"));
  BOOST_TEST(!w.evicted("defaulted"));
  w.advance(238'000);
  BOOST_TEST(!w.evicted("defaulted"));
  w.advance(2'000);
  BOOST_TEST(w.evicted("defaulted"));
  w.advance(600'000);
  BOOST_TEST(!w.evicted("forever"));
}

BOOST_AUTO_TEST_CASE(nodes_are_tainted_no_execute_at_the_eviction_rate_of_their_zone) {
  Manager w;  // 0.1 per second per zone: one node every 10 s
  for (auto name : {"a1", "a2", "a3"}) w.add_node(node(name, "True", "zone-a"));
  w.add_node(node("b1", "True", "zone-b"));
  auto no_execute = [&](std::vector<std::string> names) {
    int n = 0;
    for (const auto& name : names)
      n += w.taints(name).count("node.kubernetes.io/unreachable:NoExecute");
    return n;
  };
  w.advance(41'000);
  BOOST_TEST(no_execute({"a1", "a2", "a3"}) == 1);
  BOOST_TEST(no_execute({"b1"}) == 1);
  for (auto name : {"a1", "a2", "a3"})
    BOOST_TEST(w.taints(name).count("node.kubernetes.io/unreachable:NoSchedule") == 1u);
  w.advance(9'000);
  BOOST_TEST(no_execute({"a1", "a2", "a3"}) == 1);
  w.advance(1'500);
  BOOST_TEST(no_execute({"a1", "a2", "a3"}) == 2);
  w.advance(10'000);
  BOOST_TEST(no_execute({"a1", "a2", "a3"}) == 3);
}

BOOST_AUTO_TEST_CASE(swapping_not_ready_for_unreachable_takes_no_token_of_the_zone) {
  Manager w;
  w.add_node(node("a1", "False", "zone-a"));  // not-ready NoExecute: the zone's token
  w.add_node(node("a2", "True", "zone-a"));
  BOOST_REQUIRE(w.taints("a1") == kNotReady);
  w.advance(41'000);  // both silent: a2's new taint takes the token, a1's swap needs none
  BOOST_TEST(w.taints("a1") == kUnreachable);
  BOOST_TEST(w.taints("a2") == kUnreachable);
}

BOOST_AUTO_TEST_CASE(a_pod_asked_to_go_is_not_asked_again_before_its_deletion_is_seen) {
  Manager w;
  w.add_node(node("n1"));
  w.post(kPods, pod("plain", "n1"));
  w.run();
  w.held.insert("pods");  // a slow pod informer: the deletion is not seen yet
  w.patch(
      kNodes + "/n1",
      {{"spec", {{"taints", {{{"key", "example.com/maintenance"}, {"effect", "NoExecute"}}}}}}});
  w.run();
  for (int i = 0; i < 3; ++i) {  // the node changes, so it is synced again
    w.patch(kNodes + "/n1", {{"metadata", {{"labels", {{"round", std::to_string(i)}}}}}});
    w.advance(1'000);
  }
  auto deletes = std::count_if(w.calls.begin(), w.calls.end(), [](const api::ApiCall& c) {
    return c.resource == "pods" && c.verb == api::ApiVerb::remove;
  });
  BOOST_TEST(deletes == 1);
  BOOST_TEST(w.evicted("plain"));
}
