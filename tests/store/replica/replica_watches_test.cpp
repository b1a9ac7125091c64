// ReplicaWatches (actors/store/replica/replica_watches.hpp) through its own interface, without
// a Replica: idle streams closed, keepalives, the stream bound, and responses addressed to
// their create request.
#define BOOST_TEST_MODULE store_replica_watches
#include <boost/test/unit_test.hpp>

#include "actors/store/replica/replica_watches.hpp"
#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage::test;

namespace {

struct Fixture {
  TempDir dir;
  storage::Environment env = open_env(dir.sub("db"));
  storage::MvccStore mvcc = open_store(env);

  ReplicaWatches make(std::size_t streams_max = 4, int idle_ticks = 3) {
    ReplicaWatchLimits limits;
    limits.streams_max = streams_max;
    limits.idle_ticks = idle_ticks;
    limits.progress_ticks = 0;
    return ReplicaWatches(limits, mvcc.current_revision());
  }
};

StoreRequest create(std::string key) {
  WatchRequest r;
  r.key = std::move(key);
  return WatchCreate{r};
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_create_is_answered_by_its_created_response, Fixture) {
  auto watches = make();
  auto handled = watches.handle(11, 7, create("a"), mvcc, 0);
  BOOST_REQUIRE(handled.ok());
  BOOST_TEST(!*handled);  // no empty reply: the created response is the answer
  ReplicaOutput out;
  watches.pump(mvcc, out);
  BOOST_REQUIRE_EQUAL(out.watch.size(), 1u);
  BOOST_TEST(out.watch[0].stream == 7u);
  BOOST_TEST(out.watch[0].request_id == 11u);
  BOOST_TEST(out.watch[0].response.created);
}

BOOST_FIXTURE_TEST_CASE(a_stream_silent_past_idle_ticks_is_closed, Fixture) {
  auto watches = make(4, 3);
  BOOST_REQUIRE(watches.handle(1, 7, create("a"), mvcc, 0).ok());
  ReplicaOutput out;
  watches.tick(3, mvcc, out);  // silent for 3 ticks: still within idle_ticks
  BOOST_TEST(out.closed_streams.empty());
  BOOST_TEST(watches.has_stream(7));
  watches.tick(4, mvcc, out);
  BOOST_TEST(out.closed_streams == std::vector<StreamId>{7});
  BOOST_TEST(!watches.has_stream(7));
  BOOST_TEST(watches.hub().watchers() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_progress_request_keeps_a_stream_alive, Fixture) {
  auto watches = make(4, 3);
  BOOST_REQUIRE(watches.handle(1, 7, create("a"), mvcc, 0).ok());
  auto kept = watches.handle(2, 7, WatchProgress{}, mvcc, 3);
  BOOST_REQUIRE(kept.ok());
  BOOST_TEST(*kept);  // acknowledged with an empty reply
  ReplicaOutput out;
  watches.tick(6, mvcc, out);
  BOOST_TEST(out.closed_streams.empty());
  watches.tick(7, mvcc, out);
  BOOST_TEST(out.closed_streams == std::vector<StreamId>{7});
}

BOOST_FIXTURE_TEST_CASE(a_stream_past_the_bound_is_refused_and_changes_nothing, Fixture) {
  auto watches = make(1);
  BOOST_REQUIRE(watches.handle(1, 7, create("a"), mvcc, 0).ok());
  auto refused = watches.handle(2, 8, create("b"), mvcc, 0);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().code == "too_many_streams");
  BOOST_TEST(watches.streams() == 1u);
  BOOST_TEST(!watches.has_stream(8));
  auto unknown = watches.handle(3, 7, WatchCancel{99}, mvcc, 0);
  BOOST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.error().code == "watch_not_found");
}
