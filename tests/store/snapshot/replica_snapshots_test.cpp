// ReplicaSnapshots (actors/store/snapshot/replica_snapshots.hpp) through its own interface,
// without a Replica: when the log is compacted, and that nothing is compacted while a snapshot
// is being installed. (Transfers and installs through a whole Replica: replica_snapshot_test.)
#define BOOST_TEST_MODULE store_snapshots
#include <boost/test/unit_test.hpp>

#include "actors/store/snapshot/replica_snapshots.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::store;

namespace {

// A log of `count` stable entries of term 1 after a snapshot at `snapshot_index`, committed and
// applied up to `applied`.
raft::RaftLog log_of(std::uint64_t snapshot_index, std::uint64_t count, std::uint64_t applied) {
  std::vector<raft::Entry> entries;
  for (std::uint64_t i = 1; i <= count; ++i)
    entries.push_back({1, snapshot_index + i, raft::EntryType::normal, "x"});
  raft::RaftLog log(raft::SnapshotMeta{snapshot_index, 1, {1}, {}, {}}, std::move(entries));
  log.commit_to(applied);
  log.applied_to(applied);
  return log;
}

ReplicaSnapshots make(std::uint64_t snapshot_entries = 10, std::uint64_t catchup = 5,
                      std::string staging_dir = "/nonexistent/staging") {
  ReplicaSnapshotConfig config;
  config.self = 1;
  config.staging_dir = std::move(staging_dir);  // untouched until a transfer starts
  config.snapshot_entries = snapshot_entries;
  config.snapshot_catchup_entries = catchup;
  return ReplicaSnapshots(config);
}

// The index compaction_index() names, or 0 for none.
std::uint64_t index_or_0(const std::optional<std::uint64_t>& index) {
  return index.value_or(0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_log_is_compacted_past_snapshot_entries_keeping_the_catchup_entries) {
  auto snapshots = make(10, 5);
  BOOST_TEST(!snapshots.compaction_index(log_of(0, 20, 15)));  // 15 = 10 + 5: not yet
  BOOST_TEST(index_or_0(snapshots.compaction_index(log_of(0, 20, 16))) == 11u);
  BOOST_TEST(index_or_0(snapshots.compaction_index(log_of(0, 20, 20))) == 15u);
  // Counted from the last snapshot.
  BOOST_TEST(!snapshots.compaction_index(log_of(11, 9, 20)));
  BOOST_TEST(index_or_0(snapshots.compaction_index(log_of(11, 20, 27))) == 22u);
}

BOOST_AUTO_TEST_CASE(snapshot_entries_zero_never_compacts) {
  auto snapshots = make(0, 5);
  BOOST_TEST(!snapshots.compaction_index(log_of(0, 100, 100)));
}

BOOST_AUTO_TEST_CASE(nothing_is_compacted_while_a_snapshot_is_being_installed) {
  storage::test::TempDir dir;
  auto snapshots = make(10, 5, dir.sub("staging"));
  raft::Message snap{.type = raft::MessageType::snap, .from = 2, .to = 1, .term = 3};
  snap.snapshot = raft::Snapshot{};
  snap.snapshot->meta.index = 50;
  BOOST_TEST(snapshots.needs_transfer(snap, 40));
  BOOST_TEST(!snapshots.needs_transfer(snap, 50));  // the MVCC store reached it on its own
  auto heartbeat = snap;
  heartbeat.type = raft::MessageType::heartbeat;
  BOOST_TEST(!snapshots.needs_transfer(heartbeat, 40));
  auto first = snapshots.hold(std::move(snap), 1);
  BOOST_REQUIRE(first.ok());
  BOOST_REQUIRE(first->has_value());
  BOOST_TEST((*first)->to == 2u);  // asked from the leader that sent the snapshot
  BOOST_TEST(snapshots.installing());
  BOOST_TEST(snapshots.held().snapshot->meta.index == 50u);
  BOOST_TEST(!snapshots.compaction_index(log_of(0, 40, 40)));
}
