// NodeMatchMemo (actors/scheduler/plugins/node_match_memo.hpp): its counts equal a walk over the
// node's pods, a changed node is counted again, keys are told apart, and the bounds hold.
#define BOOST_TEST_MODULE scheduler_node_match_memo
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "actors/scheduler/plugins/node_match_memo.hpp"

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

BOOST_AUTO_TEST_CASE(counts_match_the_walk_and_follow_the_node) {
  NodeInfo node("n1", {}, {}, false, {});
  node.add_pod(pod("a", "default", {{"app", "web"}}));
  node.add_pod(pod("b", "default", {{"app", "db"}}));
  node.add_pod(pod("c", "other", {{"app", "web"}}));
  NodeMatchMemo memo;
  auto web = selector("app=web");
  auto key = NodeMatchMemo::key_of("default", web);
  BOOST_TEST(memo.count(node, "default", web, key) == 1);
  BOOST_TEST(memo.count(node, "default", web, key) == 1);  // remembered
  auto other = NodeMatchMemo::key_of("other", web);
  BOOST_TEST(memo.count(node, "other", web, other) == 1);
  auto any = selector("app in (web,db)");
  BOOST_TEST(memo.count(node, "default", any, NodeMatchMemo::key_of("default", any)) == 2);
  // A pod added changes the node's generation: counted again.
  node.add_pod(pod("d", "default", {{"app", "web"}}));
  BOOST_TEST(memo.count(node, "default", web, key) == 2);
  BOOST_TEST(node.remove_pod("a"));
  BOOST_TEST(memo.count(node, "default", web, key) == 1);
}

BOOST_AUTO_TEST_CASE(many_keys_on_one_node_stay_correct_past_the_bound) {
  NodeInfo node("n1", {}, {}, false, {});
  for (int i = 0; i < 20; ++i)
    node.add_pod(pod("p" + std::to_string(i), "default", {{"k", std::to_string(i % 4)}}));
  NodeMatchMemo memo;
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < NodeMatchMemo::kKeysPerNodeMax * 2; ++i) {
      auto s = selector("k=" + std::to_string(i % 5));
      auto expected = i % 5 < 4 ? 5 : 0;
      BOOST_TEST(memo.count(node, "default", s, NodeMatchMemo::key_of("default", s)) == expected);
    }
}
