// Snapshots in the replica core (actors/store/snapshot/replica_snapshots.hpp): log compaction,
// restart after compaction, a far-behind follower catching up through a chunked snapshot transfer,
// and a crash halfway through an install. Real LMDB in temporary directories, no CAF; messages
// (Raft and snapshot transfer alike) are carried by an in-test loop, time is explicit ticks.
#define BOOST_TEST_MODULE store_replica_snapshot
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <variant>

#include "actors/store/replica/replica.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage;
using craton::raft::NodeId;

namespace {

using Wire = std::variant<raft::Message, SnapshotFetch, SnapshotChunk>;

NodeId to_of(const Wire& w) {
  return std::visit([](const auto& m) { return m.to; }, w);
}

class SnapCluster {
 public:
  SnapCluster(std::vector<NodeId> ids, std::uint64_t snapshot_entries,
              std::uint64_t catchup_entries)
      : ids_(ids) {
    for (auto id : ids_) {
      ReplicaConfig c;
      c.id = id;
      c.voters = ids_;
      c.data_dir = dir_.sub("replica-" + std::to_string(id));
      c.seed = 7;
      c.no_sync = true;
      c.map_size_bytes = 64 << 20;
      c.request_timeout_ticks = 150;
      c.snapshot_entries = snapshot_entries;
      c.snapshot_catchup_entries = catchup_entries;
      c.snapshot_transfer.chunk_bytes_max = 2048;  // many chunks even for a small state
      c.snapshot_transfer.fetch_timeout_ticks = 5;
      configs_[id] = c;
      start(id);
    }
  }

  void start(NodeId id) {
    auto r = Replica::open(configs_[id]);
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    nodes_[id] = std::move(*r);
  }
  void stop(NodeId id) { nodes_.erase(id); }
  Replica& at(NodeId id) { return *nodes_.at(id); }
  const ReplicaConfig& config(NodeId id) { return configs_.at(id); }

  /// Chunks for which this returns false are lost on the wire.
  std::function<bool(const SnapshotChunk&)> chunk_filter;
  /// The chunks answering one fetch travel in reverse order.
  bool reverse_chunks = false;
  std::size_t fetches_sent = 0;

  void pump() {
    for (int round = 0; round < 2000; ++round) {
      for (auto& [id, node] : nodes_) collect(node->flush());
      if (wire_.empty()) return;
      while (!wire_.empty()) {
        auto w = std::move(wire_.front());
        wire_.pop_front();
        if (!nodes_.count(to_of(w)) || isolated.count(to_of(w))) continue;
        auto& r = at(to_of(w));
        if (auto* m = std::get_if<raft::Message>(&w)) {
          collect(r.step(std::move(*m)));
        } else if (auto* f = std::get_if<SnapshotFetch>(&w)) {
          collect(r.step_snapshot_fetch(*f));
        } else {
          auto& chunk = std::get<SnapshotChunk>(w);
          if (!chunk_filter || chunk_filter(chunk)) collect(r.step_snapshot_chunk(chunk));
        }
      }
    }
    BOOST_FAIL("network never went quiet");
  }

  void tick() {
    for (auto& [id, node] : nodes_) collect(node->tick());
    pump();
  }

  NodeId wait_leader() {
    for (int i = 0; i < 500; ++i) {
      for (auto& [id, node] : nodes_)
        if (node->raft().role() == raft::Role::leader) return id;
      tick();
    }
    BOOST_FAIL("no leader");
    return 0;
  }

  /// Puts key<i> = value for i in [from, to), `burst` at a time, each burst acknowledged.
  void write(NodeId lead, int from, int to, const std::string& value, int burst = 25) {
    for (int i = from; i < to; i += burst) {
      std::vector<std::uint64_t> ids;
      for (int j = i; j < std::min(to, i + burst); ++j) {
        auto id = next_request_++;
        ids.push_back(id);
        collect(at(lead).submit(id, WriteRequest{PutRequest{key(j), value, 0, false}}));
      }
      pump();
      for (auto id : ids) {
        for (int t = 0; t < 50 && !replies_.count(id); ++t) tick();
        BOOST_REQUIRE_MESSAGE(replies_.count(id) && !replies_.at(id).error,
                              "put " << id << " not acknowledged");
      }
    }
  }

  static std::string key(int i) { return "key" + std::to_string(100000 + i); }

 private:
 public:
  /// Replicas that receive nothing (a partition), and every watch delivery so far.
  std::set<NodeId> isolated;
  std::vector<WatchDelivery> watch;
  void collect(ReplicaOutput out) {
    for (auto& d : out.watch) watch.push_back(std::move(d));
    for (auto& m : out.messages) wire_.push_back(std::move(m));
    for (auto& f : out.fetches) wire_.push_back(std::move(f));
    fetches_sent += out.fetches.size();
    if (reverse_chunks) std::reverse(out.chunks.begin(), out.chunks.end());
    for (auto& c : out.chunks) wire_.push_back(std::move(c));
    for (auto& r : out.replies) replies_[r.request_id] = std::move(r.reply);
  }

  test::TempDir dir_;
  std::vector<NodeId> ids_;
  std::map<NodeId, ReplicaConfig> configs_;
  std::map<NodeId, std::unique_ptr<Replica>> nodes_;
  std::deque<Wire> wire_;
  std::map<std::uint64_t, StoreReply> replies_;
  std::uint64_t next_request_ = 1;
};

std::string local_value(const Replica& r, const std::string& key) {
  auto range = r.mvcc().range(RangeRequest{key, "", 0, 0, false, false});
  BOOST_REQUIRE(range.ok());
  return range->kvs.empty() ? "<missing>" : range->kvs.front().value;
}

std::uint64_t log_length(const Replica& r) {
  return r.raft().log().last_index() - r.raft().log().snapshot_index();
}

}  // namespace

BOOST_AUTO_TEST_CASE(log_stays_bounded_and_survives_restart) {
  SnapCluster c({1, 2, 3}, 40, 20);
  auto lead = c.wait_leader();
  std::uint64_t longest = 0;
  for (int round = 0; round < 12; ++round) {
    c.write(lead, round * 50, round * 50 + 50, "v1");
    for (NodeId id : {1, 2, 3}) longest = std::max(longest, log_length(c.at(id)));
  }
  // 600 writes; the log never holds much more than snapshot + catch-up entries (+ one burst).
  BOOST_TEST(longest <= 40u + 20u + 60u);
  for (NodeId id : {1, 2, 3}) {
    BOOST_TEST(c.at(id).raft().log().snapshot_index() > 400u);
    BOOST_TEST(c.at(id).snapshots_installed() == 0u);  // nobody fell behind
  }
  for (NodeId id : {1, 2, 3}) c.stop(id);
  for (NodeId id : {1, 2, 3}) c.start(id);
  for (NodeId id : {1, 2, 3}) {
    BOOST_TEST(c.at(id).raft().log().snapshot_index() > 400u);  // restarted from the snapshot
    BOOST_TEST(log_length(c.at(id)) <= 120u);
    BOOST_TEST(local_value(c.at(id), SnapCluster::key(0)) == "v1");
    BOOST_TEST(local_value(c.at(id), SnapCluster::key(599)) == "v1");
  }
  lead = c.wait_leader();
  c.write(lead, 600, 650, "v2");
  for (int i = 0; i < 10; ++i) c.tick();
  for (NodeId id : {1, 2, 3}) BOOST_TEST(local_value(c.at(id), SnapCluster::key(649)) == "v2");
}

BOOST_AUTO_TEST_CASE(far_behind_follower_catches_up_through_a_snapshot) {
  SnapCluster c({1, 2, 3}, 30, 10);
  auto lead = c.wait_leader();
  c.write(lead, 0, 20, "early");
  for (int i = 0; i < 5; ++i) c.tick();
  NodeId follower = lead == 1 ? 2 : 1;
  c.stop(follower);
  c.write(lead, 20, 400, std::string(300, 'x'));  // ~120 KiB: dozens of 2 KiB chunks
  c.write(lead, 0, 10, "overwritten");
  BOOST_REQUIRE(c.at(lead).raft().log().snapshot_index() > 100u);  // its entries are gone
  c.start(follower);
  auto& f = c.at(follower);
  for (int i = 0; i < 300 && f.status().applied_index < c.at(lead).status().applied_index; ++i)
    c.tick();
  BOOST_TEST(f.snapshots_installed() == 1u);
  BOOST_TEST(!f.installing());
  BOOST_TEST(f.status().applied_index == c.at(lead).status().applied_index);
  BOOST_TEST(f.mvcc().current_revision() == c.at(lead).mvcc().current_revision());
  BOOST_TEST(local_value(f, SnapCluster::key(5)) == "overwritten");
  BOOST_TEST(local_value(f, SnapCluster::key(15)) == "early");
  BOOST_TEST(local_value(f, SnapCluster::key(399)) == std::string(300, 'x'));
  BOOST_TEST(!std::filesystem::exists(f.staging_dir()));
  // It serves the same data and keeps replicating normally afterwards.
  c.write(lead, 400, 420, "after");
  for (int i = 0; i < 10; ++i) c.tick();
  BOOST_TEST(local_value(c.at(follower), SnapCluster::key(419)) == "after");
  BOOST_TEST(c.at(follower).mvcc().current_revision() == c.at(lead).mvcc().current_revision());
  // And it restarts from what the install recorded.
  c.stop(follower);
  c.start(follower);
  BOOST_TEST(local_value(c.at(follower), SnapCluster::key(419)) == "after");
}

// A fetch asks for a window of chunks (SnapshotTransferConfig::window_chunks): the chunks
// arrive out of order and one is lost, yet they are stored in sequence, the lost one is asked
// for again, and the transfer needs about a quarter of the round trips of one chunk per fetch.
BOOST_AUTO_TEST_CASE(a_window_of_chunks_per_fetch_survives_reordering_and_loss) {
  SnapCluster c({1, 2, 3}, 30, 10);
  auto lead = c.wait_leader();
  NodeId follower = lead == 1 ? 2 : 1;
  c.stop(follower);
  c.write(lead, 0, 400, std::string(300, 'w'));
  c.reverse_chunks = true;
  std::uint64_t chunks = 0;
  bool lost = false;
  c.chunk_filter = [&](const SnapshotChunk& chunk) {
    if (chunk.seq == 6 && !lost) return !(lost = true);
    chunks = std::max(chunks, chunk.seq + 1);
    return true;
  };
  c.start(follower);
  for (int i = 0; i < 300 && c.at(follower).snapshots_installed() == 0; ++i) c.tick();
  auto& f = c.at(follower);
  BOOST_REQUIRE(f.snapshots_installed() == 1u);
  BOOST_TEST(lost);
  BOOST_TEST(local_value(f, SnapCluster::key(0)) == std::string(300, 'w'));
  BOOST_TEST(local_value(f, SnapCluster::key(399)) == std::string(300, 'w'));
  BOOST_TEST(f.mvcc().current_revision() == c.at(lead).mvcc().current_revision());
  BOOST_TEST(chunks > 40u);
  // ceil(chunks / 4) windows, one resend for the lost chunk, and slack for a restart.
  BOOST_TEST(c.fetches_sent <= chunks / 4 + 4, c.fetches_sent << " fetches for " << chunks);
}

// etcd's order: a follower receives a snapshot's state before its Raft sees the snapshot, so
// its Raft keeps running meanwhile. Here its transfer is stuck and the leader dies: the third
// replica needs the follower's vote to lead, and gets it (a held Raft would never answer).
BOOST_AUTO_TEST_CASE(a_follower_receiving_a_snapshot_still_votes) {
  SnapCluster c({1, 2, 3}, 30, 10);
  auto lead = c.wait_leader();
  NodeId follower = lead == 1 ? 2 : 1;
  NodeId other = 6 - lead - follower;
  c.stop(follower);
  c.write(lead, 0, 300, std::string(200, 's'));
  BOOST_REQUIRE(c.at(lead).raft().log().snapshot_index() > 100u);
  c.chunk_filter = [](const SnapshotChunk&) { return false; };  // the transfer never ends
  c.start(follower);
  for (int i = 0; i < 20 && !c.at(follower).installing(); ++i) c.tick();
  BOOST_REQUIRE(c.at(follower).installing());
  c.stop(lead);
  for (int i = 0; i < 100 && c.at(other).raft().role() != raft::Role::leader; ++i) c.tick();
  BOOST_TEST((c.at(other).raft().role() == raft::Role::leader));
  BOOST_TEST(c.at(follower).installing());
  BOOST_TEST(c.at(follower).snapshots_installed() == 0u);
  c.chunk_filter = nullptr;  // the transfer restarts from a live replica and completes
  for (int i = 0; i < 300 && c.at(follower).snapshots_installed() == 0; ++i) c.tick();
  BOOST_TEST(c.at(follower).snapshots_installed() == 1u);
  BOOST_TEST(local_value(c.at(follower), SnapCluster::key(299)) == std::string(200, 's'));
  c.write(other, 300, 310, "after");
  for (int i = 0; i < 10; ++i) c.tick();
  BOOST_TEST(local_value(c.at(follower), SnapCluster::key(309)) == "after");
}

BOOST_AUTO_TEST_CASE(crash_halfway_through_an_install_leaves_the_old_state) {
  SnapCluster c({1, 2, 3}, 30, 10);
  auto lead = c.wait_leader();
  c.write(lead, 0, 20, "old");
  for (int i = 0; i < 5; ++i) c.tick();
  NodeId follower = lead == 1 ? 2 : 1;
  auto before = c.at(follower).status().applied_index;
  c.stop(follower);
  c.write(lead, 0, 300, std::string(200, 'n'));
  // Let a few chunks through, then lose every one: the follower is stuck mid-transfer.
  int delivered = 0;
  c.chunk_filter = [&](const SnapshotChunk&) { return ++delivered <= 5; };
  c.start(follower);
  for (int i = 0; i < 40 && delivered < 5; ++i) c.tick();
  BOOST_REQUIRE(delivered >= 5);
  BOOST_TEST(c.at(follower).installing());
  BOOST_TEST(std::filesystem::exists(c.at(follower).staging_dir()));
  c.stop(follower);  // the crash

  c.chunk_filter = [](const SnapshotChunk&) { return false; };
  c.start(follower);  // reopen only: no chunk can arrive
  auto& f = c.at(follower);
  BOOST_TEST(!std::filesystem::exists(f.staging_dir()));  // discarded at open
  BOOST_TEST(f.status().applied_index == before);
  BOOST_TEST(local_value(f, SnapCluster::key(3)) == "old");
  BOOST_TEST(local_value(f, SnapCluster::key(250)) == "<missing>");

  c.chunk_filter = nullptr;  // the network recovers: the transfer restarts and completes
  for (int i = 0; i < 300 && c.at(follower).snapshots_installed() == 0; ++i) c.tick();
  BOOST_TEST(c.at(follower).snapshots_installed() == 1u);
  BOOST_TEST(local_value(c.at(follower), SnapCluster::key(250)) == std::string(200, 'n'));
}

#include <capnp/message.h>

#include "actors/store/codec/snapshot_codec.hpp"

BOOST_AUTO_TEST_CASE(transfer_messages_round_trip_and_bad_ones_are_refused) {
  SnapshotFetch fetch{3, 1, 77, 4, 1200, {"mvcc_kv", std::string("\0k", 2)}};
  capnp::MallocMessageBuilder m1;
  write_snapshot_fetch(m1.initRoot<schema::SnapshotFetch>(), fetch);
  auto f = read_snapshot_fetch(m1.getRoot<schema::SnapshotFetch>().asReader());
  BOOST_REQUIRE(f.ok());
  BOOST_TEST((*f == fetch));

  SnapshotChunk chunk;
  chunk.from = 1;
  chunk.to = 3;
  chunk.transfer_id = 77;
  chunk.seq = 4;
  chunk.applied_index = 1250;
  chunk.applied_term = 6;
  chunk.records = std::string("\1abc", 4);
  chunk.last = {"mvcc_meta", "applied_index"};
  chunk.done = true;
  capnp::MallocMessageBuilder m2;
  write_snapshot_chunk(m2.initRoot<schema::SnapshotChunk>(), chunk);
  auto c = read_snapshot_chunk(m2.getRoot<schema::SnapshotChunk>().asReader());
  BOOST_REQUIRE(c.ok());
  BOOST_TEST((*c == chunk));

  fetch.after.table = std::string(65, 't');  // longer than any table name
  capnp::MallocMessageBuilder m3;
  write_snapshot_fetch(m3.initRoot<schema::SnapshotFetch>(), fetch);
  BOOST_TEST(read_snapshot_fetch(m3.getRoot<schema::SnapshotFetch>().asReader()).error().code ==
             "malformed");
  chunk.last.key = std::string(512, 'k');  // longer than LMDB keys
  capnp::MallocMessageBuilder m4;
  write_snapshot_chunk(m4.initRoot<schema::SnapshotChunk>(), chunk);
  BOOST_TEST(read_snapshot_chunk(m4.getRoot<schema::SnapshotChunk>().asReader()).error().code ==
             "malformed");
}

// A watch on a replica that falls behind and catches up through a snapshot install still sees
// every revision once, in order (etcd's no-gap guarantee holds across the install).
BOOST_AUTO_TEST_CASE(watch_on_a_follower_sees_every_revision_across_an_install) {
  SnapCluster c({1, 2, 3}, 30, 10);
  auto lead = c.wait_leader();
  NodeId follower = lead == 1 ? 2 : 1;
  WatchRequest w;
  w.key = "key";
  w.range_end = prefix_end("key");
  w.start_revision = 1;
  c.collect(c.at(follower).watch(1, 7, WatchCreate{w}));
  c.write(lead, 0, 5, "before");
  for (int i = 0; i < 3; ++i) c.tick();
  c.isolated.insert(follower);
  c.write(lead, 5, 200, "while away");
  c.isolated.clear();
  auto& f = c.at(follower);
  for (int i = 0; i < 300 && f.status().applied_index < c.at(lead).status().applied_index; ++i)
    c.tick();
  for (int i = 0; i < 5; ++i) c.tick();
  BOOST_TEST(f.snapshots_installed() == 1u);
  std::vector<std::int64_t> seen;
  for (const auto& d : c.watch)
    for (const auto& e : d.response.events) seen.push_back(e.kv.mod_revision);
  std::vector<std::int64_t> want;
  for (std::int64_t r = 2; r <= c.at(lead).mvcc().current_revision(); ++r) want.push_back(r);
  BOOST_TEST(seen == want, boost::test_tools::per_element());
}

// A refused fetch restarts the transfer after refused_restart_ticks, not the fetch timeout:
// from the same source when it only forgot the transfer (its export expired while this
// replica was paused), from the next peer when it cannot serve the snapshot at all.
BOOST_AUTO_TEST_CASE(a_refused_transfer_restarts_soon_and_from_the_right_source) {
  test::TempDir dir;
  SnapshotTransferConfig config;
  config.fetch_timeout_ticks = 20;
  config.refused_restart_ticks = 2;
  StagingOptions staging{dir.sub("staging"), 64 << 20, config.excluded_tables};
  SnapshotReceiver receiver(config, staging, 3, 100, 1);
  auto first = receiver.start(1, 0);
  BOOST_REQUIRE(first.ok());
  auto refuse = [&](const SnapshotFetch& fetch, std::string why, std::uint64_t tick) {
    SnapshotChunk refusal;
    refusal.from = fetch.to;
    refusal.to = fetch.from;
    refusal.transfer_id = fetch.transfer_id;
    refusal.seq = fetch.seq;
    refusal.error = std::move(why);
    BOOST_REQUIRE(receiver.on_chunk(refusal, tick).ok());
  };
  const std::vector<NodeId> peers{1, 2};
  refuse(*first, kUnknownTransferRefusal, 1);
  BOOST_TEST(!receiver.tick(1, peers, 1).value().has_value());  // not yet
  auto again = receiver.tick(1, peers, 2).value();
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again->to == 1u);  // the leader only forgot: ask it again
  BOOST_TEST(again->seq == 0u);
  BOOST_TEST(again->transfer_id != first->transfer_id);
  refuse(*again, "snapshot index 100 not applied here (applied 90)", 3);
  auto third = receiver.tick(1, peers, 4).value();
  BOOST_REQUIRE(third.has_value());
  BOOST_TEST(third->to == 2u);  // that source cannot serve: the next peer
}

// With no leader known, a source that stops answering is left after one fetch timeout (it may
// be the leader that died, and any replica that applied the snapshot can serve); with a leader, the
// fetch is resent to it first.
BOOST_AUTO_TEST_CASE(a_silent_source_is_left_at_once_when_no_leader_is_known) {
  test::TempDir dir;
  SnapshotTransferConfig config;
  config.fetch_timeout_ticks = 20;
  StagingOptions staging{dir.sub("staging"), 64 << 20, config.excluded_tables};
  SnapshotReceiver receiver(config, staging, 3, 100, 1);
  auto first = receiver.start(1, 0);
  BOOST_REQUIRE(first.ok());
  const std::vector<NodeId> peers{1, 2};
  auto resent = receiver.tick(1, peers, 20).value();  // leader 1 known: resend to it
  BOOST_REQUIRE(resent.has_value());
  BOOST_TEST(resent->to == 1u);
  BOOST_TEST(resent->transfer_id == first->transfer_id);
  auto moved = receiver.tick(0, peers, 40).value();  // no leader: the next member
  BOOST_REQUIRE(moved.has_value());
  BOOST_TEST(moved->to == 2u);
  BOOST_TEST(moved->transfer_id != first->transfer_id);
}
