// PodSync with a list() that ran beside the pods' calls (the agent's workers > 1): a list asked
// for before a removal and delivered after its result must not bring back what was removed --
// neither a pod whose sandbox went (it would be killed and removed a second time as an
// orphan) nor an attempt the agent removed (it would be removed again and shown as a
// previous attempt). The driver is the fake one under the harness's manual clock.
#define BOOST_TEST_MODULE agent_pod_sync_stale_list
#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>

#include "pod_sync_harness.hpp"

using namespace craton;
using namespace craton::agent;
using namespace craton::agent::testing;

namespace {

/// A list taken, and its mark, just before the first call of `kind` was performed.
struct StaleList {
  std::vector<PodRecord> records;
  std::uint64_t mark = 0;
  DriverCall call;
};

/// Runs the agent's loop (fresh lists, every call at once, a second per quiet round) until a
/// call of `kind` comes up; snapshots the host, performs that call and returns.
std::optional<StaleList> run_until_call(Agent& a, DriverCallKind kind) {
  for (int round = 0; round < 2000; ++round) {
    a.sync->on_records(a.driver.list(), a.now);
    auto batch = a.sync->tick(a.now);
    if (batch.empty()) a.now += 1000;
    for (const auto& c : batch) {
      if (c.kind == kind) {
        StaleList stale{a.driver.list(), a.sync->list_mark(), c};
        a.sync->on_result(c.id, perform(a.driver, c), a.now);
        return stale;
      }
      a.sync->on_result(c.id, perform(a.driver, c), a.now);
    }
  }
  return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_list_older_than_a_pods_removal_does_not_bring_the_pod_back) {
  Agent a;
  a.listed();
  a.upsert(
      pod_json("web", json::array({container("app")}), {{"terminationGracePeriodSeconds", 0}}));
  BOOST_REQUIRE(a.on_host("uid-web"));
  a.sync->remove("uid-web", a.now);  // gone from the API
  auto stale = run_until_call(a, DriverCallKind::remove_sandbox);
  BOOST_REQUIRE(stale.has_value());
  BOOST_REQUIRE(!a.on_host("uid-web"));
  BOOST_REQUIRE(a.sync->find("uid-web") == nullptr);  // forgotten once its sandbox went

  a.sync->on_records(stale->records, a.now, stale->mark);
  BOOST_TEST(a.sync->find("uid-web") == nullptr);
  BOOST_TEST(a.sync->tick(a.now).empty());  // nothing to kill or remove a second time

  // A list asked for after the removal shows the host as it is, and the pod stays gone.
  a.sync->on_records(a.driver.list(), a.now, a.sync->list_mark());
  BOOST_TEST(a.sync->find("uid-web") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_list_older_than_an_attempts_removal_does_not_bring_the_attempt_back) {
  Agent a;
  a.listed();
  a.upsert(pod_json("crashy", json::array({container("app", {"exit", "1"})})));
  auto stale = run_until_call(a, DriverCallKind::remove_container);
  BOOST_REQUIRE(stale.has_value());
  const int removed = stale->call.attempt;
  const PodState* pod = a.sync->find("uid-crashy");
  BOOST_REQUIRE(pod != nullptr);
  BOOST_REQUIRE(pod->attempts.at("app").count(removed) == 0);

  a.sync->on_records(stale->records, a.now, stale->mark);
  BOOST_TEST(pod->attempts.at("app").count(removed) == 0);
  for (const auto& c : a.sync->tick(a.now))
    BOOST_TEST(!(c.kind == DriverCallKind::remove_container && c.attempt == removed));
}
