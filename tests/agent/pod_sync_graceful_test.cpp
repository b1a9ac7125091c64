// PodSync and graceful deletion as the API now does it (deletionTimestamp and
// deletionGracePeriodSeconds on a pod that stays in the API until its agent deletes it with
// grace 0): the grace used is the deletion's (deletionGracePeriodSeconds, as the kubelet takes
// it: a longer one than the pod's own is honoured, a later shorter one wins), and a pod
// marked for deletion while the agent was down is found and finished after its restart, with
// its containers still running or with nothing left on the host.
#define BOOST_TEST_MODULE agent_pod_sync_graceful
#include <boost/test/unit_test.hpp>

#include <csignal>

#include "tests/agent/pod_sync_harness.hpp"

using namespace craton::agent;
using namespace craton::agent::testing;
using craton::api::kube_time;

BOOST_AUTO_TEST_CASE(the_grace_is_the_deletions_even_when_longer_than_the_pods) {
  Agent agent;
  json pod = pod_json("long", json::array({container("app", {"hang"})}),
                      {{"terminationGracePeriodSeconds", 5}});
  agent.upsert(pod);
  agent.listed();
  agent.run_for(2'000);
  // kubectl delete --grace-period=60: the API writes 60, longer than the pod's 5; the kubelet
  // takes the API's value (calculateEffectiveGracePeriod), so no SIGKILL before 60 s.
  pod["metadata"]["deletionTimestamp"] = kube_time(agent.now + 60'000);
  pod["metadata"]["deletionGracePeriodSeconds"] = 60;
  agent.upsert(pod);
  BOOST_TEST(agent.signals(SIGTERM) == 1);
  agent.run_for(55'000);
  BOOST_TEST(agent.signals(SIGKILL) == 0);
  BOOST_TEST(agent.removals.empty());
  agent.run_for(7'000);
  BOOST_TEST(agent.signals(SIGKILL) == 1);
  BOOST_REQUIRE_EQUAL(agent.removals.size(), 1u);

  // A shorter deletion grace than the pod's wins too.
  json other = pod_json("forced", json::array({container("app", {"hang"})}),
                        {{"terminationGracePeriodSeconds", 30}});
  agent.upsert(other);
  agent.run_for(2'000);
  other["metadata"]["deletionTimestamp"] = kube_time(agent.now + 2'000);
  other["metadata"]["deletionGracePeriodSeconds"] = 2;
  agent.upsert(other);
  agent.run_for(4'000);
  BOOST_TEST(agent.signals(SIGKILL) == 2);
  BOOST_TEST(agent.removals.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_second_shorter_deletion_shortens_and_a_longer_one_does_not) {
  Agent agent;
  json pod = pod_json("twice", json::array({container("app", {"hang"})}),
                      {{"terminationGracePeriodSeconds", 30}});
  agent.upsert(pod);
  agent.listed();
  agent.run_for(2'000);
  pod["metadata"]["deletionTimestamp"] = kube_time(agent.now + 20'000);
  pod["metadata"]["deletionGracePeriodSeconds"] = 20;
  agent.upsert(pod);
  agent.run_for(1'000);
  // Only a shorter grace changes anything (the API never writes a longer one; the kubelet
  // would not take it either).
  pod["metadata"]["deletionGracePeriodSeconds"] = 60;
  agent.upsert(pod);
  agent.run_for(21'000);
  BOOST_TEST(agent.signals(SIGKILL) == 1);
  BOOST_TEST(agent.removals.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_pod_deleted_while_the_agent_was_down_is_finished_after_its_restart) {
  Agent agent;
  json pod = pod_json("web", json::array({container("app")}));
  agent.upsert(pod);
  agent.listed();
  agent.settle();
  BOOST_TEST(agent.on_host("uid-web"));

  // Deleted gracefully while the agent was down: the API still holds it, marked.
  agent.restart();
  pod["metadata"]["deletionTimestamp"] = kube_time(agent.now + 30'000);
  pod["metadata"]["deletionGracePeriodSeconds"] = 30;
  agent.upsert(pod);
  agent.listed();
  agent.run_for(2'000);
  BOOST_TEST(agent.signals(SIGTERM) == 1);
  BOOST_TEST(!agent.on_host("uid-web"));
  BOOST_REQUIRE_EQUAL(agent.removals.size(), 1u);
  BOOST_TEST(agent.removals[0].uid == "uid-web");
}

BOOST_AUTO_TEST_CASE(a_marked_pod_with_nothing_on_the_host_is_handed_out_at_once) {
  Agent agent;
  agent.listed();
  json pod = pod_json("never-ran", json::array({container("app")}));
  pod["metadata"]["deletionTimestamp"] = kube_time(agent.now + 30'000);
  pod["metadata"]["deletionGracePeriodSeconds"] = 30;
  agent.upsert(pod);
  agent.run_for(1'000);
  BOOST_TEST(agent.driver.starts() == 0);
  BOOST_REQUIRE_EQUAL(agent.removals.size(), 1u);
  BOOST_TEST(agent.removals[0].name == "never-ran");
}
