// InterPodAffinity's Filter and Score (actors/scheduler/plugins/inter_pod_affinity.hpp), as
// tables after Kubernetes' interpodaffinity filtering_test.go and scoring_test.go; expected
// scores worked out by kube's formulas beside them.
#define BOOST_TEST_MODULE scheduler_inter_pod_affinity
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/plugins/inter_pod_affinity.hpp"
#include "tests/scheduler/dry_run_verdicts.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

/// A term selecting pods with label key=value (In) in `namespaces` (default: "default").
PodAffinityTerm term(std::string key, std::string value, std::string topology_key,
                     std::int32_t weight = 0, std::vector<std::string> namespaces = {"default"}) {
  PodAffinityTerm t;
  t.selector = api::LabelSelector::from_requirements(
      {{std::move(key), api::SelectorOp::in, {std::move(value)}}});
  t.namespaces = std::move(namespaces);
  t.topology_key = std::move(topology_key);
  t.weight = weight;
  return t;
}

PodInfo labeled_pod(std::string name, api::Labels labels, std::string ns = "default") {
  PodInfo p = pod_requesting(0, 0, std::move(name));
  p.labels = std::move(labels);
  p.namespace_ = std::move(ns);
  return p;
}

struct World {
  std::vector<NodeInfo> nodes;
  void put(std::size_t node, PodInfo pod) {
    nodes[node].add_pod(std::make_shared<PodInfo>(std::move(pod)));
  }
};

World three_nodes() {
  World w;
  w.nodes.push_back(NodeInfo("node1", {{"region", "China"}, {"zone", "z11"}}, {}, false, {}));
  w.nodes.push_back(NodeInfo("node2", {{"region", "China"}, {"zone", "z12"}}, {}, false, {}));
  w.nodes.push_back(NodeInfo("node3", {{"region", "India"}, {"zone", "z21"}}, {}, false, {}));
  return w;
}

/// Namespaces and their labels (the scheduler's Namespace informer in production).
struct TestHandle final : FrameworkHandle {
  std::vector<NamespaceLabels> namespace_list;
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override { return {}; }
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view) const override {
    return {};
  }
  std::span<const NamespaceLabels> namespaces() const override { return namespace_list; }
};

/// Filter verdicts per node: "" fits, else the reason.
std::vector<std::string> filter_all(const PodInfo& pod, const World& w,
                                    const FrameworkHandle* handle = nullptr,
                                    PodCounting counting = PodCounting::indexed) {
  InterPodAffinity plugin({}, counting, handle);
  CycleState state;
  auto list = pointers(w.nodes);
  state.set_all_nodes(list);
  Status pre = plugin.pre_filter(state, pod, list);
  std::vector<std::string> out;
  for (const auto& n : w.nodes) {
    if (pre.is_skip()) {
      out.push_back("");
      continue;
    }
    Status s = plugin.filter(state, pod, n);
    out.push_back(s.is_success() ? "" : std::string(s.reasons().front()));
  }
  return out;
}

std::vector<std::int64_t> score_all(const PodInfo& pod, const World& w, std::int32_t hard = 1,
                                    const FrameworkHandle* handle = nullptr,
                                    PodCounting counting = PodCounting::indexed) {
  InterPodAffinity plugin({hard}, counting, handle);
  CycleState state;
  auto list = pointers(w.nodes);
  state.set_all_nodes(list);
  if (plugin.pre_score(state, pod, list).is_skip()) return {};
  std::vector<NodeScore> scores;
  for (std::uint32_t i = 0; i < w.nodes.size(); ++i) {
    std::int64_t s = 0;
    BOOST_REQUIRE(plugin.score(state, pod, w.nodes[i], s).is_success());
    scores.push_back({i, s});
  }
  BOOST_REQUIRE(plugin.normalize_score(state, pod, scores).is_success());
  std::vector<std::int64_t> out;
  for (const auto& s : scores) out.push_back(s.score);
  return out;
}

const std::string kAffinity = "node(s) didn't match pod affinity rules";
const std::string kAnti = "node(s) didn't match pod anti-affinity rules";
const std::string kExisting = "node(s) didn't satisfy existing pods anti-affinity rules";
using Verdicts = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(required_affinity_follows_the_matching_pods_domain) {
  // An existing pod service=securityscan on node1 (region China): a pod with required affinity
  // to it by region fits node1 and node2 (China), not node3 (India).
  World w = three_nodes();
  w.put(0, labeled_pod("scan", {{"service", "securityscan"}}));
  PodInfo pod = labeled_pod("p", {});
  pod.pod_affinity_required = {term("service", "securityscan", "region")};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{"", "", kAffinity}));
  // By zone: only node1.
  pod.pod_affinity_required = {term("service", "securityscan", "zone")};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{"", kAffinity, kAffinity}));
  // A pod in another namespace is not selected: nobody matches, the pod does not match itself.
  pod.pod_affinity_required = {term("service", "securityscan", "region", 0, {"other"})};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{kAffinity, kAffinity, kAffinity}));
  // All terms must be matched by the same existing pod.
  pod.pod_affinity_required = {term("service", "securityscan", "region"),
                               term("team", "red", "region")};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{kAffinity, kAffinity, kAffinity}));
}

BOOST_AUTO_TEST_CASE(the_first_pod_of_a_self_affine_group_may_go_anywhere_with_the_key) {
  // No pod matches anywhere, and the pod matches its own term: every node with the topology key
  // fits; a node without it does not.
  World w = three_nodes();
  w.nodes.push_back(NodeInfo("bare", {}, {}, false, {}));
  PodInfo pod = labeled_pod("p", {{"app", "db"}});
  pod.pod_affinity_required = {term("app", "db", "region")};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{"", "", "", kAffinity}));
  // Once a matching pod exists (on node3), the exception ends: only India.
  w.put(2, labeled_pod("db-0", {{"app", "db"}}));
  BOOST_TEST(filter_all(pod, w) == (Verdicts{kAffinity, kAffinity, "", kAffinity}));
}

BOOST_AUTO_TEST_CASE(required_anti_affinity_keeps_the_pod_out_of_the_domain) {
  World w = three_nodes();
  w.put(0, labeled_pod("web-0", {{"app", "web"}}));
  PodInfo pod = labeled_pod("web-1", {{"app", "web"}});
  pod.pod_anti_affinity_required = {term("app", "web", "zone")};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{kAnti, "", ""}));
  pod.pod_anti_affinity_required = {term("app", "web", "region")};
  BOOST_TEST(filter_all(pod, w) == (Verdicts{kAnti, kAnti, ""}));
  // A node without the topology key is not in any domain: anti-affinity does not reject it.
  w.nodes.push_back(NodeInfo("bare", {}, {}, false, {}));
  BOOST_TEST(filter_all(pod, w) == (Verdicts{kAnti, kAnti, "", ""}));
}

BOOST_AUTO_TEST_CASE(existing_pods_anti_affinity_is_respected_symmetrically) {
  // The existing pod refuses app=web next to it (same region); the incoming pod has no terms.
  World w = three_nodes();
  PodInfo lonely = labeled_pod("lonely", {{"app", "lonely"}});
  lonely.pod_anti_affinity_required = {term("app", "web", "region")};
  w.put(1, lonely);
  BOOST_TEST(filter_all(labeled_pod("web", {{"app", "web"}}), w) ==
             (Verdicts{kExisting, kExisting, ""}));
  // A pod it does not select is not affected (PreFilter skips: nothing to check).
  BOOST_TEST(filter_all(labeled_pod("db", {{"app", "db"}}), w) == (Verdicts{"", "", ""}));
}

BOOST_AUTO_TEST_CASE(preferred_affinity_scores_the_matching_domain_highest) {
  // kube's "pod that matches topology key & pods in nodes will get high score": preferred
  // affinity weight 5 to security=S1 by region; S1 runs on node1 (China): node1 and node2
  // (China) +5, node3 0; normalised (x - 0) * 100 / 5 -> 100, 100, 0.
  World w = three_nodes();
  w.put(0, labeled_pod("s1", {{"security", "S1"}}));
  PodInfo pod = labeled_pod("p", {});
  pod.pod_affinity_preferred = {term("security", "S1", "region", 5)};
  BOOST_TEST(score_all(pod, w) == (std::vector<std::int64_t>{100, 100, 0}));
  // Anti-affinity weight 5 instead: China -5, India 0 -> (x + 5) * 100 / 5 -> 0, 0, 100.
  pod.pod_affinity_preferred.clear();
  pod.pod_anti_affinity_preferred = {term("security", "S1", "region", 5)};
  BOOST_TEST(score_all(pod, w) == (std::vector<std::int64_t>{0, 0, 100}));
  // Both, by zone, weights 4 (affinity) and 1 (anti) on the same pod: node1 4 - 1 = 3, others 0
  // -> 100, 0, 0.
  pod.pod_affinity_preferred = {term("security", "S1", "zone", 4)};
  pod.pod_anti_affinity_preferred = {term("security", "S1", "zone", 1)};
  BOOST_TEST(score_all(pod, w) == (std::vector<std::int64_t>{100, 0, 0}));
}

BOOST_AUTO_TEST_CASE(existing_pods_terms_score_symmetrically) {
  // kube's "Affinity symmetry": the existing pod on node3 (India) has required affinity to
  // app=web by region: the incoming app=web pod gets hardPodAffinityWeight (1) on India.
  // Scores 0, 0, 1 -> 0, 0, 100; with hardPodAffinityWeight 0 nothing is counted (all 0).
  World w = three_nodes();
  PodInfo fan = labeled_pod("fan", {{"app", "fan"}});
  fan.pod_affinity_required = {term("app", "web", "region")};
  w.put(2, fan);
  PodInfo web = labeled_pod("web", {{"app", "web"}});
  BOOST_TEST(score_all(web, w) == (std::vector<std::int64_t>{0, 0, 100}));
  BOOST_TEST(score_all(web, w, 0) == (std::vector<std::int64_t>{0, 0, 0}));
  // The existing pod's preferred anti-affinity (weight 3) against app=web by zone on node1:
  // node1 -3, node3 +1 -> min -3, max 1: (x + 3) * 100 / 4 -> 0, 75, 100.
  PodInfo shy = labeled_pod("shy", {{"app", "shy"}});
  shy.pod_anti_affinity_preferred = {term("app", "web", "zone", 3)};
  w.put(0, shy);
  BOOST_TEST(score_all(web, w) == (std::vector<std::int64_t>{0, 75, 100}));
}

BOOST_AUTO_TEST_CASE(nothing_to_score_is_skipped) {
  World w = three_nodes();
  w.put(0, labeled_pod("plain", {{"app", "x"}}));
  BOOST_TEST(score_all(labeled_pod("p", {}), w).empty());
}

BOOST_AUTO_TEST_CASE(a_dry_run_prefilter_on_a_clone_leaves_the_original_state_its_counts) {
  // Preemption's dry run: the cycle's state is cloned, node1 copied without its pod (the
  // victim), and PreFilter runs again over the list with the copy. The clone sees node1 free;
  // the original state must still see the pod it was computed with (the index re-synced to the
  // copy in between).
  World w = three_nodes();
  w.put(0, labeled_pod("victim", {{"security", "S1"}}));
  PodInfo pod = labeled_pod("p", {});
  pod.pod_anti_affinity_required = {term("security", "S1", "zone")};
  InterPodAffinity plugin({});
  auto list = pointers(w.nodes);
  CycleState original;
  original.set_all_nodes(list);
  BOOST_REQUIRE(plugin.pre_filter(original, pod, list).is_success());

  CycleState clone = original.clone();
  NodeInfo copy = w.nodes[0];
  BOOST_REQUIRE(copy.remove_pod("uid-victim"));
  std::vector<const NodeInfo*> changed = {&copy, list[1], list[2]};
  clone.set_all_nodes(changed);
  BOOST_REQUIRE(plugin.pre_filter(clone, pod, changed).is_success());

  BOOST_TEST(plugin.filter(clone, pod, copy).is_success());
  Status s = plugin.filter(original, pod, w.nodes[0]);
  BOOST_TEST(!s.is_success());
  BOOST_TEST((s.is_success() ? std::string() : std::string(s.reasons().front())) == kAnti);
}

namespace {

/// default {team: a}; ns-b and ns-c {team: b}.
TestHandle three_namespaces() {
  TestHandle h;
  h.namespace_list = {
      {"default", {{"team", "a"}}}, {"ns-b", {{"team", "b"}}}, {"ns-c", {{"team", "b"}}}};
  return h;
}

/// A term selecting security=S1 pods by zone in the namespaces whose team label is `team`.
PodAffinityTerm s1_in_team(std::string team, std::int32_t weight = 0) {
  PodAffinityTerm t = term("security", "S1", "zone", weight, {});
  t.namespace_selector =
      api::LabelSelector::from_requirements({{"team", api::SelectorOp::equals, {std::move(team)}}});
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(namespace_selector_of_the_pods_terms_selects_namespaces_by_their_labels) {
  // An S1 pod in ns-b on node1 (zone z11). The pod's anti-affinity term selects S1 pods in the
  // namespaces labelled team=b (ns-b, ns-c): node1 is rejected; team=c selects no namespace;
  // without namespace labels (no handle) a non-empty selector selects none. The term's own
  // namespaces still count alongside the selector.
  World w = three_nodes();
  w.put(0, labeled_pod("s1", {{"security", "S1"}}, "ns-b"));
  TestHandle h = three_namespaces();
  PodInfo pod = labeled_pod("p", {});
  for (auto counting : {PodCounting::indexed, PodCounting::every_pod}) {
    BOOST_TEST_CONTEXT("every_pod " << (counting == PodCounting::every_pod)) {
      pod.pod_anti_affinity_required = {s1_in_team("b")};
      BOOST_TEST(filter_all(pod, w, &h, counting) == (Verdicts{kAnti, "", ""}));
      BOOST_TEST(filter_all(pod, w, nullptr, counting) == (Verdicts{"", "", ""}));
      pod.pod_anti_affinity_required = {s1_in_team("c")};
      BOOST_TEST(filter_all(pod, w, &h, counting) == (Verdicts{"", "", ""}));
      pod.pod_anti_affinity_required[0].namespaces = {"ns-b"};
      BOOST_TEST(filter_all(pod, w, &h, counting) == (Verdicts{kAnti, "", ""}));
      // Required affinity the same way: only node1's zone holds a selected pod.
      pod.pod_anti_affinity_required.clear();
      pod.pod_affinity_required = {s1_in_team("b")};
      BOOST_TEST(filter_all(pod, w, &h, counting) == (Verdicts{"", kAffinity, kAffinity}));
      pod.pod_affinity_required.clear();
    }
  }
}

BOOST_AUTO_TEST_CASE(
    namespace_selector_of_existing_pods_terms_matches_the_incoming_pods_namespace) {
  // An existing pod in ns-b on node1 refuses S1 pods of namespaces labelled team=a by zone.
  // An S1 pod from default (team a) is kept off node1; from ns-c (team b) it is not.
  World w = three_nodes();
  PodInfo existing = labeled_pod("guard", {}, "ns-b");
  existing.pod_anti_affinity_required = {s1_in_team("a")};
  w.put(0, existing);
  TestHandle h = three_namespaces();
  for (auto counting : {PodCounting::indexed, PodCounting::every_pod}) {
    BOOST_TEST_CONTEXT("every_pod " << (counting == PodCounting::every_pod)) {
      BOOST_TEST(filter_all(labeled_pod("p", {{"security", "S1"}}), w, &h, counting) ==
                 (Verdicts{kExisting, "", ""}));
      BOOST_TEST(filter_all(labeled_pod("p", {{"security", "S1"}}, "ns-c"), w, &h, counting) ==
                 (Verdicts{"", "", ""}));
    }
  }
}

BOOST_AUTO_TEST_CASE(namespace_selector_in_preferred_terms_scores_both_ways) {
  // node3 holds an S1 pod in ns-c. The pod prefers (weight 5) S1 pods of team=b namespaces:
  // node3 scores 5, the others 0 -> 0, 0, 100. The other way round: node3's pod prefers S1
  // pods of team=a namespaces; an S1 pod from default scores node3 highest.
  World w = three_nodes();
  w.put(2, labeled_pod("s1", {{"security", "S1"}}, "ns-c"));
  TestHandle h = three_namespaces();
  PodInfo pod = labeled_pod("p", {});
  pod.pod_affinity_preferred = {s1_in_team("b", 5)};
  for (auto counting : {PodCounting::indexed, PodCounting::every_pod}) {
    BOOST_TEST(score_all(pod, w, 1, &h, counting) == (std::vector<std::int64_t>{0, 0, 100}));
  }
  World v = three_nodes();
  PodInfo existing = labeled_pod("e", {}, "ns-c");
  existing.pod_affinity_preferred = {s1_in_team("a", 5)};
  v.put(2, existing);
  for (auto counting : {PodCounting::indexed, PodCounting::every_pod}) {
    BOOST_TEST(score_all(labeled_pod("p", {{"security", "S1"}}), v, 1, &h, counting) ==
               (std::vector<std::int64_t>{0, 0, 100}));
    BOOST_TEST(score_all(labeled_pod("p", {{"security", "S1"}}, "ns-b"), v, 1, &h, counting) ==
               (std::vector<std::int64_t>{0, 0, 0}));
  }
}

namespace {

/// One dry-run change: a pod added to or removed from a node.
struct DryRunCase {
  std::string name;
  World world;
  PodInfo pod;
  std::size_t node = 0;
  PodInfo changed;
  bool added = false;
};

Verdicts after_change(const DryRunCase& c, PodCounting counting, bool incremental) {
  InterPodAffinity plugin({}, counting);
  return verdicts_after_change(plugin, c.world.nodes, c.pod, {c.node, c.changed, c.added},
                               incremental);
}

PodInfo with_anti(PodInfo p, PodAffinityTerm t) {
  p.pod_anti_affinity_required.push_back(std::move(t));
  return p;
}

PodInfo with_affinity(PodInfo p, PodAffinityTerm t) {
  p.pod_affinity_required.push_back(std::move(t));
  return p;
}

/// Three nodes (zones z11, z12 in China, z21 in India) holding `pods` (node index, pod).
World world_of(std::vector<std::pair<std::size_t, PodInfo>> pods) {
  World w = three_nodes();
  for (auto& [node, p] : pods) w.put(node, std::move(p));
  return w;
}

std::vector<DryRunCase> dry_run_cases() {
  PodInfo plain = labeled_pod("p", {{"app", "web"}});
  PodInfo db = labeled_pod("db", {{"app", "db"}});
  PodInfo db2 = labeled_pod("db2", {{"app", "db"}});
  PodInfo avoids_db_zone = with_anti(plain, term("app", "db", "zone"));
  PodInfo avoids_db_region = with_anti(plain, term("app", "db", "region"));
  PodInfo near_db = with_affinity(plain, term("app", "db", "zone"));
  PodInfo self_affine = with_affinity(labeled_pod("s", {{"app", "db"}}), term("app", "db", "zone"));
  // Existing pods whose required anti-affinity keeps app=web pods out of their zone / region.
  PodInfo hates_web = with_anti(labeled_pod("h", {}), term("app", "web", "zone"));
  PodInfo hates_web_region = with_anti(labeled_pod("hr", {}), term("app", "web", "region"));
  return {
      {"removing the only selected pod frees its zone", world_of({{0, db}}), avoids_db_zone, 0, db,
       false},
      {"removing one of two selected pods in a region keeps it closed",
       world_of({{0, db}, {1, db2}}), avoids_db_region, 0, db, false},
      {"removing one of two in one zone keeps it closed", world_of({{0, db}, {0, db2}}),
       avoids_db_zone, 0, db2, false},
      {"adding a selected pod closes its zone", world_of({{0, db}}), avoids_db_zone, 2, db2, true},
      {"removing the pod an affinity needs leaves nothing to follow", world_of({{0, db}}), near_db,
       0, db, false},
      {"removing one of two affinity targets", world_of({{0, db}, {2, db2}}), near_db, 0, db,
       false},
      {"adding an affinity target opens its zone", world_of({{0, db}}), near_db, 2, db2, true},
      {"a self-affine pod's last peer removed: it may go anywhere", world_of({{1, db}}),
       self_affine, 1, db, false},
      {"removing an existing pod's anti-affinity frees its zone",
       world_of({{0, hates_web}, {2, db}}), plain, 0, hates_web, false},
      {"removing one of two existing anti-affinity carriers of a region",
       world_of({{0, hates_web_region}, {1, labeled_pod("hr2", {})}, {0, hates_web}}), plain, 0,
       hates_web, false},
      {"adding an existing pod's anti-affinity closes its zone",
       world_of({{0, hates_web}, {2, db}}), plain, 2,
       with_anti(labeled_pod("h2", {}), term("app", "web", "zone")), true},
      {"a zone closed by both a term and its own table: removing one carrier",
       world_of(
           {{0, hates_web}, {0, with_anti(labeled_pod("h3", {}), term("app", "web", "zone"))}}),
       plain, 0, hates_web, false},
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(removing_a_victim_an_anti_affinity_term_selects_frees_the_node) {
  // Preemption's dry run on node1: the victim app=db is what the pod's anti-affinity avoids.
  // The extension changes the cloned state's counts; the original state keeps them.
  World w = three_nodes();
  w.put(0, labeled_pod("victim", {{"app", "db"}}));
  PodInfo pod = with_anti(labeled_pod("p", {}), term("app", "db", "zone"));
  InterPodAffinity plugin({});
  BOOST_REQUIRE(plugin.pre_filter_extensions() != nullptr);
  auto list = pointers(w.nodes);
  CycleState original;
  original.set_all_nodes(list);
  BOOST_REQUIRE(plugin.pre_filter(original, pod, list).is_success());
  BOOST_TEST(!plugin.filter(original, pod, w.nodes[0]).is_success());
  CycleState clone = original.clone();
  NodeInfo copy = w.nodes[0];
  BOOST_REQUIRE(copy.remove_pod("uid-victim"));
  BOOST_REQUIRE(plugin.pre_filter_extensions()
                    ->remove_pod(clone, pod, *w.nodes[0].pods().front(), copy)
                    .is_success());
  BOOST_TEST(plugin.filter(clone, pod, copy).is_success());
  Status s = plugin.filter(original, pod, w.nodes[0]);
  BOOST_TEST((s.is_success() ? std::string() : std::string(s.reasons().front())) == kAnti);
  // Added back (a reprieve): the clone rejects the node again.
  copy.add_pod(w.nodes[0].pods().front());
  BOOST_REQUIRE(plugin.add_pod(clone, pod, *w.nodes[0].pods().front(), copy).is_success());
  BOOST_TEST(!plugin.filter(clone, pod, copy).is_success());
}

BOOST_AUTO_TEST_CASE(incremental_dry_runs_equal_prefilter_run_again) {
  std::size_t changed_verdicts = 0;
  for (const auto& c : dry_run_cases()) {
    for (auto counting : {PodCounting::indexed, PodCounting::every_pod}) {
      BOOST_TEST_CONTEXT(c.name << (counting == PodCounting::indexed ? " (indexed)" : " (walk)")) {
        BOOST_TEST(after_change(c, counting, true) == after_change(c, counting, false));
      }
    }
    if (after_change(c, PodCounting::indexed, true) != filter_all(c.pod, c.world))
      ++changed_verdicts;
  }
  BOOST_TEST(changed_verdicts >= 8u);  // the cases change what Filter answers, mostly
}
