// The HTTP host's cache feed (actors/api/host/store_feed.hpp): a watch that fell behind gets old
// events under a new header revision; only a progress notification may move the caches on.
#define BOOST_TEST_MODULE api_store_feed
#include <boost/test/unit_test.hpp>

#include "actors/api/host/store_feed.hpp"

using namespace craton;
using namespace craton::api;

namespace {

storage::Event put(const std::string& key, std::int64_t revision, const std::string& value) {
  storage::Event e;
  e.type = storage::EventType::put;
  e.kv.key = key;
  e.kv.value = value;
  e.kv.mod_revision = revision;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_catch_up_batch_gives_its_changes_and_no_progress) {
  // Revisions 4 and 5 caught up from the store while the replica is at 50: revisions 6..50
  // are still to come on this watch, so 50 is no promise.
  store::WatchEvents batch{
      50, {put("/registry/pods/default/a", 4, "A"), put("/registry/pods/default/b", 5, "B")}};
  auto step = feed_step(std::move(batch));
  BOOST_TEST(!step.progress.has_value());
  BOOST_REQUIRE_EQUAL(step.changes.size(), 2u);
  BOOST_TEST(step.changes[0].key == "/registry/pods/default/a");
  BOOST_TEST(step.changes[0].revision == 4);
  BOOST_TEST(*step.changes[0].value == "A");
  BOOST_TEST(step.changes[1].revision == 5);
}

BOOST_AUTO_TEST_CASE(a_progress_notification_gives_progress_and_no_change) {
  auto step = feed_step(store::WatchEvents{77, {}});
  BOOST_REQUIRE(step.progress.has_value());
  BOOST_TEST(*step.progress == 77);
  BOOST_TEST(step.changes.empty());
}

BOOST_AUTO_TEST_CASE(a_delete_is_a_change_without_a_value) {
  storage::Event gone;
  gone.type = storage::EventType::del;
  gone.kv.key = "/registry/pods/default/a";
  gone.kv.mod_revision = 9;
  auto step = feed_step(store::WatchEvents{9, {gone}});
  BOOST_REQUIRE_EQUAL(step.changes.size(), 1u);
  BOOST_TEST(!step.changes[0].value.has_value());
  BOOST_TEST(step.changes[0].revision == 9);
}
