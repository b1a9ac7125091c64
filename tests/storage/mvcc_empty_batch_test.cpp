// An empty apply_batch (the replica's flushes that commit nothing: ticks, follower appends,
// leader proposals) must not cost a write transaction and its fsync, yet must still take
// pending compaction garbage along, as any other write transaction does.
#define BOOST_TEST_MODULE storage_mvcc_empty_batch
#include <boost/test/unit_test.hpp>

#include <lmdb.h>

#include <string>

#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::storage;
using namespace craton::storage::test;

namespace {

// LMDB's id of the last committed write transaction: it grows by one per commit.
std::size_t last_txn_id(const Environment& env) {
  MDB_envinfo info{};
  BOOST_REQUIRE_EQUAL(mdb_env_info(env.raw(), &info), 0);
  return info.me_last_txnid;
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_batch_commits_nothing) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto store = open_store(env);
  must(store.put(put_req("a", "1")));
  auto before = last_txn_id(env);
  for (int i = 0; i < 5; ++i) BOOST_CHECK(store.apply_batch({}).empty());
  BOOST_CHECK_EQUAL(last_txn_id(env), before);
  // A non-empty batch still commits (the check above can tell the difference).
  std::vector<IndexedWrite> one{{1, put_req("b", "2")}};
  auto results = store.apply_batch(one);
  BOOST_REQUIRE_EQUAL(results.size(), 1u);
  BOOST_CHECK(results[0].ok());
  BOOST_CHECK_EQUAL(last_txn_id(env), before + 1);
  BOOST_CHECK_EQUAL(open_store(env).applied_index(), 1u);
}

BOOST_AUTO_TEST_CASE(empty_batch_still_deletes_compaction_garbage) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  MvccOptions options;
  options.compaction_batch_max = 4;
  auto store = open_store(env, options);
  for (int i = 0; i < 12; ++i) must(store.put(put_req("k", std::to_string(i))));
  must(store.compact(13));
  auto pending = store.pending_garbage();
  BOOST_REQUIRE_GT(pending, 4u);
  auto before = last_txn_id(env);
  BOOST_CHECK(store.apply_batch({}).empty());
  BOOST_CHECK_EQUAL(store.pending_garbage(), pending - 4);
  BOOST_CHECK_EQUAL(last_txn_id(env), before + 1);
}
