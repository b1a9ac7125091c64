// The ownership checker (sim/controllers/ownership_checker.hpp) on fabricated histories: each rule
// it states fails a history that breaks it, a clean end passes, and only the last view of an
// auditor alive at the end is judged.
#define BOOST_TEST_MODULE sim_ownership_checker
#include <boost/test/unit_test.hpp>

#include "sim/controllers/ownership_checker.hpp"

using namespace craton::sim;

namespace {

OwnershipSample view(std::set<std::string> namespaces, std::map<std::string, int> by_namespace,
                     std::map<std::string, int> by_app, std::vector<std::string> dangling = {}) {
  OwnershipSample s;
  s.revision = 10;
  s.namespaces = std::move(namespaces);
  s.objects_by_namespace = std::move(by_namespace);
  s.objects_by_app = std::move(by_app);
  s.dangling = std::move(dangling);
  return s;
}

// n1 deleted g-n1-background (Background), g-n1-orphan (Orphan) and the namespace ns-n1; its
// auditor saw them all there, then the end: the orphan's ReplicaSet and pods remain, unowned.
RunHistory clean() {
  RunHistory h;
  h.nodes = {"n1"};
  h.final_state["n1"] = NodeFinalState{true, 0};
  h.observations = {
      {1, "n1", 0,
       view({"default", "ns-n1"}, {{"default", 6}, {"ns-n1", 3}},
            {{"g-n1-background", 3}, {"g-n1-orphan", 3}, {"w", 3}})},
      {2, "n1", 0, DeletionEvent{"deployments", "default", "g-n1-background", "Background"}},
      {3, "n1", 0, DeletionEvent{"deployments", "default", "g-n1-orphan", "Orphan"}},
      {4, "n1", 0, DeletionEvent{"namespaces", "", "ns-n1", ""}},
      {9, "n1", 0, view({"default"}, {{"default", 2}}, {{"g-n1-orphan", 2}})},
  };
  return h;
}

bool fails_with(const RunHistory& h, const std::string& words) {
  auto r = check_ownership(h);
  for (const auto& f : r.failures)
    if (f.find(words) != std::string::npos) return true;
  return false;
}

void set_last_view(RunHistory& h, OwnershipSample s) {
  h.observations.back().event = std::move(s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_clean_end_passes_and_is_counted) {
  auto r = check_ownership(clean());
  BOOST_TEST(r.ok);
  BOOST_TEST(r.counts["deletions"] == 3u);
  BOOST_TEST(r.counts["ownership_samples"] == 2u);
  BOOST_TEST(r.counts["ownership_views_judged"] == 1u);
}

BOOST_AUTO_TEST_CASE(a_dangling_owner_reference_at_the_end_fails) {
  auto h = clean();
  set_last_view(h, view({"default"}, {{"default", 3}}, {{"g-n1-orphan", 3}},
                        {"pod default/p -> ReplicaSet uid-1"}));
  BOOST_TEST(fails_with(h, "dangling owner reference: pod default/p -> ReplicaSet uid-1"));
}

BOOST_AUTO_TEST_CASE(dependents_left_by_a_background_deletion_fail) {
  auto h = clean();
  set_last_view(h,
                view({"default"}, {{"default", 3}}, {{"g-n1-orphan", 2}, {"g-n1-background", 1}}));
  BOOST_TEST(fails_with(h, "g-n1-background deleted (Background) but 1 objects"));
}

BOOST_AUTO_TEST_CASE(a_deleted_namespace_that_remains_or_holds_objects_fails) {
  auto h = clean();
  set_last_view(h, view({"default", "ns-n1"}, {{"default", 2}}, {{"g-n1-orphan", 2}}));
  BOOST_TEST(fails_with(h, "namespace ns-n1 was deleted but still exists"));
  set_last_view(h, view({"default"}, {{"default", 2}, {"ns-n1", 1}}, {{"g-n1-orphan", 2}}));
  BOOST_TEST(fails_with(h, "deleted namespace ns-n1 still holds 1 objects"));
}

BOOST_AUTO_TEST_CASE(only_the_last_view_of_an_auditor_alive_at_the_end_is_judged) {
  auto h = clean();
  // An earlier view with a dangling reference (the collector had not caught up) is fine.
  h.observations.insert(h.observations.begin() + 4,
                        Observation{5, "n1", 0,
                                    view({"default"}, {{"default", 3}}, {{"g-n1-background", 1}},
                                         {"replicaset default/g -> Deployment uid-2"})});
  BOOST_TEST(check_ownership(h).ok);
  // An auditor of an incarnation that is gone is not judged, however its view ends.
  h.observations.push_back(Observation{
      10, "n2", 0, view({"ns-n1"}, {{"ns-n1", 1}}, {}, {"pod ns-n1/x -> ReplicaSet uid-3"})});
  h.final_state["n2"] = NodeFinalState{true, 1};
  BOOST_TEST(check_ownership(h).ok);
  h.final_state["n2"] = NodeFinalState{true, 0};
  BOOST_TEST(!check_ownership(h).ok);
}
