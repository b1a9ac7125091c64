// The scheduling queue (actors/scheduler/queue/) and cluster events
// (actors/scheduler/framework/cluster_event.hpp), against Kubernetes' documented behaviour:
// activeQ by priority then age; back-off 1 s doubling to a 10 s cap
// (podInitialBackoffSeconds, podMaxBackoffSeconds); a rejected pod retried only on an event a
// rejecting plugin registered (EnqueueExtensions, kube 1.32 with queueing hints) or after 5
// minutes (podMaxInUnschedulablePodsDuration); events during a pod's cycle are not lost.
#define BOOST_TEST_MODULE scheduler_queue
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/scheduler/framework/framework.hpp"
#include "actors/scheduler/plugins/default_plugins.hpp"
#include "actors/scheduler/plugins/priority_sort.hpp"
#include "actors/scheduler/queue/scheduling_queue.hpp"
#include "tests/scheduler/model_builders.hpp"

using namespace craton::scheduler;
using namespace craton::scheduler::testing;

namespace craton::scheduler {
std::ostream& operator<<(std::ostream& out, QueueName queue) {
  return out << queue_name(queue);
}
}  // namespace craton::scheduler

namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;

const ClusterEvent kNodeAdd{EventResource::node, action::add};
const ClusterEvent kNodeDelete{EventResource::node, action::remove};
const ClusterEvent kNodeAllocatable{EventResource::node, action::update_node_allocatable};
const ClusterEvent kNodeLabel{EventResource::node, action::update_node_label};
const ClusterEvent kNodeTaint{EventResource::node, action::update_node_taint};
const ClusterEvent kNodeOther{EventResource::node, action::update_node_other};
const ClusterEvent kPodAdd{EventResource::pod, action::add};
const ClusterEvent kPodDelete{EventResource::pod, action::remove};
const ClusterEvent kPodLabel{EventResource::pod, action::update_pod_label};

std::shared_ptr<const PodInfo> pod(std::string name, std::int32_t priority = 0) {
  auto p = std::make_shared<PodInfo>(pod_requesting(100, 0, std::move(name)));
  p->priority = priority;
  return p;
}

/// The default profile's plugin events, as the lead builds the queue.
PluginEvents default_events() {
  ResourceNames names;
  auto framework = Framework::create(default_registry(), default_profile(), names);
  BOOST_REQUIRE(framework.ok());
  return framework.value()->events_to_register();
}

std::unique_ptr<SchedulingQueue> make_queue(PluginEvents events = default_events(),
                                            SchedulingQueueOptions options = {}) {
  PrioritySort sort;
  auto q = SchedulingQueue::create(
      [sort](const QueuedPodInfo& a, const QueuedPodInfo& b) { return sort.less(a, b); },
      std::move(events), options);
  BOOST_REQUIRE(q.ok());
  return std::move(q.value());
}

std::string popped_name(SchedulingQueue& q, std::int64_t now_ms) {
  auto p = q.pop(now_ms);
  return p ? p->pod->name : "<none>";
}

/// Adds the pod, pops it and answers that `plugins` rejected it; returns where it went.
QueueName reject(SchedulingQueue& q, std::shared_ptr<const PodInfo> p,
                 std::vector<std::string> plugins, std::int64_t now_ms) {
  BOOST_REQUIRE(q.add(p, now_ms).ok());
  auto popped = q.pop(now_ms);
  BOOST_REQUIRE(popped.has_value());
  BOOST_REQUIRE(popped->pod->uid == p->uid);
  auto where = q.add_unschedulable(popped->info, std::move(plugins), now_ms);
  BOOST_REQUIRE(where.ok());
  return where.value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(cluster_event_match_table) {
  struct Case {
    std::string name;
    ClusterEvent registered, happened;
    bool match;
  };
  std::vector<Case> cases = {
      {"same resource and action", kNodeAdd, kNodeAdd, true},
      {"other action", kNodeAdd, kNodeDelete, false},
      {"other resource", kNodeAdd, kPodAdd, false},
      {"Update covers every update kind", {EventResource::node, action::update}, kNodeLabel, true},
      {"a finer kind does not cover another", kNodeAllocatable, kNodeLabel, false},
      {"a finer kind does not cover a plain update", kNodeLabel, kNodeOther, false},
      {"a plain update matches a registered Update",
       {EventResource::node, action::update},
       kNodeOther,
       true},
      {"several kinds happened, one registered",
       kNodeAllocatable,
       {EventResource::node, action::update_node_label | action::update_node_allocatable},
       true},
      {"registered wildcard matches everything", ClusterEvent::any(), kPodLabel, true},
      {"any resource with the action", {EventResource::wildcard, action::remove}, kPodDelete, true},
      {"a wildcard event matches only a wildcard registration", kNodeAdd, ClusterEvent::any(),
       false},
  };
  for (const auto& c : cases) BOOST_TEST(matches(c.registered, c.happened) == c.match, c.name);
}

BOOST_AUTO_TEST_CASE(cluster_events_print_kube_labels) {
  BOOST_TEST(cluster_event_name(kNodeAdd) == "NodeAdd");
  BOOST_TEST(cluster_event_name(kPodDelete) == "PodDelete");
  BOOST_TEST(cluster_event_name(kNodeLabel) == "NodeUpdateNodeLabel");
  BOOST_TEST(cluster_event_name({EventResource::node, action::update_node}) == "NodeUpdate");
  BOOST_TEST(
      cluster_event_name({EventResource::node, action::add | action::update_node_allocatable}) ==
      "NodeAdd|UpdateNodeAllocatable");
  BOOST_TEST(cluster_event_name(ClusterEvent::any()) == "WildCard");
}

BOOST_AUTO_TEST_CASE(default_plugins_register_kube_1_32_events) {
  auto events = default_events();
  using Events = std::vector<ClusterEvent>;
  BOOST_TEST(
      (events.at("NodeResourcesFit") ==
       Events{kPodDelete, {EventResource::node, action::add | action::update_node_allocatable}}));
  BOOST_TEST((events.at("NodeAffinity") ==
              Events{{EventResource::node, action::add | action::update_node_label}}));
  BOOST_TEST((events.at("NodeName") == Events{kNodeAdd}));
  BOOST_TEST((events.at("NodePorts") == Events{kPodDelete, kNodeAdd}));
  BOOST_TEST((events.at("TaintToleration") ==
              Events{{EventResource::node, action::add | action::update_node_taint},
                     {EventResource::pod, action::update_pod_tolerations}}));
  BOOST_TEST((events.at("NodeUnschedulable") == events.at("TaintToleration")));
  BOOST_TEST((events.at("InterPodAffinity") ==
              Events{{EventResource::pod, action::add | action::update_pod_label | action::remove},
                     {EventResource::node, action::add | action::update_node_label}}));
  BOOST_TEST(
      (events.at("PodTopologySpread") ==
       Events{{EventResource::pod, action::add | action::update_pod_label |
                                       action::update_pod_tolerations | action::remove},
              {EventResource::node, action::add | action::remove | action::update_node_label |
                                        action::update_node_taint}}));
  // Without EnqueueExtensions a plugin registers every event, as in kube.
  BOOST_TEST((events.at("PrioritySort") == Events{ClusterEvent::any()}));
}

BOOST_AUTO_TEST_CASE(active_queue_pops_higher_priority_first_then_earlier_arrival) {
  auto q = make_queue();
  BOOST_REQUIRE(q->add(pod("low-early", 1), 0).ok());
  BOOST_REQUIRE(q->add(pod("high-late", 10), 20).ok());
  BOOST_REQUIRE(q->add(pod("high-early", 10), 10).ok());
  BOOST_REQUIRE(q->add(pod("low-late", 1), 30).ok());
  BOOST_REQUIRE(q->add(pod("low-late-tie", 1), 30).ok());  // equal by the order: arrival decides
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) order.push_back(popped_name(*q, 40));
  BOOST_TEST((order == std::vector<std::string>{"high-early", "high-late", "low-early", "low-late",
                                                "low-late-tie", "<none>"}));
  BOOST_TEST(q->in_flight() == 5u);
  BOOST_TEST(q->scheduling_cycle() == 5u);
}

BOOST_AUTO_TEST_CASE(backoff_doubles_from_one_second_to_a_ten_second_cap) {
  auto q = make_queue();
  std::vector<std::int64_t> got;
  for (std::int32_t attempts = 0; attempts <= 7; ++attempts) got.push_back(q->backoff_ms(attempts));
  BOOST_TEST((got == std::vector<std::int64_t>{0, 1000, 2000, 4000, 8000, 10000, 10000, 10000}));
  BOOST_TEST(q->backoff_ms(1'000'000) == 10000);  // no overflow

  // Behaviour: a pod failing again and again comes back only when each back-off is over.
  BOOST_REQUIRE(q->add(pod("p"), 0).ok());
  std::int64_t now = 0;
  std::int32_t attempt = 0;
  for (std::int64_t expected : {1000, 2000, 4000, 8000, 10000, 10000}) {
    auto popped = q->pop(now);
    BOOST_REQUIRE(popped.has_value());
    BOOST_TEST(popped->info.attempts == ++attempt);
    BOOST_TEST(q->requeue_after_error(popped->info, now).value() == QueueName::backoff);
    BOOST_TEST(!q->pop(now + expected - 1).has_value(), "still backing off at " << expected - 1);
    now += expected;  // the next round's pop must find it
  }
  BOOST_TEST(q->pop(now).has_value());
}

BOOST_AUTO_TEST_CASE(a_pod_rejected_for_resources_moves_on_allocatable_or_pod_delete_not_labels) {
  struct Case {
    std::string name;
    ClusterEvent event;
    bool moves;
  };
  std::vector<Case> cases = {
      {"node allocatable update", kNodeAllocatable, true},
      {"assigned pod deleted", kPodDelete, true},
      {"node added", kNodeAdd, true},
      {"node label change", kNodeLabel, false},
      {"node taint change", kNodeTaint, false},
      {"node deleted", kNodeDelete, false},
      {"pod added", kPodAdd, false},
      {"pod label change", kPodLabel, false},
  };
  for (const auto& c : cases) {
    auto q = make_queue();
    BOOST_TEST(reject(*q, pod("p"), {"NodeResourcesFit"}, 0) == QueueName::unschedulable);
    std::size_t moved = q->on_event(c.event, 5 * kSecond);
    BOOST_TEST(moved == (c.moves ? 1u : 0u), c.name);
    BOOST_TEST(q->unschedulable() == (c.moves ? 0u : 1u), c.name);
    // Its 1 s back-off is over, so a moved pod is ready at once.
    BOOST_TEST(q->pop(5 * kSecond).has_value() == c.moves, c.name);
  }
}

BOOST_AUTO_TEST_CASE(a_pod_rejected_by_node_affinity_moves_on_a_label_change) {
  auto q = make_queue();
  BOOST_TEST(reject(*q, pod("p"), {"NodeAffinity"}, 0) == QueueName::unschedulable);
  BOOST_TEST(q->on_event(kNodeAllocatable, kMinute) == 0u);
  BOOST_TEST(q->on_event(kPodDelete, kMinute) == 0u);
  BOOST_TEST(q->on_event(kNodeLabel, kMinute) == 1u);
  BOOST_TEST(popped_name(*q, kMinute) == "p");
}

BOOST_AUTO_TEST_CASE(a_pod_rejected_by_two_plugins_moves_on_an_event_of_either) {
  auto q = make_queue();
  reject(*q, pod("p"), {"NodeAffinity", "NodeResourcesFit"}, 0);
  BOOST_TEST(q->on_event(kNodeTaint, kMinute) == 0u);
  BOOST_TEST(q->on_event(kPodDelete, kMinute) == 1u);
}

BOOST_AUTO_TEST_CASE(a_moved_pod_still_backing_off_waits_in_backoff_queue) {
  auto q = make_queue();
  reject(*q, pod("p"), {"NodeResourcesFit"}, 0);  // attempt 1: back-off until 1 s
  BOOST_TEST(q->on_event(kPodDelete, 400) == 1u);
  BOOST_TEST(q->backoff() == 1u);
  BOOST_TEST(!q->pop(999).has_value());
  q->flush(1000);
  BOOST_TEST(q->active() == 1u);
  BOOST_TEST(popped_name(*q, 1000) == "p");
}

BOOST_AUTO_TEST_CASE(no_busy_loop_an_unschedulable_pod_waits_five_minutes_without_events) {
  auto q = make_queue();
  BOOST_TEST(reject(*q, pod("p"), {"NodeResourcesFit"}, 0) == QueueName::unschedulable);
  // The actor polls often and flushes every second: nothing comes out for 5 minutes.
  std::size_t pops = 0;
  for (std::int64_t now = 0; now <= 5 * kMinute; now += 100) {
    if (now % kSecond == 0) q->flush(now);
    if (q->pop(now)) ++pops;
  }
  // Unrelated events do not wake it either.
  q->on_event(kNodeLabel, 5 * kMinute);
  BOOST_TEST(pops == 0u);
  BOOST_TEST(q->unschedulable() == 1u);
  BOOST_TEST(q->scheduling_cycle() == 1u);
  // Past podMaxInUnschedulablePodsDuration the flush retries it.
  q->flush(5 * kMinute + kSecond);
  BOOST_TEST(q->unschedulable() == 0u);
  BOOST_TEST(popped_name(*q, 5 * kMinute + kSecond) == "p");
}

BOOST_AUTO_TEST_CASE(an_event_during_the_cycle_sends_the_pod_to_backoff_not_unschedulable) {
  struct Case {
    std::string name;
    ClusterEvent during;
    QueueName expected;
  };
  std::vector<Case> cases = {
      {"matching event in flight", kNodeAllocatable, QueueName::backoff},
      {"unrelated event in flight", kNodeLabel, QueueName::unschedulable},
      {"wildcard event in flight", ClusterEvent::any(), QueueName::backoff},
  };
  for (const auto& c : cases) {
    auto q = make_queue();
    BOOST_REQUIRE(q->add(pod("p"), 0).ok());
    auto popped = q->pop(0);
    BOOST_REQUIRE(popped.has_value());
    BOOST_TEST(q->on_event(c.during, 10) == 0u, c.name);  // nothing unschedulable to move
    auto where = q->add_unschedulable(popped->info, {"NodeResourcesFit"}, 20);
    BOOST_TEST(where.value() == c.expected, c.name);
  }
  // Events before the pop do not count for the cycle that follows.
  auto q = make_queue();
  BOOST_REQUIRE(q->add(pod("p"), 0).ok());
  q->on_event(kNodeAllocatable, 5);
  auto popped = q->pop(10);
  BOOST_TEST(q->add_unschedulable(popped->info, {"NodeResourcesFit"}, 20).value() ==
             QueueName::unschedulable);
}

BOOST_AUTO_TEST_CASE(a_pod_updated_during_its_cycle_comes_back_as_the_new_version) {
  auto q = make_queue();
  auto v1 = pod("p");
  BOOST_REQUIRE(q->add(v1, 0).ok());
  auto popped = q->pop(0);
  auto v2 = std::make_shared<PodInfo>(*v1);
  v2->labels = {{"app", "web"}};
  BOOST_TEST(q->update(v2, 10).value() == QueueName::in_flight);
  BOOST_TEST(popped->info.pod == v1.get());  // the cycle keeps reading the version it popped
  BOOST_TEST(q->add_unschedulable(popped->info, {"NodeResourcesFit"}, 20).value() ==
             QueueName::backoff);
  auto again = q->pop(20 + kSecond);
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again->info.pod == v2.get());
  BOOST_TEST(again->info.attempts == 2);
}

BOOST_AUTO_TEST_CASE(failures_without_a_rejecting_plugin_retry_after_backoff) {
  auto q = make_queue();
  BOOST_TEST(reject(*q, pod("p"), {}, 0) == QueueName::backoff);
  BOOST_REQUIRE(q->add(pod("e"), 0).ok());
  auto popped = q->pop(0);
  BOOST_TEST(q->requeue_after_error(popped->info, 0).value() == QueueName::backoff);
  q->flush(kSecond);
  BOOST_TEST(q->active() == 2u);
}

BOOST_AUTO_TEST_CASE(a_plugin_without_events_moves_on_any_event_one_with_none_only_on_timeout) {
  PluginEvents events = {{"Everything", {ClusterEvent::any()}}, {"Nothing", {}}};
  auto q = make_queue(events);
  reject(*q, pod("any"), {"Everything"}, 0);
  reject(*q, pod("never"), {"Nothing"}, 0);
  reject(*q, pod("unknown"), {"NotRegistered"}, 0);  // unknown name: every event
  BOOST_TEST(q->on_event(kPodLabel, kMinute) == 2u);
  BOOST_TEST(q->unschedulable() == 1u);
  BOOST_TEST(q->on_event(ClusterEvent::any(), kMinute) == 1u);  // a wildcard moves all
}

BOOST_AUTO_TEST_CASE(flush_moves_ended_backoffs_and_timed_out_pods_in_order) {
  auto q = make_queue();
  reject(*q, pod("a", 1), {"NodeResourcesFit"}, 0);
  reject(*q, pod("b", 5), {"NodeResourcesFit"}, 2 * kMinute);
  BOOST_REQUIRE(q->add(pod("c", 3), 3 * kMinute).ok());
  auto c = q->pop(3 * kMinute);
  BOOST_REQUIRE(q->requeue_after_error(c->info, 3 * kMinute).ok());
  q->flush(3 * kMinute + 999);
  BOOST_TEST(q->backoff() == 1u);
  q->flush(3 * kMinute + kSecond);
  BOOST_TEST(q->active() == 1u);  // c's back-off ended
  q->flush(5 * kMinute + 1);      // a waited more than 5 minutes, b did not
  BOOST_TEST(q->unschedulable() == 1u);
  BOOST_TEST(popped_name(*q, 5 * kMinute + 1) == "c");
  BOOST_TEST(popped_name(*q, 5 * kMinute + 1) == "a");
  BOOST_TEST(popped_name(*q, 5 * kMinute + 1) == "<none>");
  q->flush(7 * kMinute + 1);
  BOOST_TEST(popped_name(*q, 7 * kMinute + 1) == "b");
}

BOOST_AUTO_TEST_CASE(remove_forgets_a_pod_wherever_it_waits) {
  auto q = make_queue();
  reject(*q, pod("unschedulable"), {"NodeResourcesFit"}, 0);
  reject(*q, pod("backoff"), {}, 0);
  BOOST_REQUIRE(q->add(pod("active"), 0).ok());
  BOOST_TEST(q->remove("uid-active"));
  BOOST_TEST(q->remove("uid-unschedulable"));
  BOOST_TEST(q->remove("uid-backoff"));
  BOOST_TEST(!q->remove("uid-unknown"));
  BOOST_TEST(q->active() + q->backoff() + q->unschedulable() == 0u);
  BOOST_TEST(q->add(pod("active"), 1).ok());  // known no more: can come again

  // Removed during its cycle: its PodInfo lives until the cycle ends, then it is dropped.
  BOOST_REQUIRE(q->add(pod("flying"), 0).ok());
  auto popped = q->pop(0);
  while (popped && popped->pod->name != "flying") popped = q->pop(0);
  BOOST_REQUIRE(popped.has_value());
  BOOST_TEST(q->remove("uid-flying"));
  BOOST_TEST(popped->info.pod->name == "flying");
  BOOST_TEST(q->add_unschedulable(popped->info, {"NodeResourcesFit"}, 1).value() ==
             QueueName::none);
  BOOST_TEST(!q->done("uid-flying"));
}

BOOST_AUTO_TEST_CASE(update_replaces_in_place_or_moves_an_unschedulable_pod) {
  auto q = make_queue();
  BOOST_REQUIRE(q->add(pod("first", 5), 0).ok());
  BOOST_REQUIRE(q->add(pod("second", 5), 1).ok());
  auto first_v2 = pod("first", 5);
  BOOST_TEST(q->update(first_v2, 2).value() == QueueName::active);
  BOOST_TEST(q->active() == 2u);
  auto popped = q->pop(2);
  BOOST_TEST(popped->info.pod == first_v2.get());  // same place, new version
  BOOST_TEST(popped->info.timestamp_ms == 0);
  BOOST_TEST(q->done("uid-first"));
  BOOST_TEST(popped_name(*q, 2) == "second");
  BOOST_TEST(q->done("uid-second"));

  reject(*q, pod("u"), {"NodeAffinity"}, 10);
  BOOST_TEST(q->update(pod("u"), 20).value() == QueueName::backoff);  // back-off until 1010
  reject(*q, pod("w"), {"NodeAffinity"}, 10);
  BOOST_TEST(q->update(pod("w"), 5000).value() == QueueName::active);
  BOOST_TEST(q->update(pod("new"), 5000).value() == QueueName::active);  // unknown: added
  BOOST_TEST(q->add(pod("new"), 5000).error().code == "already_queued");
}

BOOST_AUTO_TEST_CASE(refresh_replaces_a_status_only_version_without_moving_it) {
  // kube's Update when isPodUpdated is false: the new version (e.g. the nominatedNodeName its
  // preemption wrote) is what the next cycle reads, but the pod stays where it waits.
  auto q = make_queue();
  reject(*q, pod("u"), {"NodeResourcesFit"}, 10);
  auto nominated = std::make_shared<PodInfo>(*pod("u"));
  nominated->nominated_node_name = "n1";
  q->add_nominated(pod("u"), "n1");
  BOOST_TEST(q->refresh(nominated));
  BOOST_TEST(q->unschedulable() == 1u);  // not moved: no event could make it fit
  BOOST_TEST(q->active() == 0u);
  BOOST_TEST(q->nominated_pods_for_node("n1").front() == nominated);
  BOOST_TEST(q->on_event(kNodeAdd, 20) == 1u);
  auto popped = q->pop(5000);
  BOOST_REQUIRE(popped.has_value());
  BOOST_TEST(popped->pod->nominated_node_name == "n1");
  BOOST_TEST(!q->refresh(pod("unknown")));
  // In activeQ: replaced in its place.
  BOOST_REQUIRE(q->add(pod("a"), 6000).ok());
  auto a2 = pod("a");
  BOOST_TEST(q->refresh(a2));
  BOOST_TEST(q->active() == 1u);
  BOOST_TEST(q->pop(6000)->info.pod == a2.get());
}

BOOST_AUTO_TEST_CASE(a_version_refreshed_in_flight_is_taken_when_the_pod_comes_back) {
  // A pod in its binding cycle (waiting on Permit) is in flight; a nomination its preemption
  // wrote meanwhile must not be lost: the pod comes back with it, still waiting for an event
  // (a status-only change is no reason to retry).
  auto q = make_queue();
  BOOST_REQUIRE(q->add(pod("u"), 0).ok());
  auto popped = q->pop(0);
  BOOST_REQUIRE(popped.has_value());
  auto nominated = std::make_shared<PodInfo>(*pod("u"));
  nominated->nominated_node_name = "n1";
  q->add_nominated(pod("u"), "n1");
  BOOST_TEST(q->refresh(nominated));
  BOOST_TEST(popped->pod->nominated_node_name == "");  // the cycle keeps the version it popped
  BOOST_TEST(q->nominated_pods_for_node("n1").front() == nominated);  // the nominator at once
  BOOST_TEST(q->add_unschedulable(popped->info, {"NodeResourcesFit"}, 10).value() ==
             QueueName::unschedulable);
  BOOST_TEST(q->on_event(kNodeAdd, 20) == 1u);
  auto again = q->pop(5000);
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again->pod == nominated);
  BOOST_TEST(again->info.pod == nominated.get());

  // update() then refresh() in flight: the later version wins, and the update still counts.
  auto later = std::make_shared<PodInfo>(*nominated);
  later->nominated_node_name = "n2";
  BOOST_REQUIRE(q->update(pod("u"), 5000).value() == QueueName::in_flight);
  BOOST_TEST(q->refresh(later));
  BOOST_TEST(q->add_unschedulable(again->info, {"NodeResourcesFit"}, 5000).value() ==
             QueueName::backoff);
  auto third = q->pop(60000);
  BOOST_REQUIRE(third.has_value());
  BOOST_TEST(third->pod == later);
}

BOOST_AUTO_TEST_CASE(misuse_is_answered_with_errors) {
  PrioritySort sort;
  auto less = [sort](const QueuedPodInfo& a, const QueuedPodInfo& b) { return sort.less(a, b); };
  BOOST_TEST(SchedulingQueue::create(less, {}, {.initial_backoff_ms = 0}).error().code ==
             "bad_options");
  BOOST_TEST(SchedulingQueue::create(less, {}, {.initial_backoff_ms = 2000, .max_backoff_ms = 1000})
                 .error()
                 .code == "bad_options");
  BOOST_TEST(SchedulingQueue::create(nullptr, {}).error().code == "bad_options");

  auto q = make_queue({}, {.pods_max = 2});
  BOOST_REQUIRE(q->add(pod("a"), 0).ok());
  BOOST_REQUIRE(q->add(pod("b"), 0).ok());
  BOOST_TEST(q->add(pod("c"), 0).error().code == "queue_full");
  auto a = pod("a");
  QueuedPodInfo never_popped{a.get(), 0, 0};
  BOOST_TEST(q->add_unschedulable(never_popped, {}, 0).error().code == "not_in_flight");
  BOOST_TEST(!q->done("uid-a"));
}

BOOST_AUTO_TEST_CASE(nominator_lists_pods_by_node_in_nomination_order) {
  auto q = make_queue();
  auto a = pod("a"), b = pod("b"), c = pod("c");
  q->add_nominated(a, "n1");
  q->add_nominated(b, "n2");
  q->add_nominated(c, "n1");
  auto names = [&](std::string_view node) {
    std::vector<std::string> out;
    for (const auto& p : q->nominated_pods_for_node(node)) out.push_back(p->name);
    return out;
  };
  BOOST_TEST((names("n1") == std::vector<std::string>{"a", "c"}));
  BOOST_TEST((names("n2") == std::vector<std::string>{"b"}));
  q->add_nominated(a, "n2");  // nominated again elsewhere
  BOOST_TEST((names("n1") == std::vector<std::string>{"c"}));
  BOOST_TEST((names("n2") == std::vector<std::string>{"b", "a"}));
  BOOST_TEST(q->nominated_node("uid-a") == "n2");
  q->remove_nominated("uid-b");
  BOOST_TEST((names("n2") == std::vector<std::string>{"a"}));
  q->add_nominated(c, "");  // an empty node drops it
  BOOST_TEST(names("n1").empty());

  // The queue keeps nominations in step with the pod: a new version, removal, scheduling.
  BOOST_REQUIRE(q->add(a, 0).ok());
  auto a2 = pod("a");
  BOOST_REQUIRE(q->update(a2, 1).ok());
  BOOST_TEST(q->nominated_pods_for_node("n2").front() == a2);
  BOOST_REQUIRE(q->pop(1).has_value());
  BOOST_TEST(q->done("uid-a"));
  BOOST_TEST(q->nominated_node("uid-a").empty());
  q->add_nominated(b, "n3");
  q->remove("uid-b");
  BOOST_TEST(names("n3").empty());
}

BOOST_AUTO_TEST_CASE(same_calls_give_the_same_pops) {
  auto run = [] {
    auto q = make_queue();
    std::vector<std::string> out;
    for (int i = 0; i < 20; ++i) BOOST_REQUIRE(q->add(pod("p" + std::to_string(i), i % 3), 0).ok());
    for (std::int64_t now = 0; now < 30 * kSecond; now += 250) {
      if (now % kSecond == 0) q->flush(now);
      if (now % 3000 == 0) q->on_event(kPodDelete, now);
      auto p = q->pop(now);
      if (!p) continue;
      out.push_back(p->pod->name);
      if (p->info.attempts < 3)
        BOOST_REQUIRE(q->add_unschedulable(p->info, {"NodeResourcesFit"}, now).ok());
      else
        q->done(p->pod->uid);
    }
    return out;
  };
  auto first = run();
  BOOST_TEST(first.size() == 60u);  // 20 pods, 3 attempts each
  BOOST_TEST((first == run()));
}
