// The scheduler benchmark (bench/scheduler_bench.hpp) at small size: every workload places
// every pod that fits (each pod is checked against the slow reference, which also proves an
// unschedulable pod fits nowhere), the JSON carries the issue's fields, and the reference check
// catches a wrong decision injected into a real cycle.
#define BOOST_TEST_MODULE scheduler_bench
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "actors/scheduler/plugins/default_plugins.hpp"
#include "bench/scheduler_bench.hpp"

using namespace craton::bench;
using namespace craton::scheduler;
using craton::scheduler::Status;

namespace {

SchedulerBenchOptions small(SchedulerWorkload workload) {
  SchedulerBenchOptions o;
  o.workload = workload;
  o.nodes = 50;
  o.pods = 500;
  o.check_every = 1;  // every measured pod against the reference
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_workload_places_every_pod_that_fits_as_the_reference_decides) {
  struct Case {
    SchedulerWorkload workload;
    bool all_fit;  // preemption's pods fit only after evicting
  };
  for (auto c : {Case{SchedulerWorkload::basic, true}, Case{SchedulerWorkload::anti_affinity, true},
                 Case{SchedulerWorkload::affinity, true}, Case{SchedulerWorkload::spread, true},
                 Case{SchedulerWorkload::gpu, true}, Case{SchedulerWorkload::preemption, false}}) {
    auto name = std::string(scheduler_workload_name(c.workload));
    BOOST_TEST_CONTEXT(name) {
      auto report = run_scheduler_bench(small(c.workload));
      BOOST_TEST_REQUIRE(report.ok());
      const auto& r = report.value();
      BOOST_TEST_MESSAGE(scheduler_bench_text(r));
      // A preempting pod is checked twice: its first cycle and its retry.
      BOOST_TEST(r.checked_pods == 500u + r.preempted_placed);
      BOOST_TEST(r.check_failures.empty());
      for (const auto& f : r.check_failures) BOOST_TEST_MESSAGE(f);
      BOOST_TEST(r.init_scheduled == r.init_pods);
      BOOST_TEST(r.scheduled + r.unschedulable == 500u);
      if (c.all_fit) {
        BOOST_TEST(r.scheduled == 500u);
        BOOST_TEST(r.pods_per_second > 0);
      } else {
        // 3000m asked, 400m free everywhere: each of the 50 nodes takes one pod after evicting
        // three 900m pods; the other 450 find no victims.
        BOOST_TEST(r.preemptions == 50u);
        BOOST_TEST(r.victims == 150u);
        BOOST_TEST(r.preempted_placed == 50u);
        BOOST_TEST(r.scheduled == 50u);
        BOOST_TEST(r.checked_preemptions == 50u);
        BOOST_TEST(r.preemption_ms_p50 > 0);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(anti_affinity_pods_of_a_group_land_on_distinct_nodes) {
  // The workload's point: the required anti-affinity really rejects nodes.
  craton::scheduler::ResourceNames resources;
  auto o = small(SchedulerWorkload::anti_affinity);
  auto model = make_scheduler_workload(o, resources);
  BOOST_TEST(model.measured_pods.size() == 500u);
  BOOST_TEST(model.measured_pods[0]->labels.at("color") ==
             model.measured_pods[20]->labels.at("color"));  // 20 groups of 25
  BenchCluster cluster(std::move(model.nodes));
  auto framework = Framework::create(default_registry(), default_profile(), resources);
  BOOST_TEST_REQUIRE(framework.ok());
  for (const auto& pod : model.measured_pods) {
    CycleState state;
    auto r = framework.value()->schedule(state, *pod, cluster.nodes(), {});
    BOOST_TEST_REQUIRE((r.code == Code::success));
    cluster.assume(pod, r.suggested_node);
  }
  for (const auto* node : cluster.nodes()) {
    std::set<std::string> colors;
    for (const auto& pod : node->pods()) BOOST_TEST(colors.insert(pod->labels.at("color")).second);
  }
}

BOOST_AUTO_TEST_CASE(json_has_the_issue_fields) {
  auto o = small(SchedulerWorkload::basic);
  o.pods = 50;
  auto report = run_scheduler_bench(o);
  BOOST_TEST_REQUIRE(report.ok());
  auto j = nlohmann::json::parse(scheduler_bench_json(report.value()));
  for (const char* field : {"workload", "nodes", "pods", "pods_per_second", "p50_ms", "p99_ms",
                            "peak_rss_bytes", "bytes_per_node", "bytes_per_pod", "checked_pods"})
    BOOST_TEST(j.contains(field), field);
  BOOST_TEST(j["workload"] == "basic");
  BOOST_TEST(j["nodes"] == 50);
  BOOST_TEST(j["peak_rss_bytes"].get<std::uint64_t>() > 0u);
  BOOST_TEST(j["p99_ms"].get<double>() >= j["p50_ms"].get<double>());
}

BOOST_AUTO_TEST_CASE(reference_check_catches_a_wrong_choice_injected_into_a_real_cycle) {
  ResourceNames resources;
  auto o = small(SchedulerWorkload::anti_affinity);
  auto model = make_scheduler_workload(o, resources);
  BenchCluster cluster(std::move(model.nodes));
  Profile profile = default_profile();
  auto framework = Framework::create(default_registry(), profile, resources);
  BOOST_TEST_REQUIRE(framework.ok());
  // Fill a little so scores differ, then take one real cycle.
  for (std::size_t i = 0; i < 30; ++i) {
    CycleState state;
    auto r = framework.value()->schedule(state, *model.measured_pods[i], cluster.nodes(), {});
    cluster.assume(model.measured_pods[i], r.suggested_node);
  }
  const auto& pod = *model.measured_pods[30];
  std::uint32_t start = framework.value()->next_start_node_index();
  CycleState state;
  auto r = framework.value()->schedule(state, pod, cluster.nodes(), {});
  BOOST_TEST_REQUIRE((r.code == Code::success));
  BOOST_TEST(check_against_reference(profile, resources, pod, cluster.nodes(), start, {}, r) == "");

  auto worse = r;  // a lower-scored node chosen
  auto low = std::min_element(r.scores.begin(), r.scores.end(),
                              [](auto& a, auto& b) { return a.total < b.total; });
  BOOST_TEST_REQUIRE(low->total < std::max_element(
                                      r.scores.begin(), r.scores.end(),
                                      [](auto& a, auto& b) { return a.total < b.total; })
                                      ->total);
  worse.suggested_node = low->node;
  worse.suggested_host = cluster.nodes()[low->node]->name();
  BOOST_TEST(check_against_reference(profile, resources, pod, cluster.nodes(), start, {}, worse) !=
             "");

  auto wrong_score = r;  // a total the plugins do not give
  wrong_score.scores.front().total += 1;
  BOOST_TEST(check_against_reference(profile, resources, pod, cluster.nodes(), start, {},
                                     wrong_score) != "");

  auto skipped = r;  // a feasible node reported as rejected
  skipped.rejected.push_back({r.scores.front().node, Status::unschedulable("injected")});
  BOOST_TEST(
      check_against_reference(profile, resources, pod, cluster.nodes(), start, {}, skipped) != "");
}

BOOST_AUTO_TEST_CASE(preemption_check_catches_a_needless_victim_and_a_victim_of_higher_priority) {
  // One node of 4000m holding four 900m pods (priority 0); the pod asks 3000m at priority 10:
  // three victims are needed. Four is one too many; a victim of priority 10 is not a victim.
  ResourceNames names;
  SchedulerBenchOptions o;
  o.workload = SchedulerWorkload::preemption;
  o.nodes = 1;
  o.pods = 1;
  auto model = make_scheduler_workload(o, names);
  for (const auto& p : model.init_pods) model.nodes[0].add_pod(p);
  std::vector<const NodeInfo*> nodes = {&model.nodes[0]};
  const auto& pod = *model.measured_pods[0];
  std::vector<std::shared_ptr<const PodInfo>> on_node = model.nodes[0].pods();
  Profile profile = default_profile();
  std::vector<std::shared_ptr<const PodInfo>> three(on_node.begin(), on_node.begin() + 3);
  BOOST_TEST(check_preemption(profile, names, pod, nodes, 0, three) == "");
  auto four = check_preemption(profile, names, pod, nodes, 0, on_node);
  BOOST_TEST(four.find("was not needed") != std::string::npos, four);
  std::vector<std::shared_ptr<const PodInfo>> two(on_node.begin(), on_node.begin() + 2);
  auto too_few = check_preemption(profile, names, pod, nodes, 0, two);
  BOOST_TEST(too_few.find("does not fit") != std::string::npos, too_few);
  auto important = std::make_shared<PodInfo>(*on_node[0]);
  important->priority = 10;
  three[0] = important;
  auto higher = check_preemption(profile, names, pod, nodes, 0, three);
  BOOST_TEST(higher.find("has priority 10") != std::string::npos, higher);
}

BOOST_AUTO_TEST_CASE(the_queue_path_places_what_the_direct_path_places_as_the_reference_decides) {
  // The scheduler's cache, snapshot and queue around the framework: every pod that fits is
  // placed, each checked against the slow reference over the snapshot's nodes.
  for (auto w : {SchedulerWorkload::basic, SchedulerWorkload::anti_affinity,
                 SchedulerWorkload::affinity, SchedulerWorkload::spread, SchedulerWorkload::gpu}) {
    BOOST_TEST_CONTEXT(scheduler_workload_name(w)) {
      auto o = small(w);
      o.path = SchedulerBenchPath::queue;
      auto report = run_scheduler_bench(o);
      BOOST_TEST_REQUIRE(report.ok());
      const auto& r = report.value();
      BOOST_TEST(r.path == "queue");
      BOOST_TEST(r.init_scheduled == r.init_pods);
      BOOST_TEST(r.scheduled == 500u);
      BOOST_TEST(r.checked_pods == 500u);
      BOOST_TEST(r.check_failures.empty());
      for (const auto& f : r.check_failures) BOOST_TEST_MESSAGE(f);
      BOOST_TEST(nlohmann::json::parse(scheduler_bench_json(r))["path"] == "queue");
    }
  }
  auto o = small(SchedulerWorkload::preemption);
  o.path = SchedulerBenchPath::queue;
  BOOST_TEST(run_scheduler_bench(o).error().code == "bad_options");
  BOOST_TEST((parse_scheduler_bench_path("queue").value() == SchedulerBenchPath::queue));
  BOOST_TEST(!parse_scheduler_bench_path("apiserver").ok());
}

BOOST_AUTO_TEST_CASE(the_api_path_binds_every_placed_pod_through_the_api_service) {
  // The queue path whose binder writes: every pod exists pending in an in-process API service
  // first, each placed pod is bound by the scheduler's pods/binding call, and the run fails
  // unless the API then lists every placed pod bound (checked inside run_scheduler_bench).
  for (auto w : {SchedulerWorkload::basic, SchedulerWorkload::anti_affinity}) {
    BOOST_TEST_CONTEXT(scheduler_workload_name(w)) {
      auto o = small(w);
      o.path = SchedulerBenchPath::api;
      o.check_every = 50;
      auto report = run_scheduler_bench(o);
      BOOST_TEST_REQUIRE(report.ok(), (report.ok() ? "" : report.error().message));
      const auto& r = report.value();
      BOOST_TEST(r.path == "api");
      BOOST_TEST(r.init_scheduled == r.init_pods);
      BOOST_TEST(r.scheduled == 500u);
      BOOST_TEST(r.check_failures.empty());
    }
  }
  BOOST_TEST((parse_scheduler_bench_path("api").value() == SchedulerBenchPath::api));
}
