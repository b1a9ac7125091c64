#define BOOST_TEST_MODULE storage_lmdb
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <thread>

#include "storage/lmdb_env.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::storage;
using craton::storage::test::TempDir;

namespace {

Environment open_env(const std::string& path, std::size_t map_size = 64u << 20) {
  auto env = Environment::open(EnvOptions{path, map_size, 4, 126, false});
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  return std::move(env).value();
}

std::string get_string(Environment& env, Database db, const std::string& key) {
  auto txn = env.begin_read();
  BOOST_REQUIRE(txn.ok());
  auto v = txn->get(db, key);
  BOOST_REQUIRE(v.ok());
  return *v ? std::string(**v) : std::string("<absent>");
}

}  // namespace

BOOST_AUTO_TEST_CASE(put_commit_get_and_reopen) {
  TempDir dir;
  {
    auto env = open_env(dir.sub("env"));
    auto db = env.database("things");
    BOOST_REQUIRE(db.ok());
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn.ok());
    BOOST_REQUIRE(txn->put(*db, "a", "1").ok());
    BOOST_REQUIRE(txn->commit().ok());
    BOOST_CHECK_EQUAL(get_string(env, *db, "a"), "1");
  }
  auto env = open_env(dir.sub("env"));
  auto db = env.database("things");
  BOOST_REQUIRE(db.ok());
  BOOST_CHECK_EQUAL(get_string(env, *db, "a"), "1");
  BOOST_CHECK_EQUAL(get_string(env, *db, "b"), "<absent>");
}

BOOST_AUTO_TEST_CASE(uncommitted_write_is_aborted_at_scope_exit) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto db = env.database("things");
  BOOST_REQUIRE(db.ok());
  {
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn->put(*db, "a", "1").ok());
  }
  BOOST_CHECK_EQUAL(get_string(env, *db, "a"), "<absent>");
  // The writer lock was released: a new write transaction can begin.
  auto txn = env.begin_write();
  BOOST_CHECK(txn.ok());
}

BOOST_AUTO_TEST_CASE(cursor_walks_in_byte_order_and_deletes) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto db = env.database("things");
  BOOST_REQUIRE(db.ok());
  {
    auto txn = env.begin_write();
    for (const char* k : {"b", "a", "ab", "c"}) BOOST_REQUIRE(txn->put(*db, k, k).ok());
    BOOST_REQUIRE(txn->commit().ok());
  }
  {
    auto txn = env.begin_read();
    auto cursor = txn->cursor(*db);
    BOOST_REQUIRE(cursor.ok());
    std::string seen;
    for (auto rec = cursor->first(); rec.ok() && *rec; rec = cursor->next()) {
      seen += std::string((*rec)->key) + ",";
    }
    BOOST_CHECK_EQUAL(seen, "a,ab,b,c,");
    auto at = cursor->seek("aa");
    BOOST_REQUIRE(at.ok() && *at);
    BOOST_CHECK_EQUAL((*at)->key, "ab");
    auto past = cursor->seek("d");
    BOOST_REQUIRE(past.ok());
    BOOST_CHECK(!*past);
  }
  {
    auto txn = env.begin_write();
    auto cursor = txn->cursor(*db);
    auto rec = cursor->seek("ab");
    BOOST_REQUIRE(rec.ok() && *rec);
    BOOST_REQUIRE(cursor->del_current().ok());
    auto next = cursor->next();
    BOOST_REQUIRE(next.ok() && *next);
    BOOST_CHECK_EQUAL((*next)->key, "b");  // the record after the deleted one, none skipped
  }                                        // aborted: the delete is undone
  BOOST_CHECK_EQUAL(get_string(env, *db, "ab"), "ab");
  auto txn = env.begin_read();
  auto n = txn->count(*db);
  BOOST_REQUIRE(n.ok());
  BOOST_CHECK_EQUAL(*n, 4u);
}

BOOST_AUTO_TEST_CASE(map_full_is_a_no_space_error_and_nothing_lands) {
  TempDir dir;
  auto env = open_env(dir.sub("env"), 1u << 20);  // 1 MiB map
  auto db = env.database("things");
  BOOST_REQUIRE(db.ok());
  auto txn = env.begin_write();
  std::string big(64 * 1024, 'x');
  Status st = Ok{};
  for (int i = 0; i < 64 && st.ok(); ++i) st = txn->put(*db, "k" + std::to_string(i), big);
  BOOST_REQUIRE(!st.ok());
  BOOST_CHECK_EQUAL(st.error().code, "no_space");
  BOOST_CHECK(st.error().message.find("map size") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(oversized_key_is_too_large) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto db = env.database("things");
  auto txn = env.begin_write();
  auto st = txn->put(*db, std::string(600, 'k'), "v");
  BOOST_REQUIRE(!st.ok());
  BOOST_CHECK_EQUAL(st.error().code, "too_large");
}

BOOST_AUTO_TEST_CASE(bad_database_names_are_refused) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  BOOST_CHECK_EQUAL(env.database("").error().code, "invalid");
  BOOST_CHECK_EQUAL(env.database(std::string(65, 'n')).error().code, "invalid");
}

BOOST_AUTO_TEST_CASE(read_transactions_are_not_tied_to_a_thread) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto db = env.database("things");
  {
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn->put(*db, "a", "1").ok());
    BOOST_REQUIRE(txn->commit().ok());
  }
  // Without MDB_NOTLS a second reader in the same thread fails with MDB_BAD_RSLOT.
  auto r1 = env.begin_read();
  auto r2 = env.begin_read();
  BOOST_REQUIRE(r1.ok());
  BOOST_REQUIRE(r2.ok());
  // A reader begun here can be used and ended on another thread (CAF migrates actors).
  std::string seen;
  std::thread other([&] {
    auto v = r1->get(*db, "a");
    if (v.ok() && *v) seen = std::string(**v);
    ReadTxn moved = std::move(r1).value();
  });
  other.join();
  BOOST_CHECK_EQUAL(seen, "1");
}

BOOST_AUTO_TEST_CASE(compacting_copy_is_smaller_and_readable) {
  TempDir dir;
  auto env = open_env(dir.sub("env"));
  auto db = env.database("things");
  std::string value(1000, 'v');
  {
    auto txn = env.begin_write();
    for (int i = 0; i < 2000; ++i)
      BOOST_REQUIRE(txn->put(*db, "k" + std::to_string(i), value).ok());
    BOOST_REQUIRE(txn->commit().ok());
  }
  {
    auto txn = env.begin_write();
    for (int i = 0; i < 1990; ++i) BOOST_REQUIRE(txn->del(*db, "k" + std::to_string(i)).ok());
    BOOST_REQUIRE(txn->commit().ok());
  }
  std::filesystem::create_directories(dir.sub("copy"));
  BOOST_REQUIRE(env.copy_compact(dir.sub("copy")).ok());
  auto before = std::filesystem::file_size(dir.sub("env") + "/data.mdb");
  auto after = std::filesystem::file_size(dir.sub("copy") + "/data.mdb");
  BOOST_TEST_MESSAGE("data.mdb " << before << " -> " << after);
  BOOST_CHECK_LT(after * 4, before);
  auto copy = open_env(dir.sub("copy"));
  auto cdb = copy.database("things");
  BOOST_REQUIRE(cdb.ok());
  BOOST_CHECK_EQUAL(get_string(copy, *cdb, "k1995"), value);
  BOOST_CHECK_EQUAL(get_string(copy, *cdb, "k5"), "<absent>");
  auto stats = copy.stats();
  BOOST_REQUIRE(stats.ok());
  BOOST_CHECK_EQUAL(stats->stale_readers_cleared, 0);
  BOOST_CHECK_GT(stats->used_bytes, 0u);
}

BOOST_AUTO_TEST_CASE(relaxed_sync_modes_keep_committed_data_across_reopen) {
  TempDir dir;
  for (int mode = 0; mode < 2; ++mode) {
    std::string path = dir.sub("env" + std::to_string(mode));
    EnvOptions options{path, 16u << 20, 2, 126, mode == 0, mode == 1};
    {
      auto env = Environment::open(options);
      BOOST_REQUIRE(env.ok());
      auto db = env->database("things");
      auto txn = env->begin_write();
      BOOST_REQUIRE(txn->put(*db, "a", "1").ok());
      BOOST_REQUIRE(txn->commit().ok());
      BOOST_REQUIRE(env->sync().ok());
    }
    auto env = open_env(path);
    auto db = env.database("things");
    BOOST_REQUIRE(db.ok());
    BOOST_CHECK_EQUAL(get_string(env, *db, "a"), "1");
  }
}

// A deferred commit must leave the environment as it found it: the toggle it uses
// (MDB_NOMETASYNC) is environment-wide, and leaking it would quietly make every later commit
// of the Raft log skip its meta sync.
BOOST_AUTO_TEST_CASE(deferred_commit_is_visible_and_does_not_leak_into_later_commits) {
  TempDir dir;
  {
    auto env = open_env(dir.sub("env"));
    auto db = env.database("things");
    BOOST_REQUIRE(db.ok());
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn.ok());
    BOOST_REQUIRE(txn->put(*db, "k", "deferred").ok());
    BOOST_REQUIRE(txn->commit(Durability::deferred).ok());
    unsigned flags = 0;
    BOOST_REQUIRE_EQUAL(mdb_env_get_flags(env.raw(), &flags), 0);
    BOOST_CHECK_EQUAL(flags & MDB_NOMETASYNC, 0u);
    BOOST_CHECK_EQUAL(get_string(env, *db, "k"), "deferred");
  }
  // An environment opened with no_meta_sync keeps it after a deferred commit.
  auto env = Environment::open(EnvOptions{dir.sub("env"), 64u << 20, 4, 126, false, true});
  BOOST_REQUIRE(env.ok());
  auto db = env->database("things");
  BOOST_REQUIRE(db.ok());
  BOOST_CHECK_EQUAL(get_string(*env, *db, "k"), "deferred");  // survived the reopen
  auto txn = env->begin_write();
  BOOST_REQUIRE(txn.ok());
  BOOST_REQUIRE(txn->put(*db, "k2", "v").ok());
  BOOST_REQUIRE(txn->commit(Durability::deferred).ok());
  unsigned flags = 0;
  BOOST_REQUIRE_EQUAL(mdb_env_get_flags(env->raw(), &flags), 0);
  BOOST_CHECK(flags & MDB_NOMETASYNC);
}
