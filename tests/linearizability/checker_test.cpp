// The linearizability checker on hand-written histories (classic register examples, cas, unknown
// outcomes, kv appends, per-key partitioning, model errors) and on search limits.
#define BOOST_TEST_MODULE lin_checker
#include <boost/test/unit_test.hpp>

#include "tests/linearizability/printing.hpp"

#include "sim/linearizability/check_report.hpp"
#include "sim/linearizability/checker.hpp"
#include "tests/linearizability/history_recorder.hpp"

namespace lin = craton::linearizability;
using lin::Value;
using lin::Verdict;
using lin::testing::HistoryRecorder;

namespace {

lin::CheckResult check(const HistoryRecorder& r, lin::Model model = lin::Model::register_model,
                       const lin::CheckLimits& limits = {}) {
  auto result = lin::check_history(r.history(), model, limits);
  BOOST_REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  return result.value();
}

Verdict verdict(const HistoryRecorder& r, lin::Model model = lin::Model::register_model) {
  return check(r, model).verdict;
}

Value str(const char* s) {
  return Value::string(s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_and_sequential_histories_are_linearizable) {
  BOOST_TEST(verdict(HistoryRecorder{}) == Verdict::linearizable);
  HistoryRecorder r;
  r.read(0).ok(0, Value::null_value());
  r.write(0, 1).ok(0).read(1).ok(1, 1).write(1, 2).ok(1).read(0).ok(0, 2);
  BOOST_TEST(verdict(r) == Verdict::linearizable);
}

BOOST_AUTO_TEST_CASE(stale_read_after_a_completed_write_is_not_linearizable) {
  HistoryRecorder r;
  r.write(0, 1).ok(0).write(1, 2).ok(1).read(2).ok(2, 1);
  auto result = check(r);
  BOOST_TEST(result.verdict == Verdict::not_linearizable);
  BOOST_REQUIRE_EQUAL(result.keys.size(), 1u);
  const auto& stuck = result.keys[0].stuck;
  BOOST_REQUIRE(stuck.has_value());
  BOOST_TEST(stuck->linearized == 2u);
  BOOST_TEST(stuck->state == Value::integer(2));
  BOOST_REQUIRE(stuck->blocked.has_value());
  BOOST_TEST(stuck->blocked->f == lin::OpKind::read);
  BOOST_TEST(stuck->blocked->value == Value::integer(1));
  const std::string text = lin::format_text(result);
  BOOST_TEST(text.rfind("not linearizable\n", 0) == 0);
  BOOST_TEST(text.find("p2 read -> 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_read_concurrent_with_a_write_may_see_either_value) {
  for (int seen : {1, 2}) {
    HistoryRecorder r;
    r.write(0, 1).ok(0).write(0, 2).read(1).ok(1, seen).ok(0);
    BOOST_TEST(verdict(r) == Verdict::linearizable);
  }
  HistoryRecorder never;
  never.write(0, 1).ok(0).write(0, 2).read(1).ok(1, 3).ok(0);
  BOOST_TEST(verdict(never) == Verdict::not_linearizable);
}

// The classic new-then-old inversion: once a read has returned the new value, a later read must
// not return the old one, even while the write is still in flight.
BOOST_AUTO_TEST_CASE(new_then_old_read_inversion_is_not_linearizable) {
  HistoryRecorder r;
  r.write(0, 1).ok(0).write(0, 2).read(1).ok(1, 2).read(2).ok(2, 1).ok(0);
  BOOST_TEST(verdict(r) == Verdict::not_linearizable);
  // Overlapping reads may return them in either order.
  HistoryRecorder overlap;
  overlap.write(0, 1).ok(0).write(0, 2).read(1).read(2).ok(1, 2).ok(2, 1).ok(0);
  BOOST_TEST(verdict(overlap) == Verdict::linearizable);
}

BOOST_AUTO_TEST_CASE(cas_succeeds_only_on_the_expected_value) {
  HistoryRecorder good;
  good.write(0, 1).ok(0).cas(1, 1, 2).ok(1).read(0).ok(0, 2);
  BOOST_TEST(verdict(good) == Verdict::linearizable);
  HistoryRecorder wrong;
  wrong.write(0, 1).ok(0).cas(1, 3, 2).ok(1);
  BOOST_TEST(verdict(wrong) == Verdict::not_linearizable);
  // Two cas from the same value cannot both succeed ...
  HistoryRecorder both;
  both.write(0, 1).ok(0).cas(1, 1, 2).cas(2, 1, 3).ok(1).ok(2);
  BOOST_TEST(verdict(both) == Verdict::not_linearizable);
  // ... but a chain can, and a cas from null works on a fresh register.
  HistoryRecorder chain;
  chain.cas(0, Value::null_value(), Value::integer(1)).ok(0).cas(1, 1, 2).cas(2, 2, 3).ok(2).ok(1);
  BOOST_TEST(verdict(chain) == Verdict::linearizable);
}

BOOST_AUTO_TEST_CASE(failed_operations_are_ignored) {
  HistoryRecorder r;
  r.write(0, 1).ok(0).write(1, 5).fail(1).cas(2, 7, 8).fail(2).read(0).ok(0, 1);
  BOOST_TEST(verdict(r) == Verdict::linearizable);
  auto result = check(r);
  BOOST_TEST(result.operations == 2u);
}

BOOST_AUTO_TEST_CASE(an_unknown_write_may_or_may_not_take_effect) {
  HistoryRecorder seen;
  seen.write(0, 1).ok(0).write(1, 3).info(1).read(0).ok(0, 3);
  BOOST_TEST(verdict(seen) == Verdict::linearizable);
  HistoryRecorder unseen;
  unseen.write(0, 1).ok(0).write(1, 3).info(1).read(0).ok(0, 1).read(0).ok(0, 1);
  BOOST_TEST(verdict(unseen) == Verdict::linearizable);
  // It may take effect long after its invocation, after later writes.
  HistoryRecorder late;
  late.write(1, 3).info(1).write(0, 4).ok(0).read(0).ok(0, 4).read(0).ok(0, 3);
  BOOST_TEST(verdict(late) == Verdict::linearizable);
  // But only once: after it shows, the overwritten value cannot come back.
  late.read(0).ok(0, 4);
  BOOST_TEST(verdict(late) == Verdict::not_linearizable);
}

BOOST_AUTO_TEST_CASE(a_value_only_an_unknown_write_produced_must_follow_its_invocation) {
  HistoryRecorder before;
  before.read(0).ok(0, 3).write(1, 3).info(1);
  BOOST_TEST(verdict(before) == Verdict::not_linearizable);
  HistoryRecorder unknown_cas;  // an unknown cas that cannot have succeeded shows nothing
  unknown_cas.write(0, 1).ok(0).cas(1, 2, 9).info(1).read(0).ok(0, 9);
  BOOST_TEST(verdict(unknown_cas) == Verdict::not_linearizable);
  HistoryRecorder pending;  // no completion at all counts as unknown
  pending.write(0, 1).ok(0).cas(1, 1, 9).read(0).ok(0, 9);
  BOOST_TEST(verdict(pending) == Verdict::linearizable);
}

// The checker first searches with unknown operations reusable; that must not let one unknown
// write explain two separate appearances of its value.
BOOST_AUTO_TEST_CASE(an_unknown_write_takes_effect_at_most_once) {
  HistoryRecorder twice;
  twice.write(1, 3).info(1);
  twice.write(0, 1).ok(0).read(0).ok(0, 3).write(0, 2).ok(0).read(0).ok(0, 3);
  BOOST_TEST(verdict(twice) == Verdict::not_linearizable);
  HistoryRecorder two_writes = twice;  // a second unknown write of 3 explains the second read
  two_writes.write(2, 3).info(2);
  BOOST_TEST(verdict(two_writes) == Verdict::not_linearizable);  // invoked too late
  HistoryRecorder early;
  early.write(1, 3).info(1).write(2, 3).info(2);
  early.write(0, 1).ok(0).read(0).ok(0, 3).write(0, 2).ok(0).read(0).ok(0, 3);
  BOOST_TEST(verdict(early) == Verdict::linearizable);
}

BOOST_AUTO_TEST_CASE(kv_appends_concatenate_in_some_order) {
  auto appends = [](const char* seen) {
    HistoryRecorder r;
    r.on("x").append(0, "a").append(1, "b").ok(0).ok(1).read(2).ok(2, str(seen));
    return verdict(r, lin::Model::kv);
  };
  BOOST_TEST(appends("ab") == Verdict::linearizable);
  BOOST_TEST(appends("ba") == Verdict::linearizable);
  BOOST_TEST(appends("a") == Verdict::not_linearizable);
  BOOST_TEST(appends("abb") == Verdict::not_linearizable);
  HistoryRecorder missing;  // a missing key reads as "", null included
  missing.on("y").read(0).ok(0, str("")).read(0).ok(0, Value::null_value());
  missing.write(1, str("v")).ok(1).append(1, "w").ok(1).cas(0, str("vw"), str("z")).ok(0);
  missing.read(0).ok(0, str("z"));
  BOOST_TEST(verdict(missing, lin::Model::kv) == Verdict::linearizable);
}

BOOST_AUTO_TEST_CASE(keys_are_checked_independently) {
  HistoryRecorder r;
  r.on("x").write(0, str("1")).ok(0);
  r.on("y").read(1).ok(1, str(""));  // as one register this read would be stale
  r.on("x").read(1).ok(1, str("1"));
  BOOST_TEST(verdict(r, lin::Model::kv) == Verdict::linearizable);
  r.on("z").write(2, str("a")).ok(2).read(2).ok(2, str("b"));
  auto result = check(r, lin::Model::kv);
  BOOST_TEST(result.verdict == Verdict::not_linearizable);
  BOOST_REQUIRE_EQUAL(result.keys.size(), 3u);
  BOOST_TEST(result.keys[0].key == "x");
  BOOST_TEST(result.keys[2].key == "z");
  BOOST_TEST(result.keys[2].verdict == Verdict::not_linearizable);
  BOOST_TEST(result.keys[0].verdict == Verdict::linearizable);
  auto json = lin::to_json(result);
  BOOST_TEST(json["failing_keys"].size() == 1u);
  BOOST_TEST(json["failing_keys"][0]["key"] == "z");
  BOOST_TEST(json["failing_keys"][0]["blocked"]["value"] == "b");
  // The register model partitions by key too.
  HistoryRecorder regs;
  regs.on("a").write(0, 1).ok(0).on("b").read(0).ok(0, Value::null_value());
  BOOST_TEST(verdict(regs) == Verdict::linearizable);
}

BOOST_AUTO_TEST_CASE(operations_the_model_lacks_are_input_errors) {
  HistoryRecorder append;
  append.append(0, "a").ok(0);
  auto r1 = lin::check_history(append.history(), lin::Model::register_model);
  BOOST_REQUIRE(!r1.ok());
  BOOST_TEST(r1.error().message.find("no append") != std::string::npos);
  HistoryRecorder keyless;
  keyless.write(0, str("a")).ok(0);
  auto r2 = lin::check_history(keyless.history(), lin::Model::kv);
  BOOST_REQUIRE(!r2.ok());
  BOOST_TEST(r2.error().message.find("needs a \"key\"") != std::string::npos);
  HistoryRecorder ints;
  ints.on("k").write(0, 5).ok(0);
  auto r3 = lin::check_history(ints.history(), lin::Model::kv);
  BOOST_REQUIRE(!r3.ok());
  BOOST_TEST(r3.error().message.find("strings") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_search_past_its_limits_is_undecided) {
  HistoryRecorder r;
  for (int p = 0; p < 6; ++p) r.write(p, p);
  for (int p = 0; p < 6; ++p) r.ok(p);
  r.read(0).ok(0, 42);
  lin::CheckLimits tiny;
  tiny.steps_max = 5;
  BOOST_TEST(check(r, lin::Model::register_model, tiny).verdict == Verdict::unknown);
  BOOST_TEST(check(r).verdict == Verdict::not_linearizable);
}

namespace {

// Key "a": a stale read. Key "b": ten concurrent writes, then a read of a value nobody wrote;
// proving that needs a search over the orders of the writes (far more than 200 steps).
HistoryRecorder violation_then_expensive_key() {
  HistoryRecorder r;
  r.on("a").write(0, str("1")).ok(0).write(1, str("2")).ok(1).read(2).ok(2, str("1"));
  r.on("b");
  for (int p = 0; p < 10; ++p) r.write(p, str(std::to_string(p).c_str()));
  for (int p = 0; p < 10; ++p) r.ok(p);
  r.read(0).ok(0, str("never written"));
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_check_stops_at_the_first_key_proven_not_linearizable) {
  auto r = violation_then_expensive_key();
  lin::CheckLimits small;
  small.steps_max = 200;
  // Every key: "b" needs more than the limit, so it comes out undecided.
  auto all = lin::check_history(r.history(), lin::Model::kv, small, lin::KeyScope::all_keys);
  BOOST_REQUIRE(all.ok());
  BOOST_REQUIRE_EQUAL(all->keys.size(), 2u);
  BOOST_TEST(all->keys[1].verdict == Verdict::unknown);
  BOOST_TEST(all->unchecked_keys.empty());
  // Until the first violation: "b" is not searched at all, and the report says so.
  auto first =
      lin::check_history(r.history(), lin::Model::kv, small, lin::KeyScope::until_first_violation);
  BOOST_REQUIRE(first.ok());
  BOOST_TEST(first->verdict == Verdict::not_linearizable);
  BOOST_REQUIRE_EQUAL(first->keys.size(), 1u);
  BOOST_TEST(first->keys[0].key == "a");
  BOOST_TEST(first->operations == 3u);
  BOOST_REQUIRE_EQUAL(first->unchecked_keys.size(), 1u);
  BOOST_TEST(first->unchecked_keys[0] == "b");
  const std::string text = lin::format_text(first.value());
  BOOST_TEST(text.find("stopped early") != std::string::npos);
  BOOST_TEST(text.find("not checked (--all-keys checks them): \"b\"") != std::string::npos);
  auto json = lin::to_json(first.value());
  BOOST_TEST(json["stopped_early"] == true);
  BOOST_TEST(json["unchecked_keys"][0] == "b");
}

BOOST_AUTO_TEST_CASE(keys_not_searched_are_still_validated) {
  auto r = violation_then_expensive_key();
  r.on("c").write(0, 5).ok(0);  // the kv model takes strings only
  auto result =
      lin::check_history(r.history(), lin::Model::kv, {}, lin::KeyScope::until_first_violation);
  BOOST_REQUIRE(!result.ok());
  BOOST_TEST(result.error().message.find("strings") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_undecided_key_does_not_stop_the_check) {
  HistoryRecorder swapped;  // the expensive key first, then the violation
  swapped.on("b");
  for (int p = 0; p < 10; ++p) swapped.write(p, str(std::to_string(p).c_str()));
  for (int p = 0; p < 10; ++p) swapped.ok(p);
  swapped.read(0).ok(0, str("never written"));
  swapped.on("a").write(0, str("1")).ok(0).read(1).ok(1, str("0"));
  lin::CheckLimits small;
  small.steps_max = 200;
  auto result = lin::check_history(swapped.history(), lin::Model::kv, small,
                                   lin::KeyScope::until_first_violation);
  BOOST_REQUIRE(result.ok());
  BOOST_REQUIRE_EQUAL(result->keys.size(), 2u);
  BOOST_TEST(result->keys[0].verdict == Verdict::unknown);
  BOOST_TEST(result->verdict == Verdict::not_linearizable);
  BOOST_TEST(result->unchecked_keys.empty());
}
