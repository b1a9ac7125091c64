// NodeInfo::count_selected and SelectionIds (actors/scheduler/framework/): a node's remembered
// counts equal a walk over its pods, follow the pods as they change (copies included), tell
// selections apart, and stay correct past the node's bound; ids name one text each.
#define BOOST_TEST_MODULE scheduler_selection_counts
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/selection_ids.hpp"

namespace api = craton::api;
using namespace craton::scheduler;

namespace {

std::shared_ptr<const PodInfo> pod(std::string uid, std::string ns, api::Labels labels) {
  auto p = std::make_shared<PodInfo>();
  p->uid = std::move(uid);
  p->namespace_ = std::move(ns);
  p->labels = std::move(labels);
  return p;
}

api::LabelSelector selector(const std::string& text) {
  auto s = api::LabelSelector::parse(text);
  BOOST_REQUIRE(s.ok());
  return *s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(counts_match_the_walk_and_follow_the_pods) {
  NodeInfo node("n1", {}, {}, false, {});
  node.add_pod(pod("a", "default", {{"app", "web"}}));
  node.add_pod(pod("b", "default", {{"app", "db"}}));
  node.add_pod(pod("c", "other", {{"app", "web"}}));
  SelectionIds ids;
  auto web = selector("app=web");
  auto id = ids.id_of("default", web);
  BOOST_TEST(node.count_selected(id, "default", web) == 1);
  BOOST_TEST(node.count_selected(id, "default", web) == 1);  // remembered
  BOOST_TEST(node.count_selected(ids.id_of("other", web), "other", web) == 1);
  auto any = selector("app in (web,db)");
  BOOST_TEST(node.count_selected(ids.id_of("default", any), "default", any) == 2);
  // Pods added or removed: counted again, on the node and on a copy taken before.
  NodeInfo copy = node;
  node.add_pod(pod("d", "default", {{"app", "web"}}));
  BOOST_TEST(node.count_selected(id, "default", web) == 2);
  BOOST_TEST(node.walk_selected("default", web) == 2);
  BOOST_TEST(copy.count_selected(id, "default", web) == 1);
  copy = node;  // as a snapshot takes a changed node
  BOOST_TEST(copy.count_selected(id, "default", web) == 2);
  BOOST_TEST(node.remove_pod("a"));
  BOOST_TEST(node.count_selected(id, "default", web) == 1);
}

BOOST_AUTO_TEST_CASE(many_selections_on_one_node_stay_correct_past_the_bound) {
  NodeInfo node("n1", {}, {}, false, {});
  for (int i = 0; i < 20; ++i)
    node.add_pod(pod("p" + std::to_string(i), "default", {{"k", std::to_string(i % 4)}}));
  SelectionIds ids;
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < NodeInfo::kSelectionsRemembered * 2; ++i) {
      auto s = selector("k=" + std::to_string(i % 5));
      auto expected = i % 5 < 4 ? 5 : 0;
      BOOST_TEST(node.count_selected(ids.id_of("default", s), "default", s) == expected);
    }
}

BOOST_AUTO_TEST_CASE(ids_are_one_per_text_and_never_shared_between_instances) {
  SelectionIds a, b;
  auto web = selector("app=web");
  auto id = a.id_of("default", web);
  BOOST_TEST(id != 0u);
  BOOST_TEST(a.id_of("default", selector("app = web")) == id);  // the same canonical text
  BOOST_TEST(a.id_of("other", web) != id);
  BOOST_TEST(a.id_of("default", selector("app=db")) != id);
  BOOST_TEST(b.id_of("default", web) != id);  // another instance numbers its own
}
