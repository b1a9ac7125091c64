// WatchIndex (actors/api/server/watch_index.hpp): a change reaches its resource's unindexed
// watchers, the watchers of every resource and the indexed ones whose (field, value) either
// version of the object has, in id order.
#define BOOST_TEST_MODULE api_watch_index
#include <boost/test/unit_test.hpp>

#include "actors/api/server/watch_index.hpp"

using namespace craton::api;
using Ids = std::vector<std::uint64_t>;

namespace {

FieldSelector fields(const char* text) {
  return FieldSelector::parse(text).value();
}

WatchIndex::ValueOf node(std::optional<std::string> name) {
  return [name](const std::string& field) -> std::optional<std::string> {
    if (field == "spec.nodeName") return name;
    return std::nullopt;
  };
}

WatchIndex agents_and_a_controller() {
  WatchIndex index;
  index.add(1, "pods", fields("spec.nodeName=n1"));
  index.add(2, "pods", fields("spec.nodeName=n2"));
  index.add(3, "pods", FieldSelector{});                                  // a controller: every pod
  index.add(4, "pods", fields("spec.nodeName!=n1"));                      // no equality: unindexed
  index.add(5, "pods", fields("status.phase!=Failed,spec.nodeName=n2"));  // first equality
  return index;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_binding_reaches_the_new_nodes_watchers_and_the_unindexed) {
  auto index = agents_and_a_controller();
  BOOST_TEST(index.any_indexed("pods") == 1u);
  BOOST_TEST(index.any_indexed("nodes") == 0u);
  BOOST_TEST((index.candidates("pods", node(std::nullopt), node("n2")) == Ids{2, 3, 4, 5}));
  BOOST_TEST((index.candidates("pods", node("n1"), node("n1")) == Ids{1, 3, 4}));
  // A move (not something pods do, but the index must not lose the leaving side's DELETED).
  BOOST_TEST((index.candidates("pods", node("n1"), node("n2")) == Ids{1, 2, 3, 4, 5}));
  BOOST_TEST((index.candidates("pods", node("n9"), node(std::nullopt)) == Ids{3, 4}));
}

BOOST_AUTO_TEST_CASE(removed_watchers_are_no_longer_candidates) {
  auto index = agents_and_a_controller();
  index.remove(2);
  index.remove(3);
  BOOST_TEST((index.candidates("pods", node(std::nullopt), node("n2")) == Ids{4, 5}));
  index.remove(5);
  index.remove(1);
  BOOST_TEST(index.any_indexed("pods") == 0u);
  BOOST_TEST((index.candidates("pods", node("n1"), node("n1")) == Ids{4}));
  index.clear();
  BOOST_TEST(index.candidates("pods", node("n1"), node("n1")).empty());
}

BOOST_AUTO_TEST_CASE(a_change_reaches_only_its_resources_watchers_and_those_of_every_resource) {
  auto index = agents_and_a_controller();
  index.add(6, "nodes", fields("metadata.name=n1"));
  index.add(7, "", fields("metadata.name=n1"));  // every resource: never indexed
  index.add(8, "events", FieldSelector{});
  auto name = [](const std::string& field) -> std::optional<std::string> {
    if (field == "metadata.name") return "n1";
    return std::nullopt;
  };
  BOOST_TEST((index.candidates("nodes", name, name) == Ids{6, 7}));
  BOOST_TEST(index.any_indexed("nodes") == 6u);
  BOOST_TEST((index.candidates("pods", node("n1"), node("n1")) == Ids{1, 3, 4, 7}));
  // Nobody is indexed on events: their fields are never asked for (an Event's creation is not
  // decoded to be filtered against 5,000 agents' pod watchers).
  auto never = [](const std::string&) -> std::optional<std::string> {
    BOOST_FAIL("a field of an unindexed resource was asked for");
    return std::nullopt;
  };
  BOOST_TEST((index.candidates("events", never, never) == Ids{7, 8}));
  BOOST_TEST((index.candidates("leases", never, never) == Ids{7}));
  index.remove(7);
  index.remove(8);
  BOOST_TEST(index.candidates("events", never, never).empty());
}
