// The node agent's service (actors/agent/service/agent_service.hpp) against a real API service
// in one thread (tests/api/api_world.hpp): it registers its Node with the kubelet's labels and
// status, keeps the Lease in kube-node-lease renewed, re-registers over an existing Node
// without touching what others set (labels, taints, cordon), posts its status on change and
// every minute, and hands the pods bound to its node, and only those, to the pod side.
#define BOOST_TEST_MODULE agent_node_service
#include <boost/test/unit_test.hpp>

#include "actors/agent/service/agent_service.hpp"
#include "tests/agent/sample_host_facts.hpp"
#include "tests/api/api_world.hpp"

using namespace craton;
using namespace craton::agent;
using craton::api::testing::json;

namespace {

const std::string kNodes = "/api/v1/nodes";
const std::string kLease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1";

HostFacts facts() {
  return testing::sample_host_facts();
}

// Records what reached the pod side.
struct RecordingSink final : PodSink {
  std::vector<std::string> seen;
  void pod_added(const api::InformerObject& pod, std::int64_t) override {
    seen.push_back("add " + pod.name());
  }
  void pod_updated(const api::InformerObject&, const api::InformerObject& pod,
                   std::int64_t) override {
    seen.push_back("update " + pod.name());
  }
  void pod_deleted(const api::InformerObject& pod, std::int64_t) override {
    seen.push_back("delete " + pod.name());
  }
  void tick(std::int64_t) override {}
};

struct World : api::testing::ApiWorld {
  std::unique_ptr<AgentService> service;
  RecordingSink sink;
  explicit World(NodeConfig node = {}) {
    if (node.name.empty()) node.name = "n1";
    AgentServiceConfig config;
    config.node = std::move(node);
    config.wall_clock_base_s = 1'800'000'000;
    auto made = AgentService::create(config);
    BOOST_REQUIRE(made.ok());
    service = std::move(*made);
    service->set_pod_sink(&sink);
    component = service.get();
    now_ms = 1'000;
  }
  json condition(const std::string& type) {
    auto node = get(kNodes + "/n1");  // kept: a range over a temporary's member dangles
    for (const auto& c : node["status"]["conditions"])
      if (c["type"] == type) return c;
    return json();
  }
};

json node(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
}

json pod_on(const std::string& name, const std::string& node) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}}},
          {"spec", {{"nodeName", node}, {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(nothing_is_registered_before_the_host_is_known) {
  World w;
  w.run_for(2'000);
  BOOST_TEST(!w.service->registered());
  BOOST_TEST(w.api.call("GET", kNodes + "/n1").status == 404);
}

BOOST_AUTO_TEST_CASE(registers_its_node_with_the_kubelets_labels_and_status) {
  NodeConfig config;
  config.name = "n1";
  config.pod_cidr = "10.244.1.0/24";
  config.labels = {{"example.com/rack", "r1"}};
  config.taints = {{"dedicated", "gpu", "NoSchedule"}};
  World w(config);
  w.service->set_host_facts(facts());
  w.run();
  BOOST_REQUIRE(w.service->registered());
  auto n = w.get(kNodes + "/n1");
  BOOST_TEST(n["metadata"]["labels"]["kubernetes.io/hostname"] == "n1");
  BOOST_TEST(n["metadata"]["labels"]["kubernetes.io/arch"] == "amd64");
  BOOST_TEST(n["metadata"]["labels"]["example.com/rack"] == "r1");
  BOOST_TEST(n["spec"]["podCIDR"] == "10.244.1.0/24");
  BOOST_TEST(n["spec"]["taints"][0]["key"] == "dedicated");
  BOOST_TEST(n["status"]["capacity"]["cpu"] == "2");
  BOOST_TEST(n["status"]["capacity"]["memory"] == "4Gi");
  BOOST_TEST(n["status"]["allocatable"]["memory"] == "3996Mi");
  BOOST_TEST(n["status"]["nodeInfo"]["kubeletVersion"] == "v1.32.0-craton");
  BOOST_TEST(n["status"]["addresses"][0]["address"] == "10.0.0.5");
  BOOST_TEST(w.condition("Ready")["status"] == "True");
  BOOST_TEST(w.condition("Ready")["reason"] == "KubeletReady");
  BOOST_TEST(w.condition("Ready")["lastHeartbeatTime"] == "2027-01-15T08:00:01Z");
}

// Nothing may read a node clock's zero as "the start": the simulator's clocks carry offsets of
// up to a minute either way, and a worker whose clock read -57 s registered its Node only
// when it reached 0 (cluster scenario seed 57 at 5 nodes: a minute without that worker).
BOOST_AUTO_TEST_CASE(registers_and_takes_its_lease_at_once_on_a_clock_below_zero) {
  World w;
  w.now_ms = -57'000;
  w.service->set_host_facts(facts());
  w.run();
  BOOST_TEST(w.now_ms < 0);
  BOOST_REQUIRE(w.service->registered());
  BOOST_TEST(w.get(kLease)["spec"]["holderIdentity"] == "n1");
  BOOST_TEST(w.condition("Ready")["status"] == "True");
}

BOOST_AUTO_TEST_CASE(renews_its_lease_every_ten_seconds) {
  World w;
  w.service->set_host_facts(facts());
  w.run();
  auto lease = w.get(kLease);
  BOOST_TEST(lease["spec"]["holderIdentity"] == "n1");
  BOOST_TEST(lease["spec"]["leaseDurationSeconds"] == 40);
  BOOST_TEST(lease["metadata"]["ownerReferences"][0]["kind"] == "Node");
  BOOST_TEST(lease["metadata"]["ownerReferences"][0]["uid"] == w.service->node_uid());
  auto first = lease["spec"]["renewTime"].get<std::string>();
  w.run_for(25'000);
  auto later = w.get(kLease)["spec"]["renewTime"].get<std::string>();
  BOOST_TEST(later != first);
  BOOST_TEST(w.service->lease().renewals() >= 3u);
  BOOST_TEST(w.service->lease().failures() == 0u);
}

BOOST_AUTO_TEST_CASE(re_registration_keeps_what_others_set_and_fixes_its_default_labels) {
  World w;
  auto existing = node("n1");
  existing["metadata"]["labels"] = {{"example.com/team", "a"}, {"kubernetes.io/os", "windows"}};
  existing["spec"] = {{"unschedulable", true},
                      {"taints", {{{"key", "maintenance"}, {"effect", "NoExecute"}}}}};
  auto made = w.post(kNodes, existing);
  w.service->set_host_facts(facts());
  w.run();
  BOOST_REQUIRE(w.service->registered());
  auto n = w.get(kNodes + "/n1");
  BOOST_TEST(n["metadata"]["uid"] == made["metadata"]["uid"]);  // the same Node, not a new one
  BOOST_TEST(w.service->node_uid() == made["metadata"]["uid"].get<std::string>());
  BOOST_TEST(n["metadata"]["labels"]["example.com/team"] == "a");
  BOOST_TEST(n["metadata"]["labels"]["kubernetes.io/os"] == "linux");
  BOOST_TEST(n["metadata"]["labels"]["kubernetes.io/hostname"] == "n1");
  BOOST_TEST(n["spec"]["unschedulable"] == true);
  BOOST_TEST(n["spec"]["taints"].size() == 1u);
  BOOST_TEST(n["spec"]["taints"][0]["key"] == "maintenance");
  BOOST_TEST(w.condition("Ready")["status"] == "True");
}

BOOST_AUTO_TEST_CASE(labels_added_later_survive_status_posts) {
  World w;
  w.service->set_host_facts(facts());
  w.run();
  w.patch(kNodes + "/n1", {{"metadata", {{"labels", {{"example.com/pool", "b"}}}}}});
  w.service->set_health(NodeHealth{"container runtime is down"});
  w.run_for(2'000);
  BOOST_TEST(w.condition("Ready")["status"] == "False");
  BOOST_TEST(w.get(kNodes + "/n1")["metadata"]["labels"]["example.com/pool"] == "b");
}

BOOST_AUTO_TEST_CASE(status_goes_out_on_change_at_once_and_otherwise_every_minute) {
  World w;
  w.service->set_host_facts(facts());
  w.run();
  auto posts = [&] { return w.service->counters().status_posts; };
  auto first = posts();
  BOOST_TEST(first == 1u);
  w.run_for(30'000);
  BOOST_TEST(posts() == first);  // nothing changed, under a minute
  w.service->set_health(NodeHealth{"runtime down"});
  w.run_for(500);
  BOOST_TEST(posts() == first + 1);
  BOOST_TEST(w.condition("Ready")["reason"] == "KubeletNotReady");
  auto transition = w.condition("Ready")["lastTransitionTime"];
  w.run_for(61'000);
  BOOST_TEST(posts() == first + 2);  // the minute's report
  BOOST_TEST(w.condition("Ready")["lastTransitionTime"] == transition);
  BOOST_TEST(w.condition("Ready")["lastHeartbeatTime"] != transition);
}

BOOST_AUTO_TEST_CASE(only_the_pods_bound_to_its_node_reach_the_pod_side) {
  World w;
  w.service->set_host_facts(facts());
  w.post("/api/v1/namespaces/default/pods", pod_on("mine", "n1"));
  w.post("/api/v1/namespaces/default/pods", pod_on("theirs", "n2"));
  w.run();
  BOOST_TEST(w.sink.seen == std::vector<std::string>{"add mine"}, boost::test_tools::per_element());
  BOOST_TEST(w.service->pods().cache().list().size() == 1u);
  // Bound and running: a plain DELETE only marks it; the agent's own grace-0 DELETE removes it.
  w.api.call("DELETE", "/api/v1/namespaces/default/pods/mine", R"({"gracePeriodSeconds":0})");
  w.run();
  BOOST_TEST(w.sink.seen.back().rfind("delete mine", 0) == 0u);
}
