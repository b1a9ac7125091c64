// TopologyIndex (actors/scheduler/plugins/topology_index.hpp) against a walk over every pod,
// through random changes to a cluster (pods added and removed, a node rebuilt at the same
// address, labels changed, nodes dropped from the list), and the two plugins that use it
// (InterPodAffinity, PodTopologySpread) against their every-pod reference on the same changes.
#define BOOST_TEST_MODULE scheduler_topology_index
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "actors/scheduler/plugins/inter_pod_affinity.hpp"
#include "actors/scheduler/plugins/pod_topology_spread.hpp"
#include "actors/scheduler/plugins/topology_index.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

const std::string kZone = "zone";
const std::string kHost = "kubernetes.io/hostname";

PodAffinityTerm term(std::string color, std::string topology_key, std::int32_t weight = 0,
                     std::vector<std::string> namespaces = {"a"}) {
  PodAffinityTerm t;
  t.selector =
      api::LabelSelector::from_requirements({{"color", api::SelectorOp::in, {std::move(color)}}});
  t.namespaces = std::move(namespaces);
  t.all_namespaces = t.namespaces.empty();
  t.topology_key = std::move(topology_key);
  t.weight = weight;
  return t;
}

/// A random cluster that changes one step at a time.
struct World {
  std::mt19937 rng{7};
  std::vector<NodeInfo> nodes;
  std::size_t listed = 0;  ///< the cycle sees nodes[0, listed)
  int next_pod = 0;

  explicit World(std::size_t n) {
    nodes.reserve(n);  // addresses stay put: a rebuilt node reuses its address
    for (std::size_t i = 0; i < n; ++i) nodes.push_back(make_node(i));
    listed = n;
  }
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  std::string color() { return std::string(1, char('r' + pick(3))); }

  NodeInfo make_node(std::size_t i) {
    api::Labels labels{{kHost, "n" + std::to_string(i)}};
    if (i % 7 != 3) labels[kZone] = "z" + std::to_string(i % 3);  // some nodes lack a zone
    return node_with("n" + std::to_string(i), 64000, 1 << 30, 1000, labels);
  }

  PodInfo random_pod() {
    PodInfo p = pod_requesting(10, 10, "p" + std::to_string(next_pod++));
    p.namespace_ = pick(4) ? "a" : "b";
    if (pick(5)) p.labels["color"] = color();
    const std::string& key = pick(2) ? kZone : kHost;
    switch (pick(6)) {
      case 0:
        p.pod_affinity_required.push_back(term(color(), key));
        break;
      case 1:
        p.pod_anti_affinity_required.push_back(term(color(), key));
        break;
      case 2:
        p.pod_affinity_preferred.push_back(term(color(), key, 1 + pick(5)));
        break;
      case 3:
        p.pod_anti_affinity_preferred.push_back(term(color(), key, 1 + pick(5), {}));
        break;
      default:
        break;
    }
    if (pick(4) == 0) {
      TopologySpreadConstraint c;
      c.max_skew = 1 + pick(2);
      c.topology_key = pick(2) ? kZone : kHost;
      c.selector = api::LabelSelector::from_requirements(
          {{"color",
            api::SelectorOp::equals,
            {p.labels.count("color") ? p.labels["color"] : "r"}}});
      p.topology_spread_constraints.push_back(std::move(c));
    }
    return p;
  }

  /// One random change.
  void step() {
    auto& node = nodes[pick(static_cast<int>(nodes.size()))];
    switch (pick(10)) {
      case 0:
        if (!node.pods().empty())
          node.remove_pod(node.pods()[pick(static_cast<int>(node.pods().size()))]->uid);
        break;
      case 1: {  // rebuilt at the same address: same generation counter would lie
        auto i = static_cast<std::size_t>(&node - nodes.data());
        node = make_node(i);
        break;
      }
      case 2: {
        auto labels = node.labels();
        labels[kZone] = "z" + std::to_string(pick(4));
        node.set_node(labels, {}, false, node.allocatable());
        break;
      }
      case 3:
        listed = nodes.size() - static_cast<std::size_t>(pick(3));  // drop a tail, or not
        break;
      default:
        node.add_pod(std::make_shared<PodInfo>(random_pod()));
    }
  }

  std::vector<const NodeInfo*> list() const {
    std::vector<const NodeInfo*> out;
    for (std::size_t i = 0; i < listed; ++i) out.push_back(&nodes[i]);
    return out;
  }
};

DomainCounts walk_selected(const std::vector<const NodeInfo*>& nodes,
                           std::span<const PodAffinityTerm> terms, const std::string& key) {
  DomainCounts out;
  for (const auto* node : nodes) {
    auto label = node->labels().find(key);
    if (label == node->labels().end()) continue;
    for (const auto& pod : node->pods()) {
      bool all = !terms.empty();
      for (const auto& t : terms) all = all && t.selects(*pod);
      if (all) ++out[label->second];
    }
  }
  std::erase_if(out, [](const auto& kv) { return kv.second == 0; });
  return out;
}

DomainCounts nonzero(const DomainCounts& counts) {
  DomainCounts out;
  for (const auto& [k, v] : counts)
    if (v != 0) out[k] = v;
  return out;
}

/// Existing terms by (kind, selector, namespaces, key, weight): carriers and per-domain pods.
using TermTable =
    std::map<std::string, std::pair<std::int64_t, std::map<std::string, std::int64_t>>>;

std::string term_name(TermKind kind, const PodAffinityTerm& t) {
  std::string ns;
  for (const auto& n : t.namespaces) ns += n + ",";
  return std::to_string(int(kind)) + "|" + t.selector->to_string() + "|" + ns + "|" +
         t.topology_key + "|" + std::to_string(t.weight);
}

TermTable walk_terms(const std::vector<const NodeInfo*>& nodes) {
  TermTable out;
  for (const auto* node : nodes)
    for (const auto& pod : node->pods()) {
      auto note = [&](TermKind kind, const std::vector<PodAffinityTerm>& terms) {
        for (const auto& t : terms) {
          auto& entry = out[term_name(kind, t)];
          ++entry.first;
          auto label = node->labels().find(t.topology_key);
          if (label != node->labels().end()) ++entry.second[label->second];
        }
      };
      note(TermKind::required_affinity, pod->pod_affinity_required);
      note(TermKind::required_anti_affinity, pod->pod_anti_affinity_required);
      note(TermKind::preferred_affinity, pod->pod_affinity_preferred);
      note(TermKind::preferred_anti_affinity, pod->pod_anti_affinity_preferred);
    }
  return out;
}

TermTable index_terms(const TopologyIndex& index) {
  TermTable out;
  for (const auto& e : index.existing_terms()) {
    if (e->carriers == 0) continue;
    auto& entry = out[term_name(e->kind, e->term)];
    entry.first = e->carriers;
    for (const auto& [domain, n] : e->pods.counts())
      if (n) entry.second[domain] = n;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(counts_equal_a_walk_over_every_pod_through_random_changes) {
  World w(12);
  TopologyIndex index;
  std::vector<std::vector<PodAffinityTerm>> queries = {{term("r", kZone)},
                                                       {term("s", kHost)},
                                                       {term("r", kZone), term("r", kHost, 0, {})},
                                                       {term("t", kZone, 0, {})},
                                                       {}};
  for (int step = 0; step < 600; ++step) {
    w.step();
    auto list = w.list();
    index.sync(list);
    BOOST_TEST_CONTEXT("step " << step) {
      for (std::size_t q = 0; q < queries.size(); ++q)
        for (const auto& key : {kZone, kHost}) {
          auto lookup = index.count_selected(queries[q], key);
          auto expected = walk_selected(list, queries[q], key);
          BOOST_TEST((nonzero(lookup.counts()) == expected), "query " << q << " on " << key);
          std::int64_t total = 0;
          for (const auto& [d, n] : expected) total += n;
          BOOST_TEST(lookup.total == total);
        }
      DomainCounts zones;
      for (const auto* node : list)
        if (node->labels().count(kZone)) ++zones[node->labels().at(kZone)];
      BOOST_TEST((nonzero(index.nodes_per_domain(kZone)->counts) == zones));
      BOOST_TEST((index_terms(index) == walk_terms(list)));
    }
  }
}

// What a World's list says changed: the positions whose node's generation is above a given
// one (found here by looking at every node; the scheduler's Snapshot keeps a set instead), and
// a new layout whenever the list's length changes. `silent` says nothing changed.
struct WorldChanges final : NodeListChanges {
  const std::vector<const NodeInfo*>* list = nullptr;
  std::uint64_t layout_id = 1;
  bool silent = false;
  std::uint64_t layout() const override { return layout_id; }
  std::uint64_t newest_generation() const override {
    std::uint64_t newest = 0;
    for (const NodeInfo* n : *list) newest = std::max(newest, n->generation());
    return newest;
  }
  void changed_after(std::uint64_t after,
                     const std::function<void(std::size_t)>& visit) const override {
    if (silent) return;
    for (std::size_t i = 0; i < list->size(); ++i)
      if ((*list)[i]->generation() > after) visit(i);
  }
};

BOOST_AUTO_TEST_CASE(synced_with_the_lists_changes_counts_equal_a_walk_through_random_changes) {
  World w(12);
  TopologyIndex index;
  std::vector<const NodeInfo*> list;  // one buffer: the same list from sync to sync
  list.reserve(w.nodes.size());
  WorldChanges changes;
  changes.list = &list;
  std::vector<PodAffinityTerm> q = {term("r", kZone)};
  for (int step = 0; step < 600; ++step) {
    w.step();
    if (w.list().size() != list.size()) ++changes.layout_id;
    list = w.list();
    index.sync(list, &changes);
    BOOST_TEST_CONTEXT("step " << step) {
      BOOST_TEST(
          (nonzero(index.count_selected(q, kZone).counts()) == walk_selected(list, q, kZone)));
      BOOST_TEST((index_terms(index) == walk_terms(list)));
    }
  }
}

// With the list's changes, a sync looks only at the positions they name: a node changed
// without the list saying so stays as counted (so the changes, not a look at every node, are
// what the sync costs); a sync without them looks at every node and catches up.
BOOST_AUTO_TEST_CASE(a_sync_with_the_lists_changes_looks_only_at_the_positions_they_name) {
  World w(8);
  TopologyIndex index;
  std::vector<const NodeInfo*> list = w.list();
  WorldChanges changes;
  changes.list = &list;
  std::vector<PodAffinityTerm> q = {term("r", kZone)};
  index.sync(list, &changes);
  BOOST_TEST(index.count_selected(q, kZone).total == 0);

  PodInfo red = pod_requesting(10, 10, "red");
  red.namespace_ = "a";
  red.labels["color"] = "r";
  w.nodes[0].add_pod(std::make_shared<PodInfo>(red));  // node 0 has a zone (0 % 7 != 3)
  index.sync(list, &changes);
  BOOST_TEST(index.count_selected(q, kZone).total == 1);

  red.uid = red.name = "red-2";
  w.nodes[1].add_pod(std::make_shared<PodInfo>(red));
  changes.silent = true;
  index.sync(list, &changes);
  BOOST_TEST(index.count_selected(q, kZone).total == 1);  // not told, not looked at
  index.sync(list);
  BOOST_TEST(index.count_selected(q, kZone).total == 2);
}

BOOST_AUTO_TEST_CASE(a_query_first_asked_late_counts_every_pod_already_there) {
  World w(6);
  for (int i = 0; i < 200; ++i) w.step();
  TopologyIndex index;
  auto list = w.list();
  index.sync(list);
  std::vector<PodAffinityTerm> q = {term("s", kZone)};
  BOOST_TEST((nonzero(index.count_selected(q, kZone).counts()) == walk_selected(list, q, kZone)));
}

BOOST_AUTO_TEST_CASE(queries_are_bounded_and_the_least_recently_used_goes) {
  World w(4);
  TopologyIndex index;
  auto list = w.list();
  for (std::size_t i = 0; i < TopologyIndex::kQueriesMax + 10; ++i) {
    index.sync(list);
    std::vector<PodAffinityTerm> q = {term("c" + std::to_string(i), kZone)};
    index.count_selected(q, kZone);
  }
  BOOST_TEST(index.queries() == TopologyIndex::kQueriesMax);
}

BOOST_AUTO_TEST_CASE(indexed_plugins_decide_as_their_every_pod_reference_through_changes) {
  World w(10);
  InterPodAffinity affinity({1}), affinity_ref({1}, PodCounting::every_pod);
  PodTopologySpread spread, spread_ref(PodCounting::every_pod);
  for (int step = 0; step < 400; ++step) {
    w.step();
    auto list = w.list();
    PodInfo pod = w.random_pod();
    auto verdicts = [&](auto& plugin) {
      CycleState state;
      state.set_all_nodes(list);
      std::vector<std::string> out;
      Status pre = plugin.pre_filter(state, pod, list);
      for (const auto* node : list) {
        if (pre.is_skip()) {
          out.push_back("skip");
          continue;
        }
        Status s = plugin.filter(state, pod, *node);
        out.push_back(s.is_success() ? "" : std::string(s.reasons().front()));
      }
      Status pre_score = plugin.pre_score(state, pod, list);
      std::vector<NodeScore> scores;
      for (std::uint32_t i = 0; i < list.size() && !pre_score.is_skip(); ++i) {
        scores.push_back({i, 0});
        BOOST_TEST(plugin.score(state, pod, *list[i], scores.back().score).is_success());
      }
      plugin.normalize_score(state, pod, scores);
      for (const auto& s : scores) out.push_back(std::to_string(s.score));
      return out;
    };
    BOOST_TEST_CONTEXT("step " << step) {
      BOOST_TEST(verdicts(affinity) == verdicts(affinity_ref), boost::test_tools::per_element());
      BOOST_TEST(verdicts(spread) == verdicts(spread_ref), boost::test_tools::per_element());
    }
  }
}
