// The node agent's heartbeats (actors/agent/core/node_lease.hpp) on a manual clock: the Lease
// read once, created when absent, renewed every 10 s with updates conditional on the version
// last written, retried with a doubling back-off, read again after a conflict; and the status
// posted on change or every 60 s.
#define BOOST_TEST_MODULE agent_node_lease
#include <boost/test/unit_test.hpp>

#include <capnp/message.h>

#include "actors/agent/core/node_lease.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

using namespace craton;
using namespace craton::agent;

namespace {

namespace k8s = schema::k8s;

api::ApiReply lease_reply(int code, std::int64_t resource_version) {
  api::ApiReply r;
  r.code = code;
  if (code >= 300) return r;
  capnp::MallocMessageBuilder message;
  auto lease = message.initRoot<k8s::Lease>();
  lease.getMetadata().setName("n1");
  lease.getMetadata().setResourceVersion(std::to_string(resource_version));
  r.object.bytes = flat_bytes(message);
  r.object.resource_version = resource_version;
  return r;
}

api::ApiReply failure(int code) {
  return lease_reply(code, 0);
}

struct Written {
  std::string holder, renew_time, resource_version, owner_uid;
  int duration_s = 0;
};

Written read_written(const api::ApiCall& call) {
  auto message = FlatMessage::open(call.object);
  BOOST_REQUIRE(message.ok());
  auto lease = message->root<k8s::Lease>();
  Written w{lease.getSpec().getHolderIdentity().cStr(), lease.getSpec().getRenewTime().cStr(),
            lease.getMetadata().getResourceVersion().cStr(), "",
            lease.getSpec().getLeaseDurationSeconds()};
  if (lease.getMetadata().getOwnerReferences().size() == 1)
    w.owner_uid = lease.getMetadata().getOwnerReferences()[0].getUid().cStr();
  return w;
}

NodeLease lease() {
  NodeLeaseConfig c;
  c.node_name = "n1";
  return NodeLease(c);
}

// Drives `l` from `now` until it asks for a call; answers nothing.
NodeLeaseCall next_call(NodeLease& l, std::int64_t& now, std::int64_t step_ms = 100) {
  for (int i = 0; i < 10000; ++i, now += step_ms)
    if (auto call = l.next(now)) return *call;
  BOOST_FAIL("the lease asked for nothing");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_absent_lease_is_created_then_renewed_every_ten_seconds) {
  auto l = lease();
  std::int64_t now = 1'000'000;
  auto get = next_call(l, now);
  BOOST_TEST((get.call.verb == api::ApiVerb::get));
  BOOST_TEST(get.call.group == "coordination.k8s.io");
  BOOST_TEST(get.call.namespace_ == "kube-node-lease");
  BOOST_TEST(get.call.name == "n1");
  BOOST_TEST(!l.next(now).has_value());  // one call at a time
  l.on_reply(get.id, failure(404), now);
  auto create = next_call(l, now);
  BOOST_TEST((create.call.verb == api::ApiVerb::create));
  auto w = read_written(create.call);
  BOOST_TEST(w.holder == "n1");
  BOOST_TEST(w.duration_s == 40);
  BOOST_TEST(w.renew_time == "1970-01-01T00:16:40.000000Z");
  l.on_reply(create.id, lease_reply(201, 7), now);
  BOOST_TEST(*l.renewed_ms() == now);
  std::int64_t created = now;
  auto renew = next_call(l, now);
  BOOST_TEST(now == created + 10'000);
  BOOST_TEST((renew.call.verb == api::ApiVerb::update));
  BOOST_TEST(read_written(renew.call).resource_version == "7");
  l.on_reply(renew.id, lease_reply(200, 9), now);
  auto again = next_call(l, now);
  BOOST_TEST(now == created + 20'000);
  BOOST_TEST(read_written(again.call).resource_version == "9");
  BOOST_TEST(l.renewals() == 2u);
}

BOOST_AUTO_TEST_CASE(an_existing_lease_is_renewed_from_the_version_read) {
  auto l = lease();
  l.set_owner("uid-1");
  std::int64_t now = 0;
  auto get = next_call(l, now);
  l.on_reply(get.id, lease_reply(200, 42), now);
  auto update = next_call(l, now);
  BOOST_TEST((update.call.verb == api::ApiVerb::update));
  auto w = read_written(update.call);
  BOOST_TEST(w.resource_version == "42");
  BOOST_TEST(w.owner_uid == "uid-1");
}

BOOST_AUTO_TEST_CASE(failed_renewals_back_off_doubling_to_seven_seconds_then_read_again) {
  auto l = lease();
  std::int64_t now = 0;
  auto get = next_call(l, now);
  l.on_reply(get.id, lease_reply(200, 5), now);
  auto update = next_call(l, now);
  l.on_reply(update.id, failure(500), now);
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 7; ++i) {
    std::int64_t failed_at = now;
    auto call = next_call(l, now, 1);
    delays.push_back(now - failed_at);
    BOOST_TEST((call.call.verb == api::ApiVerb::get));  // after a failure it reads first
    l.on_reply(call.id, failure(503), now);
  }
  BOOST_TEST(delays == (std::vector<std::int64_t>{200, 400, 800, 1600, 3200, 6400, 7000}),
             boost::test_tools::per_element());
  auto get2 = next_call(l, now, 1);
  l.on_reply(get2.id, lease_reply(200, 6), now);
  auto renew = next_call(l, now, 1);
  l.on_reply(renew.id, lease_reply(200, 8), now);
  // A success resets the back-off: the next renewal comes after the full 10 s.
  std::int64_t renewed = now;
  auto next = next_call(l, now);
  BOOST_TEST(now == renewed + 10'000);
  BOOST_TEST((next.call.verb == api::ApiVerb::update));
}

BOOST_AUTO_TEST_CASE(a_conflict_makes_it_read_the_lease_before_writing_again) {
  auto l = lease();
  std::int64_t now = 0;
  auto get = next_call(l, now);
  l.on_reply(get.id, lease_reply(200, 5), now);
  auto update = next_call(l, now);
  l.on_reply(update.id, failure(409), now);
  auto reread = next_call(l, now);
  BOOST_TEST((reread.call.verb == api::ApiVerb::get));
  l.on_reply(reread.id, lease_reply(200, 11), now);
  auto write = next_call(l, now);
  BOOST_TEST(read_written(write.call).resource_version == "11");
}

BOOST_AUTO_TEST_CASE(an_unanswered_call_times_out_and_its_late_reply_is_ignored) {
  auto l = lease();
  std::int64_t now = 0;
  auto get = next_call(l, now);
  l.on_reply(get.id, lease_reply(200, 5), now);
  auto update = next_call(l, now);
  std::int64_t sent = now;
  auto after = next_call(l, now);  // the time-out, then the back-off
  BOOST_TEST(now >= sent + 10'000);
  BOOST_TEST((after.call.verb == api::ApiVerb::get));
  l.on_reply(update.id, lease_reply(200, 6), now);  // late: ignored
  BOOST_TEST(l.renewals() == 0u);
  l.on_reply(after.id, lease_reply(200, 7), now);
  BOOST_TEST((next_call(l, now).call.verb == api::ApiVerb::update));
}

BOOST_AUTO_TEST_CASE(status_is_posted_on_change_or_every_minute) {
  StatusSchedule s;
  BOOST_TEST(s.due("a", 0));
  s.sent("a", 0);
  BOOST_TEST(!s.due("b", 1));  // one post at a time
  s.answered(true, 50);
  BOOST_TEST(!s.due("a", 10'000));
  BOOST_TEST(!s.due("a", 59'999));
  BOOST_TEST(s.due("a", 60'000));
  BOOST_TEST(s.due("b", 10'000));  // a change goes out at once
  s.sent("b", 10'000);
  s.answered(false, 10'100);
  BOOST_TEST(!s.due("b", 15'000));  // a failed post waits retry_ms
  BOOST_TEST(s.due("b", 20'100));
  s.sent("b", 20'100);
  s.answered(true, 20'200);
  BOOST_TEST(!s.due("b", 80'000));
  BOOST_TEST(s.due("b", 80'100));
  BOOST_TEST(s.posts() == 2u);
}
