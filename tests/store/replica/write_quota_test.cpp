// The write quota (actors/store/replica/write_quota.hpp): its pure rules, and a one-replica Replica
// on real LMDB whose leader refuses writes past --quota-backend-bytes before proposing them while
// reads, deletes and compactions still pass, and accepts writes again once a compaction frees
// data. No CAF; time is explicit ticks.
#define BOOST_TEST_MODULE store_write_quota
#include <boost/test/unit_test.hpp>

#include "actors/store/replica/replica.hpp"
#include "actors/store/replica/write_quota.hpp"
#include "storage/mvcc_record.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage;

namespace {

PutRequest put(std::string key, std::size_t value_bytes) {
  return PutRequest{std::move(key), std::string(value_bytes, 'v')};
}

/// One replica, a cluster of one: it elects itself after an election timeout.
class SoloReplica {
 public:
  explicit SoloReplica(std::int64_t quota_bytes) {
    ReplicaConfig c;
    c.id = 1;
    c.voters = {1};
    c.data_dir = dir_.sub("d1");
    c.seed = 7;
    c.no_sync = true;
    c.map_size_bytes = std::size_t{64} << 20;
    c.quota_bytes = quota_bytes;
    auto r = Replica::open(c);
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    replica_ = std::move(*r);
    for (int i = 0; i < 100 && replica_->raft().role() != raft::Role::leader; ++i) {
      collect(replica_->tick());
      collect(replica_->flush());
    }
    BOOST_REQUIRE(replica_->raft().role() == raft::Role::leader);
  }

  /// Submits and flushes until answered (bounded); returns the reply.
  StoreReply call(StoreRequest request) {
    auto id = next_id_++;
    collect(replica_->submit(id, std::move(request)));
    for (int i = 0; i < 100 && !replies_.count(id); ++i) collect(replica_->flush());
    BOOST_REQUIRE_MESSAGE(replies_.count(id), "request " << id << " never answered");
    return replies_.at(id);
  }
  MemberStatus status() { return std::get<MemberStatus>(call(StatusRequest{}).body); }

 private:
  void collect(ReplicaOutput out) {
    for (auto& r : out.replies) replies_[r.request_id] = std::move(r.reply);
  }

  test::TempDir dir_;
  std::unique_ptr<Replica> replica_;
  std::map<std::uint64_t, StoreReply> replies_;
  std::uint64_t next_id_ = 1;
};

std::string error_code(const StoreReply& r) {
  return r.error ? std::string(name(r.error->code)) : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_write_costs_what_the_mvcc_store_charges_and_space_recovery_costs_nothing) {
  BOOST_TEST(write_cost_bytes(WriteRequest{put("k", 100)}) == record_bytes(1, 100));
  TxnRequest txn;
  txn.success = {put("a", 10), put("b", 10), DeleteRangeRequest{"c", ""}};
  txn.failure = {put("c", 50)};
  BOOST_TEST(write_cost_bytes(WriteRequest{txn}) == 2 * record_bytes(1, 10));  // larger branch
  txn.failure = {put("c", 500)};
  BOOST_TEST(write_cost_bytes(WriteRequest{txn}) == record_bytes(1, 500));
  BOOST_TEST(write_cost_bytes(WriteRequest{LeaseGrantRequest{1, 10}}) > 0);
  BOOST_TEST(write_cost_bytes(WriteRequest{DeleteRangeRequest{"a", "z"}}) == 0);
  BOOST_TEST(write_cost_bytes(WriteRequest{CompactionRequest{5}}) == 0);
  BOOST_TEST(write_cost_bytes(WriteRequest{LeaseRevokeRequest{1}}) == 0);
}

BOOST_AUTO_TEST_CASE(admission_stops_at_the_quota_exactly) {
  auto cost = record_bytes(1, 100);
  WriteRequest w{put("k", 100)};
  BOOST_TEST(admit_write(w, 1000 - cost, 1000).ok());
  auto refused = admit_write(w, 1000 - cost + 1, 1000);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().code == "no_space");
  BOOST_TEST(refused.error().message.find("quota") != std::string::npos);
  BOOST_TEST(admit_write(WriteRequest{DeleteRangeRequest{"k", ""}}, 5000, 1000).ok());
}

BOOST_AUTO_TEST_CASE(the_flag_defaults_to_2_gib_and_stops_at_half_the_map) {
  const std::size_t map = std::size_t{8} << 30;
  BOOST_TEST(quota_from_flag(0, map).value() == kDefaultQuotaBytes);
  BOOST_TEST(quota_from_flag(65536, map).value() == 65536);
  BOOST_TEST(quota_from_flag(std::uint64_t{4} << 30, map).value() == std::int64_t{4} << 30);
  auto above = quota_from_flag((std::uint64_t{4} << 30) + 1, map);
  BOOST_REQUIRE(!above.ok());
  BOOST_TEST(above.error().code == "bad_flag");
  BOOST_TEST(above.error().message.find("map size") != std::string::npos);
  // A map too small for the default: 0 means the largest quota it allows.
  BOOST_TEST(quota_from_flag(0, std::size_t{1} << 30).value() == std::int64_t{512} << 20);
}

BOOST_AUTO_TEST_CASE(a_full_leader_refuses_writes_but_serves_reads_deletes_and_compaction) {
  SoloReplica r(16 * 1024);
  int written = 0;
  StoreReply last;
  for (; written < 100; ++written) {
    last = r.call(WriteRequest{put("k" + std::to_string(written), 1000)});
    if (last.error) break;
  }
  BOOST_TEST(written > 5);
  BOOST_TEST(written < 100);
  BOOST_TEST(error_code(last) == "no_space");
  auto status = r.status();
  BOOST_TEST(status.quota_bytes == 16 * 1024);
  BOOST_TEST(status.data_bytes <= 16 * 1024);
  std::int64_t revision = status.revision;

  auto read = r.call(ReadRequest{RangeRequest{"k0", ""}, false});
  BOOST_REQUIRE(!read.error);
  BOOST_TEST(std::get<RangeResponse>(read.body).kvs.size() == 1u);
  auto del = r.call(WriteRequest{DeleteRangeRequest{"k", "l"}});
  BOOST_REQUIRE(!del.error);
  // A delete writes tombstones: nothing is freed until a compaction drops the history.
  BOOST_TEST(error_code(r.call(WriteRequest{put("again", 1000)})) == "no_space");
  auto compact = r.call(WriteRequest{CompactionRequest{revision + 1}});
  BOOST_REQUIRE_MESSAGE(!compact.error, (compact.error ? compact.error->message : ""));
  BOOST_TEST(r.status().data_bytes == 0);
  BOOST_TEST(!r.call(WriteRequest{put("again", 1000)}).error);
}
