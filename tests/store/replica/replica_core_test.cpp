// The replica core (actors/store/replica/replica.hpp) driven without CAF: three replicas on real
// LMDB in temporary directories, messages carried by an in-test loop, time as explicit ticks.
#define BOOST_TEST_MODULE store_replica
#include <boost/test/unit_test.hpp>

#include <deque>
#include <map>
#include <set>

#include "actors/store/replica/replica.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage;
using craton::raft::NodeId;

namespace {

class Cluster {
 public:
  explicit Cluster(std::vector<NodeId> ids, std::size_t pending_max = 4096) : ids_(ids) {
    for (auto id : ids_) {
      configs_[id] = config(id, pending_max);
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
  bool up(NodeId id) const { return nodes_.count(id) > 0; }

  /// Flushes every replica and delivers messages until the network is quiet (bounded).
  void pump() {
    for (int round = 0; round < 1000; ++round) {
      for (auto& [id, node] : nodes_) collect(node->flush());
      if (wire_.empty()) return;
      while (!wire_.empty()) {
        auto m = std::move(wire_.front());
        wire_.pop_front();
        if (up(m.to) && !isolated_.count(m.to) && !isolated_.count(m.from))
          collect(at(m.to).step(std::move(m)));
      }
    }
    BOOST_FAIL("network never went quiet");
  }

  /// One tick (kTickMs of time: the replicas' clock advances with it, for leases).
  void tick() {
    now_ms_ += kTickMs;
    for (auto& [id, node] : nodes_) node->advance_clock(now_ms_);
    for (auto& [id, node] : nodes_) collect(node->tick());
    pump();
  }
  static constexpr std::int64_t kTickMs = 100;  ///< ReplicaConfig's default tick_ms
  std::int64_t now_ms() const { return now_ms_; }

  /// The leader among the connected replicas (an isolated one may still believe it leads).
  NodeId leader() const {
    for (auto& [id, node] : nodes_)
      if (node->raft().role() == raft::Role::leader && !isolated_.count(id)) return id;
    return 0;
  }

  /// Drops every message to or from `id` until heal().
  void isolate(NodeId id) { isolated_.insert(id); }
  void heal() { isolated_.clear(); }

  NodeId wait_leader() {
    for (int i = 0; i < 500 && leader() == 0; ++i) tick();
    BOOST_REQUIRE(leader() != 0);
    return leader();
  }

  std::uint64_t submit(NodeId to, StoreRequest request) {
    auto id = next_request_++;
    collect(at(to).submit(id, std::move(request)));
    pump();
    return id;
  }

  /// Ticks until request `id` is answered (bounded).
  StoreReply await(std::uint64_t id) {
    for (int i = 0; i < 200 && !replies_.count(id); ++i) tick();
    BOOST_REQUIRE_MESSAGE(replies_.count(id), "request " << id << " never answered");
    return replies_.at(id);
  }

  StoreReply call(NodeId to, StoreRequest request) { return await(submit(to, std::move(request))); }

  /// A write with a client session (see storage/session_table.hpp), answered later.
  std::uint64_t submit(NodeId to, StoreRequest request, ClientSession session) {
    auto id = next_request_++;
    collect(at(to).submit(id, std::move(request), session));
    pump();
    return id;
  }

  bool answered(std::uint64_t id) const { return replies_.count(id) > 0; }

  /// Starts a replica that joins the running cluster (no voters of its own), like
  /// `craton store --join`.
  void join(NodeId id) {
    configs_[id] = config(id, 4096);
    configs_[id].voters.clear();
    start(id);
  }
  static std::string address_of(NodeId id) { return "127.0.0.1:" + std::to_string(2378 + id); }
  /// A watch request from `stream` to replica `to`; returns its request id.
  std::uint64_t watch(NodeId to, StreamId stream, StoreRequest request) {
    auto id = next_request_++;
    collect(at(to).watch(id, stream, std::move(request)));
    pump();
    return id;
  }
  /// Submits several requests to one replica before anything is flushed (one apply batch).
  void submit_burst(NodeId to, std::vector<StoreRequest> requests) {
    for (auto& r : requests) collect(at(to).submit(next_request_++, std::move(r)));
    pump();
  }
  /// Watch responses delivered so far, then forgotten.
  std::vector<WatchDelivery> take_watch() { return std::exchange(watch_, {}); }
  std::vector<StreamId> closed_streams() const { return closed_; }
  std::optional<StoreReply> reply(std::uint64_t id) const {
    if (!replies_.count(id)) return std::nullopt;
    return replies_.at(id);
  }
  ReplicaConfig& config_of(NodeId id) { return configs_[id]; }

 private:
  ReplicaConfig config(NodeId id, std::size_t pending_max) {
    ReplicaConfig c;
    c.id = id;
    c.voters = ids_;
    for (auto v : ids_) c.peer_addresses[v] = address_of(v);
    c.data_dir = dir_.sub("replica-" + std::to_string(id));
    c.seed = 42;
    c.no_sync = true;  // a process crash loses nothing without fsync; tests need no OS crash
    c.map_size_bytes = 64 << 20;
    c.pending_max = pending_max;
    c.request_timeout_ticks = 150;
    return c;
  }

  void collect(ReplicaOutput out) {
    for (auto& m : out.messages) wire_.push_back(std::move(m));
    for (auto& w : out.watch) watch_.push_back(std::move(w));
    for (auto s : out.closed_streams) closed_.push_back(s);
    for (auto& r : out.replies) {
      BOOST_REQUIRE_MESSAGE(!replies_.count(r.request_id), "request answered twice");
      replies_[r.request_id] = std::move(r.reply);
    }
  }

  test::TempDir dir_;
  std::vector<NodeId> ids_;
  std::map<NodeId, ReplicaConfig> configs_;
  std::map<NodeId, std::unique_ptr<Replica>> nodes_;
  std::deque<raft::Message> wire_;
  std::map<std::uint64_t, StoreReply> replies_;
  std::uint64_t next_request_ = 1;
  std::set<NodeId> isolated_;
  std::int64_t now_ms_ = 1'000'000;  ///< any start: only differences matter
  std::vector<WatchDelivery> watch_;
  std::vector<StreamId> closed_;
};

StoreRequest put(std::string key, std::string value) {
  return WriteRequest{PutRequest{std::move(key), std::move(value), 0, false}};
}

StoreRequest get(std::string key, bool serializable = false) {
  RangeRequest r;
  r.key = std::move(key);
  return ReadRequest{r, serializable};
}

std::int64_t put_revision(const StoreReply& reply) {
  BOOST_REQUIRE_MESSAGE(!reply.error, (reply.error ? reply.error->message : ""));
  return std::get<PutResponse>(std::get<WriteResponse>(reply.body)).header_revision;
}

std::string value_of(const StoreReply& reply) {
  BOOST_REQUIRE_MESSAGE(!reply.error, (reply.error ? reply.error->message : ""));
  const auto& range = std::get<RangeResponse>(reply.body);
  return range.kvs.empty() ? "<missing>" : range.kvs.front().value;
}

std::string local_value(Replica& r, const std::string& key) {
  auto range = r.mvcc().range(RangeRequest{key, "", 0, 0, false, false});
  BOOST_REQUIRE(range.ok());
  return range->kvs.empty() ? "<missing>" : range->kvs.front().value;
}

}  // namespace

BOOST_AUTO_TEST_CASE(leader_elected_and_followers_agree) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  for (NodeId id : {1, 2, 3}) {
    for (int i = 0; i < 5 && c.at(id).raft().lead() != lead; ++i) c.tick();
    BOOST_TEST(c.at(id).raft().lead() == lead);
    auto status = c.at(id).status();
    BOOST_TEST(status.role == (id == lead ? "leader" : "follower"));
    BOOST_TEST(status.voters.size() == 3u);
  }
}

BOOST_AUTO_TEST_CASE(puts_commit_and_apply_on_every_replica) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  std::int64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    auto rev = put_revision(c.call(lead, put("key" + std::to_string(i), "v" + std::to_string(i))));
    BOOST_TEST(rev > last);
    last = rev;
  }
  for (int i = 0; i < 5; ++i) c.tick();  // followers learn the last commit index
  for (NodeId id : {1, 2, 3}) {
    BOOST_TEST(c.at(id).mvcc().current_revision() == last);
    BOOST_TEST(local_value(c.at(id), "key19") == "v19");
    BOOST_TEST(c.at(id).status().applied_index == c.at(lead).status().applied_index);
  }
}

BOOST_AUTO_TEST_CASE(group_commit_answers_a_burst_in_one_flush) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  std::vector<std::uint64_t> ids;
  // Submitted without flushing in between: one Ready carries all of them.
  for (int i = 0; i < 50; ++i) ids.push_back(c.submit(lead, put("burst", std::to_string(i))));
  std::int64_t last = 0;
  for (auto id : ids) {
    auto rev = put_revision(c.await(id));
    BOOST_TEST(rev > last);
    last = rev;
  }
  BOOST_TEST(value_of(c.call(lead, get("burst"))) == "49");
}

BOOST_AUTO_TEST_CASE(linearizable_get_sees_last_acknowledged_put) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  put_revision(c.call(lead, put("k", "v1")));
  put_revision(c.call(lead, put("k", "v2")));
  for (NodeId id : {1, 2, 3}) BOOST_TEST(value_of(c.call(id, get("k"))) == "v2");
  put_revision(c.call(lead, put("k", "v3")));
  NodeId follower = lead == 1 ? 2 : 1;
  // The follower's ReadIndex waits until it has applied the leader's commit index.
  BOOST_TEST(value_of(c.call(follower, get("k"))) == "v3");
}

BOOST_AUTO_TEST_CASE(write_on_follower_is_redirected_to_leader) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  NodeId follower = lead == 3 ? 2 : 3;
  for (int i = 0; i < 5 && c.at(follower).raft().lead() != lead; ++i) c.tick();
  auto reply = c.call(follower, put("k", "v"));
  BOOST_REQUIRE(reply.error.has_value());
  BOOST_TEST(reply.error->code == craton::store::StoreErrorCode::not_leader);
  BOOST_TEST(reply.leader_hint == lead);
  BOOST_TEST(local_value(c.at(lead), "k") == "<missing>");
}

BOOST_AUTO_TEST_CASE(mvcc_errors_come_back_unchanged) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  auto reply = c.call(lead, put(std::string(5000, 'k'), "v"));
  BOOST_REQUIRE(reply.error.has_value());
  BOOST_TEST(reply.error->code != craton::store::StoreErrorCode::timeout);
  BOOST_TEST(reply.error->message.find("4096") != std::string::npos);
  // The cluster goes on.
  BOOST_TEST(put_revision(c.call(lead, put("ok", "v"))) > 1);
}

BOOST_AUTO_TEST_CASE(restarted_follower_catches_up_from_its_data_dir) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  for (int i = 0; i < 10; ++i) put_revision(c.call(lead, put("a" + std::to_string(i), "x")));
  NodeId follower = lead == 1 ? 2 : 1;
  for (int i = 0; i < 5; ++i) c.tick();
  c.stop(follower);
  for (int i = 0; i < 10; ++i) put_revision(c.call(lead, put("b" + std::to_string(i), "y")));
  c.start(follower);
  BOOST_TEST(local_value(c.at(follower), "a9") == "x");  // recovered from disk before any tick
  for (int i = 0; i < 50 && local_value(c.at(follower), "b9") != "y"; ++i) c.tick();
  BOOST_TEST(local_value(c.at(follower), "b9") == "y");
  BOOST_TEST(c.at(follower).mvcc().current_revision() == c.at(lead).mvcc().current_revision());
}

BOOST_AUTO_TEST_CASE(acknowledged_writes_survive_leader_restart) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  for (int i = 0; i < 10; ++i) put_revision(c.call(lead, put("k" + std::to_string(i), "v")));
  c.stop(lead);
  NodeId next = 0;
  for (int i = 0; i < 500 && (next = c.leader()) == 0; ++i) c.tick();
  BOOST_REQUIRE(next != 0);
  BOOST_TEST(next != lead);
  put_revision(c.call(next, put("after", "v")));
  c.start(lead);
  for (int i = 0; i < 50 && local_value(c.at(lead), "after") != "v"; ++i) c.tick();
  for (NodeId id : {1, 2, 3}) {
    for (int i = 0; i < 10; ++i)
      BOOST_TEST(value_of(c.call(id, get("k" + std::to_string(i), true))) == "v");
    BOOST_TEST(local_value(c.at(id), "after") == "v");
  }
}

BOOST_AUTO_TEST_CASE(write_overwritten_by_a_new_leader_is_answered_dropped) {
  Cluster c({1, 2, 3});
  auto old = c.wait_leader();
  put_revision(c.call(old, put("before", "v")));
  c.isolate(old);
  // Appended to the isolated leader's log only: they can never commit there. The new
  // leader's empty entry takes the first one's index and the "won" put the second's.
  auto lost = c.submit(old, put("lost", "x"));
  auto lost2 = c.submit(old, put("lost2", "x"));
  NodeId next = 0;
  for (int i = 0; i < 500 && (next = c.leader()) == 0; ++i) c.tick();
  BOOST_REQUIRE(next != 0);
  BOOST_TEST(next != old);
  put_revision(c.call(next, put("won", "y")));
  BOOST_TEST(!c.answered(lost));
  c.heal();
  auto reply = c.await(lost);
  BOOST_REQUIRE(reply.error.has_value());
  BOOST_TEST(reply.error->code == craton::store::StoreErrorCode::proposal_dropped);
  auto reply2 = c.await(lost2);
  BOOST_REQUIRE(reply2.error.has_value());
  BOOST_TEST(reply2.error->code == craton::store::StoreErrorCode::proposal_dropped);
  BOOST_TEST(local_value(c.at(old), "lost") == "<missing>");
  BOOST_TEST(local_value(c.at(old), "won") == "y");
}

BOOST_AUTO_TEST_CASE(single_replica_is_a_cluster) {
  Cluster c({1});
  auto lead = c.wait_leader();
  BOOST_TEST(lead == 1u);
  put_revision(c.call(1, put("solo", "yes")));
  BOOST_TEST(value_of(c.call(1, get("solo"))) == "yes");
  BOOST_TEST(value_of(c.call(1, get("solo", true))) == "yes");
  auto status = std::get<MemberStatus>(c.call(1, StatusRequest{}).body);
  BOOST_TEST(status.role == "leader");
  BOOST_TEST(status.applied_index == status.commit_index);
  BOOST_TEST(status.db_size_bytes > 0u);
}

BOOST_AUTO_TEST_CASE(pending_requests_are_bounded) {
  Cluster c({1, 2, 3}, 2);
  auto lead = c.wait_leader();
  // Straight into the core, without the loop's flush: the first two wait, the third is refused.
  auto& r = c.at(lead);
  BOOST_TEST(r.submit(101, put("a", "1")).replies.empty());
  BOOST_TEST(r.submit(102, put("b", "2")).replies.empty());
  auto out = r.submit(103, put("c", "3"));
  BOOST_REQUIRE(out.replies.size() == 1u);
  BOOST_TEST(out.replies[0].reply.error->code == craton::store::StoreErrorCode::busy);
}

BOOST_AUTO_TEST_CASE(unusable_data_dir_is_a_clear_error) {
  ReplicaConfig config;
  config.id = 1;
  config.voters = {1};
  config.data_dir = "/proc/craton-cannot-exist";
  auto r = Replica::open(config);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("/proc/craton-cannot-exist") != std::string::npos);
}

// ---------------------------------------------------------------- leases

namespace {

StoreRequest grant(std::int64_t ttl_s) {
  return WriteRequest{LeaseGrantRequest{0, ttl_s}};
}

StoreRequest put_with_lease(std::string key, std::int64_t lease) {
  return WriteRequest{PutRequest{std::move(key), "v", lease, false}};
}

std::int64_t granted_id(const StoreReply& reply) {
  BOOST_REQUIRE_MESSAGE(!reply.error, (reply.error ? reply.error->message : ""));
  return std::get<LeaseGrantResponse>(std::get<WriteResponse>(reply.body)).id;
}

const LeaseReply& lease_of(const StoreReply& reply) {
  BOOST_REQUIRE_MESSAGE(!reply.error, (reply.error ? reply.error->message : ""));
  return std::get<LeaseReply>(reply.body);
}

std::string error_code(const StoreReply& reply) {
  return reply.error ? std::string(name(reply.error->code)) : "ok";
}

void ticks_for(Cluster& c, std::int64_t ms) {
  for (std::int64_t t = 0; t < ms; t += Cluster::kTickMs) c.tick();
}

}  // namespace

BOOST_AUTO_TEST_CASE(expired_lease_deletes_its_keys_on_every_replica_through_the_log) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  c.tick();  // the leader reads the clock once before it can grant
  auto id = granted_id(c.call(lead, grant(2)));
  put_revision(c.call(lead, put_with_lease("leased", id)));
  put_revision(c.call(lead, put("plain", "v")));
  ticks_for(c, 1500);  // not yet: 2 s TTL
  for (NodeId r : {1, 2, 3}) BOOST_TEST(local_value(c.at(r), "leased") == "v");
  ticks_for(c, 1500);  // 3 s: expired at 2 s, checked every 500 ms, revoked through the log
  for (NodeId r : {1, 2, 3}) {
    BOOST_TEST(local_value(c.at(r), "leased") == "<missing>");
    BOOST_TEST(local_value(c.at(r), "plain") == "v");
    BOOST_TEST(!c.at(r).mvcc().lease(id).has_value());
    BOOST_TEST(c.at(r).leases().leases() == 0u);
    BOOST_TEST(c.at(r).mvcc().current_revision() == c.at(lead).mvcc().current_revision());
  }
  BOOST_TEST(lease_of(c.call(lead, LeaseTimeToLiveRequest{id, false})).ttl_s == -1);
}

BOOST_AUTO_TEST_CASE(keep_alive_postpones_expiry_until_it_stops) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  c.tick();
  auto id = granted_id(c.call(lead, grant(2)));
  put_revision(c.call(lead, put_with_lease("kept", id)));
  for (int round = 0; round < 20; ++round) {  // 10 s of renewals every 500 ms
    ticks_for(c, 500);
    auto renewed = lease_of(c.call(lead, LeaseKeepAliveRequest{id}));
    BOOST_TEST(renewed.id == id);
    BOOST_TEST(renewed.ttl_s == 2);
  }
  auto ttl = lease_of(c.call(lead, LeaseTimeToLiveRequest{id, true}));
  BOOST_TEST(ttl.granted_ttl_s == 2);
  BOOST_TEST(ttl.ttl_s >= 1);
  BOOST_TEST(ttl.ttl_s <= 2);
  BOOST_TEST((ttl.keys == std::vector<std::string>{"kept"}));
  for (NodeId r : {1, 2, 3}) BOOST_TEST(local_value(c.at(r), "kept") == "v");
  ticks_for(c, 3000);
  for (NodeId r : {1, 2, 3}) BOOST_TEST(local_value(c.at(r), "kept") == "<missing>");
  BOOST_TEST(error_code(c.call(lead, LeaseKeepAliveRequest{id})) == "lease_not_found");
}

BOOST_AUTO_TEST_CASE(revoke_deletes_keys_and_list_follows) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  c.tick();
  auto a = granted_id(c.call(lead, grant(60)));
  auto b = granted_id(c.call(lead, grant(60)));
  BOOST_TEST(a != b);
  put_revision(c.call(lead, put_with_lease("a1", a)));
  put_revision(c.call(lead, put_with_lease("a2", a)));
  put_revision(c.call(lead, put_with_lease("b1", b)));
  auto list = lease_of(c.call(lead, LeaseListRequest{}));
  BOOST_TEST((list.leases == std::vector<std::int64_t>{std::min(a, b), std::max(a, b)}));
  auto revoked = c.call(lead, WriteRequest{LeaseRevokeRequest{a}});
  BOOST_REQUIRE(!revoked.error);
  BOOST_TEST(std::get<LeaseRevokeResponse>(std::get<WriteResponse>(revoked.body)).deleted == 2);
  for (int i = 0; i < 3; ++i) c.tick();
  for (NodeId r : {1, 2, 3}) {
    BOOST_TEST(local_value(c.at(r), "a1") == "<missing>");
    BOOST_TEST(local_value(c.at(r), "b1") == "v");
    BOOST_TEST(c.at(r).leases().leases() == 1u);
  }
  BOOST_TEST((lease_of(c.call(lead, LeaseListRequest{})).leases == std::vector<std::int64_t>{b}));
}

BOOST_AUTO_TEST_CASE(new_leader_extends_leases_rather_than_expiring_them) {
  Cluster c({1, 2, 3});
  auto old = c.wait_leader();
  c.tick();
  auto id = granted_id(c.call(old, grant(3)));
  put_revision(c.call(old, put_with_lease("k", id)));
  ticks_for(c, 2500);  // 0.5 s left on the old leader
  c.stop(old);
  NodeId next = 0;
  for (int i = 0; i < 500 && (next = c.leader()) == 0; ++i) c.tick();
  BOOST_REQUIRE(next != 0);
  c.tick();
  auto elected_ms = c.now_ms();
  // The new leader cannot know how much TTL was used: it grants the whole TTL again plus
  // an election timeout (10 ticks of 100 ms).
  auto expiry = c.at(next).leases().expiry_ms(id);
  BOOST_REQUIRE(expiry.has_value());
  BOOST_TEST(*expiry >= elected_ms - Cluster::kTickMs + 1000 + 3000);
  ticks_for(c, 3500);
  BOOST_TEST(local_value(c.at(next), "k") == "v");  // the old leader's deadline is long past
  ticks_for(c, 2000);
  BOOST_TEST(local_value(c.at(next), "k") == "<missing>");
}

BOOST_AUTO_TEST_CASE(bad_lease_requests_are_refused_and_change_nothing) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  c.tick();
  auto follower = NodeId(lead == 1 ? 2 : 1);
  auto id = granted_id(c.call(lead, grant(0)));  // raised to the 2 s minimum
  BOOST_TEST(c.at(lead).mvcc().lease(id)->ttl_s == 2);
  auto revision = c.at(lead).mvcc().current_revision();

  BOOST_TEST(error_code(c.call(lead, grant(-1))) == "invalid");
  BOOST_TEST(error_code(c.call(lead, grant(9'000'000'001))) == "ttl_too_large");
  BOOST_TEST(error_code(c.call(lead, WriteRequest{LeaseGrantRequest{id, 5}})) == "lease_exists");
  BOOST_TEST(error_code(c.call(lead, WriteRequest{LeaseGrantRequest{-4, 5}})) == "invalid");
  auto orphan = c.call(lead, put_with_lease("orphan", 424242));
  BOOST_TEST(error_code(orphan) == "lease_not_found");
  BOOST_TEST(error_code(c.call(lead, WriteRequest{LeaseRevokeRequest{424242}})) ==
             "lease_not_found");
  BOOST_TEST(error_code(c.call(lead, LeaseKeepAliveRequest{424242})) == "lease_not_found");
  BOOST_TEST(lease_of(c.call(lead, LeaseTimeToLiveRequest{424242, true})).ttl_s == -1);

  for (StoreRequest r :
       {StoreRequest{LeaseKeepAliveRequest{id}}, StoreRequest{LeaseTimeToLiveRequest{id, false}},
        StoreRequest{LeaseListRequest{}}, grant(5)}) {
    auto reply = c.call(follower, r);
    BOOST_TEST(error_code(reply) == "not_leader");
    BOOST_TEST(reply.leader_hint == lead);
  }
  for (int i = 0; i < 3; ++i) c.tick();
  for (NodeId r : {1, 2, 3}) {
    BOOST_TEST(c.at(r).mvcc().current_revision() == revision);
    BOOST_TEST(local_value(c.at(r), "orphan") == "<missing>");
    BOOST_TEST(c.at(r).mvcc().leases().size() == 1u);
  }
}

// ---- Membership and leader transfer (replica_members.hpp) ----

namespace {

StoreRequest member(MemberChangeKind kind, NodeId id, std::string address = {}) {
  return MemberChangeRequest{kind, id, std::move(address)};
}

const MemberList& members_of(const StoreReply& reply) {
  BOOST_REQUIRE_MESSAGE(
      !reply.error,
      (reply.error ? std::string(name(reply.error->code)) + ": " + reply.error->message : ""));
  return std::get<MemberList>(reply.body);
}

std::set<NodeId> voters_of(Replica& r) {
  return r.raft().membership().voters;
}

}  // namespace

BOOST_AUTO_TEST_CASE(learner_joins_catches_up_and_is_promoted) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  for (int i = 0; i < 10; ++i) put_revision(c.call(lead, put("k" + std::to_string(i), "v")));
  auto added = members_of(c.call(lead, member(MemberChangeKind::add_learner, 4, "127.0.0.1:2382")));
  BOOST_TEST(added.members.size() == 4u);
  BOOST_TEST(added.members.back().learner);
  BOOST_TEST(added.members.back().address == "127.0.0.1:2382");
  c.join(4);
  for (int i = 0; i < 20; ++i) c.tick();
  BOOST_TEST(local_value(c.at(4), "k9") == "v");
  BOOST_TEST(c.at(4).status().role == "learner");
  // The joined replica learned every address from the log (bootstrap entries included).
  auto addresses = c.at(4).member_addresses();
  BOOST_TEST(addresses.size() == 4u);
  BOOST_TEST(addresses[2] == Cluster::address_of(2));
  BOOST_TEST(addresses[4] == "127.0.0.1:2382");
  auto promoted = members_of(c.call(lead, member(MemberChangeKind::promote, 4)));
  BOOST_TEST(!promoted.members.back().learner);
  for (int i = 0; i < 5; ++i) c.tick();
  BOOST_TEST(voters_of(c.at(4)).size() == 4u);
  BOOST_TEST(c.at(4).status().role == "follower");
  put_revision(c.call(lead, put("after", "promotion")));
  for (int i = 0; i < 5; ++i) c.tick();
  BOOST_TEST(local_value(c.at(4), "after") == "promotion");
}

BOOST_AUTO_TEST_CASE(promoting_a_lagging_learner_is_refused) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  members_of(c.call(lead, member(MemberChangeKind::add_learner, 4, "127.0.0.1:2382")));
  // Replica 4 never starts: it cannot catch up.
  put_revision(c.call(lead, put("k", "v")));
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::promote, 4))) == "learner_not_ready");
  BOOST_TEST(voters_of(c.at(lead)).size() == 3u);
  BOOST_TEST(c.at(lead).raft().membership().is_learner(4));
  // A learner that never caught up can still be removed.
  auto list = members_of(c.call(lead, member(MemberChangeKind::remove, 4)));
  BOOST_TEST(list.members.size() == 3u);
}

BOOST_AUTO_TEST_CASE(refused_member_changes_change_nothing) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  NodeId follower = lead == 1 ? 2 : 1;
  auto before = c.at(lead).raft().membership();
  auto index_before = c.at(lead).raft().log().last_index();
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::add_voter, 2, "127.0.0.1:2999"))) ==
             "member_exists");
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::add_learner, 4, "nohost"))) ==
             "bad_address");
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::add_learner, 4, "127.0.0.1:0"))) ==
             "bad_address");
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::add_voter, 4,
                                            Cluster::address_of(3)))) == "address_in_use");
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::remove, 9))) == "member_unknown");
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::promote, 2))) == "not_learner");
  BOOST_TEST(error_code(c.call(lead, member(MemberChangeKind::promote, 9))) == "member_unknown");
  auto redirected = c.call(follower, member(MemberChangeKind::remove, 3));
  BOOST_TEST(error_code(redirected) == "not_leader");
  BOOST_TEST(redirected.leader_hint == lead);
  BOOST_TEST((c.at(lead).raft().membership() == before));
  BOOST_TEST(c.at(lead).raft().log().last_index() == index_before);
  // One change at a time: a second one while the first is unapplied is refused.
  auto first = c.at(lead).submit(1000, member(MemberChangeKind::add_learner, 4, "127.0.0.1:2382"));
  BOOST_TEST(first.replies.empty());
  auto second = c.at(lead).submit(1001, member(MemberChangeKind::add_learner, 5, "127.0.0.1:2383"));
  BOOST_REQUIRE(second.replies.size() == 1u);
  BOOST_TEST(error_code(second.replies[0].reply) == "change_in_progress");
}

BOOST_AUTO_TEST_CASE(the_last_voter_cannot_be_removed) {
  Cluster c({1});
  c.wait_leader();
  BOOST_TEST(error_code(c.call(1, member(MemberChangeKind::remove, 1))) == "last_voter");
  BOOST_TEST(voters_of(c.at(1)).size() == 1u);
  put_revision(c.call(1, put("still", "serving")));
}

BOOST_AUTO_TEST_CASE(removed_follower_learns_it_and_refuses_requests) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  NodeId gone = lead == 3 ? 2 : 3;
  auto list = members_of(c.call(lead, member(MemberChangeKind::remove, gone)));
  BOOST_TEST(list.members.size() == 2u);
  for (int i = 0; i < 5; ++i) c.tick();
  BOOST_TEST(c.at(gone).removed());
  BOOST_TEST(error_code(c.call(gone, get("k", true))) == "removed");
  BOOST_TEST(!c.at(lead).removed());
  BOOST_TEST(c.at(lead).member_addresses().count(gone) == 0u);
  // Two voters left: writes still commit.
  put_revision(c.call(lead, put("k", "v")));
}

BOOST_AUTO_TEST_CASE(removing_the_leader_elects_another) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  put_revision(c.call(lead, put("before", "removal")));
  members_of(c.call(lead, member(MemberChangeKind::remove, lead)));
  BOOST_TEST(c.at(lead).removed());
  c.stop(lead);  // the shell shuts a removed replica down
  NodeId next = 0;
  for (int i = 0; i < 200 && next == 0; ++i) {
    c.tick();
    next = c.leader();
  }
  BOOST_REQUIRE(next != 0);
  BOOST_TEST(next != lead);
  BOOST_TEST(voters_of(c.at(next)).size() == 2u);
  put_revision(c.call(next, put("after", "removal")));
  BOOST_TEST(value_of(c.call(next, get("before"))) == "removal");
}

BOOST_AUTO_TEST_CASE(leadership_moves_to_the_named_voter_in_one_term) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  put_revision(c.call(lead, put("k", "v")));
  NodeId target = lead == 1 ? 3 : 1;
  auto term = c.at(lead).raft().term();
  auto reply = c.call(lead, TransferLeaderRequest{target});
  BOOST_TEST(error_code(reply) == "ok");
  BOOST_TEST(reply.leader_hint == target);
  BOOST_TEST(c.leader() == target);
  BOOST_TEST(c.at(target).raft().term() == term + 1);
  BOOST_TEST(error_code(c.call(target, TransferLeaderRequest{9})) == "not_voter");
  BOOST_TEST(error_code(c.call(lead, TransferLeaderRequest{target})) == "not_leader");
}

BOOST_AUTO_TEST_CASE(graceful_shutdown_hands_leadership_to_the_most_up_to_date_voter) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  NodeId behind = lead == 1 ? 2 : 1;
  NodeId ahead = 6 - lead - behind;
  c.isolate(behind);
  put_revision(c.call(lead, put("k", "v")));  // only `ahead` holds it
  BOOST_TEST(c.at(ahead + 0).raft().term() == c.at(lead).raft().term());
  auto term = c.at(lead).raft().term();
  BOOST_TEST(c.at(lead).transfer_to_best_voter() == ahead);
  c.pump();
  BOOST_TEST(c.leader() == ahead);
  BOOST_TEST(c.at(ahead).raft().term() == term + 1);
  BOOST_TEST(c.at(behind).transfer_to_best_voter() == 0u);  // not a leader
}

// ---- client sessions: a write is applied once however many copies arrive

BOOST_AUTO_TEST_CASE(duplicated_write_in_flight_is_applied_once) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  ClientSession s{77, 1, 1};
  // Both copies are proposed before either is applied (as a network duplicate would be).
  auto first = c.submit(lead, put("k", "v"), s);
  auto second = c.submit(lead, put("k", "v"), s);
  put_revision(c.await(first));
  auto dup = c.await(second);
  BOOST_REQUIRE(dup.error.has_value());
  BOOST_TEST(dup.error->code == craton::store::StoreErrorCode::duplicate);
  for (int i = 0; i < 5; ++i) c.tick();
  for (NodeId id : {1, 2, 3}) {
    auto range = c.at(id).mvcc().range(RangeRequest{"k", "", 0, 0, false, false});
    BOOST_REQUIRE(range.ok());
    BOOST_TEST(range->kvs.front().version == 1);  // applied once on every replica
  }
}

BOOST_AUTO_TEST_CASE(late_duplicate_is_refused_without_a_proposal) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  put_revision(c.await(c.submit(lead, put("k", "v"), ClientSession{77, 1, 1})));
  auto index = c.at(lead).raft().log().last_index();
  auto dup = c.await(c.submit(lead, put("k", "v"), ClientSession{77, 1, 1}));
  BOOST_REQUIRE(dup.error.has_value());
  BOOST_TEST(dup.error->code == craton::store::StoreErrorCode::duplicate);
  BOOST_TEST(c.at(lead).raft().log().last_index() == index);
  auto bad = c.await(c.submit(lead, put("k", "w"), ClientSession{0, 1, 1}));
  BOOST_REQUIRE(bad.error.has_value());
  BOOST_TEST(bad.error->code == craton::store::StoreErrorCode::invalid);
  BOOST_TEST(local_value(c.at(lead), "k") == "v");
}

BOOST_AUTO_TEST_CASE(sessions_survive_a_restart_of_every_replica) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  put_revision(c.await(c.submit(lead, put("k", "v"), ClientSession{77, 1, 1})));
  for (int i = 0; i < 5; ++i) c.tick();
  for (NodeId id : {1, 2, 3}) c.stop(id);
  for (NodeId id : {1, 2, 3}) c.start(id);
  lead = c.wait_leader();
  auto dup = c.await(c.submit(lead, put("k", "v"), ClientSession{77, 1, 1}));
  BOOST_REQUIRE(dup.error.has_value());
  BOOST_TEST(dup.error->code == craton::store::StoreErrorCode::duplicate);
  put_revision(c.await(c.submit(lead, put("k", "w"), ClientSession{77, 2, 2})));
  auto range = c.at(lead).mvcc().range(RangeRequest{"k", "", 0, 0, false, false});
  BOOST_REQUIRE(range.ok());
  BOOST_TEST(range->kvs.front().version == 2);
}

BOOST_AUTO_TEST_CASE(writes_without_a_session_are_not_deduplicated) {
  Cluster c({1});
  auto lead = c.wait_leader();
  put_revision(c.call(lead, put("k", "v")));
  put_revision(c.call(lead, put("k", "v")));
  auto range = c.at(lead).mvcc().range(RangeRequest{"k", "", 0, 0, false, false});
  BOOST_REQUIRE(range.ok());
  BOOST_TEST(range->kvs.front().version == 2);
}

// ---- watches (Replica::watch, replica_watches.hpp) ----

namespace {

StoreRequest watch_prefix(std::string prefix, std::int64_t start = 0, bool progress = false) {
  WatchRequest w;
  w.key = prefix;
  w.range_end = prefix_end(prefix);
  w.start_revision = start;
  w.progress_notify = progress;
  return WatchCreate{w};
}

/// The revisions of every event delivered to `stream` for the watch created by `creator`.
std::vector<std::int64_t> event_revisions(const std::vector<WatchDelivery>& ds, StreamId stream,
                                          std::uint64_t creator) {
  std::vector<std::int64_t> out;
  for (const auto& d : ds)
    if (d.stream == stream && d.request_id == creator)
      for (const auto& e : d.response.events) out.push_back(e.kv.mod_revision);
  return out;
}

std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> out;
  for (auto r = first; r <= last; ++r) out.push_back(r);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(watch_from_a_past_revision_on_a_follower_then_live) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  NodeId follower = lead == 1 ? 2 : 1;
  for (int i = 0; i < 5; ++i) put_revision(c.call(lead, put("w/" + std::to_string(i), "v")));
  c.tick();  // the follower learns the commit index and applies
  auto create = c.watch(follower, 7, watch_prefix("w/", 3));
  BOOST_TEST(!c.reply(create).has_value());  // a create's success is its `created` response
  for (int i = 0; i < 3; ++i) put_revision(c.call(lead, put("w/x", std::to_string(i))));
  put_revision(c.call(lead, put("other", "v")));  // not matched
  c.tick();
  auto ds = c.take_watch();
  BOOST_REQUIRE(!ds.empty());
  BOOST_TEST(ds.front().response.created);
  BOOST_TEST(ds.front().request_id == create);
  // Revisions 2..6 are the first five puts; 3..6 from the past, 7..9 live, 10 is "other".
  BOOST_TEST(event_revisions(ds, 7, create) == range(3, 9));
}

BOOST_AUTO_TEST_CASE(watch_from_a_compacted_revision_is_canceled_with_compact_revision) {
  Cluster c({1});
  auto lead = c.wait_leader();
  for (int i = 0; i < 5; ++i) put_revision(c.call(lead, put("k", std::to_string(i))));
  BOOST_REQUIRE(!c.call(lead, WriteRequest{CompactionRequest{4}}).error);
  c.watch(lead, 1, watch_prefix("k", 2));
  auto ds = c.take_watch();
  BOOST_REQUIRE(ds.size() == 2u);
  BOOST_TEST(ds[0].response.created);
  BOOST_TEST(ds[1].response.canceled);
  BOOST_TEST(ds[1].response.compact_revision == 4);
}

BOOST_AUTO_TEST_CASE(compaction_in_the_same_apply_batch_does_not_cancel_synced_watches) {
  Cluster c({1});
  auto lead = c.wait_leader();
  auto create = c.watch(lead, 1, watch_prefix("k"));
  // Puts at revisions 2..4 and a compaction at 4, committed and applied together.
  c.submit_burst(lead,
                 {put("k", "a"), put("k", "b"), put("k", "c"), WriteRequest{CompactionRequest{4}}});
  auto ds = c.take_watch();
  for (const auto& d : ds) BOOST_TEST(!d.response.canceled);
  BOOST_TEST(event_revisions(ds, 1, create) == range(2, 4));
}

BOOST_AUTO_TEST_CASE(cancel_stops_a_watch_and_is_acknowledged) {
  Cluster c({1});
  auto lead = c.wait_leader();
  auto create = c.watch(lead, 1, watch_prefix("k"));
  auto created = c.take_watch();
  BOOST_REQUIRE(created.size() == 1u);
  auto id = created[0].response.watch_id;
  put_revision(c.call(lead, put("k", "1")));
  auto cancel = c.watch(lead, 1, WatchCancel{id});
  BOOST_REQUIRE(c.reply(cancel).has_value());
  BOOST_TEST(!c.reply(cancel)->error.has_value());
  put_revision(c.call(lead, put("k", "2")));
  auto ds = c.take_watch();
  BOOST_TEST(event_revisions(ds, 1, create) == range(2, 2));
  BOOST_REQUIRE(!ds.empty());
  BOOST_TEST(ds.back().response.canceled);
  BOOST_TEST(ds.back().request_id == create);
  auto again = c.watch(lead, 1, WatchCancel{id});
  BOOST_TEST(c.reply(again)->error->code == craton::store::StoreErrorCode::watch_not_found);
  // Another stream cannot cancel it either.
  c.watch(lead, 2, watch_prefix("k"));
  auto foreign = c.watch(lead, 2, WatchCancel{999});
  BOOST_TEST(c.reply(foreign)->error->code == craton::store::StoreErrorCode::watch_not_found);
}

BOOST_AUTO_TEST_CASE(progress_requests_and_progress_notify) {
  Cluster c({1});
  auto lead = c.wait_leader();
  auto create = c.watch(lead, 1, watch_prefix("k", 0, true));
  put_revision(c.call(lead, put("other", "v")));
  c.take_watch();
  auto req = c.watch(lead, 1, WatchProgress{});
  BOOST_TEST(!c.reply(req)->error.has_value());
  auto ds = c.take_watch();
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].request_id == 0u);  // stream-wide: for every watch of the stream
  BOOST_TEST(ds[0].response.watch_id == kProgressWatchId);
  BOOST_TEST(ds[0].response.header_revision == 2);
  // progress_notify: one per period for a watch that got no events.
  for (int i = 0; i < c.config_of(lead).watch_progress_ticks; ++i) {
    c.tick();
    if (i % 20 == 0) c.watch(lead, 1, WatchProgress{});  // keep the stream alive
  }
  bool notified = false;
  for (const auto& d : c.take_watch())
    if (d.request_id == create && d.response.is_progress()) notified = true;
  BOOST_TEST(notified);
}

BOOST_AUTO_TEST_CASE(many_watchers_each_see_every_event_in_order) {
  Cluster c({1, 2, 3});
  auto lead = c.wait_leader();
  std::map<std::pair<NodeId, StreamId>, std::uint64_t> creators;
  for (NodeId id : {1, 2, 3})
    for (StreamId s = 1; s <= 20; ++s) creators[{id, s}] = c.watch(id, s, watch_prefix("m/"));
  for (int i = 0; i < 30; ++i) put_revision(c.call(lead, put("m/" + std::to_string(i % 7), "v")));
  for (int i = 0; i < 3; ++i) c.tick();
  // The deliveries of all three replicas, split per replica by request id (unique per test).
  auto ds = c.take_watch();
  for (const auto& [who, creator] : creators)
    BOOST_TEST(event_revisions(ds, who.second, creator) == range(2, 31));
}

BOOST_AUTO_TEST_CASE(idle_streams_are_closed_and_streams_are_bounded) {
  Cluster c({1});
  auto lead = c.wait_leader();
  c.config_of(lead).watch_streams_max = 2;
  c.config_of(lead).watch_idle_ticks = 10;
  c.stop(lead);
  c.start(lead);
  lead = c.wait_leader();
  c.watch(lead, 1, watch_prefix("k"));
  c.watch(lead, 2, watch_prefix("k"));
  auto refused = c.watch(lead, 3, watch_prefix("k"));
  BOOST_TEST(c.reply(refused)->error->code == craton::store::StoreErrorCode::too_many_streams);
  for (int i = 0; i < 15; ++i) {
    c.tick();
    c.watch(lead, 2, WatchProgress{});  // stream 2 keeps alive, stream 1 is silent
  }
  BOOST_TEST(c.closed_streams() == std::vector<StreamId>{1});
  BOOST_TEST(c.at(lead).watch_streams() == 1u);
  auto admitted = c.watch(lead, 3, watch_prefix("k"));
  BOOST_TEST(!c.reply(admitted).has_value());
  BOOST_TEST(c.at(lead).watch_hub().watchers() == 2u);
}
