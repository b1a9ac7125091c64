#define BOOST_TEST_MODULE store_raft_log_store
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "actors/store/replica/raft_log_store.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::storage;
using craton::storage::test::TempDir;
using craton::store::RaftLogStore;

namespace {

Environment open_env(const std::string& path) {
  auto env = Environment::open(EnvOptions{path, 64u << 20, 4, 126, false});
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  return std::move(env).value();
}

RaftLogStore open_log(Environment& env) {
  auto log = RaftLogStore::open(env);
  BOOST_REQUIRE_MESSAGE(log.ok(), (log.ok() ? "" : log.error().message));
  return std::move(log).value();
}

raft::Entry entry(std::uint64_t index, std::uint64_t term, std::string data = "") {
  if (data.empty()) data = "e" + std::to_string(index) + "t" + std::to_string(term);
  return raft::Entry{term, index, raft::EntryType::normal, data};
}

std::vector<raft::Entry> run(std::uint64_t lo, std::uint64_t hi, std::uint64_t term) {
  std::vector<raft::Entry> out;
  for (auto i = lo; i <= hi; ++i) out.push_back(entry(i, term));
  return out;
}

std::vector<raft::Entry> all(const RaftLogStore& log) {
  auto got = log.entries(log.first_index(), log.last_index() + 1);
  BOOST_REQUIRE_MESSAGE(got.ok(), (got.ok() ? "" : got.error().message));
  return *got;
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_log) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_CHECK_EQUAL(log.first_index(), 1u);
  BOOST_CHECK_EQUAL(log.last_index(), 0u);
  BOOST_CHECK(log.hard_state() == raft::HardState{});
  BOOST_CHECK_EQUAL(log.term(0).value(), 0u);
  BOOST_CHECK_EQUAL(log.term(1).error().code, "unavailable");
  BOOST_CHECK(all(log).empty());
}

BOOST_AUTO_TEST_CASE(group_commit_saves_entries_and_hard_state_together) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  auto batch = run(1, 100, 1);
  raft::HardState hs{1, 2, 50};
  BOOST_REQUIRE(log.save(hs, batch).ok());
  BOOST_CHECK_EQUAL(log.last_index(), 100u);
  BOOST_CHECK(log.hard_state() == hs);
  BOOST_CHECK(all(log) == batch);
  BOOST_CHECK_EQUAL(log.term(100).value(), 1u);
  auto mid = log.entries(10, 13);
  BOOST_REQUIRE(mid.ok());
  BOOST_REQUIRE_EQUAL(mid->size(), 3u);
  BOOST_CHECK((*mid)[0] == batch[9]);
  // max_bytes limits the answer but always yields at least one entry.
  auto limited = log.entries(1, 101, 10);
  BOOST_REQUIRE(limited.ok());
  BOOST_CHECK_EQUAL(limited->size(), 2u);  // "e1t1"+"e2t1" = 8 bytes, a third would exceed 10
  auto one = log.entries(1, 101, 0);
  BOOST_CHECK_EQUAL(one->size(), 1u);
  BOOST_CHECK_EQUAL(log.entries(1, 102).error().code, "unavailable");
}

BOOST_AUTO_TEST_CASE(conflicting_suffix_is_replaced) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_REQUIRE(log.save(std::nullopt, run(1, 10, 1)).ok());
  // A new leader at term 2 overwrites from index 6 with a shorter log.
  BOOST_REQUIRE(log.save(raft::HardState{2, 3, 5}, run(6, 7, 2)).ok());
  BOOST_CHECK_EQUAL(log.last_index(), 7u);
  auto got = all(log);
  BOOST_REQUIRE_EQUAL(got.size(), 7u);
  BOOST_CHECK(got[4] == entry(5, 1));
  BOOST_CHECK(got[5] == entry(6, 2));
  BOOST_CHECK_EQUAL(log.term(8).error().code, "unavailable");
  BOOST_CHECK_EQUAL(log.term(7).value(), 2u);
  BOOST_CHECK_EQUAL(log.term(5).value(), 1u);
  // The truncation is durable.
  auto reopened = open_log(env);
  BOOST_CHECK_EQUAL(reopened.term(7).value(), 2u);
  BOOST_CHECK(all(reopened) == got);
  BOOST_CHECK(reopened.hard_state() == (raft::HardState{2, 3, 5}));
}

BOOST_AUTO_TEST_CASE(invalid_appends_change_nothing) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_REQUIRE(log.save(raft::HardState{2, 1, 0}, run(1, 5, 2)).ok());
  auto before = all(log);
  raft::HardState other{9, 9, 9};
  BOOST_CHECK_EQUAL(log.save(other, run(7, 8, 2)).error().code, "invalid");  // gap
  std::vector<raft::Entry> holes{entry(6, 2), entry(8, 2)};
  BOOST_CHECK_EQUAL(log.save(other, holes).error().code, "invalid");
  std::vector<raft::Entry> down{entry(6, 3), entry(7, 2)};
  BOOST_CHECK_EQUAL(log.save(other, down).error().code, "invalid");
  BOOST_CHECK_EQUAL(log.save(other, run(6, 6, 1)).error().code, "invalid");  // below prev term
  BOOST_CHECK(all(log) == before);
  BOOST_CHECK(log.hard_state() == (raft::HardState{2, 1, 0}));
  BOOST_CHECK(all(open_log(env)) == before);
  BOOST_CHECK(open_log(env).hard_state() == (raft::HardState{2, 1, 0}));
}

BOOST_AUTO_TEST_CASE(hard_state_alone) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_REQUIRE(log.save(raft::HardState{4, 2, 0}, {}).ok());
  BOOST_CHECK(open_log(env).hard_state() == (raft::HardState{4, 2, 0}));
  BOOST_CHECK_EQUAL(open_log(env).last_index(), 0u);
}

BOOST_AUTO_TEST_CASE(compaction_drops_the_prefix_and_keeps_the_start_term) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_REQUIRE(log.save(std::nullopt, run(1, 5, 1)).ok());
  BOOST_REQUIRE(log.save(std::nullopt, run(6, 10, 3)).ok());
  BOOST_CHECK_EQUAL(log.compact(6).error().code, "invalid");  // no snapshot covers it yet
  BOOST_REQUIRE(log.save_snapshot(raft::SnapshotMeta{6, 3, {1}, {}}).ok());
  BOOST_CHECK_EQUAL(log.first_index(), 1u);  // a snapshot of our own log keeps it
  BOOST_REQUIRE(log.compact(6).ok());
  BOOST_CHECK_EQUAL(log.first_index(), 7u);
  BOOST_CHECK_EQUAL(log.last_index(), 10u);
  BOOST_CHECK_EQUAL(log.term(6).value(), 3u);
  BOOST_CHECK_EQUAL(log.term(5).error().code, "compacted");
  BOOST_CHECK_EQUAL(log.entries(6, 8).error().code, "compacted");
  BOOST_CHECK_EQUAL(log.compact(3).error().code, "compacted");
  BOOST_CHECK_EQUAL(log.compact(9).error().code, "invalid");  // beyond the snapshot
  // Appending entries that are already compacted skips them; the rest is appended.
  BOOST_REQUIRE(log.save(std::nullopt, run(5, 11, 3)).ok());
  BOOST_CHECK_EQUAL(log.last_index(), 11u);
  auto reopened = open_log(env);
  BOOST_CHECK_EQUAL(reopened.first_index(), 7u);
  BOOST_CHECK_EQUAL(reopened.last_index(), 11u);
  BOOST_CHECK_EQUAL(reopened.term(6).value(), 3u);
  BOOST_CHECK(all(reopened) == run(7, 11, 3));
  // Compacting everything leaves an empty log that still knows its start.
  BOOST_REQUIRE(reopened.save_snapshot(raft::SnapshotMeta{11, 3, {1}, {}}).ok());
  BOOST_REQUIRE(reopened.compact(11).ok());
  BOOST_CHECK(all(reopened).empty());
  BOOST_CHECK_EQUAL(open_log(env).first_index(), 12u);
  BOOST_CHECK_EQUAL(open_log(env).term(11).value(), 3u);
}

BOOST_AUTO_TEST_CASE(snapshot_matching_the_log_keeps_it_until_compacted) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_REQUIRE(log.save(std::nullopt, run(1, 10, 2)).ok());
  raft::SnapshotMeta meta{8, 2, {1, 2, 3}, {4}};
  BOOST_REQUIRE(log.save_snapshot(meta, raft::HardState{2, 1, 8}).ok());
  BOOST_CHECK_EQUAL(log.first_index(), 1u);
  BOOST_CHECK_EQUAL(log.last_index(), 10u);
  BOOST_REQUIRE(log.compact(5).ok());  // keep a few entries for slow followers
  auto reopened = open_log(env);
  BOOST_CHECK(reopened.snapshot() == meta);
  BOOST_CHECK(reopened.hard_state() == (raft::HardState{2, 1, 8}));
  BOOST_CHECK(all(reopened) == run(6, 10, 2));
  BOOST_CHECK_EQUAL(reopened.term(5).value(), 2u);
  BOOST_CHECK_EQUAL(reopened.save_snapshot(raft::SnapshotMeta{7, 2, {1}, {}}).error().code,
                    "stale");
}

BOOST_AUTO_TEST_CASE(snapshot_from_a_leader_replaces_a_diverging_log) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_REQUIRE(log.save(std::nullopt, run(1, 5, 1)).ok());
  raft::SnapshotMeta meta{20, 4, {1, 2, 3}, {}};
  BOOST_REQUIRE(log.save_snapshot(meta).ok());
  BOOST_CHECK_EQUAL(log.first_index(), 21u);
  BOOST_CHECK_EQUAL(log.last_index(), 20u);
  BOOST_CHECK_EQUAL(log.term(20).value(), 4u);
  BOOST_REQUIRE(log.save(std::nullopt, run(21, 22, 4)).ok());
  auto reopened = open_log(env);
  BOOST_CHECK_EQUAL(reopened.first_index(), 21u);
  BOOST_CHECK(all(reopened) == run(21, 22, 4));
}

BOOST_AUTO_TEST_CASE(reopen_after_crash_returns_exactly_the_committed_state) {
  TempDir dir;
  std::vector<raft::Entry> committed;
  {
    auto env = open_env(dir.sub("env"));
    auto log = open_log(env);
    for (std::uint64_t term = 1; term <= 3; ++term) {
      auto batch = run(log.last_index() + 1, log.last_index() + 20, term);
      BOOST_REQUIRE(log.save(raft::HardState{term, 1, log.last_index()}, batch).ok());
    }
    committed = all(log);
    // A batch that was being written when the process "died": its transaction never commits.
    auto db = env.database("raft_log");
    BOOST_REQUIRE(db.ok());
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn->put(*db, std::string(8, '\x7f'), "garbage").ok());
  }  // the environment closes with the transaction aborted, as a crash would leave it
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  BOOST_CHECK_EQUAL(log.last_index(), 60u);
  BOOST_CHECK(all(log) == committed);
  BOOST_CHECK(log.hard_state() == (raft::HardState{3, 1, 40}));
}

BOOST_AUTO_TEST_CASE(large_entries_round_trip) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto log = open_log(env);
  std::string big(1 << 20, 'b');
  big[12345] = '\0';
  std::vector<raft::Entry> batch{raft::Entry{1, 1, raft::EntryType::conf_change, big}};
  BOOST_REQUIRE(log.save(std::nullopt, batch).ok());
  BOOST_CHECK(all(open_log(env)) == batch);
}
