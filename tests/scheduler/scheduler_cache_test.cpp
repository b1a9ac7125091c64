// The scheduler cache (actors/scheduler/cache/): assumed-pod accounting, binding-failure
// rollback, the informer confirming assumed pods, expiry, incremental snapshots and the node
// order, as Kubernetes' pkg/scheduler/backend/cache (cache.go, snapshot.go, node_tree.go)
// documents them. Every case ends with check_invariants(), which asserts the cache's promises.
#define BOOST_TEST_MODULE scheduler_cache
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "actors/scheduler/cache/scheduler_cache.hpp"
#include "actors/scheduler/cache/snapshot.hpp"
#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

constexpr std::int64_t kMi = 1024 * 1024;

std::shared_ptr<const PodInfo> pod_on(std::string name, std::int64_t milli_cpu,
                                      std::string node_name = "") {
  PodInfo p = pod_requesting(milli_cpu, 256 * kMi, std::move(name));
  p.node_name = std::move(node_name);
  return std::make_shared<const PodInfo>(std::move(p));
}

NodeInfo node_in(std::string name, std::string zone, std::string region = "") {
  api::Labels labels;
  if (!zone.empty()) labels["topology.kubernetes.io/zone"] = zone;
  if (!region.empty()) labels["topology.kubernetes.io/region"] = region;
  return node_with(std::move(name), 1000, 1024 * kMi, 110, std::move(labels));
}

std::vector<std::string> names_of(std::span<const NodeInfo* const> nodes) {
  std::vector<std::string> out;
  for (const NodeInfo* n : nodes) out.push_back(n->name());
  return out;
}

std::vector<std::string> pod_uids(const NodeInfo& node) {
  std::vector<std::string> out;
  for (const auto& p : node.pods()) out.push_back(p->uid);
  return out;
}

std::int64_t snapshot_cpu(const Snapshot& snapshot, const std::string& node) {
  const NodeInfo* n = snapshot.find(node);
  BOOST_REQUIRE(n != nullptr);
  return n->requested().milli_cpu;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_assumed_pod_is_in_the_next_snapshot_so_the_next_decision_sees_it) {
  SchedulerCache cache;
  cache.add_node(node_in("n1", ""));
  cache.add_node(node_in("n2", ""));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);

  // Decided onto n1; its binding has not landed (no informer add yet).
  BOOST_REQUIRE(cache.assume_pod(pod_on("first", 600), "n1").ok());
  BOOST_TEST(cache.is_assumed("uid-first"));
  SnapshotUpdate update = cache.update_snapshot(snapshot);
  BOOST_TEST(update.copied == 1u);
  BOOST_TEST(snapshot_cpu(snapshot, "n1") == 600);
  BOOST_TEST(snapshot.find("n1")->pods().size() == 1u);
  BOOST_TEST(snapshot.find("n1")->requested().pods == 1);

  // The next cycle: 600m more fits only on n2, because n1 already carries the assumed pod.
  ResourceNames names;
  auto framework = Framework::create(default_registry(), default_profile(), names);
  BOOST_REQUIRE(framework.ok());
  CycleState state;
  PodInfo second = *pod_on("second", 600);
  ScheduleResult result = (*framework)->schedule(state, second, snapshot.nodes(), {});
  BOOST_TEST((result.code == Code::success));
  BOOST_TEST(result.suggested_host == "n2");
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(forgetting_a_pod_whose_binding_failed_restores_its_node_exactly) {
  SchedulerCache cache;
  cache.add_node(node_in("n1", ""));
  PodInfo bound = *pod_on("bound", 200, "n1");
  bound.host_ports.push_back({"", PortProtocol::tcp, 80});
  BOOST_REQUIRE(cache.add_pod(std::make_shared<const PodInfo>(bound)).ok());
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  const NodeInfo before = *cache.node("n1");

  PodInfo assumed = *pod_on("assumed", 300);
  assumed.requests.set(kFirstExtended, 1);
  assumed.host_ports.push_back({"", PortProtocol::tcp, 8080});
  assumed.host_ports.push_back({"10.0.0.1", PortProtocol::udp, 80});
  assumed.pod_anti_affinity_required.push_back(PodAffinityTerm{});
  BOOST_REQUIRE(cache.assume_pod(std::make_shared<const PodInfo>(assumed), "n1").ok());
  cache.update_snapshot(snapshot);
  BOOST_TEST(snapshot_cpu(snapshot, "n1") == 500);
  BOOST_TEST(snapshot.nodes_with_required_anti_affinity().size() == 1u);

  // Binding failed: Unreserve runs and the cache forgets the pod.
  BOOST_REQUIRE(cache.forget_pod("uid-assumed").ok());
  const NodeInfo& after = *cache.node("n1");
  BOOST_TEST((after.requested() == before.requested()));
  BOOST_TEST(after.non_zero_milli_cpu() == before.non_zero_milli_cpu());
  BOOST_TEST(after.non_zero_memory_bytes() == before.non_zero_memory_bytes());
  BOOST_TEST(after.used_ports().size() == before.used_ports().size());
  BOOST_TEST(after.used_ports()[0].port == 80);
  BOOST_TEST(pod_uids(after) == pod_uids(before));
  BOOST_TEST(after.pods_with_required_anti_affinity().empty());
  BOOST_TEST(!cache.is_assumed("uid-assumed"));
  BOOST_TEST(cache.assumed_count() == 0u);
  BOOST_TEST(cache.pod_count() == 1u);

  // The snapshot follows: one node copied, the anti-affinity list empty again.
  SnapshotUpdate update = cache.update_snapshot(snapshot);
  BOOST_TEST(update.copied == 1u);
  BOOST_TEST((snapshot.find("n1")->requested() == before.requested()));
  BOOST_TEST(snapshot.nodes_with_required_anti_affinity().empty());
  BOOST_TEST(snapshot.nodes_with_pod_affinity().empty());
  // The pod can be decided again.
  BOOST_TEST(cache.assume_pod(std::make_shared<const PodInfo>(assumed), "n1").ok());
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(the_informers_add_confirms_an_assumed_pod_without_counting_it_twice) {
  struct Case {
    const char* name;
    const char* bound_to;
    std::int64_t n1_cpu, n2_cpu;
  };
  const Case cases[] = {
      {"the assumed node", "n1", 400, 0},
      // kube: "Pod was added to a different node than it was assumed": the informer wins.
      {"another node", "n2", 0, 400},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      SchedulerCache cache;
      cache.add_node(node_in("n1", ""));
      cache.add_node(node_in("n2", ""));
      BOOST_REQUIRE(cache.assume_pod(pod_on("p", 400), "n1").ok());
      BOOST_REQUIRE(cache.add_pod(pod_on("p", 400, c.bound_to)).ok());
      BOOST_TEST(!cache.is_assumed("uid-p"));
      BOOST_TEST(cache.assumed_count() == 0u);
      BOOST_TEST(cache.pod_count() == 1u);
      BOOST_TEST(*cache.node_of("uid-p") == c.bound_to);
      BOOST_TEST(cache.pod("uid-p")->node_name == c.bound_to);
      Snapshot snapshot;
      cache.update_snapshot(snapshot);
      BOOST_TEST(snapshot_cpu(snapshot, "n1") == c.n1_cpu);
      BOOST_TEST(snapshot_cpu(snapshot, "n2") == c.n2_cpu);
      // The binding call returning after the add changes nothing; nor does expiry.
      cache.finish_binding("uid-p", 0);
      BOOST_TEST(cache.cleanup_expired(1'000'000'000).empty());
      BOOST_TEST(cache.pod_count() == 1u);
      // A second add of a bound pod is the informer contradicting itself.
      BOOST_TEST(cache.add_pod(pod_on("p", 400, c.bound_to)).error().code == "exists");
      cache.check_invariants();
    }
  }
}

BOOST_AUTO_TEST_CASE(assumed_pods_expire_only_after_their_binding_finished_and_the_ttl) {
  SchedulerCache cache(/*assumed_pod_ttl_ms=*/30'000);
  cache.add_node(node_in("n1", ""));
  BOOST_REQUIRE(cache.assume_pod(pod_on("slow", 100), "n1").ok());
  BOOST_REQUIRE(cache.assume_pod(pod_on("bound", 100), "n1").ok());
  // Binding still in flight: never expired, however late.
  BOOST_TEST(cache.cleanup_expired(1'000'000'000).empty());

  cache.finish_binding("uid-bound", 1'000);
  BOOST_TEST(cache.cleanup_expired(31'000).empty());  // kube: expired only strictly after
  BOOST_TEST(cache.cleanup_expired(31'001) == std::vector<std::string>{"uid-bound"});
  BOOST_TEST(!cache.is_assumed("uid-bound"));
  BOOST_TEST(cache.pod("uid-bound") == nullptr);
  BOOST_TEST(cache.node("n1")->requested().milli_cpu == 100);  // only "slow" is left
  BOOST_TEST(cache.assumed_count() == 1u);

  // Expired -> Added: the informer's add, late, puts it back.
  BOOST_REQUIRE(cache.add_pod(pod_on("bound", 100, "n1")).ok());
  BOOST_TEST(cache.node("n1")->requested().milli_cpu == 200);
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(by_default_assumed_pods_never_expire_as_in_kubernetes_1_32) {
  BOOST_TEST(kDefaultAssumedPodTtlMs == 0);
  SchedulerCache cache;
  cache.add_node(node_in("n1", ""));
  BOOST_REQUIRE(cache.assume_pod(pod_on("p", 100), "n1").ok());
  cache.finish_binding("uid-p", 0);
  BOOST_TEST(cache.cleanup_expired(1'000'000'000'000).empty());
  BOOST_TEST(cache.is_assumed("uid-p"));
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(events_out_of_order_are_errors_that_change_nothing) {
  struct Case {
    const char* name;
    std::function<craton::Result<craton::Ok>(SchedulerCache&)> call;
    const char* code;
  };
  const PodInfo added = *pod_on("added", 100, "n1");
  const Case cases[] = {
      {"assume an assumed pod",
       [](SchedulerCache& c) { return c.assume_pod(pod_on("assumed", 100), "n2"); }, "exists"},
      {"assume an added pod",
       [](SchedulerCache& c) { return c.assume_pod(pod_on("added", 100), "n1"); }, "exists"},
      {"assume onto no node",
       [](SchedulerCache& c) { return c.assume_pod(pod_on("new", 100), ""); }, "invalid"},
      {"add a pod bound nowhere", [](SchedulerCache& c) { return c.add_pod(pod_on("new", 100)); },
       "invalid"},
      {"add an added pod", [](SchedulerCache& c) { return c.add_pod(pod_on("added", 100, "n1")); },
       "exists"},
      {"forget an unknown pod", [](SchedulerCache& c) { return c.forget_pod("uid-none"); },
       "not_found"},
      {"forget an added pod", [](SchedulerCache& c) { return c.forget_pod("uid-added"); },
       "conflict"},
      {"update an assumed pod",
       [](SchedulerCache& c) {
         return c.update_pod(*pod_on("assumed", 100, "n1"), pod_on("assumed", 200, "n1"));
       },
       "conflict"},
      {"update a pod onto another node",
       [&](SchedulerCache& c) { return c.update_pod(added, pod_on("added", 100, "n2")); },
       "conflict"},
      {"update to another uid",
       [&](SchedulerCache& c) { return c.update_pod(added, pod_on("other", 100, "n1")); },
       "invalid"},
      {"update an unknown pod",
       [](SchedulerCache& c) {
         return c.update_pod(*pod_on("none", 100, "n1"), pod_on("none", 200, "n1"));
       },
       "not_found"},
      {"remove an unknown pod", [](SchedulerCache& c) { return c.remove_pod("uid-none"); },
       "not_found"},
      {"remove an unknown node", [](SchedulerCache& c) { return c.remove_node("n9"); },
       "not_found"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      SchedulerCache cache;
      cache.add_node(node_in("n1", ""));
      cache.add_node(node_in("n2", ""));
      BOOST_REQUIRE(cache.add_pod(std::make_shared<const PodInfo>(added)).ok());
      BOOST_REQUIRE(cache.assume_pod(pod_on("assumed", 100), "n1").ok());
      Snapshot snapshot;
      cache.update_snapshot(snapshot);

      auto result = c.call(cache);
      BOOST_REQUIRE(!result.ok());
      BOOST_TEST(result.error().code == c.code);
      BOOST_TEST(!result.error().message.empty());
      BOOST_TEST(cache.update_snapshot(snapshot).copied == 0u);  // nothing changed
      BOOST_TEST(cache.pod_count() == 2u);
      BOOST_TEST(cache.assumed_count() == 1u);
      BOOST_TEST(cache.node("n1")->requested().milli_cpu == 200);
      cache.check_invariants();
    }
  }
}

BOOST_AUTO_TEST_CASE(an_added_pod_is_updated_and_removed_in_place) {
  SchedulerCache cache;
  cache.add_node(node_in("n1", ""));
  auto old_pod = pod_on("p", 100, "n1");
  BOOST_REQUIRE(cache.add_pod(old_pod).ok());
  BOOST_REQUIRE(cache.update_pod(*old_pod, pod_on("p", 300, "n1")).ok());
  BOOST_TEST(cache.node("n1")->requested().milli_cpu == 300);
  BOOST_TEST(cache.pod("uid-p")->requests.milli_cpu == 300);
  BOOST_REQUIRE(cache.remove_pod("uid-p").ok());
  BOOST_TEST(cache.node("n1")->requested().milli_cpu == 0);
  BOOST_TEST(cache.pod_count() == 0u);
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(update_snapshot_after_changing_3_of_5000_nodes_copies_3) {
  SchedulerCache cache;
  for (int i = 0; i < 5000; ++i)
    cache.add_node(node_in("node-" + std::to_string(i), "zone-" + std::to_string(i % 3)));
  Snapshot snapshot;
  SnapshotUpdate first = cache.update_snapshot(snapshot);
  BOOST_TEST(first.copied == 5000u);
  BOOST_TEST(first.list_rebuilt);
  BOOST_TEST(snapshot.size() == 5000u);
  const NodeInfo* const* list_before = snapshot.nodes().data();
  const NodeInfo* node_17 = snapshot.find("node-17");

  SnapshotUpdate idle = cache.update_snapshot(snapshot);
  BOOST_TEST(idle.copied == 0u);
  BOOST_TEST(idle.visited == 1u);  // the newest node is already in: the walk stops there
  BOOST_TEST(!idle.list_rebuilt);

  // Three nodes change, one of them twice and in three different ways.
  BOOST_REQUIRE(cache.assume_pod(pod_on("a", 100), "node-17").ok());
  BOOST_REQUIRE(cache.add_pod(pod_on("b", 200, "node-4000")).ok());
  NodeInfo relabelled = node_in("node-2500", "zone-1");  // node-2500 is in zone-1 already
  cache.update_node(std::move(relabelled));
  BOOST_REQUIRE(cache.assume_pod(pod_on("c", 50), "node-17").ok());

  SnapshotUpdate update = cache.update_snapshot(snapshot);
  BOOST_TEST(update.copied == 3u);
  BOOST_TEST(update.visited == 4u);  // the three changed, then the first unchanged one
  BOOST_TEST(!update.list_rebuilt);
  BOOST_TEST(snapshot.nodes().data() == list_before);
  BOOST_TEST(snapshot.find("node-17") == node_17);  // copied in place: the list stays valid
  BOOST_TEST(snapshot_cpu(snapshot, "node-17") == 150);
  BOOST_TEST(snapshot_cpu(snapshot, "node-4000") == 200);
  BOOST_TEST(cache.update_snapshot(snapshot).copied == 0u);
  cache.check_invariants();
}

// The snapshot as a NodeListChanges (what plugins' indexes catch up from): after an update,
// the positions changed after the previous newest generation are exactly the copied nodes',
// and a rebuilt list has a new layout.
BOOST_AUTO_TEST_CASE(a_snapshot_tells_which_positions_changed_after_a_generation) {
  SchedulerCache cache;
  for (int i = 0; i < 50; ++i) cache.add_node(node_in("node-" + std::to_string(i), ""));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  auto layout = snapshot.layout();
  auto seen = snapshot.newest_generation();
  auto changed = [&](std::uint64_t after) {
    std::vector<std::string> names;
    snapshot.changed_after(after,
                           [&](std::size_t i) { names.push_back(snapshot.nodes()[i]->name()); });
    std::sort(names.begin(), names.end());
    return names;
  };
  BOOST_TEST(changed(seen).empty());
  BOOST_TEST(changed(0).size() == 50u);

  BOOST_REQUIRE(cache.assume_pod(pod_on("a", 100), "node-17").ok());
  BOOST_REQUIRE(cache.add_pod(pod_on("b", 200, "node-40")).ok());
  BOOST_REQUIRE(cache.assume_pod(pod_on("c", 50), "node-17").ok());
  cache.update_snapshot(snapshot);
  BOOST_TEST(snapshot.layout() == layout);
  BOOST_TEST(changed(seen) == (std::vector<std::string>{"node-17", "node-40"}));
  BOOST_TEST(snapshot.newest_generation() > seen);
  BOOST_TEST(changed(snapshot.newest_generation()).empty());

  cache.add_node(node_in("node-50", ""));
  cache.update_snapshot(snapshot);
  BOOST_TEST(snapshot.layout() != layout);
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(removing_and_adding_nodes_changes_the_list) {
  SchedulerCache cache;
  for (const char* name : {"n1", "n2", "n3"}) cache.add_node(node_in(name, ""));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"n1", "n2", "n3"}));

  BOOST_REQUIRE(cache.remove_node("n2").ok());
  SnapshotUpdate removed = cache.update_snapshot(snapshot);
  BOOST_TEST(removed.list_rebuilt);
  BOOST_TEST(removed.copied == 0u);
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"n1", "n3"}));
  BOOST_TEST(snapshot.find("n2") == nullptr);
  BOOST_TEST(cache.node("n2") == nullptr);  // no pods: nothing kept
  BOOST_TEST(cache.remove_node("n2").error().code == "not_found");

  cache.add_node(node_in("n4", ""));
  SnapshotUpdate added = cache.update_snapshot(snapshot);
  BOOST_TEST(added.list_rebuilt);
  BOOST_TEST(added.copied == 1u);
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"n1", "n3", "n4"}));

  // A node removed while a pod is still on it: out of snapshots, kept for the pod.
  BOOST_REQUIRE(cache.add_pod(pod_on("p", 100, "n3")).ok());
  BOOST_REQUIRE(cache.remove_node("n3").ok());
  cache.update_snapshot(snapshot);
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"n1", "n4"}));
  BOOST_TEST(cache.node_count() == 2u);
  BOOST_TEST(cache.pod_count() == 1u);
  BOOST_TEST(cache.node("n3") != nullptr);
  BOOST_TEST(cache.node("n3")->requested().milli_cpu == 100);
  cache.check_invariants();
  // The pod's deletion arrives later and the kept NodeInfo goes with it.
  BOOST_REQUIRE(cache.remove_pod("uid-p").ok());
  BOOST_TEST(cache.node("n3") == nullptr);
  BOOST_TEST(!cache.update_snapshot(snapshot).list_rebuilt);
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(snapshots_list_nodes_round_robin_over_zones) {
  struct Case {
    const char* name;
    std::vector<NodeInfo> nodes;
    std::vector<std::string> expected;
  };
  std::vector<Case> cases;
  cases.push_back({"zones in first-seen order, nodes in insertion order",
                   {node_in("a1", "a"), node_in("a2", "a"), node_in("b1", "b"), node_in("c1", "c"),
                    node_in("b2", "b"), node_in("a3", "a")},
                   {"a1", "b1", "c1", "a2", "b2", "a3"}});
  cases.push_back({"nodes without zone labels form one zone of their own",
                   {node_in("x1", ""), node_in("a1", "a"), node_in("x2", ""), node_in("a2", "a")},
                   {"x1", "a1", "x2", "a2"}});
  cases.push_back(
      {"the same zone name in two regions is two zones",
       {node_in("e1", "z", "east"), node_in("e2", "z", "east"), node_in("w1", "z", "west")},
       {"e1", "w1", "e2"}});
  for (Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      SchedulerCache cache;
      for (NodeInfo& n : c.nodes) cache.add_node(std::move(n));
      Snapshot snapshot;
      cache.update_snapshot(snapshot);
      BOOST_TEST(names_of(snapshot.nodes()) == c.expected);
    }
  }

  // A node that changes zone moves to the end of its new zone; a zone emptied leaves the turn.
  SchedulerCache cache;
  for (const char* n : {"a1", "a2"}) cache.add_node(node_in(n, "a"));
  for (const char* n : {"b1", "b2"}) cache.add_node(node_in(n, "b"));
  cache.add_node(node_in("c1", "c"));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  BOOST_TEST(names_of(snapshot.nodes()) ==
             (std::vector<std::string>{"a1", "b1", "c1", "a2", "b2"}));
  cache.update_node(node_in("a1", "b"));
  BOOST_REQUIRE(cache.remove_node("c1").ok());
  SnapshotUpdate update = cache.update_snapshot(snapshot);
  BOOST_TEST(update.list_rebuilt);
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"a2", "b1", "b2", "a1"}));
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(pods_arriving_before_their_node_wait_for_it_and_count_when_it_comes) {
  SchedulerCache cache;
  BOOST_REQUIRE(cache.add_pod(pod_on("early", 300, "late-node")).ok());
  BOOST_TEST(cache.pod_count() == 1u);
  BOOST_TEST(cache.node_count() == 0u);
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  BOOST_TEST(snapshot.size() == 0u);  // a node kept only for its pods is not schedulable
  BOOST_TEST(snapshot.find("late-node") == nullptr);

  cache.add_node(node_in("late-node", "a"));
  SnapshotUpdate update = cache.update_snapshot(snapshot);
  BOOST_TEST(update.copied == 1u);
  BOOST_TEST(update.list_rebuilt);
  BOOST_REQUIRE(snapshot.size() == 1u);
  BOOST_TEST(snapshot.nodes()[0]->name() == "late-node");
  BOOST_TEST(snapshot_cpu(snapshot, "late-node") == 300);
  BOOST_TEST(snapshot.nodes()[0]->allocatable().milli_cpu == 1000);

  // A new node object (more cpu) keeps the pods.
  NodeInfo bigger =
      node_with("late-node", 4000, 1024 * kMi, 110, {{"topology.kubernetes.io/zone", "a"}});
  cache.update_node(std::move(bigger));
  cache.update_snapshot(snapshot);
  BOOST_TEST(snapshot.find("late-node")->allocatable().milli_cpu == 4000);
  BOOST_TEST(snapshot_cpu(snapshot, "late-node") == 300);
  cache.check_invariants();
}

BOOST_AUTO_TEST_CASE(snapshot_affinity_lists_follow_the_pods_with_terms) {
  SchedulerCache cache;
  for (const char* name : {"n1", "n2", "n3"}) cache.add_node(node_in(name, ""));
  PodInfo preferred = *pod_on("preferred", 100);
  preferred.pod_affinity_preferred.push_back(PodAffinityTerm{});
  PodInfo required = *pod_on("required", 100);
  required.pod_anti_affinity_required.push_back(PodAffinityTerm{});
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  BOOST_REQUIRE(cache.assume_pod(std::make_shared<const PodInfo>(preferred), "n1").ok());
  BOOST_REQUIRE(cache.assume_pod(std::make_shared<const PodInfo>(required), "n3").ok());
  cache.update_snapshot(snapshot);
  BOOST_TEST(names_of(snapshot.nodes_with_pod_affinity()) ==
             (std::vector<std::string>{"n1", "n3"}));
  BOOST_TEST(names_of(snapshot.nodes_with_required_anti_affinity()) ==
             (std::vector<std::string>{"n3"}));
  BOOST_REQUIRE(cache.forget_pod("uid-required").ok());
  cache.update_snapshot(snapshot);
  BOOST_TEST(names_of(snapshot.nodes_with_pod_affinity()) == (std::vector<std::string>{"n1"}));
  BOOST_TEST(snapshot.nodes_with_required_anti_affinity().empty());
}

BOOST_AUTO_TEST_CASE(a_snapshot_of_plain_nodes_keeps_their_order_and_finds_them_by_name) {
  std::vector<NodeInfo> nodes{node_in("b", ""), node_in("a", "")};
  place(nodes[1], 100, 100);
  Snapshot snapshot = Snapshot::of(std::move(nodes));
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"b", "a"}));
  BOOST_TEST(snapshot.find("a")->requested().milli_cpu == 100);
  BOOST_TEST(snapshot.find("c") == nullptr);
  BOOST_TEST(snapshot.nodes_with_pod_affinity().empty());

  // Handed to a cache, it becomes that cache's snapshot: foreign nodes gone, the cache's copied.
  SchedulerCache cache;
  cache.add_node(node_in("a", ""));
  cache.add_node(node_in("z", ""));
  SnapshotUpdate update = cache.update_snapshot(snapshot);
  BOOST_TEST(update.copied == 2u);
  BOOST_TEST(names_of(snapshot.nodes()) == (std::vector<std::string>{"a", "z"}));
  BOOST_TEST(snapshot.find("a")->requested().milli_cpu == 0);
  BOOST_TEST(snapshot.find("b") == nullptr);
}
