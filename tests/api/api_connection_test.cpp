// ApiConnection: a component's calls and informers over the API actor, without actors. What
// happens when its shell moves to another API actor (api_changed): nothing waits for the old
// one any more.
#define BOOST_TEST_MODULE api_connection
#include <boost/test/unit_test.hpp>

#include <optional>

#include "actors/api/informer/api_connection.hpp"
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
