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

// The one send an answer caused (nullopt: none); more than one fails the test.
std::optional<StoreCalls::Send> only(std::vector<StoreCalls::Send> sends) {
  BOOST_REQUIRE(sends.size() <= 1u);
  if (sends.empty()) return std::nullopt;
  return std::move(sends.front());
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_call_follows_the_leader_hint_and_later_calls_go_there_first) {
  StoreCalls calls("n1", 100, StoreCallsConfig{});
  Outcome o;
  auto first = calls.call(read(), 0, o.done());
  BOOST_REQUIRE(first);
  BOOST_TEST(first->node == "n1");
  auto again = only(calls.on_reply(first->correlation, refusal(StoreErrorCode::not_leader, 3), 10));
  BOOST_REQUIRE(again);
  BOOST_TEST(again->node == "store-3");
  BOOST_TEST(again->correlation != first->correlation);  // a late answer cannot complete it
  BOOST_TEST(calls.on_reply(first->correlation, range_reply(), 11).empty());
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
  auto hinted =
      only(calls.on_reply(first->correlation, refusal(StoreErrorCode::not_leader, 5), 10));
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
  BOOST_TEST(calls.on_reply(first->correlation, refusal(StoreErrorCode::no_leader), 5).empty());
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
  s = only(calls.on_reply(s->correlation, refusal(StoreErrorCode::not_leader, 2), 1));
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
  BOOST_TEST(calls.on_reply(s->correlation, refusal(StoreErrorCode::too_large), 1).empty());
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

namespace {

StoreRequest write_k() {
  return conditional_write("k", 0, storage::PutRequest{"k", "v", 0, false});
}

/// Session writes sent again after 1.5 s of silence.
StoreCallsConfig resending() {
  StoreCallsConfig config;
  config.attempt_timeout_ms = 1500;
  return config;
}

}  // namespace

BOOST_AUTO_TEST_CASE(writes_carry_the_session_and_keep_their_sequence_across_sends) {
  StoreCalls calls("n1", 1, resending(), 0xabc1);
  Outcome o1, o2, o3;
  auto w1 = calls.call(write_k(), 0, o1.done());
  auto w2 = calls.call(write_k(), 1, o2.done());
  auto r = calls.call(read(), 2, o3.done());
  BOOST_REQUIRE(w1 && w2 && r);
  BOOST_REQUIRE(w1->session && w2->session);
  BOOST_TEST(!r->session);  // reads change nothing: no session
  BOOST_TEST(w1->session->client_id == 0xabc1u);
  BOOST_TEST(w1->session->sequence == 1u);
  BOOST_TEST(w2->session->sequence == 2u);
  BOOST_TEST(w2->session->first_incomplete == 1u);
  // Redirected: the same write, the same sequence.
  auto again = only(calls.on_reply(w1->correlation, refusal(StoreErrorCode::not_leader, 2), 10));
  BOOST_REQUIRE(again && again->session);
  BOOST_TEST(again->session->sequence == 1u);
  // Once write 1 is answered, later sends say the store may forget it.
  calls.on_reply(again->correlation, StoreReply{}, 20);
  BOOST_REQUIRE(o1.result.has_value());
  auto resent = calls.tick(1'600);  // write 2 silent past attempt_timeout_ms: sent again
  BOOST_REQUIRE(resent.size() == 1u);
  BOOST_REQUIRE(resent[0].session);
  BOOST_TEST(resent[0].session->sequence == 2u);
  BOOST_TEST(resent[0].session->first_incomplete == 2u);
}

BOOST_AUTO_TEST_CASE(a_silent_session_write_is_sent_again_to_the_local_replica) {
  // The leader crashed with a write in flight: with a session the write is safe to send again,
  // and the local replica (which knows the new leader) gets it well before the call's deadline.
  StoreCalls calls("n1", 1, resending(), 7);
  Outcome o;
  auto first = calls.call(write_k(), 0, o.done());
  auto hinted =
      only(calls.on_reply(first->correlation, refusal(StoreErrorCode::not_leader, 5), 10));
  BOOST_REQUIRE(hinted);
  BOOST_TEST(hinted->node == "store-5");
  BOOST_TEST(calls.tick(1'000).empty());  // not yet silent long enough
  auto resent = calls.tick(1'510);
  BOOST_REQUIRE(resent.size() == 1u);
  BOOST_TEST(resent[0].node == "n1");
  BOOST_TEST(resent[0].correlation != hinted->correlation);
  // The store says the first copy took effect: the caller learns that, once.
  calls.on_reply(resent[0].correlation, refusal(StoreErrorCode::duplicate), 1'600);
  BOOST_REQUIRE(o.result.has_value());
  BOOST_TEST(o.result->error().code == "duplicate");
  BOOST_TEST(calls.on_reply(hinted->correlation, StoreReply{}, 1'700).empty());  // late: ignored
  BOOST_TEST(calls.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(by_default_or_without_a_session_nothing_is_sent_again_after_silence) {
  StoreCalls by_default("n1", 1, StoreCallsConfig{}, 9);
  Outcome o0;
  auto sent = by_default.call(write_k(), 0, o0.done());
  BOOST_REQUIRE(sent && sent->session);  // the session still guards network copies
  BOOST_TEST(by_default.tick(4'000).empty());
  StoreCalls calls("n1", 1, resending());  // no session id
  Outcome o1, o2;
  auto w = calls.call(write_k(), 0, o1.done());
  auto r = calls.call(read(), 0, o2.done());
  BOOST_REQUIRE(w && r);
  BOOST_TEST(!w->session);
  BOOST_TEST(calls.tick(4'000).empty());
  calls.tick(5'000);
  BOOST_TEST(o1.result->error().code == "timeout");
  BOOST_TEST(o2.result->error().code == "timeout");
}

// The store refuses a write more than SessionLimits::sequences_max past the oldest unanswered
// one ("invalid": 1,048 of 3,958 pod creates in the 100-node simulation). Writes beyond the
// window wait unsent; every one sent is one the store's SessionTable accepts.
BOOST_AUTO_TEST_CASE(session_writes_past_the_window_wait_unsent_until_it_moves) {
  StoreCallsConfig config;
  config.session_window = 3;
  StoreCalls calls("n1", 1, config, 0x5e55);
  std::vector<Outcome> o(6);
  std::vector<std::optional<StoreCalls::Send>> sent;
  for (auto& out : o) sent.push_back(calls.call(write_k(), 0, out.done()));
  BOOST_TEST((sent[0] && sent[1] && sent[2]));
  BOOST_TEST((!sent[3] && !sent[4] && !sent[5]));  // held
  BOOST_TEST(calls.pending() == 6u);
  BOOST_TEST(calls.tick(100).empty());  // nothing answered: the window has not moved
  BOOST_TEST(calls.on_reply(sent[1]->correlation, StoreReply{}, 150).empty());
  BOOST_TEST(calls.tick(200).empty());  // write 1, the oldest, still open
  // The answer that moves the window sends what now fits, without waiting for a tick (the
  // API actor ticks every 100 ms: that wait once capped a whole cluster's writes).
  auto released = calls.on_reply(sent[0]->correlation, StoreReply{}, 250);
  BOOST_TEST(calls.tick(300).empty());  // oldest open now 3: sequences 3, 4, 5 fit
  BOOST_REQUIRE(released.size() == 2u);
  for (const auto& s : released) {
    BOOST_REQUIRE(s.session);
    BOOST_TEST(s.session->sequence - s.session->first_incomplete < 3u);
  }
  BOOST_TEST(released[0].session->sequence == 4u);
  BOOST_TEST(released[1].session->sequence == 5u);
  // One still held at its deadline was never sent: "busy", surely not applied.
  calls.tick(config.timeout_ms);
  BOOST_REQUIRE(o[5].result.has_value());
  BOOST_TEST(o[5].result->error().code == "busy");
  BOOST_TEST(o[3].result->error().code == "timeout");  // sent: outcome unknown
}
