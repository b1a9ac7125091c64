// The scheduler's service (actors/scheduler/service/scheduler_service.hpp) against a real API
// service in one thread (tests/api/api_world.hpp): pods are bound where the default profile
// puts them, the next cycle sees the previous one's pod before its binding lands, a pod that
// fits nowhere gets kube's FailedScheduling Event and PodScheduled=False condition and is not
// tried again until a cluster event could make it fit (no busy loop), a failed binding is
// rolled back, and only the acting instance schedules; pods a Permit plugin holds (the
// Coscheduling gang example) keep their room while they wait, bind together, or time out and
// release it with kube's FailedScheduling; the Services, ReplicaSets and Namespaces the
// service lists reach the plugins (default topology spreading, namespaceSelector).
#define BOOST_TEST_MODULE scheduler_service
#include <boost/test/unit_test.hpp>

#include <set>

#include "actors/scheduler/plugins/coscheduling.hpp"
#include "actors/scheduler/plugins/gpu_share.hpp"
#include "actors/scheduler/service/scheduler_service.hpp"
#include "tests/api/api_world.hpp"

using namespace craton;
using namespace craton::scheduler;
using craton::api::testing::json;

namespace {

const std::string kNodesPath = "/api/v1/nodes";
const std::string kPodsPath = "/api/v1/namespaces/default/pods";
const std::string kEventsPath = "/api/v1/namespaces/default/events";

json node(const std::string& name, const std::string& cpu, const std::string& memory = "4Gi") {
  json capacity = {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}};
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"status", {{"capacity", capacity}, {"allocatable", capacity}}}};
}

json pod(const std::string& name, const std::string& cpu, const std::string& priority_class = "") {
  json container = {{"name", "c"},
                    {"image", "app:1"},
                    {"resources", {{"requests", {{"cpu", cpu}, {"memory", "100Mi"}}}}}};
  json spec = {{"containers", {container}}};
  if (!priority_class.empty()) spec["priorityClassName"] = priority_class;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

/// A member of pod group `group` that must run with `min_available` members.
json gang_pod(const std::string& name, const std::string& cpu, const std::string& group,
              int min_available) {
  json p = pod(name, cpu);
  p["metadata"]["labels"] = {
      {std::string(kPodGroupLabel), group},
      {std::string(kPodGroupMinAvailableLabel), std::to_string(min_available)}};
  return p;
}

/// A node of `gpus` GPUs (both GPU resources, docs/research.md), 16 CPUs, `model` labelled as
/// the Alibaba GPU importer labels it.
json gpu_node(const std::string& name, int gpus, const std::string& model) {
  json n = node(name, "16", "64Gi");
  n["metadata"]["labels"]["alibaba.com/gpu-model"] = model;
  for (auto* field : {"capacity", "allocatable"}) {
    n["status"][field]["nvidia.com/gpu"] = std::to_string(gpus);
    n["status"][field]["craton.io/gpu-milli"] = std::to_string(gpus * 1000);
  }
  return n;
}

/// A pod with a share of `milli` of one GPU.
json gpu_share_pod(const std::string& name, int milli) {
  json p = pod(name, "1");
  auto& resources = p["spec"]["containers"][0]["resources"];
  resources["requests"]["craton.io/gpu-milli"] = std::to_string(milli);
  resources["limits"]["craton.io/gpu-milli"] = std::to_string(milli);
  return p;
}

/// The default profile with GpuShare added (Filter per GPU, Reserve names the GPU).
void with_gpu_share(SchedulerServiceConfig& config) {
  config.scheduler.profiles.front().multi_point.push_back({std::string(GpuShare::kName), 0});
}

/// The default profile with the Coscheduling example at Reserve and Permit (10 s waits).
void with_coscheduling(SchedulerServiceConfig& config) {
  config.out_of_tree_plugins = {{std::string(Coscheduling::kName), make_coscheduling}};
  auto& profile = config.scheduler.profiles.front();
  profile.multi_point.push_back({std::string(Coscheduling::kName), 0});
  profile.plugin_args[std::string(Coscheduling::kName)] = CoschedulingArgs{10'000};
}

struct World : api::testing::ApiWorld {
  std::unique_ptr<SchedulerService> service;
  explicit World(bool acting = true, void (*adjust)(SchedulerServiceConfig&) = nullptr) {
    SchedulerServiceConfig config;
    config.wall_clock_base_s = 1'800'000'000;
    if (adjust) adjust(config);
    auto made = SchedulerService::create(config);
    BOOST_REQUIRE(made.ok());
    service = std::move(*made);
    component = service.get();
    service->set_acting(acting);
  }
  /// PriorityClasses "low" (10) and "high" (1000).
  void add_low_and_high_priority_classes() {
    for (auto [name, value] : {std::pair{"low", 10}, std::pair{"high", 1000}})
      post("/apis/scheduling.k8s.io/v1/priorityclasses",
           json{{"apiVersion", "scheduling.k8s.io/v1"},
                {"kind", "PriorityClass"},
                {"metadata", {{"name", name}}},
                {"value", value}});
  }
  std::string node_of(const std::string& name) {
    auto p = get(kPodsPath + "/" + name);
    return p["spec"].value("nodeName", "");
  }
  json condition(const std::string& name, const std::string& type) {
    for (const auto& c : get(kPodsPath + "/" + name)["status"].value("conditions", json::array()))
      if (c["type"] == type) return c;
    return json();
  }
  std::vector<json> events(const std::string& reason) {
    std::vector<json> out;
    for (const auto& e : list(kEventsPath))
      if (e["reason"] == reason) out.push_back(e);
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(pods_are_bound_and_each_decision_sees_the_previous_one) {
  World w;
  w.post(kNodesPath, node("n1", "1"));
  w.post(kNodesPath, node("n2", "1"));
  // Three pods of 600m on two 1-CPU nodes: the second must not land where the first was
  // assumed (its binding has not landed when the second cycle runs), the third fits nowhere.
  w.post(kPodsPath, pod("a", "600m"));
  w.post(kPodsPath, pod("b", "600m"));
  w.post(kPodsPath, pod("c", "600m"));
  w.run(100);
  auto a = w.node_of("a"), b = w.node_of("b");
  BOOST_TEST((a == "n1" || a == "n2"));
  BOOST_TEST((b == "n1" || b == "n2"));
  BOOST_TEST(a != b);
  BOOST_TEST(w.node_of("c") == "");
  BOOST_TEST(w.condition("a", "PodScheduled")["status"] == "True");
  BOOST_TEST(w.service->counters().scheduled == 2u);
  BOOST_TEST(w.service->cache().assumed_count() == 0u);  // both confirmed by the informer
  BOOST_TEST(w.events("Scheduled").size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_unschedulable_pod_is_explained_and_waits_for_a_cluster_event) {
  World w;
  w.post(kNodesPath, node("n1", "1"));
  w.post(kNodesPath, node("n2", "1"));
  w.post(kPodsPath, pod("big", "3"));
  w.run(100);
  BOOST_TEST(w.node_of("big") == "");
  auto scheduled = w.condition("big", "PodScheduled");
  BOOST_TEST(scheduled["status"] == "False");
  BOOST_TEST(scheduled["reason"] == "Unschedulable");
  const std::string message =
      "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No "
      "preemption victims found for incoming pod.";
  BOOST_TEST(scheduled["message"] == message);
  auto failed = w.events("FailedScheduling");
  BOOST_REQUIRE(failed.size() == 1u);
  BOOST_TEST(failed[0]["type"] == "Warning");
  BOOST_TEST(failed[0]["message"] == message);
  // No busy loop: minutes of nothing happening retry it only on the unschedulable timeout.
  auto attempts = w.service->counters().attempts;
  w.run_for(200'000, 1000);  // 200 s
  BOOST_TEST(w.service->counters().attempts == attempts);
  // A node it fits on arrives: it is tried again at once and bound there.
  w.post(kNodesPath, node("n3", "4"));
  w.run(100);
  BOOST_TEST(w.node_of("big") == "n3");
}

BOOST_AUTO_TEST_CASE(a_failed_binding_is_rolled_back) {
  World w;
  w.post(kNodesPath, node("n1", "1"));
  w.post(kPodsPath, pod("p", "3"));  // fits nowhere yet
  w.run(50);
  BOOST_TEST(w.service->queue().unschedulable() == 1u);
  // Someone else binds it while the scheduler's pod watch is held back; then a node it fits on
  // arrives: the scheduler places it there, and the API refuses that binding (409: already
  // assigned).
  w.held.insert("pods");
  w.post(kPodsPath + "/p/binding", json{{"apiVersion", "v1"},
                                        {"kind", "Binding"},
                                        {"metadata", {{"name", "p"}}},
                                        {"target", {{"kind", "Node"}, {"name", "n1"}}}});
  w.post(kNodesPath, node("n2", "4"));
  w.run_for(3000);  // past its back-off
  BOOST_TEST(w.service->counters().binding_failures == 1u);
  BOOST_TEST(w.service->cache().assumed_count() == 0u);  // the assume was undone
  BOOST_TEST(w.service->cache().pod_count() == 0u);
  BOOST_TEST(w.service->cache().node("n2")->requested().milli_cpu == 0);
  BOOST_TEST(w.service->queue().backoff() + w.service->queue().active() == 1u);  // retried later
  // The informer catches up: the pod is bound on n1, out of the queue, in the cache.
  w.held.erase("pods");
  w.run(50);
  BOOST_TEST(w.node_of("p") == "n1");
  BOOST_TEST(w.service->queue().active() + w.service->queue().backoff() +
                 w.service->queue().unschedulable() ==
             0u);
  BOOST_TEST(*w.service->cache().node_of(w.get(kPodsPath + "/p")["metadata"]["uid"]) == "n1");
}

// kube's handleBindingCycleError moves waiting pods as an assigned pod's deletion would: the
// room the failed binding held is free again. Without that, a pod that found no room while
// the binding was in flight waited for the 5-minute flush.
BOOST_AUTO_TEST_CASE(a_failed_binding_frees_its_room_for_pods_that_found_none) {
  World w;
  w.post(kNodesPath, node("n1", "1"));
  w.run(50);
  // The scheduler sees a, then b, then a's deletion, in one batch: a is assumed on n1 and its
  // binding sent (refused: a is gone), b finds no room beside the assumed a.
  w.held.insert("pods");
  w.post(kPodsPath, pod("a", "600m"));
  w.post(kPodsPath, pod("b", "600m"));
  BOOST_REQUIRE(w.api.call("DELETE", kPodsPath + "/a").status == 200);
  w.held.erase("pods");
  w.run(1);
  BOOST_TEST(w.service->counters().unschedulable == 1u);
  w.run_for(3000);  // b's back-off
  BOOST_TEST(w.service->counters().binding_failures == 1u);
  BOOST_TEST(w.node_of("b") == "n1");
}

BOOST_AUTO_TEST_CASE(an_instance_that_is_not_acting_binds_nothing) {
  World w(/*acting=*/false);
  w.post(kNodesPath, node("n1", "1"));
  w.post(kPodsPath, pod("p", "100m"));
  w.run(100);
  BOOST_TEST(w.node_of("p") == "");
  BOOST_TEST(w.service->counters().attempts == 0u);
  w.service->set_acting(true);
  w.run(100);
  BOOST_TEST(w.node_of("p") == "n1");
}

BOOST_AUTO_TEST_CASE(preemption_deletes_a_lower_priority_victim_and_nominates_the_node) {
  World w;
  w.post(kNodesPath, node("n1", "1"));
  w.add_low_and_high_priority_classes();
  w.post(kPodsPath, pod("low", "800m", "low"));
  w.run(100);
  BOOST_TEST(w.node_of("low") == "n1");
  w.post(kPodsPath, pod("high", "800m", "high"));
  w.run(100);
  BOOST_TEST(w.service->counters().victims == 1u);
  // Deleted gracefully: Terminating until its node agent (none here) deletes it with grace 0.
  BOOST_TEST(w.get(kPodsPath + "/low")["metadata"].contains("deletionTimestamp"));
  // Marked first, as kube's prepareCandidate does: while it terminates, DefaultPreemption's
  // eligibility check sees a preemption under way on the nominated node.
  auto target = w.condition("low", "DisruptionTarget");
  BOOST_TEST(target.value("status", "") == "True");
  BOOST_TEST(target.value("reason", "") == "PreemptionByScheduler");
  // kube's DefaultPreemption: a preemptor retried while a lower-priority pod still terminates by
  // preemption on its nominated node does not preempt again; its FailedScheduling says why.
  // A node too small for it arrives: "high" is tried again while "low" terminates.
  w.post(kNodesPath, node("n2", "500m"));
  w.run_for(20'000);
  BOOST_TEST(w.node_of("high") == "");
  BOOST_TEST(w.service->counters().victims == 1u);  // no second preemption
  const std::string message =
      "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to a "
      "terminating pod on the nominated node.";
  BOOST_TEST(w.condition("high", "PodScheduled").value("message", "") == message);
  bool recorded = false;
  for (const auto& e : w.events("FailedScheduling"))
    recorded = recorded || e.value("message", "") == message;
  BOOST_TEST(recorded);
  BOOST_REQUIRE(w.api.call("DELETE", kPodsPath + "/low", R"({"gracePeriodSeconds":0})").status ==
                200);
  // The victim's deletion is the event that brings the preemptor back; it lands on n1.
  w.run_for(20'000);
  BOOST_TEST(w.node_of("high") == "n1");
  BOOST_TEST(w.events("Preempted").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_gang_waits_on_permit_holding_its_room_and_binds_together) {
  World w(true, with_coscheduling);
  w.post(kNodesPath, node("n1", "2"));
  w.post(kNodesPath, node("n2", "2"));
  w.post(kPodsPath, gang_pod("g1", "1", "train", 3));
  w.post(kPodsPath, gang_pod("g2", "1", "train", 3));
  w.run(100);
  // Two of three: assumed (their room taken) but not bound.
  BOOST_TEST(w.service->waiting_on_permit() == 2u);
  BOOST_TEST(w.service->counters().permit_waits == 2u);
  BOOST_TEST(w.service->cache().assumed_count() == 2u);
  BOOST_TEST(w.node_of("g1") == "");
  BOOST_TEST(w.node_of("g2") == "");
  BOOST_TEST(w.service->counters().scheduled == 0u);
  // The third completes the gang: all three bind in the same pump.
  w.post(kPodsPath, gang_pod("g3", "1", "train", 3));
  w.run(100);
  BOOST_TEST(w.service->waiting_on_permit() == 0u);
  for (const char* name : {"g1", "g2", "g3"}) BOOST_TEST(w.node_of(name) != "", name);
  BOOST_TEST(w.service->counters().scheduled == 3u);
  BOOST_TEST(w.service->cache().assumed_count() == 0u);
  BOOST_TEST(w.events("FailedScheduling").empty());
}

BOOST_AUTO_TEST_CASE(a_partial_gang_times_out_and_releases_its_room) {
  World w(true, with_coscheduling);
  w.post(kNodesPath, node("n1", "2"));
  w.post(kPodsPath, gang_pod("g1", "1", "train", 3));
  w.run_for(1000);  // g1 waits from about t = 0
  w.post(kPodsPath, gang_pod("g2", "1", "train", 3));
  w.run_for(1000);  // g2 waits from about t = 1 s
  BOOST_TEST(w.service->waiting_on_permit() == 2u);
  BOOST_TEST(w.service->cache().node("n1")->requested().milli_cpu == 2000);
  // A pod outside the gang finds the room taken by the waiting pods.
  w.post(kPodsPath, pod("other", "1"));
  w.run_for(1000);
  BOOST_TEST(w.node_of("other") == "");
  BOOST_TEST(w.condition("other", "PodScheduled")["reason"] == "Unschedulable");
  BOOST_TEST(w.service->counters().permit_rejections == 0u);
  // g1 times out after 10 s; its Unreserve rejects g2 (the gang releases together); the room
  // they held is free, which brings "other" back at once.
  w.run_for(6'500);                                  // t = 9.5 s
  BOOST_TEST(w.service->waiting_on_permit() == 2u);  // not yet
  w.run_for(1'000);
  BOOST_TEST(w.service->counters().permit_rejections == 2u);
  BOOST_TEST(w.service->waiting_on_permit() == 0u);
  BOOST_TEST(w.node_of("g1") == "");
  BOOST_TEST(w.node_of("g2") == "");
  BOOST_TEST(w.node_of("other") == "n1");
  BOOST_TEST(w.service->cache().node("n1")->requested().milli_cpu == 1000);
  BOOST_TEST(w.service->cache().assumed_count() == 0u);
  auto g1 = w.condition("g1", "PodScheduled");
  BOOST_TEST(g1["status"] == "False");
  BOOST_TEST(g1["reason"] == "Unschedulable");
  BOOST_TEST(g1["message"] ==
             "0/1 nodes are available: 1 rejected due to timeout after waiting 10s at plugin "
             "Coscheduling.");
  BOOST_TEST(w.condition("g2", "PodScheduled")["message"] ==
             "0/1 nodes are available: 1 rejection in Unreserve.");
  std::set<std::string> messages;
  for (const auto& e : w.events("FailedScheduling")) messages.insert(e["message"]);
  BOOST_TEST(messages.count(g1["message"].get<std::string>()) == 1u);
  // They wait for the queue's unschedulable timeout (Coscheduling registers no event), not in
  // a loop: a minute later they have not been tried again.
  auto attempts = w.service->counters().attempts;
  w.run_for(60'000, 1000);
  BOOST_TEST(w.service->counters().attempts == attempts);
  BOOST_TEST(w.service->queue().unschedulable() == 2u);
}

BOOST_AUTO_TEST_CASE(a_waiting_pod_deleted_from_the_api_is_rejected_and_its_room_freed) {
  World w(true, with_coscheduling);
  w.post(kNodesPath, node("n1", "2"));
  w.post(kPodsPath, gang_pod("g1", "2", "pair", 2));
  w.run(100);
  BOOST_TEST(w.service->waiting_on_permit() == 1u);
  BOOST_REQUIRE(w.api.call("DELETE", kPodsPath + "/g1").status == 200);
  w.run(100);
  BOOST_TEST(w.service->waiting_on_permit() == 0u);
  BOOST_TEST(w.service->cache().assumed_count() == 0u);
  BOOST_TEST(w.service->cache().node("n1")->requested().milli_cpu == 0);
  BOOST_TEST(w.events("FailedScheduling").empty());  // a deleted pod is not explained
  BOOST_TEST(w.service->queue().active() + w.service->queue().backoff() +
                 w.service->queue().unschedulable() + w.service->queue().in_flight() ==
             0u);
  // Its room is free for the next pod.
  w.post(kPodsPath, pod("p", "2"));
  w.run(100);
  BOOST_TEST(w.node_of("p") == "n1");
}

// Pods nominated by a preemption keep their room against less important pods in the service's
// cycles too (the framework asks the queue's nominator).
BOOST_AUTO_TEST_CASE(a_nominated_preemptors_room_is_not_given_to_a_lower_priority_pod) {
  World w;
  w.post(kNodesPath, node("n1", "1"));
  w.add_low_and_high_priority_classes();
  w.post(kPodsPath, pod("victim", "800m", "low"));
  w.run(100);
  BOOST_REQUIRE(w.node_of("victim") == "n1");
  // The preemptor deletes the victim and is nominated to n1; it retries after its 1 s back-off.
  w.post(kPodsPath, pod("high", "800m", "high"));
  w.run(10);
  BOOST_TEST(w.service->counters().victims == 1u);
  BOOST_TEST(w.get(kPodsPath + "/high")["status"].value("nominatedNodeName", "") == "n1");
  // Deleted gracefully; what its node agent (none here) does once it stopped: grace 0.
  BOOST_REQUIRE(w.api.call("DELETE", kPodsPath + "/victim", R"({"gracePeriodSeconds":0})").status ==
                200);
  w.run(10);
  BOOST_TEST(w.service->cache().node("n1")->requested().milli_cpu == 0);  // victim gone
  // Meanwhile a low-priority pod that fits in the freed room alone: it must not take it.
  w.post(kPodsPath, pod("sneak", "300m", "low"));
  w.run(10);
  BOOST_TEST(w.node_of("sneak") == "");
  BOOST_TEST(w.condition("sneak", "PodScheduled")["message"] ==
             "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
             "1 No preemption victims found for incoming pod.");
  w.run_for(20'000);
  BOOST_TEST(w.node_of("high") == "n1");
  BOOST_TEST(w.node_of("sneak") == "");
}

// kube's prepareCandidate: a victim that waits on Permit is rejected ("preempted"), not
// deleted; its room, only assumed, goes to the preemptor.
BOOST_AUTO_TEST_CASE(a_victim_waiting_on_permit_is_rejected_rather_than_deleted) {
  World w(true, with_coscheduling);
  w.post(kNodesPath, node("n1", "2"));
  w.post("/apis/scheduling.k8s.io/v1/priorityclasses", json{{"apiVersion", "scheduling.k8s.io/v1"},
                                                            {"kind", "PriorityClass"},
                                                            {"metadata", {{"name", "high"}}},
                                                            {"value", 1000}});
  w.post(kPodsPath, gang_pod("g1", "2", "pair", 2));
  w.run_for(1000);
  BOOST_REQUIRE(w.service->waiting_on_permit() == 1u);
  w.post(kPodsPath, pod("high", "2", "high"));
  w.run_for(5000);
  BOOST_TEST(w.service->counters().victims == 1u);
  BOOST_TEST(w.api.call("GET", kPodsPath + "/g1").status == 200);  // still there, pending
  BOOST_TEST(w.node_of("g1") == "");
  std::set<std::string> messages;  // then retried, it finds no room: a later message
  for (const auto& e : w.events("FailedScheduling")) messages.insert(e["message"]);
  BOOST_TEST(messages.count("0/1 nodes are available: 1 preempted.") == 1u);
  BOOST_TEST(w.node_of("high") == "n1");
  BOOST_TEST(w.events("Preempted").size() == 1u);
}

namespace {

json zoned_node(const std::string& name, const std::string& zone, const std::string& cpu) {
  json n = node(name, cpu, cpu + "Gi");  // 1 CPU per Gi everywhere: balanced on every node
  n["metadata"]["labels"]["topology.kubernetes.io/zone"] = zone;
  return n;
}

enum class SpreadBy { nothing, service, replica_set };

}  // namespace

// kube's system default constraints (zone maxSkew 5, hostname maxSkew 3, ScheduleAnyway)
// apply to a pod with no constraints of its own, with the selector of the Services selecting
// it and of its controller. Zone a's two big nodes win on free room alone; the defaults, once
// something names the pods' group, send some to zone b's small node.
BOOST_AUTO_TEST_CASE(a_deployments_pods_spread_over_zones_by_the_system_defaults) {
  struct Row {
    const char* what;
    SpreadBy by;
    bool zone_b_used;
  };
  for (const Row& row : {Row{"no Service, no controller", SpreadBy::nothing, false},
                         Row{"a Service selects them", SpreadBy::service, true},
                         Row{"their ReplicaSet's selector", SpreadBy::replica_set, true}}) {
    BOOST_TEST_CONTEXT(row.what) {
      World w;
      w.post(kNodesPath, zoned_node("a1", "zone-a", "32"));
      w.post(kNodesPath, zoned_node("a2", "zone-a", "32"));
      w.post(kNodesPath, zoned_node("b1", "zone-b", "4"));
      std::string rs_uid;
      if (row.by == SpreadBy::service)
        w.post(
            "/api/v1/namespaces/default/services",
            json{{"apiVersion", "v1"},
                 {"kind", "Service"},
                 {"metadata", {{"name", "web"}}},
                 {"spec",
                  {{"selector", {{"app", "web"}}}, {"ports", json::array({json{{"port", 80}}})}}}});
      if (row.by == SpreadBy::replica_set) {
        json labels = {{"app", "web"}, {"pod-template-hash", "5d8f"}};
        json container = {{"name", "c"}, {"image", "app:1"}};
        json spec = {{"replicas", 0},
                     {"selector", {{"matchLabels", labels}}},
                     {"template",
                      {{"metadata", {{"labels", labels}}},
                       {"spec", {{"containers", json::array({container})}}}}}};
        auto rs = w.post("/apis/apps/v1/namespaces/default/replicasets",
                         json{{"apiVersion", "apps/v1"},
                              {"kind", "ReplicaSet"},
                              {"metadata", {{"name", "web-5d8f"}}},
                              {"spec", spec}});
        rs_uid = rs["metadata"].value("uid", "");
        BOOST_REQUIRE(!rs_uid.empty());
      }
      for (int i = 0; i < 6; ++i) {
        json p = pod("web-" + std::to_string(i), "500m");
        p["spec"]["containers"][0]["resources"]["requests"]["memory"] = "512Mi";
        p["metadata"]["labels"] = {{"app", "web"}, {"pod-template-hash", "5d8f"}};
        if (row.by == SpreadBy::replica_set)
          p["metadata"]["ownerReferences"] = json::array({json{{"apiVersion", "apps/v1"},
                                                               {"kind", "ReplicaSet"},
                                                               {"name", "web-5d8f"},
                                                               {"uid", rs_uid},
                                                               {"controller", true}}});
        w.post(kPodsPath, p);
      }
      w.run(200);
      int in_zone_b = 0;
      for (int i = 0; i < 6; ++i) {
        auto at = w.node_of("web-" + std::to_string(i));
        BOOST_TEST(at != "");
        if (at == "b1") ++in_zone_b;
      }
      BOOST_TEST((in_zone_b > 0) == row.zone_b_used, "pods in zone b: " << in_zone_b);
    }
  }
}

// A namespaceSelector resolves against the labels of the cluster's Namespaces: anti-affinity
// with app=db pods in namespaces labelled team=a keeps the pod off the node running team-a's
// db pod, not off the one running team-b's (n1, bigger, would win otherwise).
BOOST_AUTO_TEST_CASE(anti_affinity_with_a_namespace_selector_reads_namespace_labels) {
  struct Row {
    const char* team;
    const char* expected;
  };
  for (const Row& row : {Row{"a", "n2"}, Row{"b", "n1"}}) {
    BOOST_TEST_CONTEXT("namespaceSelector team=" << row.team) {
      World w;
      w.post(kNodesPath, node("n1", "8"));
      w.post(kNodesPath, node("n2", "2"));
      for (auto [ns, team] : {std::pair{"team-a", "a"}, std::pair{"team-b", "b"}})
        w.post("/api/v1/namespaces",
               json{{"apiVersion", "v1"},
                    {"kind", "Namespace"},
                    {"metadata", {{"name", ns}, {"labels", {{"team", team}}}}}});
      for (auto [ns, at] : {std::pair{"team-a", "n1"}, std::pair{"team-b", "n2"}}) {
        json db = pod("db", "100m");
        db["metadata"]["labels"] = {{"app", "db"}};
        db["spec"]["nodeName"] = at;
        w.post("/api/v1/namespaces/" + std::string(ns) + "/pods", db);
      }
      json term = {{"labelSelector", {{"matchLabels", {{"app", "db"}}}}},
                   {"namespaceSelector", {{"matchLabels", {{"team", row.team}}}}},
                   {"topologyKey", "kubernetes.io/hostname"}};
      json p = pod("client", "100m");
      p["spec"]["affinity"] = {
          {"podAntiAffinity",
           {{"requiredDuringSchedulingIgnoredDuringExecution", json::array({term})}}}};
      w.post(kPodsPath, p);
      w.run(100);
      BOOST_TEST(w.node_of("client") == row.expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_gpu_share_pod_is_bound_with_the_gpu_the_plugin_chose) {
  // GpuShare at Reserve names the GPU; pods/binding carries it onto the pod. One node of two
  // GPUs: a share goes to the fullest GPU with room (ties to the lowest index). 300 -> GPU 0;
  // 500 -> GPU 0 (fullest, 700 free); 600 -> GPU 1 (GPU 0 has 200 free): the third pod's
  // annotation names GPU 1, which only the plugin's choice can give.
  World w(true, with_gpu_share);
  w.post(kNodesPath, gpu_node("g1", 2, "V100M16"));
  const std::string index = std::string(kGpuIndexAnnotation);
  auto annotations_of = [&](const std::string& name) {
    return w.get(kPodsPath + "/" + name)["metadata"].value("annotations", json::object());
  };
  for (auto [name, milli] : {std::pair{"a", 300}, {"b", 500}, {"c", 600}}) {
    w.post(kPodsPath, gpu_share_pod(name, milli));
    w.run(100);
  }
  BOOST_TEST(w.node_of("c") == "g1");
  BOOST_TEST(annotations_of("a").value(index, "") == "0");
  BOOST_TEST(annotations_of("b").value(index, "") == "0");
  BOOST_TEST(annotations_of("c").value(index, "") == "1");
  // A pod with no GPU request gets no annotation.
  w.post(kPodsPath, pod("plain", "1"));
  w.run(100);
  BOOST_TEST(w.node_of("plain") == "g1");
  BOOST_TEST(!annotations_of("plain").contains(index));
}

BOOST_AUTO_TEST_CASE(a_gpu_pod_asking_for_a_model_lands_on_a_node_of_that_model) {
  // How a workload's gpu_models reach the scheduler (docs/research.md): required node affinity
  // on the node label alibaba.com/gpu-model; NodeAffinity honours it, GpuShare picks the GPU.
  World w(true, with_gpu_share);
  w.post(kNodesPath, gpu_node("p100", 1, "P100"));
  w.post(kNodesPath, gpu_node("v100", 2, "V100M16"));
  json p = gpu_share_pod("wants-v100", 500);
  json term = {{"matchExpressions",
                {{{"key", "alibaba.com/gpu-model"}, {"operator", "In"}, {"values", {"V100M16"}}}}}};
  p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
      {"nodeSelectorTerms", {term}}};
  for (int i = 0; i < 3; ++i) {  // three of them: 1,500 milli, more than one V100 holds
    p["metadata"]["name"] = "wants-v100-" + std::to_string(i);
    w.post(kPodsPath, p);
    w.run(100);
  }
  BOOST_TEST(w.node_of("wants-v100-0") == "v100");
  BOOST_TEST(w.node_of("wants-v100-1") == "v100");
  BOOST_TEST(w.node_of("wants-v100-2") == "v100");
  auto index_of = [&](const std::string& name) {
    return w.get(kPodsPath + "/" + name)["metadata"]["annotations"].value(
        std::string(kGpuIndexAnnotation), "");
  };
  BOOST_TEST(index_of("wants-v100-0") == "0");
  BOOST_TEST(index_of("wants-v100-1") == "0");  // GPU 0 had 500 free: best fit fills it
  BOOST_TEST(index_of("wants-v100-2") == "1");
}
