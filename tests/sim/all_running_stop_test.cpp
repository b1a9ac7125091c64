// The cluster scenario's stop once every pod runs (sim/cluster/all_running_stop.hpp): which
// pods views end a scale run. Hand-made views; no simulation.
#define BOOST_TEST_MODULE all_running_stop
#include <boost/test/unit_test.hpp>

#include <string>

#include "sim/cluster/all_running_stop.hpp"

using namespace craton::sim;

namespace {

PodsView::Pod pod(std::string node, std::string phase, bool ready, bool terminating = false) {
  PodsView::Pod p;
  p.name = "default/web";
  p.node = std::move(node);
  p.phase = std::move(phase);
  p.ready = ready;
  p.terminating = terminating;
  return p;
}

PodsView view(std::int64_t revision, std::size_t running, std::size_t pending = 0) {
  PodsView v;
  v.revision = revision;
  for (std::size_t i = 0; i < running; ++i)
    v.pods["r" + std::to_string(i)] = pod("n4", "Running", true);
  for (std::size_t i = 0; i < pending; ++i)
    v.pods["p" + std::to_string(i)] = pod("", "Pending", false);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_view_with_every_replica_bound_running_and_ready_ends_the_run) {
  AllRunningStop stop(3);
  stop.on_view(view(10, 2, 1));
  BOOST_TEST(!stop.done());
  BOOST_TEST(stop.running() == 2u);
  stop.on_view(view(11, 3));
  BOOST_TEST(stop.done());
}

BOOST_AUTO_TEST_CASE(running_but_not_ready_or_unbound_pods_do_not_count) {
  AllRunningStop stop(2);
  PodsView v = view(5, 1);
  v.pods["x"] = pod("n5", "Running", false);
  stop.on_view(v);
  BOOST_TEST(!stop.done());
  v.pods["x"] = pod("", "Running", true);
  stop.on_view(v);
  BOOST_TEST(!stop.done());
}

BOOST_AUTO_TEST_CASE(a_surplus_pod_or_one_being_deleted_is_not_a_settled_rollout) {
  AllRunningStop stop(2);
  stop.on_view(view(5, 3));  // a ReplicaSet overshoot
  BOOST_TEST(!stop.done());
  PodsView v = view(6, 2);
  v.pods["old"] = pod("n4", "Running", true, true);  // terminating: not counted at all
  stop.on_view(v);
  BOOST_TEST(stop.done());
}

BOOST_AUTO_TEST_CASE(an_older_view_is_ignored_and_done_stays_done) {
  AllRunningStop stop(2);
  stop.on_view(view(9, 1, 1));
  stop.on_view(view(8, 2));  // a lagging auditor's older view
  BOOST_TEST(!stop.done());
  stop.on_view(view(12, 2));
  BOOST_TEST(stop.done());
  stop.on_view(view(13, 1, 1));
  BOOST_TEST(stop.done());
}
