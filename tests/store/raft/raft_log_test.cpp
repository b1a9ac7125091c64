// RaftLog, Progress and ConfChange: the small pieces under the state machine.
#include <boost/test/unit_test.hpp>

#include "actors/store/raft/membership.hpp"
#include "actors/store/raft/progress.hpp"
#include "actors/store/raft/raft_log.hpp"
#include "tests/runtime/death_test.hpp"

using namespace craton::raft;

using craton::testing::dies_with;

namespace {
std::vector<Entry> entries(std::uint64_t from, std::vector<std::uint64_t> terms) {
  std::vector<Entry> out;
  for (auto t : terms) out.push_back(Entry{t, from++, EntryType::normal, "x"});
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(raft_log)

BOOST_AUTO_TEST_CASE(maybe_append_truncates_conflicts_and_moves_stable_back) {
  RaftLog log({}, entries(1, {1, 1, 2, 2}));
  BOOST_TEST(log.stable() == 4u);
  BOOST_TEST(!log.maybe_append(4, 3, 0, entries(5, {3})));  // prev term mismatch
  auto last = log.maybe_append(2, 1, 2, entries(3, {3, 3, 3}));
  BOOST_REQUIRE(last);
  BOOST_TEST(*last == 5u);
  BOOST_TEST(log.last_index() == 5u);
  BOOST_TEST(*log.term(3) == 3u);
  BOOST_TEST(log.stable() == 2u);  // entries 3.. must be persisted again
  BOOST_TEST(log.committed() == 2u);
  BOOST_TEST(log.unstable_entries().size() == 3u);
}

BOOST_AUTO_TEST_CASE(maybe_append_ignores_duplicates_without_truncating) {
  RaftLog log({}, entries(1, {1, 1, 1}));
  auto last = log.maybe_append(0, 0, 0, entries(1, {1}));
  BOOST_TEST(*last == 1u);
  BOOST_TEST(log.last_index() == 3u);  // a stale append must not cut newer entries
}

BOOST_AUTO_TEST_CASE(commit_never_passes_the_last_entry_verified_by_the_append) {
  // Entry 3 is a stale leftover; the leader's append only vouches for entries up to 2.
  RaftLog log({}, entries(1, {1, 1, 1}));
  auto last = log.maybe_append(1, 1, 3, entries(2, {1}));
  BOOST_TEST(*last == 2u);
  BOOST_TEST(log.committed() == 2u);
}

BOOST_AUTO_TEST_CASE(refuses_to_truncate_committed_entries) {
  RaftLog log({}, entries(1, {1, 1}));
  log.commit_to(2);
  BOOST_TEST(dies_with([&] { log.maybe_append(1, 1, 2, entries(2, {2})); },
                       "never truncate a committed entry"));
}

BOOST_AUTO_TEST_CASE(compaction_keeps_terms_and_offsets) {
  RaftLog log({}, entries(1, {1, 1, 2, 3}));
  log.commit_to(3);
  log.applied_to(3);
  log.compact_to(2);
  BOOST_TEST(log.first_index() == 3u);
  BOOST_TEST(*log.term(2) == 1u);  // the snapshot position still has a term
  BOOST_TEST(!log.term(1));
  BOOST_TEST(log.last_index() == 4u);
  BOOST_TEST(dies_with([&] { log.compact_to(4); }, "compact within applied entries"));
}

BOOST_AUTO_TEST_CASE(find_conflict_by_term_skips_whole_terms) {
  RaftLog log({}, entries(1, {1, 1, 4, 4, 4, 5, 5}));
  BOOST_TEST(log.find_conflict_by_term(7, 3) == 2u);
  BOOST_TEST(log.find_conflict_by_term(7, 4) == 5u);
  BOOST_TEST(log.find_conflict_by_term(10, 6) == 7u);
  BOOST_TEST(log.find_conflict_by_term(7, 0) == 0u);
}

BOOST_AUTO_TEST_CASE(slice_respects_count_and_byte_bounds) {
  RaftLog log({}, entries(1, {1, 1, 1, 1, 1}));
  BOOST_TEST(log.slice(1, 5, 2, 1000).size() == 2u);
  BOOST_TEST(log.slice(1, 5, 100, 2).size() == 2u);  // "x" is one byte each
  BOOST_TEST(log.slice(1, 5, 100, 0).size() == 1u);  // always at least one
}

BOOST_AUTO_TEST_CASE(inflight_window_is_bounded_and_freed_by_acks) {
  Progress pr(1, 3, false);
  pr.match = 0;
  pr.become_replicate();
  for (std::uint64_t last : {2, 4, 6}) pr.sent_entries(last);
  BOOST_TEST(pr.is_paused());
  BOOST_TEST(pr.next == 7u);
  pr.maybe_update(4);
  pr.inflights.free_to(4);
  BOOST_TEST(!pr.is_paused());
  BOOST_TEST(pr.inflights.count() == 1u);
  BOOST_TEST(dies_with(
      [] {
        Inflights f(1);
        f.add(1);
        f.add(2);
      },
      "is_paused"));
}

BOOST_AUTO_TEST_CASE(probe_ignores_stale_rejections) {
  Progress pr(10, 4, false);
  pr.match = 3;
  BOOST_TEST(!pr.maybe_decrease_to(5, 4));  // answer to an older probe
  BOOST_TEST(pr.maybe_decrease_to(9, 6));
  BOOST_TEST(pr.next == 7u);
  BOOST_TEST(pr.maybe_decrease_to(6, 0));
  BOOST_TEST(pr.next == 4u);  // never below match + 1
}

BOOST_AUTO_TEST_CASE(conf_change_round_trips_and_rejects_garbage) {
  ConfChange cc{ConfChangeType::add_learner, 0x0102030405060708ull};
  auto back = ConfChange::decode(cc.encode());
  BOOST_REQUIRE(back);
  BOOST_TEST((back.value() == cc));
  BOOST_TEST(!ConfChange::decode("short"));
  std::string bad = cc.encode();
  bad[0] = 9;
  BOOST_TEST(!ConfChange::decode(bad));
}

BOOST_AUTO_TEST_CASE(conf_change_carries_a_bounded_context) {
  ConfChange cc{ConfChangeType::add_voter, 4, "127.0.0.1:2382"};
  auto back = ConfChange::decode(cc.encode());
  BOOST_REQUIRE(back);
  BOOST_TEST(back->context == "127.0.0.1:2382");
  cc.context.assign(kConfChangeContextMax + 1, 'x');
  BOOST_TEST(!ConfChange::decode(cc.encode()));
}

BOOST_AUTO_TEST_CASE(membership_changes) {
  Membership m;
  m.voters = {1, 2, 3};
  BOOST_TEST(m.quorum() == 2u);
  auto m2 = m.apply({ConfChangeType::add_learner, 4});
  BOOST_REQUIRE(m2);
  BOOST_TEST(m2->is_learner(4));
  BOOST_TEST(m2->quorum() == 2u);  // learners do not count
  auto m3 = m2->apply({ConfChangeType::add_voter, 4});
  BOOST_TEST(m3->is_voter(4));
  BOOST_TEST(!m3->is_learner(4));
  BOOST_TEST(m3->quorum() == 3u);
  BOOST_TEST(!m.apply({ConfChangeType::add_learner, 1}));  // already a voter
  Membership one;
  one.voters = {1};
  BOOST_TEST(!one.apply({ConfChangeType::remove_node, 1}));  // no voter left
}

BOOST_AUTO_TEST_SUITE_END()
