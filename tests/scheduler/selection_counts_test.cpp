// NodeInfo::count_selected and SelectionIds (actors/scheduler/framework/): a node's remembered
// counts equal a walk over its pods, follow the pods as they change (copies sharing the memory
// included, whichever changes first), tell selections apart, and stay correct past the node's
// bound; ids name one text each.
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
  auto web = ids.selection_of("default", selector("app=web"));
  BOOST_TEST(node.count_selected(web) == 1);
  BOOST_TEST(node.count_selected(web) == 1);  // remembered
  BOOST_TEST(node.count_selected(ids.selection_of("other", selector("app=web"))) == 1);
  auto any = ids.selection_of("default", selector("app in (web,db)"));
  BOOST_TEST(node.count_selected(any) == 2);
  // Pods added or removed: the remembered counts follow, on the node and on a copy taken
  // before (which keeps its own pods' count).
  NodeInfo copy = node;
  node.add_pod(pod("d", "default", {{"app", "web"}}));
  BOOST_TEST(node.count_selected(web) == 2);
  BOOST_TEST(node.count_selected(any) == 3);
  BOOST_TEST(node.walk_selected("default", selector("app=web")) == 2);
  BOOST_TEST(copy.count_selected(web) == 1);
  copy = node;  // as a snapshot takes a changed node
  BOOST_TEST(copy.count_selected(web) == 2);
  BOOST_TEST(node.remove_pod("a"));
  BOOST_TEST(node.count_selected(web) == 1);
  BOOST_TEST(node.count_selected(any) == 2);
  node.add_pod(pod("e", "other", {{"app", "web"}}));  // another namespace: not counted
  BOOST_TEST(node.count_selected(web) == 1);
  node.set_node({{"zone", "a"}}, {}, false, {});  // same pods
  BOOST_TEST(node.count_selected(web) == 1);
  BOOST_TEST(copy.count_selected(web) == 2);  // the copy's pods: a, b, c, d
}

// The memory is shared by a node's copies (the snapshot's copy learns, the cache's node keeps
// it up to date): whichever changes first, each answers for its own pods.
BOOST_AUTO_TEST_CASE(copies_share_counts_but_answer_for_their_own_pods) {
  SelectionIds ids;
  auto web = ids.selection_of("default", selector("app=web"));
  NodeInfo cache("n1", {}, {}, false, {});
  cache.add_pod(pod("a", "default", {{"app", "web"}}));
  NodeInfo snapshot = cache;
  BOOST_TEST(snapshot.count_selected(web) == 1);  // learnt on the copy
  cache.add_pod(pod("b", "default", {{"app", "web"}}));
  BOOST_TEST(cache.count_selected(web) == 2);
  BOOST_TEST(snapshot.count_selected(web) == 1);
  BOOST_TEST(cache.count_selected(web) == 2);
  // The copy changes first (a preemption's what-if removes a victim).
  NodeInfo what_if = cache;
  BOOST_TEST(what_if.remove_pod("a"));
  BOOST_TEST(what_if.count_selected(web) == 1);
  cache.add_pod(pod("c", "default", {{"app", "web"}}));
  BOOST_TEST(cache.count_selected(web) == 3);
  BOOST_TEST(what_if.count_selected(web) == 1);
  BOOST_TEST(cache.walk_selected("default", selector("app=web")) == 3);
  // Another node never shares: its own pods.
  NodeInfo other("n2", {}, {}, false, {});
  BOOST_TEST(other.count_selected(web) == 0);
  BOOST_TEST(cache.count_selected(web) == 3);
}

// A node holding no pod with a label the selection requires counts 0 without walking its pods;
// selections without such a label (set, inequality, existence) walk. Either way: the walk's count.
BOOST_AUTO_TEST_CASE(required_labels_rule_nodes_out_and_follow_removals) {
  SelectionIds ids;
  NodeInfo node("n1", {}, {}, false, {});
  node.add_pod(pod("a", "default", {{"app", "web"}, {"hash", "1"}}));
  node.add_pod(pod("b", "default", {{"app", "db"}}));
  for (const char* text : {"app=web,hash=1", "app=web,hash=2", "app in (web)", "app in (web,db)",
                           "app!=web", "app", "!hash", "app=cache", "hash in (1),app notin (db)"}) {
    auto s = ids.selection_of("default", selector(text));
    BOOST_TEST(node.count_selected(s) == node.walk_selected("default", selector(text)), text);
  }
  BOOST_TEST(ids.selection_of("default", selector("app=web,hash=1"))->required_labels.size() == 2u);
  BOOST_TEST(ids.selection_of("default", selector("app in (web,db)"))->required_labels.empty());
  BOOST_TEST(node.remove_pod("a"));
  auto fresh = ids.selection_of("default", selector("hash=1,app"));  // first asked now
  BOOST_TEST(node.count_selected(fresh) == 0);
  node.add_pod(pod("c", "default", {{"app", "web"}, {"hash", "1"}}));
  BOOST_TEST(node.count_selected(fresh) == 1);
  BOOST_TEST(node.count_selected(ids.selection_of("default", selector("hash=1"))) == 1);
}

BOOST_AUTO_TEST_CASE(many_selections_on_one_node_stay_correct_past_the_bound) {
  NodeInfo node("n1", {}, {}, false, {});
  for (int i = 0; i < 20; ++i)
    node.add_pod(pod("p" + std::to_string(i), "default", {{"k", std::to_string(i % 4)}}));
  SelectionIds ids;
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < NodeInfo::kSelectionsRemembered * 2; ++i) {
      auto s = ids.selection_of("default", selector("k=" + std::to_string(i % 5)));
      auto expected = i % 5 < 4 ? 5 : 0;
      BOOST_TEST(node.count_selected(s) == expected);
      node.add_pod(
          pod("x" + std::to_string(round) + "_" + std::to_string(i), "default", {{"k", "4"}}));
      BOOST_TEST(node.remove_pod("x" + std::to_string(round) + "_" + std::to_string(i)));
    }
}

BOOST_AUTO_TEST_CASE(ids_are_one_per_text_and_never_shared_between_instances) {
  SelectionIds a, b;
  auto web = a.selection_of("default", selector("app=web"));
  BOOST_TEST(web->id != 0u);
  BOOST_TEST(a.selection_of("default", selector("app = web"))->id == web->id);  // canonical text
  BOOST_TEST(a.selection_of("other", selector("app=web"))->id != web->id);
  BOOST_TEST(a.selection_of("default", selector("app=db"))->id != web->id);
  BOOST_TEST(b.selection_of("default", selector("app=web"))->id != web->id);  // its own numbers
}
