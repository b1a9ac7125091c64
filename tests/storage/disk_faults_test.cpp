// The storage seam (storage/disk_faults.hpp) on real LMDB, driven by the simulator's disk
// (sim/world/sim_disk.hpp): unsynced commits lost at a crash, synced ones kept, refused writes and
// commits leaving nothing behind.
#define BOOST_TEST_MODULE storage_disk_faults
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "sim/world/sim_disk.hpp"
#include "storage/lmdb_env.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::storage;
using craton::sim::SimDisk;
using craton::storage::test::TempDir;

namespace {

Environment open_env(const std::string& path, std::shared_ptr<SimDisk> disk) {
  EnvOptions o;
  o.path = path;
  o.map_size_bytes = 16u << 20;
  o.no_sync = true;  // like the simulator: the disk, not the host, decides what survives
  o.faults = std::move(disk);
  auto env = Environment::open(o);
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  return std::move(env).value();
}

std::string get(Environment& env, Database db, const std::string& key) {
  auto txn = env.begin_read();
  BOOST_REQUIRE(txn.ok());
  auto v = txn->get(db, key);
  BOOST_REQUIRE(v.ok());
  return *v ? std::string(**v) : std::string("<absent>");
}

Status write(Environment& env, Database db, const std::string& key, const std::string& value,
             Durability d) {
  auto txn = env.begin_write();
  if (!txn) return txn.error();
  if (auto s = value.empty() ? Status(Ok{}) : txn->put(db, key, value); !s) return s;
  if (value.empty())
    if (auto s = txn->del(db, key); !s) return s.error();
  return txn->commit(d);
}

}  // namespace

BOOST_AUTO_TEST_CASE(crash_loses_deferred_commits_and_keeps_full_ones) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  {
    auto env = open_env(dir.sub("env"), disk);
    auto db = env.database("t");
    BOOST_REQUIRE(db.ok());
    BOOST_REQUIRE(write(env, *db, "a", "1", Durability::full).ok());
    BOOST_REQUIRE(write(env, *db, "b", "1", Durability::full).ok());
    BOOST_REQUIRE(write(env, *db, "a", "2", Durability::deferred).ok());  // replaces
    BOOST_REQUIRE(write(env, *db, "c", "1", Durability::deferred).ok());  // new key
    BOOST_REQUIRE(write(env, *db, "b", "", Durability::deferred).ok());   // delete
    BOOST_REQUIRE(write(env, *db, "a", "3", Durability::deferred).ok());  // again
    BOOST_CHECK_EQUAL(get(env, *db, "a"), "3");
    BOOST_CHECK_EQUAL(disk->unsynced_records(), 4u);
  }
  disk->crash();
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  BOOST_REQUIRE(db.ok());
  BOOST_CHECK_EQUAL(get(env, *db, "a"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "b"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "c"), "<absent>");
  BOOST_CHECK_EQUAL(disk->stats().commits_lost, 4u);
  BOOST_CHECK_EQUAL(disk->unsynced_records(), 0u);
}

BOOST_AUTO_TEST_CASE(a_full_commit_makes_earlier_deferred_ones_durable) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  {
    auto env = open_env(dir.sub("env"), disk);
    auto db = env.database("t");
    BOOST_REQUIRE(db.ok());
    BOOST_REQUIRE(write(env, *db, "a", "1", Durability::deferred).ok());
    BOOST_REQUIRE(write(env, *db, "b", "1", Durability::full).ok());
    BOOST_REQUIRE(write(env, *db, "c", "1", Durability::deferred).ok());
  }
  disk->crash();
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  BOOST_REQUIRE(db.ok());
  BOOST_CHECK_EQUAL(get(env, *db, "a"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "b"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "c"), "<absent>");
}

BOOST_AUTO_TEST_CASE(a_reopen_without_crash_loses_nothing) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  {
    auto env = open_env(dir.sub("env"), disk);
    auto db = env.database("t");
    BOOST_REQUIRE(write(env, *db, "a", "1", Durability::deferred).ok());
  }
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  BOOST_CHECK_EQUAL(get(env, *db, "a"), "1");
}

BOOST_AUTO_TEST_CASE(an_aborted_transaction_leaves_no_undo_record) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  {
    auto env = open_env(dir.sub("env"), disk);
    auto db = env.database("t");
    BOOST_REQUIRE(write(env, *db, "a", "1", Durability::full).ok());
    {
      auto txn = env.begin_write();
      BOOST_REQUIRE(txn->put(*db, "a", "never").ok());
    }  // aborted
    BOOST_REQUIRE(write(env, *db, "b", "1", Durability::deferred).ok());
    BOOST_CHECK_EQUAL(disk->unsynced_records(), 1u);
  }
  disk->crash();
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  BOOST_CHECK_EQUAL(get(env, *db, "a"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "b"), "<absent>");
}

BOOST_AUTO_TEST_CASE(a_failed_sync_aborts_the_commit_and_leaves_nothing_half_applied) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  BOOST_REQUIRE(db.ok());
  BOOST_REQUIRE(write(env, *db, "a", "1", Durability::full).ok());
  disk->fail_next_sync();
  {
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn->put(*db, "a", "2").ok());
    BOOST_REQUIRE(txn->put(*db, "b", "2").ok());
    auto s = txn->commit(Durability::full);
    BOOST_REQUIRE(!s.ok());
    BOOST_CHECK_EQUAL(s.error().code, "storage");
    BOOST_CHECK_MESSAGE(s.error().message.find("fsync") != std::string::npos, s.error().message);
  }
  BOOST_CHECK(disk->injected());
  BOOST_CHECK_EQUAL(get(env, *db, "a"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "b"), "<absent>");
  BOOST_CHECK_EQUAL(disk->unsynced_records(), 0u);
  // Once: the next commit succeeds.
  BOOST_CHECK(write(env, *db, "b", "3", Durability::full).ok());
  BOOST_CHECK_EQUAL(get(env, *db, "b"), "3");
}

BOOST_AUTO_TEST_CASE(a_full_disk_refuses_writes_and_commits_cleanly) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  BOOST_REQUIRE(db.ok());
  BOOST_REQUIRE(write(env, *db, "a", "1", Durability::full).ok());
  {
    auto txn = env.begin_write();
    BOOST_REQUIRE(txn->put(*db, "b", "1").ok());
    disk->set_full(true);
    auto put = txn->put(*db, "c", "1");
    BOOST_REQUIRE(!put.ok());
    BOOST_CHECK_EQUAL(put.error().code, "no_space");
    auto commit = txn->commit(Durability::deferred);
    BOOST_REQUIRE(!commit.ok());
    BOOST_CHECK_EQUAL(commit.error().code, "no_space");
  }
  auto del = write(env, *db, "a", "", Durability::full);
  BOOST_CHECK(!del.ok());
  BOOST_CHECK_EQUAL(get(env, *db, "a"), "1");
  BOOST_CHECK_EQUAL(get(env, *db, "b"), "<absent>");
  BOOST_CHECK_EQUAL(get(env, *db, "c"), "<absent>");
  // Opening a database that exists writes nothing, so a full disk lets it through.
  BOOST_CHECK(env.database("t").ok());
  disk->clear_faults();
  BOOST_CHECK(write(env, *db, "c", "2", Durability::full).ok());
  BOOST_CHECK_EQUAL(get(env, *db, "c"), "2");
}

BOOST_AUTO_TEST_CASE(cursor_deletes_and_clear_are_undone_by_a_crash) {
  TempDir dir;
  auto disk = std::make_shared<SimDisk>("n1", nullptr);
  {
    auto env = open_env(dir.sub("env"), disk);
    auto db = env.database("t");
    BOOST_REQUIRE(db.ok());
    {
      auto txn = env.begin_write();
      for (auto k : {"a", "b", "c"}) BOOST_REQUIRE(txn->put(*db, k, "1").ok());
      BOOST_REQUIRE(txn->commit(Durability::full).ok());
    }
    {
      auto txn = env.begin_write();
      {
        auto c = txn->cursor(*db);
        BOOST_REQUIRE(c.ok());
        BOOST_REQUIRE(c->first().ok());
        BOOST_REQUIRE(c->del_current().ok());  // a
      }
      BOOST_REQUIRE(txn->commit(Durability::deferred).ok());
    }
    {
      auto txn = env.begin_write();
      BOOST_REQUIRE(txn->clear(*db).ok());
      BOOST_REQUIRE(txn->commit(Durability::deferred).ok());
    }
    BOOST_CHECK_EQUAL(get(env, *db, "b"), "<absent>");
  }
  disk->crash();
  auto env = open_env(dir.sub("env"), disk);
  auto db = env.database("t");
  for (auto k : {"a", "b", "c"}) BOOST_CHECK_EQUAL(get(env, *db, k), "1");
}
