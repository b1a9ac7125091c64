// The research harness's pure parts around a run (issue 15): when a run may stop early
// (run_stop.hpp) and the FGD paper's demand cut, how node events become world faults and Node
// deletions (node_event_replay.hpp), the recorder reading the GPUs the scheduler wrote on the
// pods (research_recorder.hpp), and sampling, inflating and pacing a workload
// (workload_sample.hpp). Hand-made inputs; no simulation.
#define BOOST_TEST_MODULE research_stop
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "sim/research/node_event_replay.hpp"
#include "sim/research/research_recorder.hpp"
#include "sim/research/run_stop.hpp"
#include "sim/workload/workload_sample.hpp"

using namespace craton;
using namespace craton::research;

namespace {

constexpr std::int64_t kGi = std::int64_t{1} << 30;

workload::Node gpu_node(std::string name, std::int32_t gpus) {
  workload::Node n;
  n.name = std::move(name);
  n.capacity.cpu_milli = 64000;
  n.capacity.memory_bytes = 256 * kGi;
  n.gpu_count = gpus;
  n.gpu_model = gpus > 0 ? "V100" : "";
  return n;
}

workload::Pod pod(std::string name, std::int64_t submit_ms, std::int32_t num_gpu,
                  std::int32_t gpu_milli) {
  workload::Pod p;
  p.name = std::move(name);
  p.submit_ms = submit_ms;
  p.requests.cpu_milli = 1000;
  p.num_gpu = num_gpu;
  p.gpu_milli = gpu_milli;
  return p;
}

sim::PodsView::Pod view_pod(std::string name, std::string node, std::string phase,
                            std::string gpu_index = "") {
  sim::PodsView::Pod p;
  p.name = "default/" + name;
  p.node = std::move(node);
  p.phase = std::move(phase);
  p.gpu_index = std::move(gpu_index);
  return p;
}

sim::PodsView view(std::vector<sim::PodsView::Pod> pods) {
  sim::PodsView v;
  for (std::size_t i = 0; i < pods.size(); ++i) v.pods["uid-" + std::to_string(i)] = pods[i];
  return v;
}

/// A collecting sink.
struct Records : workload::WorkloadSink {
  workload::WorkloadHeader head;
  std::vector<workload::Node> nodes;
  std::vector<workload::Pod> pods;
  std::vector<workload::NodeEvent> events;
  Status header(const workload::WorkloadHeader& h) override {
    head = h;
    return Ok{};
  }
  Status add(const workload::WorkloadRecord& r) override {
    if (auto* n = std::get_if<workload::Node>(&r)) nodes.push_back(*n);
    if (auto* p = std::get_if<workload::Pod>(&r)) pods.push_back(*p);
    if (auto* e = std::get_if<workload::NodeEvent>(&r)) events.push_back(*e);
    return Ok{};
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_run_stops_when_every_pod_finished) {
  RunStop stop({{"default/a", "default/b"}, 5'000, false, 15'000});
  BOOST_TEST(!stop.done(1'000));  // no view yet
  stop.on_view(view({view_pod("a", "n1", "Running")}));
  BOOST_TEST(!stop.done(6'000));  // b not created yet
  stop.on_view(view({view_pod("a", "n1", "Running"), view_pod("b", "n2", "Running")}));
  BOOST_TEST(!stop.done(7'000));  // both running: they can still free room
  stop.on_view(view({view_pod("a", "n1", "Succeeded"), view_pod("b", "n2", "Failed")}));
  BOOST_TEST(stop.done(8'000));  // nothing pending: no quiet needed
  BOOST_TEST(stop.reason() == "finished");
}

BOOST_AUTO_TEST_CASE(a_pod_the_api_refused_for_good_does_not_hold_the_run) {
  RunStop stop({{"default/a", "default/refused"}, 5'000, false, 15'000});
  stop.on_view(view({view_pod("a", "n1", "Succeeded")}));
  BOOST_TEST(!stop.done(6'000));  // refused is not created yet
  stop.give_up("default/refused");
  BOOST_TEST(stop.done(6'001));
  BOOST_TEST(stop.reason() == "finished");
  RunStop seen({{"default/a"}, 0, false, 15'000});
  seen.on_view(view({view_pod("a", "", "Pending")}));
  seen.give_up("default/a");  // created after all: still waited for
  BOOST_TEST(!seen.done(1'000));
}

BOOST_AUTO_TEST_CASE(pending_pods_stop_the_run_only_after_a_quiet_time_with_nothing_running) {
  RunStop stop({{"default/a", "default/big"}, 0, false, 15'000});
  stop.on_view(view({view_pod("a", "n1", "Running"), view_pod("big", "", "Pending")}));
  BOOST_TEST(!stop.done(1'000));
  BOOST_TEST(!stop.done(100'000));  // a runs: when it ends, big may fit
  stop.on_view(view({view_pod("a", "n1", "Succeeded"), view_pod("big", "", "Pending")}));
  BOOST_TEST(!stop.done(101'000));  // the scheduler may still try big
  BOOST_TEST(!stop.done(115'999));
  BOOST_TEST(stop.done(116'000));
  BOOST_TEST(stop.reason() == "unschedulable");
  // A pod deleted (preempted, evicted) is gone from the views: it does not hold the run.
  RunStop gone({{"default/a", "default/b"}, 0, false, 15'000});
  gone.on_view(view({view_pod("a", "n1", "Running"), view_pod("b", "n1", "Running")}));
  gone.on_view(view({view_pod("b", "n1", "Succeeded")}));
  BOOST_TEST(gone.done(1'000));
}

BOOST_AUTO_TEST_CASE(nothing_stops_before_the_last_arrival) {
  RunStop stop({{"default/a"}, 50'000, false, 15'000});
  stop.on_view(view({view_pod("a", "n1", "Succeeded")}));
  BOOST_TEST(!stop.done(49'999));  // a node event may still come
  BOOST_TEST(stop.done(50'000));
}

BOOST_AUTO_TEST_CASE(the_demand_stop_counts_a_bound_pod_as_decided) {
  RunStop stop({{"default/a", "default/b"}, 0, true, 15'000});
  stop.on_view(view({view_pod("a", "n1", "Running"), view_pod("b", "", "Pending")}));
  BOOST_TEST(!stop.done(1'000));  // b not placed yet
  stop.on_view(view({view_pod("a", "n1", "Running"), view_pod("b", "n1", "Pending")}));
  BOOST_TEST(stop.done(2'000));
  BOOST_TEST(stop.reason() == "gpu-demand");
}

BOOST_AUTO_TEST_CASE(the_demand_cut_takes_pods_until_their_gpus_reach_the_fraction) {
  std::vector<workload::Node> nodes = {gpu_node("a", 2), gpu_node("b", 1), gpu_node("c", 0)};
  BOOST_TEST(gpu_capacity_milli(nodes) == 3000);
  std::vector<workload::Pod> pods = {pod("cpu", 0, 0, 0), pod("half", 0, 1, 500),
                                     pod("two", 0, 2, 1000), pod("third", 0, 1, 1000),
                                     pod("more", 0, 1, 1000)};
  BOOST_TEST(gpu_demand_milli(pods[2]) == 2000);
  BOOST_TEST(demand_cut(pods, 3000, 0.5).value_or(0) == 3u);  // 2500 >= 1500
  BOOST_TEST(demand_cut(pods, 3000, 1.0).value_or(0) == 4u);  // 3500 >= 3000
  BOOST_TEST(demand_cut(pods, 3000, 1.5).value_or(0) == 5u);  // 4500 >= 4500
  BOOST_TEST(!demand_cut(pods, 3000, 2.0).has_value());       // never reached
}

BOOST_AUTO_TEST_CASE(node_events_become_crashes_restarts_and_node_deletions) {
  std::vector<workload::Node> nodes = {gpu_node("m1", 1), gpu_node("m2", 1), gpu_node("m3", 0)};
  std::vector<std::string> ids = {"n2", "n3", "n4"};
  using T = workload::NodeEventType;
  std::vector<workload::NodeEvent> events = {
      {0, "m1", T::add, ""},             // there from the start
      {5'000, "m2", T::add, ""},         // joins later: down from 0
      {6'000, "m1", T::soft_error, ""},  // not replayed
      {7'000, "m1", T::remove, ""},      // leaves: crash + Node deleted
      {8'000, "m3", T::hard_error, ""},  // fails: crash, Node stays
      {9'000, "m1", T::remove, ""},      // already gone: ignored
      {10'000, "m1", T::add, ""},        // back
      {90'000, "m2", T::remove, ""},     // past the end
  };
  auto plan = plan_node_events(events, nodes, ids, 20'000, 100'000);
  BOOST_REQUIRE(plan.ok());
  std::vector<std::string> faults;
  for (const auto& f : plan->faults) faults.push_back(std::to_string(f.at_ms) + " " + f.describe());
  std::vector<std::string> want = {"0 crash n3", "25000 restart n3", "27000 crash n2",
                                   "28000 crash n4", "30000 restart n2"};
  BOOST_TEST(faults == want, boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(plan->deletions.size(), 1u);
  BOOST_TEST(plan->deletions[0].at_ms == 27'000);
  BOOST_TEST(plan->deletions[0].node == "m1");
  BOOST_TEST(plan->replayed == 4);  // the crash at 0 is m2's initial state
  BOOST_TEST(plan->ignored == 3);
  BOOST_TEST(plan->initial == 1);
  BOOST_TEST(plan->last_ms == 30'000);
  events.push_back({95'000, "nowhere", T::add, ""});
  BOOST_TEST(!plan_node_events(events, nodes, ids, 20'000, 100'000).ok());
}

BOOST_AUTO_TEST_CASE(the_recorder_reads_the_gpus_the_scheduler_wrote_on_the_pods) {
  // Two shares of 500 on a 2-GPU node, and a whole-GPU pod that never ran. By the rule alone
  // (choose_gpus, bound order) both shares stack on GPU 0 and GPU 1 stays whole: nothing is
  // fragmented. The scheduler wrote GPU 0 and GPU 1: each GPU has 500 left, which the
  // whole-GPU shape cannot use.
  std::vector<workload::Node> nodes = {gpu_node("n", 2)};
  std::vector<workload::Pod> pods = {pod("a", 0, 1, 500), pod("b", 0, 1, 500),
                                     pod("whole", 0, 1, 1000)};
  auto run = [&](std::string index_a, std::string index_b) {
    sim::RunHistory history;
    sim::Observation o;
    o.time_ms = 1'000;
    o.node = "n1";
    o.event = view({view_pod("a", "n", "Running", index_a), view_pod("b", "n", "Running", index_b),
                    view_pod("whole", "", "Pending")});
    history.observations.push_back(o);
    RecorderInput input;
    input.nodes = &nodes;
    input.pods = &pods;
    input.start_ms = 0;
    input.end_ms = 2'000;
    input.sample_period_ms = 2'000;
    auto result = record_run(history, input);
    BOOST_REQUIRE(result.ok());
    BOOST_REQUIRE_EQUAL(result->samples.size(), 2u);
    return result->samples.back();
  };
  auto derived = run("", "");
  auto written = run("0", "1");
  BOOST_TEST(derived.gpu_allocation == 0.5);
  BOOST_TEST(written.gpu_allocation == 0.5);
  BOOST_TEST(derived.gpu_fragmentation == 0.0);
  BOOST_TEST(written.gpu_fragmentation > 0.0);
  BOOST_TEST(written.gpu_demand_arrived == 1.0);  // 2000 milli of 2 GPUs arrived
  // An annotation that does not fit (both on GPU 0 and 1 at once for a share) falls back.
  BOOST_TEST(run("0,1", "").gpu_fragmentation == 0.0);
}

BOOST_AUTO_TEST_CASE(sampling_is_seeded_and_keeps_order) {
  std::vector<workload::Node> nodes;
  for (int i = 0; i < 10; ++i) nodes.push_back(gpu_node("m" + std::to_string(i), 1));
  std::vector<workload::Pod> pods;
  for (int i = 0; i < 40; ++i) pods.push_back(pod("p" + std::to_string(i), i * 1000, 1, 250));
  std::vector<workload::NodeEvent> events;
  for (const auto& n : nodes) events.push_back({0, n.name, workload::NodeEventType::add, ""});
  workload::WorkloadHeader header;
  header.source = "alibaba-gpu-2023";
  workload::SampleOptions o;
  o.node_fraction = 0.3;
  o.pod_fraction = 0.25;
  o.seed = 4;
  Records a, b, c;
  BOOST_REQUIRE(sample_workload(header, nodes, pods, events, o, a).ok());
  BOOST_REQUIRE(sample_workload(header, nodes, pods, events, o, b).ok());
  o.seed = 5;
  BOOST_REQUIRE(sample_workload(header, nodes, pods, events, o, c).ok());
  BOOST_TEST(a.nodes.size() == 3u);
  BOOST_TEST(a.pods.size() == 10u);
  BOOST_TEST(a.events.size() == 3u);  // only the sampled nodes'
  BOOST_TEST((a.nodes == b.nodes && a.pods == b.pods));
  BOOST_TEST((a.pods != c.pods || a.nodes != c.nodes));
  for (std::size_t i = 1; i < a.pods.size(); ++i)
    BOOST_TEST(a.pods[i - 1].submit_ms < a.pods[i].submit_ms);
  BOOST_TEST(a.head.generator == "craton research sample");
  BOOST_TEST(a.head.parameters.at("sample_seed") == "4");

  // Inflation: 3 GPUs sampled, 10 x 250 milli arrived; copies until 1.0 x 3000 is reached.
  o.seed = 4;
  o.inflate_gpu_demand = 1.0;
  o.pace_ms = 100;
  Records full;
  BOOST_REQUIRE(sample_workload(header, nodes, pods, events, o, full).ok());
  BOOST_TEST(full.pods.size() == 12u);
  BOOST_TEST(full.pods.back().name.find("-i2") != std::string::npos);
  BOOST_TEST(full.pods.back().submit_ms == 1100);  // paced: pod i at i x 100 ms
  BOOST_TEST(!full.pods.back().duration_ms.has_value());
  BOOST_TEST(full.events.empty());  // paced: a cluster that only fills

  o.node_fraction = 0;
  Records bad;
  BOOST_TEST(!sample_workload(header, nodes, pods, events, o, bad).ok());
}
