// How many status writes a pod start costs (actors/agent/core/pod_sync.hpp, take_status_updates):
// the pod is reported once when the agent takes it up (Pending, ContainerCreating) and once when
// its sandbox and first container are up (podIP and Running together), as the kubelet's syncPod
// reports them; the status in between (sandbox ready, container start in flight) is not written.
// Later starts hold nothing back: a restarting container's exit is written at once.
#define BOOST_TEST_MODULE agent_pod_sync_status_writes
#include <boost/test/unit_test.hpp>

#include "tests/agent/pod_sync_harness.hpp"

using namespace craton::agent;
using namespace craton::agent::testing;

namespace {

/// The one call tick() hands out now, which must be of `kind`.
DriverCall only_call(Agent& agent, DriverCallKind kind) {
  auto calls = agent.sync->tick(agent.now);
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_REQUIRE(calls[0].kind == kind);
  return calls[0];
}

void answer(Agent& agent, const DriverCall& call) {
  agent.sync->on_result(call.id, perform(agent.driver, call), agent.now);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_sandbox_and_the_first_container_are_reported_in_one_write) {
  Agent agent;
  agent.listed();
  agent.sync->upsert(informer_object(pod_json("web", json::array({container("app")}))), agent.now);
  auto sandbox = only_call(agent, DriverCallKind::start_sandbox);
  auto taken_up = agent.sync->take_status_updates();
  BOOST_REQUIRE_EQUAL(taken_up.size(), 1u);
  BOOST_TEST(taken_up[0].status["phase"] == "Pending");
  BOOST_TEST(!taken_up[0].status.contains("podIP"));

  answer(agent, sandbox);
  auto start = only_call(agent, DriverCallKind::start_container);
  BOOST_TEST(agent.sync->take_status_updates().empty());  // the sandbox alone: not written
  // Not by the periodic sweep either, while the start is in flight.
  agent.now += Agent::config().status_sweep_ms;
  BOOST_TEST(agent.sync->tick(agent.now).empty());
  BOOST_TEST(agent.sync->take_status_updates().empty());

  answer(agent, start);
  auto running = agent.sync->take_status_updates();
  BOOST_REQUIRE_EQUAL(running.size(), 1u);
  BOOST_TEST(running[0].status["phase"] == "Running");
  BOOST_TEST(running[0].status.contains("podIP"));
  BOOST_TEST(running[0].status["containerStatuses"][0]["state"].contains("running"));
}

BOOST_AUTO_TEST_CASE(a_first_start_that_fails_is_reported_when_it_is_answered) {
  Agent agent;
  agent.listed();
  agent.driver.script_start_failure("uid-web", "app", {driver_error::create_failed, "no rootfs"});
  agent.sync->upsert(informer_object(pod_json("web", json::array({container("app")}))), agent.now);
  answer(agent, only_call(agent, DriverCallKind::start_sandbox));
  BOOST_REQUIRE_EQUAL(agent.sync->take_status_updates().size(), 1u);
  answer(agent, only_call(agent, DriverCallKind::start_container));
  auto failed = agent.sync->take_status_updates();
  BOOST_REQUIRE_EQUAL(failed.size(), 1u);
  BOOST_TEST(failed[0].status.contains("podIP"));
  BOOST_TEST(failed[0].status["containerStatuses"][0]["state"]["waiting"]["reason"] ==
             "CreateContainerError");
}

BOOST_AUTO_TEST_CASE(a_restart_in_flight_does_not_hold_back_the_exit) {
  Agent agent;
  agent.listed();
  agent.upsert(pod_json("web", json::array({container("app", {"sleep", "2"})})));
  BOOST_REQUIRE(agent.phase("web") == "Running");
  // The container exits; the first restart has no back-off, so it is asked for at once.
  agent.now += 3'000;
  agent.sync->on_records(agent.driver.list(), agent.now);
  auto restart = only_call(agent, DriverCallKind::start_container);
  auto exited = agent.sync->take_status_updates();
  BOOST_REQUIRE_EQUAL(exited.size(), 1u);
  BOOST_TEST(exited[0].status["containerStatuses"][0]["state"].contains("terminated"));
  answer(agent, restart);
  auto again = agent.sync->take_status_updates();
  BOOST_REQUIRE_EQUAL(again.size(), 1u);
  BOOST_TEST(again[0].status["containerStatuses"][0]["restartCount"] == 1);
}
