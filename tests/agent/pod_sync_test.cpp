// The pod core (actors/agent/core/pod_sync.hpp) driving the fake driver under a manual clock:
// init containers in order, the status shape field by field, restart policies and the
// kubelet's back-off, probes, graceful termination, adoption after the agent's restart and
// the cleaning of pods the API no longer binds here.
#define BOOST_TEST_MODULE agent_pod_sync
#include <boost/test/unit_test.hpp>

#include <csignal>

#include "tests/agent/pod_sync_harness.hpp"

using namespace craton::agent;
using namespace craton::agent::testing;
using craton::api::kube_time;

namespace {

json exec_probe(std::vector<std::string> command, int period_s, int failure_threshold = 3) {
  return {{"exec", {{"command", command}}},
          {"periodSeconds", period_s},
          {"failureThreshold", failure_threshold}};
}

/// The times (ms) at which each attempt of the container started, from the driver's records.
std::vector<std::int64_t> start_times(Agent& agent, const std::string& uid,
                                      const std::string& name) {
  std::vector<std::int64_t> out;
  for (const auto& call : agent.calls)
    if (call.kind == DriverCallKind::start_container && call.pod_uid == uid &&
        call.container.name == name)
      out.push_back(call.attempt);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(init_containers_run_one_at_a_time_in_order_before_app_containers) {
  Agent agent;
  json spec{{"initContainers", json::array({container("first", {"sleep", "3"}),
                                            container("second", {"sleep", "3"})})}};
  agent.upsert(pod_json("web", json::array({container("app")}), spec));
  agent.listed();
  agent.settle();

  BOOST_TEST(agent.phase("web") == "Pending");
  BOOST_TEST(agent.condition("web", "Initialized") == "False");
  BOOST_TEST(
      agent.container_status("web", "first", "initContainerStatuses")["state"].contains("running"));
  auto second = agent.container_status("web", "second", "initContainerStatuses");
  BOOST_TEST(second["state"]["waiting"]["reason"] == "PodInitializing");
  BOOST_TEST(!second.contains("containerID"));
  BOOST_TEST(agent.container_status("web", "app")["state"]["waiting"]["reason"] ==
             "PodInitializing");

  agent.run_for(4'000);
  BOOST_TEST(agent.container_status("web", "first",
                                    "initContainerStatuses")["state"]["terminated"]["reason"] ==
             "Completed");
  BOOST_TEST(agent.container_status("web", "second", "initContainerStatuses")["state"].contains(
      "running"));
  BOOST_TEST(agent.container_status("web", "app")["state"]["waiting"]["reason"] ==
             "PodInitializing");

  agent.run_for(4'000);
  BOOST_TEST(agent.phase("web") == "Running");
  BOOST_TEST(agent.container_status("web", "app")["state"].contains("running"));
  BOOST_TEST(agent.driver.starts() == 3);
}

BOOST_AUTO_TEST_CASE(a_running_pod_has_kubernetes_status_shape_field_by_field) {
  Agent agent;
  agent.upsert(pod_json("web", json::array({container("app"), container("side")})));
  agent.listed();
  agent.settle();

  const json& s = agent.status.at("web");
  BOOST_TEST(s["phase"] == "Running");
  BOOST_TEST(s["hostIP"] == "192.168.1.10");
  BOOST_TEST(s["hostIPs"] == json::parse(R"([{"ip":"192.168.1.10"}])"));
  BOOST_TEST(s["podIP"].get<std::string>().rfind("10.88.", 0) == 0);
  BOOST_TEST(s["podIPs"][0]["ip"] == s["podIP"]);
  BOOST_TEST(s["startTime"] == kube_time(kStartMs));
  BOOST_TEST(!s.contains("initContainerStatuses"));
  std::vector<std::string> types;
  for (const auto& c : s["conditions"]) {
    types.push_back(c["type"]);
    BOOST_TEST(c["status"] == "True");
    BOOST_TEST(c["lastTransitionTime"] == kube_time(kStartMs));
  }
  BOOST_TEST(types == (std::vector<std::string>{"Initialized", "Ready", "ContainersReady",
                                                "PodScheduled"}),
             boost::test_tools::per_element());
  const json& app = agent.container_status("web", "app");
  BOOST_TEST(app["name"] == "app");
  BOOST_TEST(app["image"] == "busybox");
  BOOST_TEST(app["imageID"] == "sha256:fake-busybox");
  BOOST_TEST(app["containerID"] == "craton://fake-uid-web-app-0");
  BOOST_TEST(app["ready"] == true);
  BOOST_TEST(app["started"] == true);
  BOOST_TEST(app["restartCount"] == 0);
  BOOST_TEST(app["state"] ==
             json::parse(R"({"running":{"startedAt":")" + kube_time(kStartMs) + R"("}})"));
  BOOST_TEST(app["lastState"] == json::object());
}

BOOST_AUTO_TEST_CASE(status_is_handed_out_only_when_it_changed) {
  Agent agent;
  agent.upsert(pod_json("web", json::array({container("app")})));
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.sync->take_status_updates().empty());
  agent.run_for(5'000);
  BOOST_TEST(agent.sync->take_status_updates().empty());
}

BOOST_AUTO_TEST_CASE(an_event_about_one_pod_rebuilds_only_that_pods_status) {
  Agent agent;
  for (int i = 0; i < 50; ++i)
    agent.sync->upsert(
        informer_object(pod_json("web-" + std::to_string(i), json::array({container("app")}))),
        agent.now);
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.phase("web-49") == "Running");
  BOOST_TEST(agent.status.size() == 50u);
  // An informer update of one pod, at the same moment: one status is built, not fifty.
  auto built = agent.sync->statuses_built();
  agent.sync->upsert(informer_object(pod_json("web-7", json::array({container("app")}))),
                     agent.now);
  BOOST_TEST(agent.sync->take_status_updates().empty());
  BOOST_TEST(agent.sync->statuses_built() - built == 1u);
  // Once per status_sweep_ms every pod is looked at again (what changes with time alone).
  built = agent.sync->statuses_built();
  agent.now += Agent::config().status_sweep_ms;
  BOOST_TEST(agent.sync->tick(agent.now).empty());
  BOOST_TEST(agent.sync->take_status_updates().empty());
  BOOST_TEST(agent.sync->statuses_built() - built == 50u);
}

BOOST_AUTO_TEST_CASE(steady_pods_statuses_are_not_rebuilt_by_host_lists_or_passing_time) {
  // The shell lists the host every second: a list that repeats what is known, and time that
  // changes nothing, build no status (they built every pod's once a second: the agent's
  // largest cost in a 1,000-node simulation).
  Agent agent;
  json never{{"restartPolicy", "Never"}};
  for (int i = 0; i < 30; ++i)
    agent.sync->upsert(informer_object(pod_json("web-" + std::to_string(i),
                                                json::array({container("app")}), never)),
                       agent.now);
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.phase("web-29") == "Running");
  auto built = agent.sync->statuses_built();
  agent.run_for(30'000);
  BOOST_TEST(agent.sync->statuses_built() - built == 0u);
  // A container's exit, learnt from the next list, rebuilds that pod's status alone.
  agent.driver.script_exit("uid-web-3", "app", 0, "Completed");
  agent.run_for(5'000);
  BOOST_TEST(agent.phase("web-3") == "Succeeded");
  BOOST_TEST(agent.sync->statuses_built() - built == 1u);
}

BOOST_AUTO_TEST_CASE(a_crashing_container_restarts_after_0_10_20_40_80_160_300_300_seconds) {
  Agent agent;
  agent.upsert(pod_json("crash", json::array({container("app", {"exit", "1"})})));
  agent.listed();
  std::vector<std::int64_t> starts_at;  // when each attempt started (s after the first)
  int seen = 0;
  for (int i = 0; i < 1400 && seen < 9; ++i) {
    agent.run_for(1'000);
    auto records = agent.driver.list();
    for (const auto& c : records.at(0).containers)
      if (c.attempt == seen) {
        starts_at.push_back((c.started_at_ms - kStartMs) / 1000);
        ++seen;
      }
    // attempts older than the newest two are removed: track them as they appear
  }
  BOOST_REQUIRE(starts_at.size() >= 8u);
  std::vector<std::int64_t> gaps;
  for (std::size_t i = 1; i < starts_at.size(); ++i)
    gaps.push_back(starts_at[i] - starts_at[i - 1]);
  // The list is read every second, so an exit is seen up to a second late.
  std::vector<std::int64_t> expected{0, 10, 20, 40, 80, 160, 300, 300};
  for (std::size_t i = 0; i < gaps.size() && i < expected.size(); ++i) {
    BOOST_TEST(gaps[i] >= expected[i]);
    BOOST_TEST(gaps[i] <= expected[i] + 1);
  }
  const json& app = agent.container_status("crash", "app");
  BOOST_TEST(agent.phase("crash") == "Running");
  BOOST_TEST(app["state"]["waiting"]["reason"] == "CrashLoopBackOff");
  BOOST_TEST(app["state"]["waiting"]["message"].get<std::string>().rfind(
                 "back-off 300s restarting failed container=app pod=crash_default(uid-crash)", 0) ==
             0);
  BOOST_TEST(app["lastState"]["terminated"]["exitCode"] == 1);
  BOOST_TEST(app["lastState"]["terminated"]["reason"] == "Error");
  BOOST_TEST(app["restartCount"] == seen - 1);
  BOOST_TEST(agent.condition("crash", "Ready") == "False");
}

BOOST_AUTO_TEST_CASE(back_off_resets_after_ten_minutes_of_clean_running) {
  Agent agent;
  agent.upsert(pod_json("flaky", json::array({container("app")})));
  agent.listed();
  auto crash = [&] { agent.driver.script_exit("uid-flaky", "app", 1, ""); };
  auto restarts = [&] { return agent.container_status("flaky", "app")["restartCount"].get<int>(); };
  auto waiting = [&] {
    return agent.container_status("flaky", "app")["state"]["waiting"].value("message", "");
  };
  agent.run_for(1'000);
  crash();
  agent.run_for(1'000);
  BOOST_TEST(restarts() == 1);  // the first restart is immediate
  crash();
  agent.run_for(5'000);
  BOOST_TEST(waiting().rfind("back-off 10s", 0) == 0);
  agent.run_for(6'000);
  BOOST_TEST(restarts() == 2);
  crash();
  agent.run_for(15'000);
  BOOST_TEST(waiting().rfind("back-off 20s", 0) == 0);
  agent.run_for(6'000);
  BOOST_TEST(restarts() == 3);

  agent.run_for(11 * 60'000);  // a clean run longer than ten minutes
  crash();
  agent.run_for(1'000);
  BOOST_TEST(restarts() == 4);  // immediate again
  crash();
  agent.run_for(1'000);
  BOOST_TEST(waiting().rfind("back-off 10s", 0) == 0);  // and the doubling starts over
}

BOOST_AUTO_TEST_CASE(on_failure_restarts_failures_only_and_never_restarts_nothing) {
  Agent agent;
  agent.upsert(pod_json("ok", json::array({container("app", {"exit", "0"})}),
                        {{"restartPolicy", "OnFailure"}}));
  agent.upsert(pod_json("retry", json::array({container("app", {"exit", "2"})}),
                        {{"restartPolicy", "OnFailure"}}));
  agent.upsert(pod_json("once", json::array({container("app", {"exit", "3"})}),
                        {{"restartPolicy", "Never"}}));
  agent.listed();
  agent.run_for(120'000);

  BOOST_TEST(agent.phase("ok") == "Succeeded");
  BOOST_TEST(agent.container_status("ok", "app")["restartCount"] == 0);
  BOOST_TEST(agent.container_status("ok", "app")["state"]["terminated"]["reason"] == "Completed");
  BOOST_TEST(agent.condition("ok", "Ready") == "False");

  BOOST_TEST(agent.phase("retry") == "Running");
  BOOST_TEST(agent.container_status("retry", "app")["restartCount"].get<int>() >= 3);

  BOOST_TEST(agent.phase("once") == "Failed");
  const json& once = agent.container_status("once", "app");
  BOOST_TEST(once["restartCount"] == 0);
  BOOST_TEST(once["state"]["terminated"]["exitCode"] == 3);
  BOOST_TEST(start_times(agent, "uid-once", "app").size() == 1u);
  BOOST_TEST(start_times(agent, "uid-ok", "app").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failing_init_container_fails_a_never_pod_and_blocks_app_containers) {
  Agent agent;
  json spec{{"restartPolicy", "Never"},
            {"initContainers", json::array({container("setup", {"exit", "1"})})}};
  agent.upsert(pod_json("broken", json::array({container("app")}), spec));
  agent.listed();
  agent.run_for(30'000);
  BOOST_TEST(agent.phase("broken") == "Failed");
  BOOST_TEST(start_times(agent, "uid-broken", "app").empty());
  BOOST_TEST(agent.container_status("broken", "app")["state"]["waiting"]["reason"] ==
             "PodInitializing");
}

BOOST_AUTO_TEST_CASE(liveness_failure_restarts_the_container_after_failure_threshold) {
  Agent agent;
  json app = container("app");
  app["livenessProbe"] = exec_probe({"check"}, 10, 3);
  agent.upsert(pod_json("live", json::array({app})));
  agent.listed();
  agent.run_for(35'000);
  BOOST_TEST(agent.container_status("live", "app")["restartCount"] == 0);
  BOOST_TEST(agent.driver.exec_log().size() >= 3u);

  agent.driver.script_exec_exit_code("uid-live", "app", 1);
  agent.run_for(15'000);  // two failures: not yet
  BOOST_TEST(agent.signals(SIGTERM) == 0);
  agent.run_for(10'000);  // the third
  BOOST_TEST(agent.signals(SIGTERM) == 1);
  agent.run_for(2'000);
  const json& s = agent.container_status("live", "app");
  BOOST_TEST(s["restartCount"] == 1);
  BOOST_TEST(s["lastState"]["terminated"]["exitCode"] == 143);
  BOOST_TEST(s["state"].contains("running"));
}

BOOST_AUTO_TEST_CASE(readiness_gates_ready_without_restarting) {
  Agent agent;
  json app = container("app");
  app["readinessProbe"] = {{"httpGet", {{"path", "/healthz"}, {"port", "http"}}},
                           {"periodSeconds", 5}};
  app["ports"] = json::array({{{"name", "http"}, {"containerPort", 8080}}});
  agent.driver.script_port("uid-ready", 8080, ProbeOutcome::failure);
  agent.upsert(pod_json("ready", json::array({app})));
  agent.listed();
  agent.run_for(30'000);
  BOOST_TEST(agent.phase("ready") == "Running");
  BOOST_TEST(agent.condition("ready", "Ready") == "False");
  BOOST_TEST(agent.condition("ready", "ContainersReady") == "False");
  BOOST_TEST(agent.container_status("ready", "app")["ready"] == false);
  BOOST_TEST(agent.container_status("ready", "app")["started"] == true);
  BOOST_TEST(agent.signals(SIGTERM) == 0);
  bool probed_8080 = false;
  for (const auto& c : agent.calls)
    probed_8080 = probed_8080 || (c.kind == DriverCallKind::http_probe && c.http.port == 8080 &&
                                  c.http.path == "/healthz");
  BOOST_TEST(probed_8080);

  agent.driver.script_port("uid-ready", 8080, ProbeOutcome::success);
  agent.run_for(6'000);
  BOOST_TEST(agent.condition("ready", "Ready") == "True");
  BOOST_TEST(agent.container_status("ready", "app")["ready"] == true);
}

BOOST_AUTO_TEST_CASE(startup_probe_holds_liveness_and_readiness_until_it_succeeds) {
  Agent agent;
  json app = container("app");
  app["startupProbe"] = {
      {"tcpSocket", {{"port", 9000}}}, {"periodSeconds", 2}, {"failureThreshold", 30}};
  app["livenessProbe"] = exec_probe({"alive"}, 5);
  agent.driver.script_port("uid-slow", 9000, ProbeOutcome::failure);
  agent.upsert(pod_json("slow", json::array({app})));
  agent.listed();
  agent.run_for(20'000);
  BOOST_TEST(agent.driver.exec_log().empty());  // no liveness run before startup succeeded
  BOOST_TEST(agent.container_status("slow", "app")["started"] == false);
  BOOST_TEST(agent.container_status("slow", "app")["ready"] == false);

  agent.driver.script_port("uid-slow", 9000, ProbeOutcome::success);
  agent.run_for(10'000);
  BOOST_TEST(agent.container_status("slow", "app")["started"] == true);
  BOOST_TEST(agent.container_status("slow", "app")["ready"] == true);
  BOOST_TEST(!agent.driver.exec_log().empty());
}

BOOST_AUTO_TEST_CASE(startup_probe_failing_past_its_threshold_restarts_the_container) {
  Agent agent;
  json app = container("app");
  app["startupProbe"] = {
      {"tcpSocket", {{"port", 9000}}}, {"periodSeconds", 1}, {"failureThreshold", 5}};
  agent.driver.script_port("uid-never", 9000, ProbeOutcome::failure);
  agent.upsert(pod_json("never", json::array({app})));
  agent.listed();
  agent.run_for(3'000);  // four failures (at 0, 1, 2, 3 s)
  BOOST_TEST(agent.signals(SIGTERM) == 0);
  agent.run_for(8'000);
  BOOST_TEST(agent.signals(SIGTERM) >= 1);
  BOOST_TEST(agent.container_status("never", "app")["restartCount"].get<int>() >= 1);
}

BOOST_AUTO_TEST_CASE(deletion_runs_pre_stop_then_sigterm_then_sigkill_after_the_grace_period) {
  Agent agent;
  json app = container("app", {"hang"});
  app["lifecycle"]["preStop"]["exec"]["command"] = json::array({"drain", "--now"});
  json pod = pod_json("stubborn", json::array({app, container("quick")}),
                      {{"terminationGracePeriodSeconds", 30}});
  agent.upsert(pod);
  agent.listed();
  agent.run_for(2'000);
  BOOST_TEST(agent.phase("stubborn") == "Running");

  pod["metadata"]["deletionTimestamp"] = kube_time(agent.now + 30'000);
  pod["metadata"]["deletionGracePeriodSeconds"] = 30;
  agent.upsert(pod);
  BOOST_TEST(agent.driver.exec_log() == (std::vector<std::string>{"uid-stubborn/app: drain --now"}),
             boost::test_tools::per_element());
  BOOST_TEST(agent.signals(SIGTERM) == 2);
  BOOST_TEST(agent.signals(SIGKILL) == 0);
  agent.run_for(25'000);
  BOOST_TEST(agent.removals.empty());  // "hang" ignores SIGTERM: still running
  BOOST_TEST(agent.on_host("uid-stubborn"));
  BOOST_TEST(agent.container_status("stubborn", "quick")["state"]["terminated"]["exitCode"] == 143);
  agent.run_for(6'000);
  BOOST_TEST(agent.signals(SIGKILL) == 1);
  BOOST_REQUIRE(agent.removals.size() == 1u);
  BOOST_TEST(agent.removals[0].uid == "uid-stubborn");
  BOOST_TEST(agent.removals[0].name == "stubborn");
  BOOST_TEST(!agent.on_host("uid-stubborn"));
  BOOST_TEST(agent.container_status("stubborn", "app")["state"]["terminated"]["exitCode"] == 137);
  BOOST_TEST(agent.phase("stubborn") == "Failed");

  agent.sync->remove("uid-stubborn", agent.now);  // the service deleted it
  BOOST_TEST(agent.sync->find("uid-stubborn") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_pod_removed_once_its_processes_exit_before_the_grace_period) {
  Agent agent;
  json pod = pod_json("polite", json::array({container("app")}));
  agent.upsert(pod);
  agent.listed();
  agent.settle();
  pod["metadata"]["deletionTimestamp"] = kube_time(agent.now + 30'000);
  pod["metadata"]["deletionGracePeriodSeconds"] = 30;
  agent.upsert(pod);
  agent.run_for(1'000);
  BOOST_TEST(agent.removals.size() == 1u);
  BOOST_TEST(agent.signals(SIGKILL) == 0);
}

BOOST_AUTO_TEST_CASE(an_agent_restart_adopts_running_containers_without_duplicates) {
  Agent agent;
  json spec{{"initContainers", json::array({container("init", {"exit", "0"})})}};
  json pod = pod_json("web", json::array({container("app")}), spec);
  agent.upsert(pod);
  agent.listed();
  agent.run_for(3'000);
  BOOST_TEST(agent.phase("web") == "Running");
  int starts = agent.driver.starts();
  std::string id = agent.container_status("web", "app")["containerID"];

  agent.restart();
  agent.upsert(pod);
  agent.listed();
  agent.run_for(5'000);
  BOOST_TEST(agent.driver.starts() == starts);
  BOOST_TEST(agent.container_status("web", "app")["containerID"] == id);
  BOOST_TEST(agent.phase("web") == "Running");
}

BOOST_AUTO_TEST_CASE(pods_deleted_while_the_agent_was_down_or_bound_elsewhere_are_cleaned) {
  Agent agent;
  agent.upsert(pod_json("gone", json::array({container("app")})));
  agent.upsert(pod_json("moved", json::array({container("app")})));
  agent.upsert(pod_json("kept", json::array({container("app")})));
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.on_host("uid-gone"));

  agent.restart();
  agent.upsert(pod_json("kept", json::array({container("app")})));
  agent.upsert(pod_json("moved", json::array({container("app")}), {{"nodeName", "node-b"}}));
  agent.settle();
  BOOST_TEST(agent.on_host("uid-gone"));  // the API's list is not complete yet
  agent.listed();
  agent.run_for(1'000);
  BOOST_TEST(!agent.on_host("uid-gone"));
  BOOST_TEST(!agent.on_host("uid-moved"));
  BOOST_TEST(agent.on_host("uid-kept"));
  BOOST_TEST(agent.removals.empty());  // nothing of theirs is left in the API to delete
}

BOOST_AUTO_TEST_CASE(a_finished_pod_is_not_started_again_after_an_agent_restart) {
  Agent agent;
  json pod =
      pod_json("job", json::array({container("app", {"exit", "0"})}), {{"restartPolicy", "Never"}});
  agent.upsert(pod);
  agent.listed();
  agent.run_for(2'000);
  BOOST_TEST(agent.phase("job") == "Succeeded");
  int starts = agent.driver.starts();
  agent.driver.remove_sandbox("uid-job");  // the host lost it (reboot)

  agent.restart();
  pod["status"] = {{"phase", "Succeeded"}};
  agent.upsert(pod);
  agent.listed();
  agent.run_for(30'000);
  BOOST_TEST(agent.driver.starts() == starts);
}

BOOST_AUTO_TEST_CASE(missing_images_and_oom_kills_are_reported_with_kubernetes_reasons) {
  Agent agent;
  json app = container("app");
  app["image"] = "nowhere:1";
  agent.driver.script_image_missing("nowhere:1");
  agent.upsert(pod_json("img", json::array({app})));
  agent.upsert(pod_json("oom", json::array({container("app")})));
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.phase("img") == "Pending");
  BOOST_TEST(agent.container_status("img", "app")["state"]["waiting"]["reason"] ==
             "ImagePullBackOff");
  agent.driver.script_image_missing("nowhere:1", false);
  agent.run_for(11'000);
  BOOST_TEST(agent.phase("img") == "Running");

  agent.driver.script_exit("uid-oom", "app", 137, "OOMKilled");
  agent.run_for(1'000);
  const json& s = agent.container_status("oom", "app");
  BOOST_TEST(s["lastState"]["terminated"]["reason"] == "OOMKilled");
  BOOST_TEST(s["lastState"]["terminated"]["exitCode"] == 137);
  BOOST_TEST(s["restartCount"] == 1);
}

BOOST_AUTO_TEST_CASE(an_unplannable_pod_reports_create_container_config_error_and_runs_nothing) {
  Agent agent;
  json app = container("app");
  app["env"] = json::array(
      {{{"name", "X"}, {"valueFrom", {{"configMapKeyRef", {{"name", "cm"}, {"key", "k"}}}}}}});
  agent.upsert(pod_json("cfg", json::array({app})));
  agent.listed();
  agent.run_for(2'000);
  BOOST_TEST(agent.phase("cfg") == "Pending");
  BOOST_TEST(agent.container_status("cfg", "app")["state"]["waiting"]["reason"] ==
             "CreateContainerConfigError");
  BOOST_TEST(agent.driver.starts() == 0);
  json deleted = pod_json("cfg", json::array({app}));
  deleted["metadata"]["deletionTimestamp"] = kube_time(agent.now);
  deleted["metadata"]["deletionGracePeriodSeconds"] = 30;
  agent.upsert(deleted);
  BOOST_REQUIRE(agent.removals.size() == 1u);
  BOOST_TEST(agent.removals[0].uid == "uid-cfg");
}

BOOST_AUTO_TEST_CASE(next_wake_names_the_next_back_off_and_probe_times) {
  Agent agent;
  json app = container("app");
  app["livenessProbe"] = exec_probe({"ok"}, 7);
  agent.upsert(pod_json("w", json::array({app})));
  agent.listed();
  agent.settle();
  std::int64_t wake = agent.sync->next_wake(agent.now);
  BOOST_TEST(wake > agent.now);
  BOOST_TEST(wake <= agent.now + 7'000);
}

BOOST_AUTO_TEST_CASE(driven_by_next_wake_alone_restarts_happen_exactly_at_the_back_off_times) {
  Agent agent;
  agent.upsert(pod_json("crash", json::array({container("app", {"exit", "1"})})));
  agent.listed();
  agent.settle();
  std::vector<std::int64_t> wakes;
  for (int i = 0; i < 4; ++i) {
    agent.now = agent.sync->next_wake(agent.now);
    wakes.push_back((agent.now - kStartMs) / 1000);
    agent.settle();
  }
  // Started at 0 and at once again; then 10, 20, 40 s after each exit.
  BOOST_TEST(wakes == (std::vector<std::int64_t>{10, 30, 70, 150}),
             boost::test_tools::per_element());
  BOOST_TEST(agent.container_status("crash", "app")["restartCount"] == 5);
}

BOOST_AUTO_TEST_CASE(a_tick_steps_only_the_pods_an_input_touched_or_whose_time_came) {
  Agent agent;
  agent.listed();
  for (int i = 0; i < 50; ++i)
    agent.sync->upsert(
        informer_object(pod_json("p" + std::to_string(i), json::array({container("app")}))),
        agent.now);
  json probed = container("app");
  probed["livenessProbe"] = exec_probe({"alive"}, 10);
  agent.sync->upsert(informer_object(pod_json("probed", json::array({probed}))), agent.now);
  agent.settle();
  agent.run_for(2'000);
  BOOST_TEST(agent.driver.starts() == 51);
  // Ten quiet seconds: the host lists repeat what is known, only the probed pod comes due.
  auto before = agent.sync->pods_stepped();
  auto calls_before = agent.calls.size();
  agent.run_for(10'000);
  auto probes = agent.calls.size() - calls_before;
  BOOST_TEST(probes >= 1u);
  BOOST_TEST(agent.sync->pods_stepped() - before <= 2 * probes);  // each probe: due, answered
  // One pod's update steps that pod.
  before = agent.sync->pods_stepped();
  json changed = pod_json("p7", json::array({container("app")}));
  changed["metadata"]["labels"] = {{"changed", "yes"}};
  agent.upsert(changed);
  BOOST_TEST(agent.sync->pods_stepped() - before == 1u);
  BOOST_TEST(agent.driver.starts() == 51);
}

BOOST_AUTO_TEST_CASE(a_hundred_pods_with_probes_reach_running_and_stay_quiet) {
  Agent agent;
  agent.listed();
  for (int i = 0; i < 100; ++i) {
    json app = container("app");
    app["readinessProbe"] = exec_probe({"ready"}, 10);
    app["livenessProbe"] = exec_probe({"alive"}, 10);
    agent.sync->upsert(informer_object(pod_json("p" + std::to_string(i), json::array({app}))),
                       agent.now);
  }
  agent.settle();
  agent.run_for(60'000);
  int running = 0;
  for (const auto& [name, s] : agent.status) running += s["phase"] == "Running";
  BOOST_TEST(running == 100);
  BOOST_TEST(agent.driver.starts() == 100);
  for (const auto& [name, s] : agent.status) BOOST_TEST(s["conditions"][1]["status"] == "True");
}

BOOST_AUTO_TEST_CASE(a_failing_init_container_is_retried_with_back_off_under_always) {
  Agent agent;
  json spec{{"initContainers", json::array({container("setup", {"exit", "1"})})}};
  agent.upsert(pod_json("retry", json::array({container("app")}), spec));
  agent.listed();
  agent.run_for(40'000);
  BOOST_TEST(agent.phase("retry") == "Pending");
  BOOST_TEST(agent.condition("retry", "Initialized") == "False");
  const json& setup = agent.container_status("retry", "setup", "initContainerStatuses");
  BOOST_TEST(setup["state"]["waiting"]["reason"] == "CrashLoopBackOff");
  BOOST_TEST(setup["restartCount"].get<int>() >= 3);
  BOOST_TEST(start_times(agent, "uid-retry", "app").empty());
}
