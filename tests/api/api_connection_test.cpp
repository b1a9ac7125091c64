// ApiConnection: a component's calls and informers over the API actor, without actors. What
// happens when its shell moves to another API actor (api_changed): nothing waits for the old
// one any more; how a watch the API forgot (it restarted) is found by a probe; and when the shell
// gives up on an API (ApiEndpoints).
#define BOOST_TEST_MODULE api_connection
#include <boost/test/unit_test.hpp>

#include <optional>

#include "actors/api/informer/api_connection.hpp"
#include "actors/api/informer/api_endpoints.hpp"
#include "schemas/api_pod.capnp.h"

using namespace craton;
using namespace craton::api;

namespace {

ApiCall pods_collection() {
  ApiCall call;
  call.verb = ApiVerb::list;
  call.resource = "pods";
  return call;
}

// The one send of `verb` in `sends` (fails the test unless there is exactly one).
ApiConnection::Send only(const std::vector<ApiConnection::Send>& sends, ApiVerb verb) {
  std::optional<ApiConnection::Send> found;
  for (const auto& s : sends)
    if (s.call.verb == verb) {
      BOOST_REQUIRE(!found);
      found = s;
    }
  BOOST_REQUIRE(found);
  return *found;
}

ApiReply empty_list(std::int64_t revision) {
  ApiReply reply;
  reply.code = 200;
  reply.list_revision = revision;
  return reply;
}

// A pods informer on `api` that listed at `revision` and watches from there: its watch.
ApiConnection::Send watching(ApiConnection& api, std::int64_t revision) {
  api.informer("pods", pods_collection(), capnp::Schema::from<schema::k8s::Pod>());
  api.tick(0);
  api.on_reply(only(api.take_sends(), ApiVerb::list).correlation, empty_list(revision), 0);
  return only(api.take_sends(), ApiVerb::watch);
}

}  // namespace

BOOST_AUTO_TEST_CASE(moving_to_another_api_fails_calls_in_flight_and_lists_again_there) {
  ApiConnection api(ApiConnectionConfig{});
  auto& informer = api.informer("pods", pods_collection(), capnp::Schema::from<schema::k8s::Pod>());
  api.tick(0);
  auto list = only(api.take_sends(), ApiVerb::list);
  api.on_reply(list.correlation, empty_list(5), 10);
  auto watch = only(api.take_sends(), ApiVerb::watch);
  BOOST_TEST(watch.call.resource_version == "5");
  BOOST_TEST(api.synced());
  BOOST_TEST(informer.synced());

  // A write in flight at the old API; its callback writes again (a retry).
  std::optional<ApiReply> answer;
  ApiCall write;
  write.verb = ApiVerb::update;
  write.resource = "leases";
  api.call(
      write,
      [&](const ApiReply& r) {
        answer = r;
        api.call(write, nullptr, 20);
      },
      20);
  only(api.take_sends(), ApiVerb::update);

  api.api_changed(1000);  // long before call_timeout_ms
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->code == 0);
  BOOST_TEST(answer->failure.reason == "Timeout");
  BOOST_TEST(api.timeouts() == 1u);
  auto sends = api.take_sends();
  // The retry goes to the new API; the old watch is stopped; the informer lists again.
  only(sends, ApiVerb::update);
  BOOST_TEST(only(sends, ApiVerb::stop_watch).correlation == watch.correlation);
  auto relist = only(sends, ApiVerb::list);
  BOOST_TEST(!api.synced());
  BOOST_TEST(api.calls_in_flight() == 1u);  // the retry

  // A late answer from the old API changes nothing; the new API's list syncs again.
  api.on_event(watch.correlation, ApiEvent{}, 1100);
  BOOST_TEST(api.take_sends().empty());
  api.on_reply(relist.correlation, empty_list(7), 1200);
  BOOST_TEST(api.synced());
  BOOST_TEST(only(api.take_sends(), ApiVerb::watch).call.resource_version == "7");
}

BOOST_AUTO_TEST_CASE(moving_with_nothing_in_flight_only_lists_again) {
  ApiConnection api(ApiConnectionConfig{});
  api.informer("pods", pods_collection(), capnp::Schema::from<schema::k8s::Pod>());
  api.tick(0);
  auto list = only(api.take_sends(), ApiVerb::list);
  api.api_changed(5);  // the list itself was in flight: asked again, nothing to stop
  auto sends = api.take_sends();
  BOOST_TEST(sends.size() == 1u);
  BOOST_TEST(only(sends, ApiVerb::list).correlation != list.correlation);
  BOOST_TEST(api.timeouts() == 0u);
}

// An API actor that restarted holds none of its predecessor's watches and sends them nothing
// (not even a close): a quiet watch is probed after watch_probe_ms, the API's 404 ends it, and the
// informer watches again from its revision (simfaults: agents were blind for 90 s).
BOOST_AUTO_TEST_CASE(a_quiet_watch_is_probed_and_watched_again_when_the_api_forgot_it) {
  ApiConnection api(ApiConnectionConfig{});
  auto watch = watching(api, 5);

  api.tick(4'900);
  BOOST_TEST(api.take_sends().empty());  // not quiet long enough
  api.tick(5'000);
  auto probe = only(api.take_sends(), ApiVerb::probe_watch);
  BOOST_TEST(probe.correlation == watch.correlation);  // names the watch, as stopWatch does
  ApiReply held;
  held.code = 200;
  api.on_reply(probe.correlation, held, 5'010);
  BOOST_TEST(api.take_sends().empty());  // still held: nothing changes
  api.tick(9'000);
  BOOST_TEST(api.take_sends().empty());  // the answer counts as hearing from the watch

  api.tick(10'010);
  probe = only(api.take_sends(), ApiVerb::probe_watch);
  ApiReply unknown;
  unknown.code = 404;
  unknown.failure.reason = "NotFound";
  api.on_reply(probe.correlation, unknown, 10'020);
  auto sends = api.take_sends();
  auto again = only(sends, ApiVerb::watch);
  BOOST_TEST(again.correlation != watch.correlation);
  BOOST_TEST(again.call.resource_version == "5");  // from where it was, not a relist
  BOOST_TEST(only(sends, ApiVerb::stop_watch).correlation == watch.correlation);
}

// A probe nobody answers (the API's process is gone, its link silent) gives the watch up at
// watch_silence_ms, not after the minute and a half it took before.
BOOST_AUTO_TEST_CASE(an_unanswered_probe_gives_the_watch_up_at_the_silence_bound) {
  ApiConnection api(ApiConnectionConfig{});
  auto watch = watching(api, 7);
  api.tick(5'000);
  only(api.take_sends(), ApiVerb::probe_watch);
  api.tick(14'900);
  BOOST_TEST(api.take_sends().empty());  // one probe per quiet spell
  api.tick(15'000);
  auto again = only(api.take_sends(), ApiVerb::watch);
  BOOST_TEST(again.correlation != watch.correlation);
  BOOST_TEST(again.call.resource_version == "7");
}

// Events the API sent that never arrived (a link that broke and came back drops what was sent
// meanwhile): the probe's answer counts what the API sent, and the session watches again from
// the last revision it got, so the API replays the rest.
BOOST_AUTO_TEST_CASE(a_probe_that_finds_events_lost_watches_again_from_the_last_one_received) {
  ApiConnection api(ApiConnectionConfig{});
  auto watch = watching(api, 5);
  ApiEvent bookmark;
  bookmark.type = ApiEventType::bookmark;
  bookmark.object.resource_version = 9;
  api.on_event(watch.correlation, bookmark, 1'000);
  api.tick(6'000);
  auto probe = only(api.take_sends(), ApiVerb::probe_watch);
  ApiReply held;
  held.code = 200;
  held.watch_events_sent = 3;  // sent 3 events; 1 came
  api.on_reply(probe.correlation, held, 6'010);
  auto again = only(api.take_sends(), ApiVerb::watch);
  BOOST_TEST(again.correlation != watch.correlation);
  BOOST_TEST(again.call.resource_version == "9");
}

// Which API a shell talks to (ApiEndpoints): a link going down moves on at once; silence moves
// on only with calls pending; one API node is told again when its link returns.
BOOST_AUTO_TEST_CASE(endpoints_move_on_when_the_link_goes_down_or_calls_go_unanswered) {
  ApiEndpoints two({"n1", "n2"}, "n9", 20'000);
  BOOST_TEST(two.current() == "n1");
  BOOST_TEST(!two.peer("n1", true, 0));    // the first report of a link that is up
  BOOST_TEST(!two.peer("n2", false, 10));  // not the one in use
  BOOST_TEST(two.peer("n1", false, 20));
  BOOST_TEST(two.current() == "n2");
  BOOST_TEST(!two.peer("n1", true, 30));   // moved on already
  BOOST_TEST(!two.silent(30'000, false));  // nothing pending: quiet is fine
  BOOST_TEST(two.silent(30'000, true));
  BOOST_TEST(two.current() == "n1");
  two.heard(40'000);
  BOOST_TEST(!two.silent(59'999, true));

  // Silence counts from the first pending call seen, not from the clock's 0: a clock a day
  // after boot (production's) moved a fresh shell on at its first pending call.
  ApiEndpoints fresh({"n1", "n2"}, "n9", 20'000);
  BOOST_TEST(!fresh.silent(86'400'000, true));
  BOOST_TEST(fresh.current() == "n1");
  BOOST_TEST(fresh.silent(86'420'000, true));
  BOOST_TEST(fresh.current() == "n2");

  ApiEndpoints one({}, "n3", 20'000);
  BOOST_TEST(one.current() == "n3");
  BOOST_TEST(!one.silent(100'000, true));  // nowhere to move: calls time out on their own
  BOOST_TEST(one.peer("n3", false, 10));
  BOOST_TEST(!one.peer("n3", false, 11));  // told already
  BOOST_TEST(one.peer("n3", true, 20));    // back: informers start again at once
  BOOST_TEST(one.current() == "n3");
}
