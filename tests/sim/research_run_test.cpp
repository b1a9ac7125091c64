// Research runs on the whole simulated cluster (sim/research/research_run.hpp): the FGD
// paper's claim on a tiny cluster whose optimum is known (the case of scheduler_gpu_policies'
// fgd_avoids_the_gpu_fragment_best_fit_leaves, now through the API, the production scheduler
// with the shipped profiles, and real node agents over FakeDrivers), what the recorder makes of
// it, and determinism: two runs of the same inputs give equal results.
#define BOOST_TEST_MODULE sim_research_run
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "actors/agent/core/node_status.hpp"
#include "actors/api/convert/kube_json.hpp"
#include "schemas/api_pod.capnp.h"
#include "sim/research/research_run.hpp"
#include "sim/research/workload_objects.hpp"

using namespace craton;
using namespace craton::research;

namespace {

constexpr std::int64_t kGi = std::int64_t{1} << 30;

workload::Node gpu_node(std::string name) {
  workload::Node n;
  n.name = std::move(name);
  n.capacity.cpu_milli = 64000;
  n.capacity.memory_bytes = 256 * kGi;
  n.gpu_count = 1;
  n.gpu_model = "V100";
  return n;
}

workload::Pod pod(std::string name, std::int64_t submit_ms, std::int64_t cpu_milli,
                  std::int32_t num_gpu, std::int32_t gpu_milli, std::string node = "") {
  workload::Pod p;
  p.name = std::move(name);
  p.submit_ms = submit_ms;
  p.requests.cpu_milli = cpu_milli;
  p.num_gpu = num_gpu;
  p.gpu_milli = gpu_milli;
  if (!node.empty()) p.node_selector["kubernetes.io/hostname"] = node;
  return p;
}

// Two nodes of one GPU: a has 56 of its 64 cores taken, b half its GPU (both pinned there by
// nodeSelector at t = 0). Then a share of 500 (t = 10 s) and a whole GPU (t = 20 s).
ResearchWorkload fragment_case() {
  ResearchWorkload w;
  w.nodes = {gpu_node("a"), gpu_node("b")};
  w.pods = {pod("cpu-hog", 0, 56000, 0, 0, "a"), pod("half", 0, 1000, 1, 500, "b"),
            pod("share", 10'000, 1000, 1, 500), pod("whole", 20'000, 1000, 1, 1000)};
  return w;
}

std::string policy(const std::string& file) {
  return std::string(CRATON_SOURCE_DIR) + "/sim/policies/" + file;
}

RunOutcome run(const std::string& file, std::uint64_t seed = 7) {
  ResearchRunOptions options;
  options.duration_ms = 60'000;
  auto outcome = run_research(fragment_case(), policy(file), seed, options);
  BOOST_REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().message));
  BOOST_TEST(outcome->store_failures.empty());
  return std::move(*outcome);
}

const PodOutcome& outcome_of(const RunResult& r, const std::string& name) {
  for (const auto& p : r.pods)
    if (p.name == name) return p;
  BOOST_FAIL("no pod " + name);
  return r.pods.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(workload_pods_become_pods_the_api_takes) {
  auto p = pod("share", 0, 1500, 1, 300);
  p.gpu_models = {"V100", "P100"};
  p.duration_ms = 2500;
  p.priority = 5;
  auto j = pod_json_of(p, "default");
  BOOST_TEST(j["spec"]["containers"][0]["resources"]["requests"]["craton.io/gpu-milli"] == "300");
  BOOST_TEST(!j["spec"]["containers"][0]["resources"]["requests"].contains("nvidia.com/gpu"));
  BOOST_TEST(j["spec"]["containers"][0]["command"] == nlohmann::json::array({"sleep", "2.500"}));
  p.duration_ms = 4000;
  BOOST_TEST(pod_json_of(p, "default")["spec"]["containers"][0]["command"] ==
             nlohmann::json::array({"sleep", "4"}));
  p.duration_ms = 61'007;
  BOOST_TEST(pod_json_of(p, "default")["spec"]["containers"][0]["command"] ==
             nlohmann::json::array({"sleep", "61.007"}));
  BOOST_TEST(j["spec"]["restartPolicy"] == "Never");
  // Kubernetes' Priority admission refuses a pod that sets spec.priority itself: the pod names
  // the class the run creates for its priority.
  BOOST_TEST(!j["spec"].contains("priority"));
  BOOST_TEST(j["spec"]["priorityClassName"] == "craton-workload-priority-5");
  BOOST_TEST(priority_class_json_of(5)["value"] == 5);
  BOOST_TEST(priority_class_json_of(-3)["metadata"]["name"] == "craton-workload-priority-minus-3");
  BOOST_TEST(
      !pod_json_of(pod("zero", 0, 1000, 0, 0), "default")["spec"].contains("priorityClassName"));
  auto term =
      j["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
       ["nodeSelectorTerms"][0]["matchExpressions"][0];
  BOOST_TEST(term["key"] == std::string(kGpuModelLabel));
  auto whole = pod_json_of(pod("whole", 0, 1000, 2, 1000), "default");
  BOOST_TEST(whole["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "2");
  BOOST_TEST(whole["spec"]["containers"][0]["resources"]["requests"]["craton.io/gpu-milli"] ==
             "2000");
  api::KubeJson codec;
  auto decoded = codec.decode<schema::k8s::Pod>(j.dump());
  BOOST_TEST(decoded.ok());
  auto config = node_config_of(gpu_node("a"));
  BOOST_TEST(config.extended_resources.at("nvidia.com/gpu") == 1);
  BOOST_TEST(config.extended_resources.at("craton.io/gpu-milli") == 1000);
  BOOST_TEST(config.labels.at(std::string(kGpuModelLabel)) == "V100");
  BOOST_TEST(agent::check_node_config(config).ok());
}

BOOST_AUTO_TEST_CASE(fgd_avoids_the_fragment_best_fit_leaves_on_the_whole_cluster) {
  auto best_fit = run("most-allocated.yaml");
  BOOST_TEST(outcome_of(best_fit.result, "cpu-hog").node == "a");
  BOOST_TEST(outcome_of(best_fit.result, "half").node == "b");
  BOOST_TEST(outcome_of(best_fit.result, "share").node == "a");
  BOOST_TEST(outcome_of(best_fit.result, "whole").unschedulable);

  auto fgd = run("fgd.yaml");
  BOOST_TEST(outcome_of(fgd.result, "share").node == "b");
  const auto& whole = outcome_of(fgd.result, "whole");
  BOOST_TEST(whole.node == "a");
  BOOST_TEST(!whole.unschedulable);
  BOOST_REQUIRE(whole.bound_s.has_value());
  BOOST_TEST(*whole.bound_s >= 20.0);
  BOOST_TEST(whole.running_s.has_value());

  // The last sample: every GPU taken under FGD (2 of 2), half of them under best fit.
  BOOST_REQUIRE(!fgd.result.samples.empty());
  BOOST_TEST(fgd.result.samples.back().gpu_allocation == 1.0);
  BOOST_TEST(best_fit.result.samples.back().gpu_allocation == 0.5);
  BOOST_TEST(best_fit.result.samples.back().pods_pending == 1);
  BOOST_TEST(fgd.result.samples.back().gpu_fragmentation == 0.0);
  BOOST_TEST(best_fit.result.samples.back().gpu_fragmentation > 0.0);
  BOOST_TEST(fgd.result.run.policy == "fgd");
  BOOST_TEST(fgd.stopped_by == "duration");
}

BOOST_AUTO_TEST_CASE(the_same_inputs_give_an_equal_result) {
  auto one = run("fgd.yaml", 11).result;
  auto two = run("fgd.yaml", 11).result;
  BOOST_TEST(one.trace_hash == two.trace_hash);
  BOOST_TEST(one.end_s == two.end_s);
  BOOST_REQUIRE(one.samples.size() == two.samples.size());
  for (std::size_t i = 0; i < one.samples.size(); ++i) {
    const auto &a = one.samples[i], &b = two.samples[i];
    BOOST_TEST(a.t_s == b.t_s);
    BOOST_TEST(a.cpu_allocation == b.cpu_allocation);
    BOOST_TEST(a.memory_allocation == b.memory_allocation);
    BOOST_TEST(a.gpu_allocation == b.gpu_allocation);
    BOOST_TEST(a.gpu_fragmentation == b.gpu_fragmentation);
    BOOST_TEST(a.pods_pending == b.pods_pending);
    BOOST_TEST(a.pods_running == b.pods_running);
    BOOST_TEST(a.pods_finished == b.pods_finished);
  }
  BOOST_REQUIRE(one.pods.size() == two.pods.size());
  for (std::size_t i = 0; i < one.pods.size(); ++i) {
    const auto &a = one.pods[i], &b = two.pods[i];
    BOOST_TEST(a.name == b.name);
    BOOST_CHECK(a.bound_s == b.bound_s);
    BOOST_CHECK(a.running_s == b.running_s);
    BOOST_CHECK(a.finished_s == b.finished_s);
    BOOST_TEST(a.node == b.node);
    BOOST_TEST(a.preempted == b.preempted);
    BOOST_TEST(a.evicted == b.evicted);
    BOOST_TEST(a.unschedulable == b.unschedulable);
  }
}

namespace {

RunOutcome run_workload(const ResearchWorkload& w, ResearchRunOptions options,
                        const std::string& file = "fgd.yaml") {
  auto outcome = run_research(w, policy(file), 3, options);
  BOOST_REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().message));
  BOOST_TEST(outcome->store_failures.empty());
  return std::move(*outcome);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_run_stops_once_every_pod_finished_or_nothing_can_change) {
  ResearchWorkload w;
  w.nodes = {gpu_node("a")};
  w.pods = {pod("short", 0, 1000, 1, 500), pod("long", 1'000, 2000, 0, 0)};
  w.pods[0].duration_ms = 1'500;
  w.pods[1].duration_ms = 2'500;
  ResearchRunOptions options;
  options.duration_ms = 600'000;
  auto finished = run_workload(w, options);
  BOOST_TEST(finished.stopped_by == "finished");
  BOOST_TEST(finished.result.stopped_by == "finished");
  BOOST_TEST(finished.result.end_s < 600.0);
  for (const auto& p : finished.result.pods) BOOST_TEST(p.finished_s.has_value(), p.name);

  // A pod no node can take: the run ends once the others finished and the views stayed quiet.
  w.pods.push_back(pod("too-big", 2'000, 100'000, 0, 0));
  auto stuck = run_workload(w, options);
  BOOST_TEST(stuck.stopped_by == "unschedulable");
  BOOST_TEST(stuck.result.end_s < 600.0);
  BOOST_TEST(outcome_of(stuck.result, "too-big").unschedulable);
  BOOST_TEST(outcome_of(stuck.result, "long").finished_s.has_value());
}

BOOST_AUTO_TEST_CASE(the_gpu_demand_stop_submits_up_to_the_fraction_of_gpus) {
  // 2 GPUs; half (500) + share (500) reach 50%: whole is never submitted, and the run stops
  // once both are placed, although they run on.
  ResearchRunOptions options;
  options.duration_ms = 600'000;
  options.stop_at_gpu_demand = 0.5;
  auto o = run_workload(fragment_case(), options);
  BOOST_TEST(o.stopped_by == "gpu-demand");
  BOOST_TEST(o.gpu_demand_reached);
  BOOST_TEST(o.pods_submitted == 3);
  BOOST_REQUIRE_EQUAL(o.result.pods.size(), 3u);
  for (const auto& p : o.result.pods) BOOST_TEST(p.bound_s.has_value(), p.name);
  BOOST_TEST(o.result.end_s < 600.0);
  BOOST_REQUIRE(!o.result.samples.empty());
  BOOST_TEST(o.result.samples.back().gpu_demand_arrived == 0.5);
}

BOOST_AUTO_TEST_CASE(node_events_are_replayed_machines_join_and_leave) {
  // "late" joins at 30 s: its pod waits for it. "gone" leaves at 10 s: its Node is deleted and
  // the pod GC deletes the pod bound there.
  ResearchWorkload w;
  w.nodes = {gpu_node("a"), gpu_node("late"), gpu_node("gone")};
  using T = workload::NodeEventType;
  w.node_events = {{10'000, "gone", T::remove, ""}, {30'000, "late", T::add, ""}};
  w.pods = {pod("on-late", 0, 1000, 0, 0, "late"), pod("on-gone", 0, 1000, 0, 0, "gone"),
            pod("on-a", 0, 1000, 0, 0, "a")};
  w.pods[0].duration_ms = 2'000;
  w.pods[2].duration_ms = 2'000;  // on-gone runs until it is deleted
  ResearchRunOptions options;
  options.duration_ms = 400'000;
  auto o = run_workload(w, options);
  BOOST_TEST(o.node_events_replayed == 2);
  BOOST_TEST(o.node_events_ignored == 0);
  const auto& late = outcome_of(o.result, "on-late");
  BOOST_REQUIRE(late.bound_s.has_value());
  BOOST_TEST(*late.bound_s >= 30.0);
  BOOST_TEST(late.finished_s.has_value());
  const auto& gone = outcome_of(o.result, "on-gone");
  BOOST_TEST(gone.bound_s.has_value());
  BOOST_TEST(gone.evicted);  // deleted before it finished, by the pod GC: not a preemption
  BOOST_TEST(!gone.preempted);
  BOOST_TEST(o.stopped_by == "finished");
  BOOST_TEST(o.result.end_s < 400.0);
}

BOOST_AUTO_TEST_CASE(pods_with_a_priority_are_created_and_placed) {
  // The openb trace's pods carry priorities (its QoS classes: LS 2000, ...). Before the run
  // created PriorityClasses, the API refused every such pod (403: spec.priority must not be
  // set) and the submitter asked again for ever: none ever existed, and 52 of 89 openb pods
  // counted as "unschedulable" under every policy.
  ResearchWorkload w = fragment_case();
  w.pods[0].priority = 2000;
  w.pods[1].priority = 1000;
  w.pods[2].priority = -5;
  w.pods[3].priority = 2000;
  ResearchRunOptions options;
  options.duration_ms = 600'000;
  options.stop_at_gpu_demand = 1.0;
  auto o = run_workload(w, options);
  BOOST_TEST(o.refusals.empty());
  BOOST_TEST(o.stopped_by == "gpu-demand");
  for (const auto& p : o.result.pods) BOOST_TEST(p.bound_s.has_value(), p.name);
  BOOST_TEST(outcome_of(o.result, "whole").node == "a");  // FGD, as without priorities
}

BOOST_AUTO_TEST_CASE(a_victim_of_preemption_counts_as_preempted_not_evicted) {
  // One node of 64 cores: "low" (priority 0) takes 60; "high" (priority 2000, 60 cores)
  // arrives at 10 s and can only run if the scheduler preempts "low".
  ResearchWorkload w;
  w.nodes = {gpu_node("a")};
  w.pods = {pod("low", 0, 60'000, 0, 0), pod("high", 10'000, 60'000, 0, 0)};
  w.pods[1].priority = 2000;
  w.pods[1].duration_ms = 2'000;
  // The shipped profiles leave preemption out (as the FGD paper's simulator): kube's defaults.
  auto file = std::filesystem::temp_directory_path() / "craton-research-preempting.yaml";
  std::ofstream(file) << "apiVersion: kubescheduler.config.k8s.io/v1\n"
                         "kind: KubeSchedulerConfiguration\n"
                         "profiles:\n"
                         "  - schedulerName: default-scheduler\n";
  ResearchRunOptions options;
  options.duration_ms = 300'000;
  auto run = run_research(w, file.string(), 3, options);
  std::filesystem::remove(file);
  BOOST_REQUIRE_MESSAGE(run.ok(), (run.ok() ? "" : run.error().message));
  const auto& o = *run;
  const auto& low = outcome_of(o.result, "low");
  BOOST_TEST(low.bound_s.has_value());
  BOOST_TEST(low.preempted);
  BOOST_TEST(!low.evicted);
  const auto& high = outcome_of(o.result, "high");
  BOOST_REQUIRE(high.bound_s.has_value());
  BOOST_TEST(*high.bound_s >= 10.0);
  BOOST_TEST(high.node == "a");
  BOOST_TEST(!high.preempted);
}

BOOST_AUTO_TEST_CASE(a_create_the_api_keeps_refusing_is_given_up_and_reported) {
  // An invalid name: the API answers 422 every time. The run says so and does not wait for it.
  ResearchWorkload w;
  w.nodes = {gpu_node("a")};
  w.pods = {pod("fine", 0, 1000, 0, 0), pod("Not_A_Name", 1'000, 1000, 0, 0)};
  w.pods[0].duration_ms = 2'000;
  w.pods[1].duration_ms = 2'000;
  ResearchRunOptions options;
  options.duration_ms = 600'000;
  auto o = run_workload(w, options);
  BOOST_REQUIRE_EQUAL(o.refusals.size(), 1u);
  BOOST_TEST(o.refusals.front().rfind("Not_A_Name: 422", 0) == 0, o.refusals.front());
  BOOST_TEST(o.stopped_by == "finished");
  BOOST_TEST(o.result.end_s < 600.0);
  BOOST_TEST(outcome_of(o.result, "fine").finished_s.has_value());
}

BOOST_AUTO_TEST_CASE(a_view_period_keeps_the_placements_and_delays_times_by_at_most_it) {
  ResearchRunOptions options;
  options.duration_ms = 60'000;
  options.view_every_ms = 1'000;
  auto o = run_workload(fragment_case(), options);
  BOOST_TEST(outcome_of(o.result, "share").node == "b");
  const auto& whole = outcome_of(o.result, "whole");
  BOOST_TEST(whole.node == "a");
  BOOST_REQUIRE(whole.bound_s.has_value());
  BOOST_TEST(*whole.bound_s >= 20.0);
  BOOST_TEST(*whole.bound_s <= 22.0);  // bound within ~0.1 s, seen by the next view (<= 1 s)
  BOOST_REQUIRE(!o.result.samples.empty());
  BOOST_TEST(o.result.samples.back().gpu_allocation == 1.0);
}
