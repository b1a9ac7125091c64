// The cluster checker (sim/cluster/cluster_checker.hpp) on fabricated histories: a good one
// passes, and each broken guarantee -- a crashed worker's pod never evicted, a deleted pod's
// container left running after the heal, a container started for a deleted pod, a pod on two
// nodes, too few replicas at the end -- fails with its own message.
#define BOOST_TEST_MODULE cluster_checker
#include <boost/test/unit_test.hpp>

#include <string>

#include "sim/cluster/cluster_checker.hpp"

namespace sim = craton::sim;

namespace {

using Kind = sim::ContainerEvent::Kind;

sim::ClusterBounds bounds() {
  sim::ClusterBounds b;
  b.control_plane = {"n1"};
  b.workers = {"n2", "n3"};
  b.replicas = 1;
  return b;  // evict bound 40 + 5 + 25 = 70 s; stops: grace 3 s + slack 15 s
}

sim::PodsView view(std::map<std::string, sim::PodsView::Pod> pods) {
  sim::PodsView v;
  v.pods = std::move(pods);
  return v;
}

sim::PodsView::Pod pod(const std::string& uid, const std::string& node, bool terminating = false) {
  return sim::PodsView::Pod{"default/web-" + uid, node, "Running", true, terminating};
}

struct History {
  sim::RunHistory h;
  History() {
    h.nodes = {"n1", "n2", "n3"};
    h.end_ms = 150000;
    h.settle_ms = 90000;
    for (const auto& n : h.nodes) h.final_state[n] = sim::NodeFinalState{true, 0};
  }
  void at(std::int64_t t, const std::string& node, sim::ObservedEvent e) {
    h.observations.push_back(sim::Observation{t, node, 0, std::move(e)});
  }
  void container(std::int64_t t, const std::string& node, Kind kind, const std::string& uid) {
    at(t, node, sim::ContainerEvent{kind, uid, "default/web-" + uid, "c", 0});
  }
  void fault(std::int64_t t, sim::Fault::Kind kind, std::vector<std::string> nodes,
             std::vector<std::vector<std::string>> groups = {}) {
    sim::Fault f;
    f.at_ms = t;
    f.kind = kind;
    f.nodes = std::move(nodes);
    f.groups = std::move(groups);
    h.faults.push_back(std::move(f));
  }
};

// n2 runs pod "a", crashes at 10 s; "a" is deleted at 55 s and "b" runs on n3 from 60 s.
History crash_and_replace() {
  History x;
  x.container(1000, "n2", Kind::start, "a");
  x.at(1100, "n1", view({{"a", pod("a", "n2")}}));
  x.fault(10000, sim::Fault::Kind::crash, {"n2"});
  x.h.final_state["n2"].up = false;
  x.at(55000, "n1", view({{"a", pod("a", "n2", true)}}));
  x.container(60000, "n3", Kind::start, "b");
  x.at(60100, "n1", view({{"a", pod("a", "n2", true)}, {"b", pod("b", "n3")}}));
  x.at(70000, "n1", view({{"b", pod("b", "n3")}}));
  return x;
}

bool has_failure(const sim::CheckResult& r, const std::string& prefix) {
  for (const auto& f : r.failures)
    if (f.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string all(const sim::CheckResult& r) {
  std::string s;
  for (const auto& f : r.failures) s += "\n  " + f;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_crash_whose_pods_are_replaced_passes) {
  auto r = sim::check_cluster(crash_and_replace().h, bounds());
  BOOST_TEST(r.ok, all(r));
  BOOST_TEST(r.counts["crashes_judged"] == 1u);
  BOOST_TEST(r.counts["pods_evicted"] == 1u);
}

BOOST_AUTO_TEST_CASE(a_pod_never_evicted_fails) {
  History x;
  x.container(1000, "n2", Kind::start, "a");
  x.at(1100, "n1", view({{"a", pod("a", "n2")}}));
  x.fault(10000, sim::Fault::Kind::crash, {"n2"});
  x.h.final_state["n2"].up = false;
  auto r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(has_failure(r, "eviction: pod default/web-a (a)"), all(r));
  BOOST_TEST(has_failure(r, "eviction: no view shows 1 Running pods off n2"), all(r));
}

BOOST_AUTO_TEST_CASE(a_healed_worker_that_keeps_a_deleted_pod_running_fails) {
  auto x = crash_and_replace();
  // n3 is cut off from 20 s to 80 s and "b" is deleted at 75 s: its container must stop by
  // the heal + 3 s grace + 15 s slack = 98 s; it stops at 99 s.
  x.fault(20000, sim::Fault::Kind::partition, {}, {{"n3"}, {"n1", "n2"}});
  x.fault(80000, sim::Fault::Kind::heal, {});
  x.at(75000, "n1", view({{"b", pod("b", "n3", true)}}));
  x.container(99000, "n3", Kind::stop, "b");
  auto r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(has_failure(r, "stops: n3 default/web-b (b) container c#0 ran until 99000 ms"),
             all(r));
  // Stopped at 97 s instead: within the bound.
  x.h.observations.back().time_ms = 97000;
  r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(!has_failure(r, "stops:"), all(r));
}

BOOST_AUTO_TEST_CASE(a_container_started_for_a_deleted_pod_fails) {
  auto x = crash_and_replace();
  x.container(100000, "n3", Kind::start, "a");  // "a" was gone at 55 s
  auto r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(has_failure(r, "stops: n3 default/web-a (a) container c#0 started at 100000 ms"),
             all(r));
  BOOST_TEST(has_failure(r, "one node: default/web-a (a) ran on n3 but is bound to n2"), all(r));
}

BOOST_AUTO_TEST_CASE(a_pod_on_two_nodes_fails) {
  auto x = crash_and_replace();
  x.container(61000, "n2", Kind::start, "b");  // as if n2's incarnation ran it too
  auto r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(has_failure(r, "one node: default/web-b (b) ran on n2 and n3 at once"), all(r));
}

BOOST_AUTO_TEST_CASE(too_few_replicas_at_the_end_fail) {
  auto x = crash_and_replace();
  x.container(120000, "n3", Kind::stop, "b");
  auto r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(has_failure(r,
                         "end: default/web-b (b) is Running on n3 in the API, but no "
                         "container of it runs there"),
             all(r));
  x.at(121000, "n1", view({}));
  r = sim::check_cluster(x.h, bounds());
  BOOST_TEST(has_failure(r, "end: the auditor on n1 sees 0 pods Running and Ready, not 1"), all(r));
}
