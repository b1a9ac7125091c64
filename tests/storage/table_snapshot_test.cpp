#define BOOST_TEST_MODULE storage_table_snapshot
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "storage/byte_codec.hpp"
#include "storage/snapshot_staging.hpp"
#include "storage/table_export.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::storage;
using craton::storage::test::TempDir;

namespace {

using Tables = std::map<std::string, std::map<std::string, std::string>>;

Environment open_env(const std::string& path) {
  auto env = Environment::open(EnvOptions{path, 64u << 20, 8, 126, true});
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  return std::move(env).value();
}

void put(Environment& env, const std::string& table, const std::string& key,
         const std::string& value) {
  auto db = env.database(table);
  BOOST_REQUIRE(db.ok());
  auto txn = env.begin_write();
  BOOST_REQUIRE(txn.ok());
  BOOST_REQUIRE(txn->put(*db, key, value).ok());
  BOOST_REQUIRE(txn->commit().ok());
}

// Every record of every named table of `env`.
Tables dump(Environment& env) {
  Tables out;
  auto names = list_tables(env);
  BOOST_REQUIRE(names.ok());
  for (const auto& name : *names) {
    auto db = env.database(name);
    BOOST_REQUIRE(db.ok());
    auto txn = env.begin_read();
    BOOST_REQUIRE(txn.ok());
    auto cursor = txn->cursor(*db);
    BOOST_REQUIRE(cursor.ok());
    auto& table = out[name];
    for (auto r = cursor->first(); r.ok() && r->has_value(); r = cursor->next())
      table[std::string((*r)->key)] = std::string((*r)->value);
  }
  return out;
}

// Moves the whole export of `from` into a staging area, chunk by chunk.
SnapshotStaging transfer(Environment& from, const std::string& staging_path,
                         std::size_t chunk_bytes, int* chunks = nullptr) {
  auto exp = TableExport::begin(from, {"raft_log"});
  BOOST_REQUIRE(exp.ok());
  auto staging = SnapshotStaging::create({staging_path, 64u << 20, {"raft_log"}, 16});
  BOOST_REQUIRE(staging.ok());
  TablePosition at;
  for (int n = 1;; ++n) {
    auto chunk = exp->next(at, chunk_bytes);
    BOOST_REQUIRE(chunk.ok());
    BOOST_REQUIRE(staging->add(chunk->records).ok());
    at = chunk->last;
    if (chunk->done) {
      if (chunks) *chunks = n;
      break;
    }
  }
  return std::move(*staging);
}

Tables sample(Environment& env, int keys) {
  for (int i = 0; i < keys; ++i) {
    put(env, "mvcc_kv", "k" + std::to_string(1000 + i), std::string(50, char('a' + i % 26)));
    if (i % 3 == 0) put(env, "sessions", "s" + std::to_string(i), "v" + std::to_string(i));
  }
  put(env, "mvcc_meta", "applied_index", "42");
  put(env, "raft_log", "entry", "leader's log: must not travel");
  return dump(env);
}

}  // namespace

BOOST_AUTO_TEST_CASE(install_replaces_every_table_but_the_excluded_ones) {
  TempDir dir;
  auto leader = open_env(dir.sub("leader"));
  auto follower = open_env(dir.sub("follower"));
  auto want = sample(leader, 200);
  put(follower, "mvcc_kv", "stale", "old");
  put(follower, "only_here", "x", "y");
  put(follower, "raft_log", "entry", "follower's own log");

  int chunks = 0;
  auto staging = transfer(leader, dir.sub("staging"), 300, &chunks);
  BOOST_TEST(chunks > 10);  // small chunks: the export really was resumed many times
  BOOST_TEST(staging.records() == want["mvcc_kv"].size() + want["sessions"].size() + 1);
  BOOST_REQUIRE(staging.install(follower).ok());

  auto got = dump(follower);
  BOOST_TEST((got["mvcc_kv"] == want["mvcc_kv"]));
  BOOST_TEST((got["sessions"] == want["sessions"]));
  BOOST_TEST((got["mvcc_meta"] == want["mvcc_meta"]));
  BOOST_TEST(got["only_here"].empty());
  BOOST_TEST(got["raft_log"]["entry"] == "follower's own log");
}

BOOST_AUTO_TEST_CASE(export_is_one_consistent_view) {
  TempDir dir;
  auto leader = open_env(dir.sub("leader"));
  auto want = sample(leader, 20);
  auto exp = TableExport::begin(leader, {"raft_log"});
  BOOST_REQUIRE(exp.ok());
  put(leader, "mvcc_kv", "k1005", "changed after the export began");
  put(leader, "mvcc_kv", "zz", "added after the export began");
  Tables got;
  TablePosition at;
  for (;;) {
    auto chunk = exp->next(at, 64);
    BOOST_REQUIRE(chunk.ok());
    BOOST_REQUIRE(decode_table_records(chunk->records, [&](auto t, auto k, auto v) -> Status {
                    got[std::string(t)][std::string(k)] = std::string(v);
                    return Ok{};
                  }).ok());
    // Asking again for the same position gives the same chunk (lost or duplicated fetches).
    auto again = exp->next(at, 64);
    BOOST_REQUIRE(again.ok());
    BOOST_TEST(again->records == chunk->records);
    at = chunk->last;
    if (chunk->done) break;
  }
  want.erase("raft_log");
  BOOST_TEST((got == want));
}

BOOST_AUTO_TEST_CASE(bad_chunks_change_nothing) {
  TempDir dir;
  auto staging = SnapshotStaging::create({dir.sub("staging"), 16u << 20, {"raft_log"}, 2});
  BOOST_REQUIRE(staging.ok());
  ByteWriter good;
  good.u8(1);
  good.bytes("t1");
  good.bytes("k");
  good.bytes("v");
  BOOST_REQUIRE(staging->add(good.str()).ok());

  std::string truncated = good.str() + good.str().substr(1, 5);
  BOOST_TEST(staging->add(truncated).error().code == "malformed");
  BOOST_TEST(staging->add("").error().code == "malformed");  // no version byte
  ByteWriter excluded;
  excluded.u8(1);
  excluded.bytes("t1");
  excluded.bytes("k2");
  excluded.bytes("v");
  excluded.bytes("raft_log");
  excluded.bytes("k");
  excluded.bytes("v");
  BOOST_TEST(staging->add(excluded.str()).error().code == "malformed");
  ByteWriter too_many;  // t1 is staged already: t2 fits, t3 is one table too many
  too_many.u8(1);
  for (const char* t : {"t2", "t3"}) {
    too_many.bytes(t);
    too_many.bytes("k");
    too_many.bytes("v");
  }
  BOOST_TEST(staging->add(too_many.str()).error().code == "malformed");
  ByteWriter empty_key;
  empty_key.u8(1);
  empty_key.bytes("t1");
  empty_key.bytes("");
  empty_key.bytes("v");
  BOOST_TEST(staging->add(empty_key.str()).error().code == "malformed");
  BOOST_TEST(staging->records() == 1u);

  auto target = open_env(dir.sub("target"));
  BOOST_REQUIRE(staging->install(target).ok());
  auto got = dump(target);
  BOOST_TEST(got.size() == 1u);
  BOOST_TEST(got["t1"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(create_discards_an_interrupted_transfer) {
  TempDir dir;
  auto leader = open_env(dir.sub("leader"));
  sample(leader, 10);
  { auto interrupted = transfer(leader, dir.sub("staging"), 100); }
  auto fresh = SnapshotStaging::create({dir.sub("staging"), 16u << 20, {"raft_log"}, 16});
  BOOST_REQUIRE(fresh.ok());
  BOOST_TEST(fresh->records() == 0u);
  auto target = open_env(dir.sub("target"));
  put(target, "mvcc_kv", "keep?", "no: an empty snapshot empties the tables");
  BOOST_REQUIRE(fresh->install(target).ok());
  BOOST_TEST(dump(target)["mvcc_kv"].empty());
  BOOST_REQUIRE(SnapshotStaging::discard(dir.sub("staging")).ok());
  BOOST_TEST(!std::filesystem::exists(dir.sub("staging")));
}
