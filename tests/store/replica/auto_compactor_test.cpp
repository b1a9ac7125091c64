// AutoCompactor (actors/store/replica/auto_compactor.hpp): etcd-style compaction by retention,
// decided from explicit time and revisions; and parsing of the --auto-compaction-* flags.
#define BOOST_TEST_MODULE store_auto_compactor
#include <boost/test/unit_test.hpp>

#include "actors/store/replica/auto_compactor.hpp"

using namespace craton::store;

namespace {

AutoCompactionConfig periodic(std::int64_t retention_ms) {
  AutoCompactionConfig c;
  c.mode = AutoCompactionMode::periodic;
  c.retention_ms = retention_ms;
  return c;
}

AutoCompactionConfig by_revision(std::int64_t keep, std::int64_t interval_ms) {
  AutoCompactionConfig c;
  c.mode = AutoCompactionMode::revision;
  c.retention_revisions = keep;
  c.check_interval_ms = interval_ms;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(off_never_compacts) {
  AutoCompactor ac{AutoCompactionConfig{}};
  for (std::int64_t t = 0; t < 1'000'000; t += 1000)
    BOOST_TEST(!ac.decide(t, true, t / 10 + 1, 0).has_value());
}

BOOST_AUTO_TEST_CASE(periodic_keeps_one_retention_and_compacts_every_tenth) {
  AutoCompactor ac{periodic(10'000)};
  std::int64_t compacted = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> done;  // (time, revision)
  // The revision grows by one every 100 ms: revision = 1 + t / 100.
  for (std::int64_t t = 0; t <= 30'000; t += 100) {
    auto rev = ac.decide(t, true, 1 + t / 100, compacted);
    if (!rev) continue;
    BOOST_TEST(*rev > compacted);
    // Never newer than the revision one retention ago.
    BOOST_TEST(*rev <= 1 + (t - 10'000) / 100);
    compacted = *rev;
    done.emplace_back(t, *rev);
  }
  BOOST_REQUIRE(!done.empty());
  BOOST_TEST(done.front().first == 10'000);  // not before one retention has passed
  BOOST_TEST(done.front().second == 1);
  for (std::size_t i = 1; i < done.size(); ++i)
    BOOST_TEST(done[i].first - done[i - 1].first >= 1000);  // at most every retention/10
  BOOST_TEST(done.back().second == 1 + 20'000 / 100);
}

BOOST_AUTO_TEST_CASE(periodic_only_leaders_decide_and_a_new_leader_starts_over) {
  AutoCompactor ac{periodic(10'000)};
  for (std::int64_t t = 0; t < 9'000; t += 100) BOOST_TEST(!ac.decide(t, true, 5, 0));
  for (std::int64_t t = 9'000; t < 12'000; t += 100) BOOST_TEST(!ac.decide(t, false, 5, 0));
  // Leader again at 12 s: it has seen nothing for a full retention yet.
  for (std::int64_t t = 12'000; t < 22'000; t += 100) BOOST_TEST(!ac.decide(t, true, 6, 0));
  auto rev = ac.decide(22'000, true, 7, 0);
  BOOST_REQUIRE(rev.has_value());
  BOOST_TEST(*rev == 6);
}

BOOST_AUTO_TEST_CASE(revision_mode_keeps_the_last_revisions_checked_per_interval) {
  AutoCompactor ac{by_revision(100, 300'000)};
  BOOST_TEST(!ac.decide(0, true, 50, 0));      // fewer revisions than kept
  BOOST_TEST(!ac.decide(1000, true, 500, 0));  // not yet time to check again
  auto rev = ac.decide(300'000, true, 500, 0);
  BOOST_REQUIRE(rev.has_value());
  BOOST_TEST(*rev == 400);
  BOOST_TEST(!ac.decide(600'000, true, 450, 400));  // nothing new past the retention
  BOOST_TEST(!ac.decide(700'000, false, 900, 400));
}

BOOST_AUTO_TEST_CASE(flags_parse_like_etcd) {
  auto p = parse_auto_compaction("periodic", "1h");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->retention_ms == 3'600'000);
  BOOST_TEST(parse_auto_compaction("periodic", "30m")->retention_ms == 1'800'000);
  BOOST_TEST(parse_auto_compaction("periodic", "90s")->retention_ms == 90'000);
  BOOST_TEST(parse_auto_compaction("periodic", "2")->retention_ms == 7'200'000);  // hours
  auto r = parse_auto_compaction("revision", "1000");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->retention_revisions == 1000);
  BOOST_TEST(r->check_interval_ms == 300'000);
  BOOST_TEST(parse_auto_compaction("", "").ok());
  BOOST_TEST((parse_auto_compaction("", "")->mode == AutoCompactionMode::off));
  for (auto [mode, retention] :
       std::vector<std::pair<const char*, const char*>>{{"periodic", "x"},
                                                        {"periodic", "-1h"},
                                                        {"periodic", "1d"},
                                                        {"revision", "1h"},
                                                        {"revision", "0"},
                                                        {"hourly", "1h"},
                                                        {"", "1h"},
                                                        {"periodic", ""},
                                                        {"periodic", "999999999h"}}) {
    auto bad = parse_auto_compaction(mode, retention);
    BOOST_TEST(!bad.ok(), mode << " " << retention);
    if (!bad.ok()) BOOST_TEST(bad.error().code == "bad_flag");
  }
}

// ---- wired into a replica: the leader proposes the compaction through Raft

#include "actors/store/replica/replica.hpp"
#include "tests/storage/temp_dir.hpp"

BOOST_AUTO_TEST_CASE(single_replica_leader_compacts_by_revision_retention) {
  craton::storage::test::TempDir dir;
  ReplicaConfig config;
  config.id = 1;
  config.voters = {1};
  config.data_dir = dir.sub("replica");
  config.no_sync = true;
  config.map_size_bytes = 64 << 20;
  config.auto_compaction = by_revision(5, 1000);
  auto opened = Replica::open(config);
  BOOST_REQUIRE(opened.ok());
  auto& r = **opened;
  for (int i = 0; i < 100 && r.raft().role() != craton::raft::Role::leader; ++i) {
    r.tick();
    r.flush();
  }
  BOOST_REQUIRE(r.raft().role() == craton::raft::Role::leader);
  for (int i = 0; i < 20; ++i) {
    r.submit(100 + i, craton::storage::WriteRequest{craton::storage::PutRequest{"k", "v"}});
    r.flush();
  }
  BOOST_TEST(r.mvcc().current_revision() == 21);
  auto proposed = r.auto_compact(0);
  BOOST_REQUIRE(proposed.has_value());
  BOOST_TEST(*proposed == 16);
  r.flush();
  BOOST_TEST(r.mvcc().compacted_revision() == 16);
  BOOST_TEST(!r.auto_compact(500).has_value());  // before the next check
}
