// Client sessions in the MVCC store: a write carrying a (client, sequence) already applied is
// refused and changes nothing, across batches and reopens; bounds evict deterministically.
#define BOOST_TEST_MODULE storage_session
#include <boost/test/unit_test.hpp>

#include "tests/storage/mvcc_test_util.hpp"

using namespace craton::storage;
using namespace craton::storage::test;

namespace {

ClientSession session(std::uint64_t client, std::uint64_t seq, std::uint64_t first = 0) {
  return ClientSession{client, seq, first == 0 ? seq : first};
}

IndexedWrite put_at(std::uint64_t index, std::string key, std::string value,
                    std::optional<ClientSession> s) {
  return IndexedWrite{index, WriteRequest{put_req(std::move(key), std::move(value))}, s};
}

std::string apply_one(MvccStore& store, IndexedWrite w) {
  auto results = store.apply_batch(std::span<const IndexedWrite>(&w, 1));
  return code_of(results.front());
}

std::int64_t version_of(MvccStore& store, const std::string& key) {
  auto r = must(store.range(get_req(key)));
  return r.kvs.empty() ? 0 : r.kvs.front().version;
}

}  // namespace

BOOST_AUTO_TEST_CASE(duplicate_in_one_batch_applies_once) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  std::vector<IndexedWrite> batch{put_at(1, "k", "a", session(7, 1)),
                                  put_at(2, "k", "a", session(7, 1))};
  auto results = store.apply_batch(batch);
  BOOST_TEST(code_of(results[0]) == "ok");
  BOOST_TEST(code_of(results[1]) == "duplicate");
  BOOST_TEST(version_of(store, "k") == 1);
  BOOST_TEST(store.current_revision() == 2);
  BOOST_TEST(store.applied_index() == 2u);  // the refused entry still counts as applied
}

BOOST_AUTO_TEST_CASE(without_session_a_copy_applies_twice) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  BOOST_TEST(apply_one(store, put_at(1, "k", "a", std::nullopt)) == "ok");
  BOOST_TEST(apply_one(store, put_at(2, "k", "a", std::nullopt)) == "ok");
  BOOST_TEST(version_of(store, "k") == 2);
}

BOOST_AUTO_TEST_CASE(duplicate_refused_after_reopen) {
  TempDir dir;
  {
    auto env = open_env(dir.sub("env"));
    auto store = open_store(env);
    BOOST_TEST(apply_one(store, put_at(1, "k", "a", session(7, 1))) == "ok");
    BOOST_TEST(apply_one(store, put_at(2, "k", "b", session(7, 2, 1))) == "ok");
  }
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  BOOST_TEST(store.sessions().size() == 1u);
  BOOST_TEST(apply_one(store, put_at(3, "k", "a", session(7, 1))) == "duplicate");
  BOOST_TEST(apply_one(store, put_at(4, "k", "b", session(7, 2, 1))) == "duplicate");
  BOOST_TEST(version_of(store, "k") == 2);
  BOOST_TEST(apply_one(store, put_at(5, "k", "c", session(7, 3))) == "ok");
  BOOST_TEST(version_of(store, "k") == 3);
}

// A session's record is written once per batch (SessionTable::persist), after all its writes:
// what a reopen reads is the batch's last state, every write of it remembered.
BOOST_AUTO_TEST_CASE(a_batch_of_one_client_is_remembered_whole_after_reopen) {
  TempDir dir;
  {
    auto env = open_env(dir.sub("env"));
    auto store = open_store(env);
    std::vector<IndexedWrite> batch;
    for (std::uint64_t i = 1; i <= 50; ++i)
      batch.push_back(put_at(i, "k" + std::to_string(i), "v", session(7, i, 1)));
    batch.push_back(put_at(51, "solo", "v", session(8, 1)));
    for (const auto& r : store.apply_batch(batch)) BOOST_TEST(code_of(r) == "ok");
  }
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  BOOST_TEST(store.sessions().size() == 2u);
  for (std::uint64_t i = 1; i <= 50; i += 7)
    BOOST_TEST(apply_one(store, put_at(100 + i, "k", "again", session(7, i, 1))) == "duplicate");
  BOOST_TEST(apply_one(store, put_at(200, "solo", "again", session(8, 1))) == "duplicate");
  BOOST_TEST(apply_one(store, put_at(201, "k51", "v", session(7, 51, 1))) == "ok");
}

BOOST_AUTO_TEST_CASE(below_first_incomplete_is_stale) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  // Sequence 1 never arrived; the client gave up on it and says so with first_incomplete 2.
  BOOST_TEST(apply_one(store, put_at(1, "k", "b", session(7, 2))) == "ok");
  BOOST_TEST(apply_one(store, put_at(2, "k", "a", session(7, 1))) == "stale_sequence");
  BOOST_TEST(version_of(store, "k") == 1);
}

BOOST_AUTO_TEST_CASE(rejected_write_is_remembered_too) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  PutRequest bad = put_req("k", "v", 99);  // unknown lease
  IndexedWrite w{1, WriteRequest{bad}, session(7, 1)};
  BOOST_TEST(apply_one(store, w) == "lease_not_found");
  must(store.lease_grant(99, 10));
  w.index = 3;
  BOOST_TEST(apply_one(store, w) == "duplicate");  // not executed a second time
  BOOST_TEST(version_of(store, "k") == 0);
}

BOOST_AUTO_TEST_CASE(malformed_sessions_are_invalid_and_change_nothing) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  BOOST_TEST(apply_one(store, put_at(1, "k", "a", ClientSession{0, 1, 1})) == "invalid");
  BOOST_TEST(apply_one(store, put_at(2, "k", "a", ClientSession{7, 0, 0})) == "invalid");
  BOOST_TEST(apply_one(store, put_at(3, "k", "a", ClientSession{7, 2, 3})) == "invalid");
  BOOST_TEST(apply_one(store, put_at(4, "k", "a", ClientSession{7, 5000, 1})) == "invalid");
  BOOST_TEST(version_of(store, "k") == 0);
  BOOST_TEST(store.sessions().size() == 0u);
  BOOST_TEST(store.applied_index() == 4u);
}

BOOST_AUTO_TEST_CASE(least_recently_used_session_is_evicted) {
  TempDir dir;
  MvccOptions options;
  options.sessions.sessions_max = 2;
  {
    auto env = open_env(dir.sub("env"));
    auto store = open_store(env, options);
    BOOST_TEST(apply_one(store, put_at(1, "a", "1", session(1, 1))) == "ok");
    BOOST_TEST(apply_one(store, put_at(2, "b", "1", session(2, 1))) == "ok");
    BOOST_TEST(apply_one(store, put_at(3, "a", "2", session(1, 2))) == "ok");  // 1 used last
    BOOST_TEST(apply_one(store, put_at(4, "c", "1", session(3, 1))) == "ok");  // evicts 2
    BOOST_TEST(store.sessions().contains(1));
    BOOST_TEST(!store.sessions().contains(2));
    BOOST_TEST(store.sessions().contains(3));
  }
  {
    auto env = open_env(dir.sub("env"));
    auto store = open_store(env, options);
    BOOST_TEST(store.sessions().size() == 2u);
    BOOST_TEST(!store.sessions().contains(2));
    BOOST_TEST(apply_one(store, put_at(5, "a", "2", session(1, 2))) == "duplicate");
    // The documented consequence: an evicted client's old write is no longer recognised.
    BOOST_TEST(apply_one(store, put_at(6, "b", "1", session(2, 1))) == "ok");  // evicts 1
    BOOST_TEST(version_of(store, "b") == 2);
    // In one batch: 4 evicts 3, 5 evicts 2, then 6 evicts 4, which is never written
    // (SessionTable::persist writes what is left at the batch's end).
    std::vector<IndexedWrite> batch{put_at(7, "d", "1", session(4, 1)),
                                    put_at(8, "e", "1", session(5, 1)),
                                    put_at(9, "f", "1", session(6, 1))};
    for (const auto& r : store.apply_batch(batch)) BOOST_TEST(code_of(r) == "ok");
  }
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env, options);
  BOOST_TEST(store.sessions().size() == 2u);
  BOOST_TEST(store.sessions().contains(5));
  BOOST_TEST(store.sessions().contains(6));
  BOOST_TEST(!store.sessions().contains(4));
}

BOOST_AUTO_TEST_CASE(sequences_per_session_are_bounded) {
  TempDir dir;
  MvccOptions options;
  options.sessions.sequences_max = 3;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env, options);
  // A client that never raises first_incomplete: the oldest sequences are forgotten, and
  // refused as stale rather than applied again.
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    BOOST_TEST(apply_one(store, put_at(seq, "k", "v", session(7, seq, 1))) == "ok");
  BOOST_TEST(apply_one(store, put_at(4, "k", "v", session(7, 4, 2))) == "ok");
  BOOST_TEST(apply_one(store, put_at(5, "k", "v", session(7, 1, 1))) == "stale_sequence");
  BOOST_TEST(apply_one(store, put_at(6, "k", "v", session(7, 3, 2))) == "duplicate");
  BOOST_TEST(version_of(store, "k") == 4);
}
