// The DaemonSet controller, run by the controller manager against a real API service in one
// thread (controllers_world.hpp): each rule of issue 12 it carries, checked by what ends up
// stored.
#define BOOST_TEST_MODULE controllers_daemonset
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "actors/api/client/kube_time.hpp"
#include "actors/controllers/daemon/daemonset_controller.hpp"
#include "tests/controllers/controllers_world.hpp"

using namespace craton;
using namespace craton::controllers;
using craton::controllers::testing::json;
using craton::controllers::testing::World;

namespace {

const std::string kSets = "/apis/apps/v1/namespaces/default/daemonsets";
const std::string kPods = "/api/v1/namespaces/default/pods";
const std::string kNodes = "/api/v1/nodes";

json daemon_set(const std::string& name, json pod_spec = json::object(),
                json strategy = json::object()) {
  pod_spec["containers"] = {{{"name", "c"}, {"image", "agent:1"}}};
  json spec = {{"selector", {{"matchLabels", {{"app", name}}}}},
               {"template", {{"metadata", {{"labels", {{"app", name}}}}}, {"spec", pod_spec}}}};
  if (!strategy.empty()) spec["updateStrategy"] = strategy;
  return {{"apiVersion", "apps/v1"},
          {"kind", "DaemonSet"},
          {"metadata", {{"name", name}}},
          {"spec", spec}};
}

json node(const std::string& name, json labels = json::object(), json taints = json::array()) {
  json n = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
  if (!labels.empty()) n["metadata"]["labels"] = labels;
  if (!taints.empty()) n["spec"] = {{"taints", taints}};
  return n;
}

json taint(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"effect", effect}};
}

// The node a daemon pod is pinned to by its required node affinity.
std::string pinned_node(const json& pod) {
  const auto& terms = pod["spec"]["affinity"]["nodeAffinity"]
                         ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
  BOOST_REQUIRE_EQUAL(terms.size(), 1u);
  const auto& field = terms[0]["matchFields"][0];
  BOOST_REQUIRE(field["key"] == "metadata.name" && field["operator"] == "In");
  return field["values"][0];
}

std::vector<json> pods_of(World& w, const std::string& app) {
  std::vector<json> out;
  for (const auto& p : w.list(kPods))
    if (p["metadata"]["labels"].value("app", "") == app) out.push_back(p);
  return out;
}

std::multiset<std::string> nodes_of(World& w, const std::string& app) {
  std::multiset<std::string> out;
  for (const auto& p : pods_of(w, app)) out.insert(pinned_node(p));
  return out;
}

struct Manager : World {
  Manager() {
    manager.add(daemonset_controller(DaemonSetConfig{250, 1'800'000'000}));
    manager.set_acting(true);
    run();
  }
};

void make_ready(World& w, const std::string& name) {
  auto p = w.get(kPods + "/" + name);
  p["status"] = {
      {"phase", "Running"},
      {"conditions",
       {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2027-01-15T08:00:00Z"}}}}};
  auto r = w.api.call("PUT", kPods + "/" + name + "/status", p.dump());
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
}

void make_all_ready(World& w, const std::string& app) {
  for (const auto& p : pods_of(w, app))
    if (!p.contains("status") || p["status"].value("phase", "") != "Running")
      make_ready(w, p["metadata"]["name"]);
  w.run();
}

std::string hash_of(const json& pod) {
  return pod["metadata"]["labels"].value("controller-revision-hash", "");
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_pod_per_node_pinned_by_node_affinity_with_the_daemon_tolerations) {
  Manager w;
  for (auto n : {"n1", "n2", "n3"}) w.post(kNodes, node(n));
  auto ds = w.post(kSets, daemon_set("agent"));
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2", "n3"}));
  for (const auto& p : pods_of(w, "agent")) {
    BOOST_TEST(p["spec"].value("nodeName", "") == "");  // the scheduler binds it
    BOOST_TEST(p["metadata"]["ownerReferences"][0]["uid"] == ds["metadata"]["uid"]);
    BOOST_TEST(hash_of(p).size() == 16u);
    std::set<std::string> tolerated;
    for (const auto& t : p["spec"]["tolerations"])
      tolerated.insert(t["key"].get<std::string>() + ":" + t.value("effect", ""));
    BOOST_TEST(tolerated.count("node.kubernetes.io/not-ready:NoExecute"));
    BOOST_TEST(tolerated.count("node.kubernetes.io/unreachable:NoExecute"));
    BOOST_TEST(tolerated.count("node.kubernetes.io/unschedulable:NoSchedule"));
    BOOST_TEST(tolerated.count("node.kubernetes.io/pid-pressure:NoSchedule"));
    BOOST_TEST(!tolerated.count("node.kubernetes.io/network-unavailable:NoSchedule"));
  }
  auto status = w.get(kSets + "/agent")["status"];
  BOOST_TEST(status["desiredNumberScheduled"] == 3);
  BOOST_TEST(status["currentNumberScheduled"] == 3);
  BOOST_TEST(status["updatedNumberScheduled"] == 3);
  BOOST_TEST(status["numberUnavailable"] == 3);
  BOOST_TEST(status.value("numberReady", 0) == 0);
  BOOST_TEST(status["observedGeneration"] == 1);
  make_all_ready(w, "agent");
  status = w.get(kSets + "/agent")["status"];
  BOOST_TEST(status["numberReady"] == 3);
  BOOST_TEST(status["numberAvailable"] == 3);
  BOOST_TEST(status.value("numberUnavailable", 0) == 0);
}

BOOST_AUTO_TEST_CASE(node_selector_and_required_node_affinity_choose_the_nodes) {
  Manager w;
  w.post(kNodes, node("a", {{"disk", "ssd"}, {"zone", "z1"}, {"cores", "8"}}));
  w.post(kNodes, node("b", {{"disk", "ssd"}, {"zone", "z2"}, {"cores", "8"}}));  // zone
  w.post(kNodes, node("c", {{"disk", "hdd"}, {"zone", "z1"}, {"cores", "8"}}));  // selector
  w.post(kNodes, node("d", {{"disk", "ssd"}, {"zone", "z1"}, {"cores", "2"}}));  // Gt
  w.post(kNodes, node("e", {{"disk", "ssd"}, {"zone", "z1"}, {"cores", "8"}, {"old", "y"}}));
  w.post(kNodes, node("f", {{"disk", "ssd"}, {"zone", "z3"}}));  // the second term, by name
  json expressions = {{{"key", "zone"}, {"operator", "In"}, {"values", {"z1"}}},
                      {{"key", "cores"}, {"operator", "Gt"}, {"values", {"4"}}},
                      {{"key", "old"}, {"operator", "DoesNotExist"}}};
  json fields = {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"f"}}}};
  json pod_spec = {{"nodeSelector", {{"disk", "ssd"}}},
                   {"affinity",
                    {{"nodeAffinity",
                      {{"requiredDuringSchedulingIgnoredDuringExecution",
                        {{"nodeSelectorTerms",
                          {{{"matchExpressions", expressions}}, {{"matchFields", fields}}}}}}}}}}};
  w.post(kSets, daemon_set("agent", pod_spec));
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"a", "f"}));
  BOOST_TEST(w.get(kSets + "/agent")["status"]["desiredNumberScheduled"] == 2);
}

BOOST_AUTO_TEST_CASE(untolerated_taints_keep_new_pods_off_and_no_execute_evicts) {
  Manager w;
  w.post(kNodes, node("plain"));
  w.post(kNodes, node("gpu", {}, {taint("gpu", "NoSchedule")}));
  w.post(kNodes, node("tolerated", {}, {taint("dedicated", "NoExecute")}));
  w.post(kNodes, node("cordoned", {}, {taint("node.kubernetes.io/unschedulable", "NoSchedule")}));
  w.post(kNodes, node("preferred", {}, {taint("soft", "PreferNoSchedule")}));
  json pod_spec = {{"tolerations", {{{"key", "dedicated"}, {"operator", "Exists"}}}}};
  w.post(kSets, daemon_set("agent", pod_spec));
  w.run();
  BOOST_TEST(nodes_of(w, "agent") ==
             (std::multiset<std::string>{"cordoned", "plain", "preferred", "tolerated"}));

  // A NoSchedule taint added later: the pod stays (misscheduled), no new pod comes.
  w.patch(kNodes + "/plain", {{"spec", {{"taints", {taint("maintenance", "NoSchedule")}}}}});
  w.run();
  BOOST_TEST(nodes_of(w, "agent").count("plain") == 1u);
  auto status = w.get(kSets + "/agent")["status"];
  BOOST_TEST(status["numberMisscheduled"] == 1);
  BOOST_TEST(status["desiredNumberScheduled"] == 3);
  // A NoExecute one: evicted.
  w.patch(kNodes + "/plain", {{"spec", {{"taints", {taint("maintenance", "NoExecute")}}}}});
  w.run();
  BOOST_TEST(nodes_of(w, "agent").count("plain") == 0u);
  BOOST_TEST(w.get(kSets + "/agent")["status"].value("numberMisscheduled", 0) == 0);
}

BOOST_AUTO_TEST_CASE(host_network_pods_also_tolerate_network_unavailable) {
  Manager w;
  w.post(kNodes, node("n", {}, {taint("node.kubernetes.io/network-unavailable", "NoSchedule")}));
  w.post(kSets, daemon_set("plain"));
  w.post(kSets, daemon_set("host", {{"hostNetwork", true}}));
  w.run();
  BOOST_TEST(pods_of(w, "plain").empty());
  BOOST_TEST(nodes_of(w, "host") == (std::multiset<std::string>{"n"}));
}

BOOST_AUTO_TEST_CASE(a_node_that_stops_matching_or_is_deleted_loses_its_pod) {
  Manager w;
  w.post(kNodes, node("n1", {{"role", "edge"}}));
  w.post(kNodes, node("n2", {{"role", "edge"}}));
  w.post(kNodes, node("n3", {{"role", "core"}}));
  w.post(kSets, daemon_set("agent", {{"nodeSelector", {{"role", "edge"}}}}));
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2"}));
  w.patch(kNodes + "/n1", {{"metadata", {{"labels", {{"role", "core"}}}}}});
  w.patch(kNodes + "/n3", {{"metadata", {{"labels", {{"role", "edge"}}}}}});
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n2", "n3"}));
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kNodes + "/n2").status, 200);
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n3"}));
  BOOST_TEST(w.get(kSets + "/agent")["status"]["currentNumberScheduled"] == 1);
}

// An orphan pod made for node `to` as the controller makes its own.
json pinned_pod(const std::string& name, const std::string& to) {
  json fields = {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {to}}}};
  json required;
  required["nodeSelectorTerms"] = json::array({{{"matchFields", fields}}});
  json p = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  p["metadata"] = {{"name", name}, {"labels", {{"app", "agent"}}}};
  p["spec"]["containers"] = json::array({{{"name", "c"}, {"image", "agent:1"}}});
  p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] =
      required;
  return p;
}

BOOST_AUTO_TEST_CASE(extra_pods_on_one_node_are_deleted_and_the_oldest_kept) {
  Manager w;
  w.post(kNodes, node("n1"));
  w.post(kNodes, node("n2"));
  w.post(kPods, pinned_pod("z-old", "n1"));  // oldest, though last by name
  w.api.clock += 5;
  w.post(kPods, pinned_pod("a-new", "n1"));
  w.api.clock += 5;
  // OnDelete: the adopted pods carry no revision hash, a rolling update would replace them.
  w.post(kSets, daemon_set("agent", json::object(), {{"type", "OnDelete"}}));  // adopts both
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2"}));
  BOOST_TEST(w.api.call("GET", kPods + "/z-old").status == 200);
  BOOST_TEST(w.api.call("GET", kPods + "/a-new").status == 404);
}

BOOST_AUTO_TEST_CASE(a_slow_pod_watch_never_causes_a_second_pod_on_a_node) {
  Manager w;
  w.post(kNodes, node("n1"));
  w.post(kNodes, node("n2"));
  w.held.insert("pods");
  w.post(kSets, daemon_set("agent"));
  w.run();
  BOOST_REQUIRE_EQUAL(pods_of(w, "agent").size(), 2u);
  w.patch(kSets + "/agent", {{"metadata", {{"labels", {{"x", "1"}}}}}});
  w.run();
  BOOST_TEST(pods_of(w, "agent").size() == 2u);  // expectations hold the second round back
  w.held.clear();
  w.run();
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2"}));
}

BOOST_AUTO_TEST_CASE(rolling_update_replaces_at_most_max_unavailable_pods_at_a_time) {
  // maxUnavailable as a count (the default, 1) and as a percentage of the 3 desired pods,
  // rounded up (50% -> 2).
  for (auto [strategy, step] : std::vector<std::pair<json, std::size_t>>{
           {json::object(), 1},
           {{{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxUnavailable", "50%"}}}}, 2}}) {
    BOOST_TEST_CONTEXT(strategy.dump()) {
      Manager w;
      for (auto n : {"n1", "n2", "n3"}) w.post(kNodes, node(n));
      w.post(kSets, daemon_set("agent", json::object(), strategy));
      w.run();
      make_all_ready(w, "agent");
      auto old_hash = hash_of(pods_of(w, "agent")[0]);
      w.patch(kSets + "/agent",
              {{"spec",
                {{"template",
                  {{"spec", {{"containers", {{{"name", "c"}, {"image", "agent:2"}}}}}}}}}}});
      w.run();
      std::size_t fresh = 0;
      for (const auto& p : pods_of(w, "agent")) fresh += hash_of(p) != old_hash ? 1 : 0;
      BOOST_TEST(fresh == step);  // the new pods are not ready: the rollout waits for them
      BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2", "n3"}));
      auto status = w.get(kSets + "/agent")["status"];
      BOOST_TEST(status["updatedNumberScheduled"] == int(step));
      BOOST_TEST(status["numberUnavailable"] == int(step));
      for (int round = 0; round < 3; ++round) make_all_ready(w, "agent");
      for (const auto& p : pods_of(w, "agent")) BOOST_TEST(hash_of(p) != old_hash);
      BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2", "n3"}));
      BOOST_TEST(w.get(kSets + "/agent")["status"]["updatedNumberScheduled"] == 3);
    }
  }
}

BOOST_AUTO_TEST_CASE(on_delete_keeps_old_pods_until_someone_deletes_them) {
  Manager w;
  for (auto n : {"n1", "n2"}) w.post(kNodes, node(n));
  w.post(kSets, daemon_set("agent", json::object(), {{"type", "OnDelete"}}));
  w.run();
  make_all_ready(w, "agent");
  auto old_hash = hash_of(pods_of(w, "agent")[0]);
  w.patch(
      kSets + "/agent",
      {{"spec",
        {{"template", {{"spec", {{"containers", {{{"name", "c"}, {"image", "agent:2"}}}}}}}}}}});
  w.run();
  for (const auto& p : pods_of(w, "agent")) BOOST_TEST(hash_of(p) == old_hash);
  BOOST_TEST(w.get(kSets + "/agent")["status"].value("updatedNumberScheduled", 0) == 0);
  std::string victim = pods_of(w, "agent")[0]["metadata"]["name"];
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kPods + "/" + victim).status, 200);
  w.run();
  std::size_t fresh = 0;
  for (const auto& p : pods_of(w, "agent")) fresh += hash_of(p) != old_hash ? 1 : 0;
  BOOST_TEST(fresh == 1u);
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2"}));
}

namespace {

// The Events recorded about the DaemonSet `name` with this reason.
std::vector<json> events_of(World& w, const std::string& name, const std::string& reason) {
  std::vector<json> out;
  for (const auto& e : w.list("/api/v1/namespaces/default/events"))
    if (e["involvedObject"]["kind"] == "DaemonSet" && e["involvedObject"]["name"] == name &&
        e["reason"] == reason)
      out.push_back(e);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(records_successful_create_and_delete_events) {
  Manager w;
  for (auto n : {"n1", "n2"}) w.post(kNodes, node(n));
  w.post(kSets, daemon_set("agent"));
  w.run();
  std::set<std::string> names, created;
  for (const auto& p : pods_of(w, "agent"))
    names.insert("Created pod: " + p["metadata"]["name"].get<std::string>());
  for (const auto& e : events_of(w, "agent", "SuccessfulCreate")) {
    BOOST_TEST(e["type"] == "Normal");
    BOOST_TEST(e["source"]["component"] == "daemonset-controller");
    created.insert(e["message"]);
  }
  BOOST_TEST(created == names);
  std::string victim;
  for (const auto& p : pods_of(w, "agent"))
    if (pinned_node(p) == "n2") victim = p["metadata"]["name"];
  BOOST_REQUIRE_EQUAL(w.api.call("DELETE", kNodes + "/n2").status, 200);
  w.run();
  auto deleted = events_of(w, "agent", "SuccessfulDelete");
  BOOST_REQUIRE_EQUAL(deleted.size(), 1u);
  BOOST_TEST(deleted[0]["message"] == "Deleted pod: " + victim);
}

namespace {

// Marks the pods of `app` not yet Running Ready as of the world's clock now (make_ready's
// fixed time would make them available at once).
void make_all_ready_now(World& w, const std::string& app) {
  auto now = api::kube_time(1'800'000'000'000 + w.now_ms);
  for (auto p : pods_of(w, app)) {
    if (p.contains("status") && p["status"].value("phase", "") == "Running") continue;
    p["status"] = {
        {"phase", "Running"},
        {"conditions", {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", now}}}}};
    std::string name = p["metadata"]["name"];
    auto r = w.api.call("PUT", kPods + "/" + name + "/status", p.dump());
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }
  w.run();
}

// Every node of `nodes` has a Ready pod of `app`.
bool every_node_ready(World& w, const std::string& app, const std::vector<std::string>& nodes) {
  std::set<std::string> ready;
  for (const auto& p : pods_of(w, app))
    for (const auto& c : p.value("status", json::object()).value("conditions", json::array()))
      if (c["type"] == "Ready" && c["status"] == "True") ready.insert(pinned_node(p));
  for (const auto& n : nodes)
    if (!ready.count(n)) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(max_surge_starts_the_new_pod_before_the_old_one_goes) {
  Manager w;
  std::vector<std::string> names = {"n1", "n2", "n3"};
  for (const auto& n : names) w.post(kNodes, node(n));
  auto ds = daemon_set(
      "agent", json::object(),
      {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}});
  ds["spec"]["minReadySeconds"] = 10;
  w.post(kSets, ds);
  w.run();
  make_all_ready_now(w, "agent");
  w.now_ms += 10'000;
  w.run();
  auto old_hash = hash_of(pods_of(w, "agent")[0]);
  std::map<std::string, std::string> old_pods;  // node -> pod
  for (const auto& p : pods_of(w, "agent")) old_pods[pinned_node(p)] = p["metadata"]["name"];
  w.patch(
      kSets + "/agent",
      {{"spec",
        {{"template", {{"spec", {{"containers", {{{"name", "c"}, {"image", "agent:2"}}}}}}}}}}});
  w.run();
  // One new pod beside the old one on the first node; no old pod is gone.
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n1", "n2", "n3"}));
  make_all_ready_now(w, "agent");  // the new pod is Ready, not yet available (minReadySeconds)
  BOOST_TEST(w.api.call("GET", kPods + "/" + old_pods["n1"]).status == 200);
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n1", "n2", "n3"}));
  w.now_ms += 10'000;
  w.run();
  // Available: the old pod on n1 goes, the next node surges.
  BOOST_TEST(w.api.call("GET", kPods + "/" + old_pods["n1"]).status == 404);
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2", "n2", "n3"}));
  for (int round = 0; round < 4; ++round) {
    BOOST_TEST(every_node_ready(w, "agent", names));  // never a node without a ready pod
    make_all_ready_now(w, "agent");
    w.now_ms += 10'000;
    w.run();
  }
  BOOST_TEST(nodes_of(w, "agent") == (std::multiset<std::string>{"n1", "n2", "n3"}));
  for (const auto& p : pods_of(w, "agent")) BOOST_TEST(hash_of(p) != old_hash);
  BOOST_TEST(w.get(kSets + "/agent")["status"]["updatedNumberScheduled"] == 3);
}

BOOST_AUTO_TEST_CASE(max_surge_requires_max_unavailable_zero) {
  Manager w;
  auto r = w.api.call("POST", kSets,
                      daemon_set("agent", json::object(),
                                 {{"type", "RollingUpdate"},
                                  {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 1}}}})
                          .dump());
  BOOST_TEST(r.status == 422);
  BOOST_TEST(r.body.find("may not be set when maxUnavailable is non-zero") != std::string::npos);
}
