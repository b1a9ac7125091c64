// StoreCalls (actors/store/client/store_calls.hpp): where a call goes and when it ends, with
// scripted replies and time; and what conditional writes' answers mean.
#define BOOST_TEST_MODULE store_calls
#include <boost/test/unit_test.hpp>

#include <optional>

#include "actors/store/client/conditional_write.hpp"
#include "actors/store/client/store_calls.hpp"

using namespace craton;
using namespace craton::store;

namespace {

StoreRequest read() {
  return read_key("k");
}

StoreReply refusal(StoreErrorCode code, raft::NodeId hint = 0) {
  StoreReply r;
  r.error = StoreError{code, "refused"};
  r.leader_hint = hint;
  return r;
}

StoreReply range_reply() {
  StoreReply r;
  storage::RangeResponse range;
  range.header_revision = 7;
  range.kvs.push_back(storage::KeyValue{"k", 2, 5, 1, "v", 0});
  r.body = range;
  return r;
}

struct Outcome {
  std::optional<Result<StoreReply>> result;
  StoreCalls::Done done() {
    return [this](Result<StoreReply> r) { result = std::move(r); };
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_call_follows_the_leader_hint_and_later_calls_go_there_first) {
  StoreCalls calls("n1", 100, StoreCallsConfig{});
  Outcome o;
  auto first = calls.call(read(), 0, o.done());
  BOOST_REQUIRE(first);
  BOOST_TEST(first->node == "n1");
  auto again = calls.on_reply(first->correlation, refusal(StoreErrorCode::not_leader, 3), 10);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->node == "store-3");
  BOOST_TEST(again->correlation != first->correlation);  // a late answer cannot complete it
  BOOST_TEST(!calls.on_reply(first->correlation, range_reply(), 11));
  BOOST_TEST(!o.result.has_value());
  calls.on_reply(again->correlation, range_reply(), 20);
  BOOST_REQUIRE(o.result.has_value());
  auto kv = read_key_outcome(*o.result);
  BOOST_REQUIRE(kv.ok());
  BOOST_TEST((*kv)->value == "v");
  Outcome o2;
  BOOST_TEST(calls.call(read(), 30, o2.done())->node == "store-3");
}

BOOST_AUTO_TEST_CASE(a_leader_that_never_answers_is_not_asked_again) {
  // The leader crashed after naming itself: the call to it expires, and the next call asks the
  // local replica (whose answer names the new leader) instead of the silent one forever.
  StoreCalls calls("n1", 100, StoreCallsConfig{});
  Outcome o1, o2, o3;
  auto first = calls.call(read(), 0, o1.done());
  auto hinted = calls.on_reply(first->correlation, refusal(StoreErrorCode::not_leader, 5), 10);
  BOOST_REQUIRE(hinted);
  BOOST_TEST(hinted->node == "store-5");
  auto second = calls.call(read(), 20, o2.done());
  BOOST_REQUIRE(second);
  BOOST_TEST(second->node == "store-5");  // trusted while it may still answer
  calls.tick(5'000);                      // the first call's deadline: no answer from store-5
  BOOST_REQUIRE(o1.result.has_value());
  BOOST_TEST(o1.result->error().code == "timeout");
  auto third = calls.call(read(), 5'010, o3.done());
  BOOST_REQUIRE(third);
  BOOST_TEST(third->node == "n1");
}

BOOST_AUTO_TEST_CASE(no_leader_backs_off_then_tries_the_local_replica) {
  StoreCallsConfig config;
  config.backoff_ms = 200;
  StoreCalls calls("n1", 1, config);
  Outcome o;
  auto first = calls.call(read(), 0, o.done());
  BOOST_TEST(!calls.on_reply(first->correlation, refusal(StoreErrorCode::no_leader), 5));
  BOOST_TEST(calls.tick(100).empty());
  auto resent = calls.tick(205);
  BOOST_REQUIRE(resent.size() == 1u);
  BOOST_TEST(resent[0].node == "n1");
  calls.on_reply(resent[0].correlation, range_reply(), 210);
  BOOST_TEST(o.result->ok());
}

BOOST_AUTO_TEST_CASE(attempts_and_deadlines_are_bounded) {
  StoreCallsConfig config;
  config.attempts_max = 2;
  config.timeout_ms = 1000;
  StoreCalls calls("n1", 1, config);
  Outcome o;
  auto s = calls.call(read(), 0, o.done());
  s = calls.on_reply(s->correlation, refusal(StoreErrorCode::not_leader, 2), 1);
  BOOST_REQUIRE(s);
  calls.on_reply(s->correlation, refusal(StoreErrorCode::not_leader, 3), 2);
  BOOST_REQUIRE(o.result.has_value());  // the second refusal ends it: two attempts
  BOOST_TEST(o.result->error().code == "not_leader");

  Outcome silent;
  calls.call(read(), 0, silent.done());
  calls.tick(999);
  BOOST_TEST(!silent.result.has_value());
  calls.tick(1000);
  BOOST_REQUIRE(silent.result.has_value());
  BOOST_TEST(silent.result->error().code == "timeout");
  BOOST_TEST(calls.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(rejected_requests_end_at_once_and_the_pending_bound_holds) {
  StoreCallsConfig config;
  config.pending_max = 1;
  StoreCalls calls("n1", 1, config);
  Outcome a, b;
  auto s = calls.call(read(), 0, a.done());
  BOOST_TEST(!calls.call(read(), 0, b.done()));
  BOOST_REQUIRE(b.result.has_value());
  BOOST_TEST(b.result->error().code == "busy");
  BOOST_TEST(!calls.on_reply(s->correlation, refusal(StoreErrorCode::too_large), 1));
  BOOST_TEST(a.result->error().code == "too_large");
  Outcome c;
  calls.call(read(), 0, c.done());
  calls.fail_all();
  BOOST_TEST(c.result->error().code == "unavailable");
}

BOOST_AUTO_TEST_CASE(conditional_write_answers_mean_what_the_registry_needs) {
  StoreReply ok;
  storage::TxnResponse txn;
  txn.succeeded = true;
  txn.header_revision = 9;
  ok.body = storage::WriteResponse{txn};
  auto written = conditional_write_outcome(ok, "k", 4);
  BOOST_TEST(*written == 9);
  StoreReply lost;
  storage::TxnResponse failed;
  failed.succeeded = false;
  failed.responses.push_back(storage::RangeResponse{});
  lost.body = storage::WriteResponse{failed};
  BOOST_TEST(conditional_write_outcome(lost, "k", 0).error().code == "exists");
  BOOST_TEST(conditional_write_outcome(lost, "k", 4).error().code == "not_found");
  storage::RangeResponse still;
  still.kvs.push_back(storage::KeyValue{"k", 2, 6, 2, "w", 0});
  failed.responses = {still};
  lost.body = storage::WriteResponse{failed};
  BOOST_TEST(conditional_write_outcome(lost, "k", 4).error().code == "conflict");
  BOOST_TEST(conditional_write_outcome(refusal(StoreErrorCode::no_leader), "k", 4).error().code ==
             "no_leader");
}
