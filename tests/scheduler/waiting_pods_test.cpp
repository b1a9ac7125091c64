// Pods waiting on Permit (actors/scheduler/framework/waiting_pods.hpp), as Kubernetes'
// waitingPodsMap behaves: allowed once every waiting plugin allowed, rejected by the first
// reject or by the first plugin timer to fire (kube's message, Go's duration text, 15-minute
// cap), the first decision final; and the Coscheduling example plugin holding a gang until it
// is complete, then releasing it together, or rejecting the rest when one member fails.
#define BOOST_TEST_MODULE scheduler_waiting_pods
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "actors/scheduler/framework/framework_handle.hpp"
#include "actors/scheduler/framework/waiting_pods.hpp"
#include "actors/scheduler/plugins/coscheduling.hpp"
#include "tests/scheduler/model_builders.hpp"

namespace api = craton::api;
using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace {

std::shared_ptr<const PodInfo> waiting_pod(const std::string& name, api::Labels labels = {}) {
  PodInfo p = pod_requesting(1000, 0, name);
  p.labels = std::move(labels);
  p.node_name = "n1";
  return std::make_shared<PodInfo>(std::move(p));
}

std::vector<std::string> names_of(const std::vector<WaitOutcome>& outcomes) {
  std::vector<std::string> out;
  for (const auto& o : outcomes) out.push_back(o.pod->name);
  return out;
}

/// A handle that only lends the waiting pods.
class WaitingHandle final : public FrameworkHandle {
 public:
  std::span<const PodDisruptionBudget> pod_disruption_budgets() const override { return {}; }
  std::vector<std::shared_ptr<const PodInfo>> nominated_pods(std::string_view) const override {
    return {};
  }
  WaitingPods* waiting_pods() override { return &pods; }
  WaitingPods pods;
};

api::Labels gang(const std::string& group, const std::string& min_available) {
  return {{std::string(kPodGroupLabel), group},
          {std::string(kPodGroupMinAvailableLabel), min_available}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(durations_print_as_go_prints_them) {
  struct Case {
    std::int64_t ms;
    std::string text;
  };
  const std::vector<Case> cases = {
      {0, "0s"},          {1, "1ms"},         {500, "500ms"},        {1000, "1s"},
      {1500, "1.5s"},     {1250, "1.25s"},    {10'000, "10s"},       {60'000, "1m0s"},
      {61'500, "1m1.5s"}, {900'000, "15m0s"}, {3'600'000, "1h0m0s"}, {3'723'004, "1h2m3.004s"},
      {-1500, "-1.5s"},
  };
  for (const auto& c : cases) BOOST_TEST(go_duration_text(c.ms) == c.text, c.ms << " ms");
}

BOOST_AUTO_TEST_CASE(a_pod_is_allowed_only_when_every_waiting_plugin_allowed) {
  WaitingPods pods;
  BOOST_REQUIRE(pods.add(waiting_pod("p"), "n1", {{"A", 10'000}, {"B", 10'000}}, 0).ok());
  WaitingPod* p = pods.get("uid-p");
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST(p->node() == "n1");
  BOOST_TEST((p->pending_plugins() == std::vector<std::string_view>{"A", "B"}));
  p->allow("C");  // not holding it: nothing changes
  p->allow("A");
  BOOST_TEST(!p->decided());
  BOOST_TEST(pods.take_decided().empty());
  p->allow("B");
  auto decided = pods.take_decided();
  BOOST_REQUIRE(decided.size() == 1u);
  BOOST_TEST(decided[0].allowed);
  BOOST_TEST(decided[0].node == "n1");
  BOOST_TEST(pods.size() == 0u);
  BOOST_TEST(pods.get("uid-p") == nullptr);
}

BOOST_AUTO_TEST_CASE(the_first_decision_is_final) {
  WaitingPods pods;
  BOOST_REQUIRE(pods.add(waiting_pod("p"), "n1", {{"A", 10'000}}, 0).ok());
  BOOST_TEST(pods.reject("uid-p", "A", "gang broken"));
  BOOST_TEST(!pods.reject("uid-p", "B", "again"));  // decided: no longer waiting
  BOOST_TEST(pods.get("uid-p") == nullptr);
  pods.tick(60'000);  // its timer stopped too
  auto decided = pods.take_decided();
  BOOST_REQUIRE(decided.size() == 1u);
  BOOST_TEST(!decided[0].allowed);
  BOOST_TEST(decided[0].plugin == "A");
  BOOST_TEST(decided[0].message == "gang broken");
  BOOST_TEST(!pods.reject("uid-unknown", "", "removed"));
}

BOOST_AUTO_TEST_CASE(the_first_plugin_timer_to_fire_rejects_with_kubes_message) {
  struct Case {
    std::string name;
    std::vector<PluginWait> waits;
    std::vector<std::string> allowed_by;  ///< before any timer fires
    std::int64_t quiet_until_ms;          ///< no decision at this time
    std::int64_t rejected_at_ms;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"shortest wins",
       {{"A", 10'000}, {"B", 5'000}},
       {},
       4'999,
       5'000,
       "rejected due to timeout after waiting 5s at plugin B"},
      {"an allowed plugin's timer is stopped",
       {{"A", 10'000}, {"B", 5'000}},
       {"B"},
       9'999,
       10'000,
       "rejected due to timeout after waiting 10s at plugin A"},
      {"capped at 15 minutes",
       {{"Gang", 20 * 60'000}},
       {},
       15 * 60'000 - 1,
       15 * 60'000,
       "rejected due to timeout after waiting 15m0s at plugin Gang"},
      {"a negative timeout fires at once",
       {{"A", -5}},
       {},
       -1,
       0,
       "rejected due to timeout after waiting 0s at plugin A"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      WaitingPods pods;
      BOOST_REQUIRE(pods.add(waiting_pod("p"), "n1", c.waits, 0).ok());
      for (const auto& plugin : c.allowed_by) pods.get("uid-p")->allow(plugin);
      pods.tick(c.quiet_until_ms);
      BOOST_TEST(pods.take_decided().empty());
      BOOST_TEST(*pods.next_deadline_ms() == c.rejected_at_ms);
      pods.tick(c.rejected_at_ms);
      auto decided = pods.take_decided();
      BOOST_REQUIRE(decided.size() == 1u);
      BOOST_TEST(!decided[0].allowed);
      BOOST_TEST(decided[0].message == c.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(adding_is_checked) {
  WaitingPods pods;
  BOOST_TEST(pods.add(waiting_pod("p"), "n1", {}, 0).error().code == "invalid");
  BOOST_REQUIRE(pods.add(waiting_pod("p"), "n1", {{"A", 1000}}, 0).ok());
  BOOST_TEST(pods.add(waiting_pod("p"), "n2", {{"A", 1000}}, 0).error().code == "already_waiting");
  // A plugin listed twice keeps its first timeout.
  BOOST_REQUIRE(pods.add(waiting_pod("q"), "n1", {{"A", 1000}, {"A", 50}}, 0).ok());
  BOOST_TEST(pods.get("uid-q")->pending_plugins().size() == 1u);
  pods.tick(999);
  BOOST_TEST(pods.take_decided().empty());
}

BOOST_AUTO_TEST_CASE(iteration_is_by_uid_and_decisions_drain_in_the_order_made) {
  WaitingPods pods;
  for (const char* name : {"c", "a", "b"})
    BOOST_REQUIRE(pods.add(waiting_pod(name), "n1", {{"A", 1000}}, 0).ok());
  std::vector<std::string> seen;
  pods.iterate([&](WaitingPod& p) { seen.push_back(p.pod().name); });
  BOOST_TEST((seen == std::vector<std::string>{"a", "b", "c"}));
  pods.get("uid-c")->allow("A");
  pods.get("uid-a")->reject("A", "no");
  seen.clear();
  pods.iterate([&](WaitingPod& p) { seen.push_back(p.pod().name); });  // decided ones are gone
  BOOST_TEST((seen == std::vector<std::string>{"b"}));
  pods.tick(1000);
  BOOST_TEST((names_of(pods.take_decided()) == std::vector<std::string>{"c", "a", "b"}));
}

// The gang plugin as a scheduler runs it: members already placed (assumed, waiting) sit on the
// cycle's nodes; a member that completes the group allows the waiting ones.
BOOST_AUTO_TEST_CASE(coscheduling_holds_a_gang_until_it_is_complete) {
  WaitingHandle handle;
  Coscheduling plugin(CoschedulingArgs{10'000}, &handle);
  NodeInfo node = node_with("n1", 8000, 8LL << 30);
  std::vector<const NodeInfo*> nodes{&node};
  auto cycle = [&](const std::string& name, const api::Labels& labels) {
    auto pod = waiting_pod(name, labels);
    CycleState state;
    state.set_all_nodes(nodes);
    auto d = plugin.permit(state, *pod, "n1");
    if (d.status.code() == Code::wait)
      BOOST_REQUIRE(handle.pods.add(pod, "n1", {{"Coscheduling", d.timeout_ms}}, 0).ok());
    if (d.status.is_success() || d.status.code() == Code::wait) node.add_pod(pod);  // assumed
    return d;
  };
  BOOST_TEST(cycle("solo", {}).status.is_success());  // not in a gang
  auto bad = cycle("bad", gang("g", "three"));
  BOOST_TEST(static_cast<int>(bad.status.code()) ==
             static_cast<int>(Code::unschedulable_and_unresolvable));
  auto a = cycle("a", gang("g", "3"));
  BOOST_TEST(static_cast<int>(a.status.code()) == static_cast<int>(Code::wait));
  BOOST_TEST(a.timeout_ms == 10'000);
  BOOST_TEST(static_cast<int>(cycle("other", gang("h", "2")).status.code()) ==
             static_cast<int>(Code::wait));  // another group counts apart
  BOOST_TEST(static_cast<int>(cycle("b", gang("g", "3")).status.code()) ==
             static_cast<int>(Code::wait));
  BOOST_TEST(handle.pods.take_decided().empty());
  BOOST_TEST(cycle("c", gang("g", "3")).status.is_success());
  auto released = handle.pods.take_decided();
  BOOST_TEST((names_of(released) == std::vector<std::string>{"a", "b"}));
  for (const auto& r : released) BOOST_TEST(r.allowed);
  BOOST_TEST(handle.pods.size() == 1u);  // "other" still waits for its partner
}

BOOST_AUTO_TEST_CASE(coscheduling_rejects_the_rest_of_a_gang_when_one_member_is_unreserved) {
  WaitingHandle handle;
  Coscheduling plugin(CoschedulingArgs{}, &handle);
  auto a = waiting_pod("a", gang("g", "3"));
  auto b = waiting_pod("b", gang("g", "3"));
  auto other = waiting_pod("other", gang("h", "3"));
  BOOST_REQUIRE(handle.pods.add(a, "n1", {{"Coscheduling", 10'000}}, 0).ok());
  BOOST_REQUIRE(handle.pods.add(b, "n1", {{"Coscheduling", 5'000}}, 0).ok());
  BOOST_REQUIRE(handle.pods.add(other, "n1", {{"Coscheduling", 10'000}}, 0).ok());
  handle.pods.tick(5'000);  // b times out; the scheduler then unreserves it
  auto first = handle.pods.take_decided();
  BOOST_REQUIRE(first.size() == 1u);
  CycleState state;
  plugin.unreserve(state, *first[0].pod, "n1");
  auto rest = handle.pods.take_decided();
  BOOST_REQUIRE(rest.size() == 1u);
  BOOST_TEST(rest[0].pod->name == "a");
  BOOST_TEST(rest[0].plugin == "Coscheduling");
  BOOST_TEST(rest[0].message == "rejection in Unreserve");
  BOOST_TEST(handle.pods.get("uid-other") != nullptr);
}
