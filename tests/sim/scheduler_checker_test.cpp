// The scheduler checker (sim/scheduler/scheduler_checker.hpp) on fabricated histories: a clean run
// passes and is counted; each rule fails a history that breaks it; what leader election
// legitimately allows (a binding sent while leading and accepted after another instance took
// over, a refused binding) passes.
#define BOOST_TEST_MODULE sim_scheduler_checker
#include <boost/test/unit_test.hpp>

#include <functional>

#include "sim/scheduler/scheduler_checker.hpp"

using namespace craton::sim;

namespace {

constexpr std::int64_t kGi = std::int64_t{1} << 30;

SchedulerResources cpu(std::int64_t milli, std::int64_t pods = 1) {
  return {milli, pods == 0 ? 0 : kGi / 4 * pods, pods};
}

const SchedulerResources kNodeRoom{4000, 8 * kGi, 110};

/// A view of nodes node-n1 and node-n2 (4 CPUs each) and the given pods (uid -> name, node,
/// milli-CPU); the nodes' requested sums are computed as an auditor does.
SchedulerView view(std::vector<std::tuple<std::string, std::string, std::int64_t>> pods) {
  SchedulerView v;
  v.revision = 7;
  v.nodes["node-n1"].allocatable = kNodeRoom;
  v.nodes["node-n2"].allocatable = kNodeRoom;
  for (const auto& [uid, node, milli] : pods) {
    auto& p = v.pods[uid];
    p.name = "default/" + uid;
    p.node = node;
    p.request = cpu(milli);
    if (node.empty()) continue;
    auto& r = v.nodes[node].requested;
    r.cpu_milli += p.request.cpu_milli;
    r.memory_bytes += p.request.memory_bytes;
    r.pods += 1;
  }
  return v;
}

Observation text(std::int64_t t, const std::string& node, const std::string& what,
                 std::uint64_t incarnation = 0) {
  return {t, node, incarnation, TextEvent{what}};
}

// n1 leads and binds a; it loses the Lease; n2 leads and binds b; a pod of 64 CPUs and one of
// 2.5 CPUs (more than either node has left) stay pending.
RunHistory clean() {
  RunHistory h;
  h.nodes = {"n1", "n2"};
  h.final_state["n1"] = NodeFinalState{true, 0};
  h.final_state["n2"] = NodeFinalState{true, 0};
  h.observations = {
      text(1000, "n1", "scheduler leading: acts"),
      text(1100, "n1", "scheduler binds default/a node-n1"),
      text(1150, "n1", "scheduler bound default/a node-n1 201"),
      {1200, "n1", 0, view({{"a", "node-n1", 2000}, {"big", "", 64000}})},
      text(15000, "n1", "scheduler not leading: waits"),
      text(20000, "n2", "scheduler leading: acts"),
      text(21000, "n2", "scheduler binds default/b node-n2"),
      text(21050, "n2", "scheduler bound default/b node-n2 201"),
      {22000, "n1", 0,
       view({{"a", "node-n1", 2000}, {"b", "node-n2", 3000}, {"big", "", 64000}, {"c", "", 2500}})},
      {22000, "n2", 0,
       view({{"a", "node-n1", 2000}, {"b", "node-n2", 3000}, {"big", "", 64000}, {"c", "", 2500}})},
  };
  return h;
}

bool fails_with(const RunHistory& h, const std::string& words) {
  auto r = check_scheduling(h);
  for (const auto& f : r.failures)
    if (f.find(words) != std::string::npos) return true;
  return false;
}

std::string failures(const RunHistory& h) {
  std::string all;
  for (const auto& f : check_scheduling(h).failures) all += "\n  " + f;
  return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_clean_run_passes_and_is_counted) {
  auto r = check_scheduling(clean());
  BOOST_TEST(r.ok, failures(clean()));
  BOOST_TEST(r.counts["scheduler_views_judged"] == 3u);
  BOOST_TEST(r.counts["bindings_sent"] == 2u);
  BOOST_TEST(r.counts["bindings_accepted"] == 2u);
  BOOST_TEST(r.counts["leader_terms"] == 2u);
  BOOST_TEST(r.counts["terms_with_bindings"] == 2u);
  BOOST_TEST(r.counts["auditors_converged"] == 2u);
  BOOST_TEST(r.counts["pods_bound_at_end"] == 4u);
  BOOST_TEST(r.counts["pods_pending_at_end"] == 4u);
}

// Each rule, broken by one change to the clean history.
BOOST_AUTO_TEST_CASE(each_rule_fails_a_history_that_breaks_it) {
  struct Case {
    const char* rule;
    std::function<void(RunHistory&)> breaks;
    const char* failure;
  };
  const std::vector<Case> cases = {
      {"capacity: a node's requests above its allocatable",
       [](RunHistory& h) {
         h.observations.push_back(text(21100, "n2", "scheduler binds default/c node-n1"));
         h.observations.push_back(text(21150, "n2", "scheduler bound default/c node-n1 201"));
         h.observations.push_back(
             {23000, "n2", 0, view({{"a", "node-n1", 2000}, {"c", "node-n1", 2500}})});
       },
       "sees node node-n1 over its allocatable"},
      {"capacity: also with a binding that timed out and landed",
       [](RunHistory& h) {
         h.observations.push_back(text(21100, "n2", "scheduler binds default/c node-n1"));
         h.observations.push_back(text(26100, "n2", "scheduler bound default/c node-n1 504"));
         h.observations.push_back(
             {26200, "n2", 0, view({{"a", "node-n1", 2000}, {"c", "node-n1", 2500}})});
       },
       "sees node node-n1 over its allocatable"},
      {"capacity: pods count as pods",
       [](RunHistory& h) {
         auto v = view({});
         v.nodes["node-n1"].allocatable.pods = 1;
         v.pods["x"] = {"default/x", "node-n1", cpu(10)};
         v.pods["y"] = {"default/y", "node-n1", cpu(10)};
         v.nodes["node-n1"].requested = {20, kGi / 2, 2};
         h.observations.insert(h.observations.begin(), {500, "n1", 0, v});
         for (const char* pod : {"x", "y"}) {
           h.observations.push_back(
               text(21100, "n2", std::string("scheduler binds default/") + pod + " node-n1"));
           h.observations.push_back(
               text(21150, "n2", std::string("scheduler bound default/") + pod + " node-n1 201"));
         }
       },
       "over its allocatable"},
      {"bound once: one uid on two nodes, seen by two auditors",
       [](RunHistory& h) {
         h.observations.push_back({23000, "n2", 0, view({{"a", "node-n2", 2000}})});
       },
       "sees pod default/a (a) bound to node-n2; n1's auditor saw it on node-n1"},
      {"bound once: the API accepts a second binding of a pod",
       [](RunHistory& h) {
         h.observations.push_back(text(21100, "n2", "scheduler binds default/a node-n2"));
         h.observations.push_back(text(21200, "n2", "scheduler bound default/a node-n2 201"));
       },
       "the API accepted two bindings of default/a"},
      {"binds only while leading",
       [](RunHistory& h) {
         h.observations.push_back(text(16000, "n1", "scheduler binds default/c node-n1"));
       },
       "scheduler n1#0 binds default/c to node-n1 while not leading"},
      {"one binder: an instance binds inside another's term",
       [](RunHistory& h) {
         // n2 took over (n1 never noticed, say paused), bound b; then n1 binds again.
         h.observations.push_back(text(21500, "n1", "scheduler leading: acts"));
         h.observations.push_back(text(21600, "n1", "scheduler binds default/c node-n1"));
         h.observations.push_back(text(21700, "n1", "scheduler bound default/c node-n1 201"));
         h.observations.push_back(text(21800, "n2", "scheduler binds default/d node-n2"));
         h.observations.push_back(text(21900, "n2", "scheduler bound default/d node-n2 201"));
       },
       "inside the term of n2#0"},
      {"convergence: a pending pod fits the room left",
       [](RunHistory& h) {
         h.observations.back().event = view({{"a", "node-n1", 2000}, {"c", "", 1500}});
       },
       "pod default/c (1500m cpu"},
      {"convergence: an auditor alive at the end saw nothing",
       [](RunHistory& h) {
         h.final_state["n3"] = NodeFinalState{true, 0};
       },
       "n3's auditor (alive at the end) never saw"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.rule) {
      auto h = clean();
      c.breaks(h);
      BOOST_TEST(fails_with(h, c.failure), failures(h));
    }
  }
}

// What the real system may do and the checker must accept.
BOOST_AUTO_TEST_CASE(what_leader_election_allows_passes) {
  struct Case {
    const char* what;
    std::function<void(RunHistory&)> changes;
  };
  const std::vector<Case> cases = {
      {"a binding sent while leading is accepted after another instance took over and bound",
       [](RunHistory& h) {
         // n1 sent c before its term ended; the API answered long after n2 started binding.
         h.observations.insert(h.observations.begin() + 4,
                               text(14000, "n1", "scheduler binds default/c node-n1"));
         h.observations.push_back(text(21500, "n1", "scheduler bound default/c node-n1 201"));
       }},
      {"a binding the API refused is not a binding",
       [](RunHistory& h) {
         h.observations.push_back(text(21500, "n1", "scheduler leading: acts"));
         h.observations.push_back(text(21600, "n1", "scheduler binds default/c node-n1"));
         h.observations.push_back(text(21700, "n1", "scheduler bound default/c node-n1 409"));
         h.observations.push_back(text(21800, "n2", "scheduler binds default/d node-n2"));
         h.observations.push_back(text(21900, "n2", "scheduler bound default/d node-n2 201"));
       }},
      {"a new incarnation is a new instance, and may lead right after its old one",
       [](RunHistory& h) {
         h.observations.push_back(text(30000, "n2", "scheduler leading: acts", 1));
         h.observations.push_back(text(30100, "n2", "scheduler binds default/c node-n1", 1));
         h.observations.push_back(text(30200, "n2", "scheduler bound default/c node-n1 201", 1));
       }},
      {"only the last view of an auditor alive at the end is judged for convergence",
       [](RunHistory& h) {
         h.observations.insert(h.observations.begin() + 3,
                               {1180, "n1", 0, view({{"a", "", 2000}})});
         h.final_state["n3"] = NodeFinalState{false, 0};
         h.observations.push_back({22500, "n3", 0, view({{"c", "", 100}})});
       }},
      {"a node the nodes informer has not listed yet is not judged",
       [](RunHistory& h) {
         auto v = view({{"a", "node-n1", 2000}});
         v.pods["z"] = {"default/z", "node-n9", cpu(8000)};
         v.nodes["node-n9"].requested = cpu(8000);
         h.observations.insert(h.observations.begin() + 3, {1190, "n2", 0, v});
       }},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      auto h = clean();
      c.changes(h);
      BOOST_TEST(check_scheduling(h).ok, failures(h));
    }
  }
}
