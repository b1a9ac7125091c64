// PodSync with volumes and env references (pod_sync.hpp over the fake driver): volumes are
// prepared before the sandbox and any container, a failure keeps the pod ContainerCreating
// and is retried, running pods' configMap volumes are refreshed, the volumes go with the
// sandbox; env from ConfigMaps and Secrets is resolved at each start, and a missing one is
// CreateContainerConfigError until it appears.
#define BOOST_TEST_MODULE agent_pod_sync_volumes
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "tests/agent/pod_sync_harness.hpp"

using namespace craton;
using namespace craton::agent;
using namespace craton::agent::testing;
using craton::api::kube_time;

namespace {

/// A VolumeHost that records and answers as told.
struct RecordingVolumes final : VolumeHost {
  std::optional<std::string> failure;  ///< set: prepare fails with this message
  std::vector<std::vector<VolumePlan>> prepared;
  std::vector<std::string> removed;
  Status prepare(const std::string&, const std::vector<VolumePlan>& volumes) override {
    prepared.push_back(volumes);
    if (failure) return Error{"volume_source_missing", *failure};
    return Ok{};
  }
  Status remove(const std::string& uid) override {
    removed.push_back(uid);
    return Ok{};
  }
};

std::size_t index_of(const Agent& agent, DriverCallKind kind) {
  for (std::size_t i = 0; i < agent.calls.size(); ++i)
    if (agent.calls[i].kind == kind) return i;
  return agent.calls.size();
}

int count_of(const Agent& agent, DriverCallKind kind) {
  return static_cast<int>(std::count_if(agent.calls.begin(), agent.calls.end(),
                                        [&](const DriverCall& c) { return c.kind == kind; }));
}

const DriverCall* last_start(const Agent& agent, const std::string& name) {
  const DriverCall* out = nullptr;
  for (const auto& c : agent.calls)
    if (c.kind == DriverCallKind::start_container && c.container.name == name) out = &c;
  return out;
}

std::string env_of(const DriverCall& call, const std::string& name) {
  for (const auto& [k, v] : call.container.env)
    if (k == name) return v;
  return "<unset>";
}

json config_volume_pod() {
  json app = container("app");
  app["volumeMounts"] = json::array({{{"name", "conf"}, {"mountPath", "/etc/app"}}});
  return pod_json(
      "web", json::array({app}),
      {{"volumes", json::array({{{"name", "conf"}, {"configMap", {{"name", "app"}}}}})}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(volumes_are_prepared_before_the_sandbox_and_go_with_it) {
  Agent agent;
  RecordingVolumes volumes;
  agent.volume_host = &volumes;
  agent.upsert(config_volume_pod());
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.phase("web") == "Running");
  BOOST_REQUIRE(volumes.prepared.size() == 1u);
  BOOST_TEST(volumes.prepared[0][0].source_name == "app");
  BOOST_TEST(index_of(agent, DriverCallKind::prepare_volumes) <
             index_of(agent, DriverCallKind::start_sandbox));

  // While it runs, its configMap volume is prepared again about every minute.
  agent.run_for(61'000);
  BOOST_TEST(volumes.prepared.size() == 2u);
  BOOST_TEST(agent.driver.starts() == 1);

  json deleted = config_volume_pod();
  deleted["metadata"]["deletionTimestamp"] = kube_time(agent.now);
  deleted["metadata"]["deletionGracePeriodSeconds"] = 0;
  agent.upsert(deleted);
  agent.run_for(2'000);
  BOOST_REQUIRE(agent.removals.size() == 1u);
  BOOST_TEST(volumes.removed == std::vector<std::string>{"uid-web"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_volume_keeps_the_pod_container_creating_until_it_succeeds) {
  Agent agent;
  RecordingVolumes volumes;
  volumes.failure = "volume \"conf\": configmap \"app\" not found";
  agent.volume_host = &volumes;
  agent.upsert(config_volume_pod());
  agent.listed();
  agent.run_for(5'000);
  BOOST_TEST(agent.phase("web") == "Pending");
  const json& waiting = agent.container_status("web", "app")["state"]["waiting"];
  BOOST_TEST(waiting["reason"] == "ContainerCreating");
  BOOST_TEST(waiting["message"] == *volumes.failure);
  BOOST_TEST(count_of(agent, DriverCallKind::start_sandbox) == 0);
  BOOST_TEST(volumes.prepared.size() >= 2u);  // retried

  volumes.failure.reset();
  agent.run_for(3'000);
  BOOST_TEST(agent.phase("web") == "Running");
  BOOST_TEST(agent.driver.starts() == 1);
}

BOOST_AUTO_TEST_CASE(a_pod_without_volumes_makes_no_volume_call) {
  Agent agent;
  RecordingVolumes volumes;
  agent.volume_host = &volumes;
  agent.upsert(pod_json("plain", json::array({container("app")})));
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.phase("plain") == "Running");
  BOOST_TEST(volumes.prepared.empty());
  BOOST_TEST(count_of(agent, DriverCallKind::prepare_volumes) == 0);
}

BOOST_AUTO_TEST_CASE(env_references_wait_for_their_config_map_and_resolve_at_start) {
  Agent agent;
  json app = container("app");
  app["env"] = json::array(
      {{{"name", "LEVEL"},
        {"valueFrom", {{"configMapKeyRef", {{"name", "cm"}, {"key", "level"}}}}}},
       {{"name", "PW"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "password"}}}}}},
       {{"name", "IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}},
       {{"name", "HOST"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.hostIP"}}}}}}});
  app["envFrom"] = json::array({{{"configMapRef", {{"name", "cm"}}}, {"prefix", "CM_"}}});
  agent.upsert(pod_json("cfg", json::array({app})));
  agent.listed();
  agent.run_for(3'000);
  BOOST_TEST(agent.phase("cfg") == "Pending");
  const json& waiting = agent.container_status("cfg", "app")["state"]["waiting"];
  BOOST_TEST(waiting["reason"] == "CreateContainerConfigError");
  BOOST_TEST(waiting["message"] == "configmap \"cm\" not found");
  BOOST_TEST(agent.driver.starts() == 0);

  agent.sources->put_config_map("default", "cm", SourceObject{{{"level", "debug"}}, {}});
  agent.run_for(3'000);
  BOOST_TEST(agent.container_status("cfg", "app")["state"]["waiting"]["message"] ==
             "secret \"db\" not found");
  agent.sources->put_secret("default", "db", SourceObject{{{"password", "s3cr3t"}}, {}});
  agent.run_for(3'000);
  BOOST_TEST(agent.phase("cfg") == "Running");
  BOOST_TEST(agent.driver.starts() == 1);
  const DriverCall* start = last_start(agent, "app");
  BOOST_REQUIRE(start != nullptr);
  BOOST_TEST(env_of(*start, "LEVEL") == "debug");
  BOOST_TEST(env_of(*start, "CM_level") == "debug");
  BOOST_TEST(env_of(*start, "PW") == "s3cr3t");
  BOOST_TEST(env_of(*start, "IP") == agent.status.at("cfg")["podIP"].get<std::string>());
  BOOST_TEST(env_of(*start, "HOST") == "192.168.1.10");
}

BOOST_AUTO_TEST_CASE(a_restart_reads_the_config_map_as_it_is_then) {
  Agent agent;
  agent.sources->put_config_map("default", "cm", SourceObject{{{"level", "info"}}, {}});
  json app = container("app", {"exit", "1"});
  app["env"] =
      json::array({{{"name", "LEVEL"},
                    {"valueFrom", {{"configMapKeyRef", {{"name", "cm"}, {"key", "level"}}}}}}});
  agent.upsert(pod_json("r", json::array({app})));
  agent.listed();
  agent.settle();
  BOOST_REQUIRE(last_start(agent, "app") != nullptr);
  BOOST_TEST(env_of(*last_start(agent, "app"), "LEVEL") == "info");
  agent.sources->put_config_map("default", "cm", SourceObject{{{"level", "trace"}}, {}});
  agent.run_for(30'000);
  BOOST_TEST(agent.driver.starts() >= 2);
  BOOST_TEST(env_of(*last_start(agent, "app"), "LEVEL") == "trace");
}

BOOST_AUTO_TEST_CASE(a_pod_deleted_before_its_sandbox_still_has_its_volumes_removed) {
  Agent agent;
  RecordingVolumes volumes;
  volumes.failure = "volume \"conf\": configmap \"app\" not found";  // a half-made volume
  agent.volume_host = &volumes;
  agent.upsert(config_volume_pod());
  agent.listed();
  agent.run_for(1'000);
  BOOST_REQUIRE(!volumes.prepared.empty());
  json deleted = config_volume_pod();
  deleted["metadata"]["deletionTimestamp"] = kube_time(agent.now);
  deleted["metadata"]["deletionGracePeriodSeconds"] = 30;
  agent.upsert(deleted);
  agent.run_for(1'000);
  BOOST_REQUIRE(agent.removals.size() == 1u);
  BOOST_TEST(count_of(agent, DriverCallKind::start_sandbox) == 0);
  BOOST_TEST(volumes.removed == std::vector<std::string>{"uid-web"},
             boost::test_tools::per_element());
}
