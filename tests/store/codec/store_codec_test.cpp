// Round trips between the store's plain types and schemas/store.capnp, plus rejection of
// malformed input (actors/store/codec/store_codec.hpp).
#define BOOST_TEST_MODULE store_codec
#include <boost/test/unit_test.hpp>

#include <capnp/message.h>

#include "actors/store/codec/store_codec.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage;

namespace {

raft::Message sample_message() {
  raft::Message m;
  m.type = raft::MessageType::app;
  m.from = 1;
  m.to = 3;
  m.term = 7;
  m.log_term = 6;
  m.index = 41;
  m.entries = {{7, 42, raft::EntryType::normal, std::string("a\0b", 3)},
               {7, 43, raft::EntryType::conf_change, "cc"}};
  m.commit = 40;
  m.reject = true;
  m.reject_hint = 12;
  m.leader_transfer = true;
  m.context = "ctx";
  raft::Snapshot snap;
  snap.meta = {30, 5, {1, 2, 3}, {4}};
  snap.data = "snapshot-bytes";
  m.snapshot = snap;
  return m;
}

void check_same(const raft::Message& a, const raft::Message& b) {
  BOOST_TEST(int(a.type) == int(b.type));
  BOOST_TEST(a.from == b.from);
  BOOST_TEST(a.to == b.to);
  BOOST_TEST(a.term == b.term);
  BOOST_TEST(a.log_term == b.log_term);
  BOOST_TEST(a.index == b.index);
  BOOST_TEST((a.entries == b.entries));
  BOOST_TEST(a.commit == b.commit);
  BOOST_TEST(a.reject == b.reject);
  BOOST_TEST(a.reject_hint == b.reject_hint);
  BOOST_TEST(a.leader_transfer == b.leader_transfer);
  BOOST_TEST(a.context == b.context);
  BOOST_TEST((a.snapshot == b.snapshot));
}

TxnRequest sample_txn() {
  TxnRequest t;
  t.compare.push_back({CompareResult::greater, CompareTarget::mod_revision, "k", "", 5, ""});
  t.compare.push_back({CompareResult::equal, CompareTarget::value, "v", "w", 0, "val"});
  t.success.push_back(PutRequest{"k", "v2", 9, true});
  t.success.push_back(RangeRequest{"a", "b", 10, 3, true, false});
  t.failure.push_back(DeleteRangeRequest{"x", "y", true});
  return t;
}

template <class T>
T round_trip_write(const WriteRequest& w) {
  auto decoded = decode_write_request(encode_write_request(w));
  BOOST_REQUIRE(decoded.ok());
  BOOST_REQUIRE(std::holds_alternative<T>(*decoded));
  return std::get<T>(*decoded);
}

}  // namespace

BOOST_AUTO_TEST_CASE(raft_message_round_trip) {
  capnp::MallocMessageBuilder message;
  auto original = sample_message();
  write_raft_message(message.initRoot<schema::RaftMessage>(), original);
  auto back = read_raft_message(message.getRoot<schema::RaftMessage>().asReader());
  BOOST_REQUIRE(back.ok());
  check_same(original, *back);

  raft::Message plain;
  plain.type = raft::MessageType::heartbeat;
  capnp::MallocMessageBuilder m2;
  write_raft_message(m2.initRoot<schema::RaftMessage>(), plain);
  auto back2 = read_raft_message(m2.getRoot<schema::RaftMessage>().asReader());
  BOOST_REQUIRE(back2.ok());
  BOOST_TEST(!back2->snapshot.has_value());
}

BOOST_AUTO_TEST_CASE(raft_message_bad_type_is_malformed) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::RaftMessage>();
  write_raft_message(b, sample_message());
  b.setType(99);
  auto back = read_raft_message(b.asReader());
  BOOST_REQUIRE(!back.ok());
  BOOST_TEST(back.error().code == "malformed");
  b.setType(0);
  BOOST_TEST(!read_raft_message(b.asReader()).ok());
  b.setType(1);
  b.getEntries()[0].setType(7);
  BOOST_TEST(!read_raft_message(b.asReader()).ok());
}

BOOST_AUTO_TEST_CASE(write_requests_round_trip) {
  auto put = round_trip_write<PutRequest>(PutRequest{std::string("k\0ey", 4), "value", 77, true});
  BOOST_TEST(put.key == std::string("k\0ey", 4));
  BOOST_TEST(put.value == "value");
  BOOST_TEST(put.lease == 77);
  BOOST_TEST(put.prev_kv);

  auto del =
      round_trip_write<DeleteRangeRequest>(DeleteRangeRequest{"a", std::string(1, '\0'), true});
  BOOST_TEST(del.range_end == std::string(1, '\0'));
  BOOST_TEST(del.prev_kv);

  auto txn = round_trip_write<TxnRequest>(sample_txn());
  BOOST_REQUIRE(txn.compare.size() == 2u);
  BOOST_TEST(int(txn.compare[0].result) == int(CompareResult::greater));
  BOOST_TEST(int(txn.compare[0].target) == int(CompareTarget::mod_revision));
  BOOST_TEST(txn.compare[0].number == 5);
  BOOST_TEST(txn.compare[1].value == "val");
  BOOST_TEST(txn.compare[1].range_end == "w");
  BOOST_REQUIRE(txn.success.size() == 2u);
  BOOST_TEST(std::get<PutRequest>(txn.success[0]).value == "v2");
  auto range = std::get<RangeRequest>(txn.success[1]);
  BOOST_TEST(range.limit == 10);
  BOOST_TEST(range.revision == 3);
  BOOST_TEST(range.keys_only);
  BOOST_REQUIRE(txn.failure.size() == 1u);
  BOOST_TEST(std::get<DeleteRangeRequest>(txn.failure[0]).range_end == "y");

  BOOST_TEST(round_trip_write<CompactionRequest>(CompactionRequest{12}).revision == 12);
  auto grant = round_trip_write<LeaseGrantRequest>(LeaseGrantRequest{5, 60});
  BOOST_TEST(grant.id == 5);
  BOOST_TEST(grant.ttl_s == 60);
  BOOST_TEST(round_trip_write<LeaseRevokeRequest>(LeaseRevokeRequest{5}).id == 5);
}

BOOST_AUTO_TEST_CASE(garbage_log_entry_is_malformed) {
  BOOST_TEST(decode_write_request("").error().code == "malformed");
  BOOST_TEST(decode_write_request("abc").error().code == "malformed");
  BOOST_TEST(decode_write_request(std::string(64, '\xff')).error().code == "malformed");
  // A valid message cut short.
  auto bytes = encode_write_request(PutRequest{"key", std::string(100, 'v'), 0, false});
  BOOST_TEST(!decode_write_request(bytes.substr(0, bytes.size() - 16)).ok());
}

BOOST_AUTO_TEST_CASE(store_request_and_reply_round_trip) {
  for (bool serializable : {false, true}) {
    capnp::MallocMessageBuilder message;
    StoreRequest request = ReadRequest{RangeRequest{"k", "l", 2, 0, false, true}, serializable};
    write_store_request(message.initRoot<schema::StoreRequest>(), request);
    auto back = read_store_request(message.getRoot<schema::StoreRequest>().asReader());
    BOOST_REQUIRE(back.ok());
    auto read = std::get<ReadRequest>(*back);
    BOOST_TEST(read.serializable == serializable);
    BOOST_TEST(read.range.count_only);
    BOOST_TEST(read.range.range_end == "l");
  }
  {
    capnp::MallocMessageBuilder message;
    write_store_request(message.initRoot<schema::StoreRequest>(), StatusRequest{});
    auto back = read_store_request(message.getRoot<schema::StoreRequest>().asReader());
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(std::holds_alternative<StatusRequest>(*back));
  }

  StoreReply reply;
  RangeResponse range;
  range.header_revision = 9;
  range.kvs.push_back(KeyValue{"k", 2, 8, 3, "v", 4});
  range.more = true;
  range.count = 5;
  reply.body = range;
  reply.leader_hint = 2;
  capnp::MallocMessageBuilder message;
  write_store_reply(message.initRoot<schema::StoreResponse>(), reply);
  auto back = read_store_reply(message.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(!back->error.has_value());
  BOOST_TEST(back->leader_hint == 2u);
  auto got = std::get<RangeResponse>(back->body);
  BOOST_TEST((got.kvs == range.kvs));
  BOOST_TEST(got.more);
  BOOST_TEST(got.count == 5);

  StoreReply err;
  err.error = StoreError{StoreErrorCode::not_leader, "try 3"};
  err.leader_hint = 3;
  capnp::MallocMessageBuilder m2;
  write_store_reply(m2.initRoot<schema::StoreResponse>(), err);
  auto back2 = read_store_reply(m2.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back2.ok());
  BOOST_REQUIRE(back2->error.has_value());
  BOOST_TEST(back2->error->code == craton::store::StoreErrorCode::not_leader);
  BOOST_TEST(back2->error->message == "try 3");
  BOOST_TEST(std::holds_alternative<std::monostate>(back2->body));
}

BOOST_AUTO_TEST_CASE(write_and_status_replies_round_trip) {
  TxnResponse txn;
  txn.header_revision = 4;
  txn.succeeded = true;
  PutResponse put{4, KeyValue{"k", 1, 2, 1, "old", 0}};
  txn.responses.push_back(put);
  txn.responses.push_back(DeleteRangeResponse{4, 2, {KeyValue{"a", 1, 1, 1, "x", 0}}});
  StoreReply reply;
  reply.body = WriteResponse{txn};
  capnp::MallocMessageBuilder message;
  write_store_reply(message.initRoot<schema::StoreResponse>(), reply);
  auto back = read_store_reply(message.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  auto got = std::get<TxnResponse>(std::get<WriteResponse>(back->body));
  BOOST_TEST(got.succeeded);
  BOOST_REQUIRE(got.responses.size() == 2u);
  BOOST_TEST((std::get<PutResponse>(got.responses[0]).prev_kv == put.prev_kv));
  BOOST_TEST(std::get<DeleteRangeResponse>(got.responses[1]).deleted == 2);

  MemberStatus status{2, "leader", 2, 5, 100, 99, 40, 3, 1 << 20, 4096, {1, 2, 3}, {4}, 65536};
  StoreReply sr;
  sr.body = status;
  capnp::MallocMessageBuilder m2;
  write_store_reply(m2.initRoot<schema::StoreResponse>(), sr);
  auto back2 = read_store_reply(m2.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back2.ok());
  BOOST_TEST((std::get<MemberStatus>(back2->body) == status));
}

BOOST_AUTO_TEST_CASE(lease_requests_round_trip) {
  auto round_trip = [](const StoreRequest& request) {
    capnp::MallocMessageBuilder message;
    write_store_request(message.initRoot<schema::StoreRequest>(), request);
    auto back = read_store_request(message.getRoot<schema::StoreRequest>().asReader());
    BOOST_REQUIRE(back.ok());
    return *back;
  };
  auto keep = round_trip(LeaseKeepAliveRequest{0x1234'5678'9abcLL});
  BOOST_REQUIRE(std::holds_alternative<LeaseKeepAliveRequest>(keep));
  BOOST_TEST(std::get<LeaseKeepAliveRequest>(keep).id == 0x1234'5678'9abcLL);
  for (bool keys : {false, true}) {
    auto ttl = round_trip(LeaseTimeToLiveRequest{77, keys});
    BOOST_REQUIRE(std::holds_alternative<LeaseTimeToLiveRequest>(ttl));
    BOOST_TEST(std::get<LeaseTimeToLiveRequest>(ttl).id == 77);
    BOOST_TEST(std::get<LeaseTimeToLiveRequest>(ttl).keys == keys);
  }
  BOOST_TEST(std::holds_alternative<LeaseListRequest>(round_trip(LeaseListRequest{})));
  BOOST_TEST(is_leader_only(LeaseListRequest{}));
  BOOST_TEST(!is_leader_only(StatusRequest{}));
}

BOOST_AUTO_TEST_CASE(lease_reply_round_trips) {
  LeaseReply lease{12, 5, 7, 10, {"a", std::string("b\0c", 3)}, {1, 5, 9}};
  StoreReply reply;
  reply.body = lease;
  reply.leader_hint = 3;
  capnp::MallocMessageBuilder message;
  write_store_reply(message.initRoot<schema::StoreResponse>(), reply);
  auto back = read_store_reply(message.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  BOOST_REQUIRE(std::holds_alternative<LeaseReply>(back->body));
  BOOST_TEST((std::get<LeaseReply>(back->body) == lease));
  BOOST_TEST(back->leader_hint == 3u);
}

namespace {

Result<StoreRequest> round_trip_request(const StoreRequest& request) {
  capnp::MallocMessageBuilder message;
  write_store_request(message.initRoot<schema::StoreRequest>(), request);
  return read_store_request(message.getRoot<schema::StoreRequest>().asReader());
}

}  // namespace

BOOST_AUTO_TEST_CASE(member_requests_and_lists_round_trip) {
  for (auto kind :
       {MemberChangeKind::list, MemberChangeKind::add_voter, MemberChangeKind::add_learner,
        MemberChangeKind::promote, MemberChangeKind::remove}) {
    MemberChangeRequest change{kind, 7, "10.0.0.7:2379"};
    auto back = round_trip_request(change);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST((std::get<MemberChangeRequest>(*back) == change));
  }
  auto transfer = round_trip_request(TransferLeaderRequest{3});
  BOOST_REQUIRE(transfer.ok());
  BOOST_TEST(std::get<TransferLeaderRequest>(*transfer).to == 3u);

  MemberList list{{{1, "127.0.0.1:2379", false}, {4, "127.0.0.1:2382", true}}, 1};
  StoreReply reply;
  reply.body = list;
  capnp::MallocMessageBuilder message;
  write_store_reply(message.initRoot<schema::StoreResponse>(), reply);
  auto back = read_store_reply(message.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((std::get<MemberList>(back->body) == list));
}

BOOST_AUTO_TEST_CASE(bad_member_requests_are_malformed) {
  {
    capnp::MallocMessageBuilder message;
    auto change = message.initRoot<schema::StoreRequest>().initMemberChange();
    change.setKind(9);
    change.setId(1);
    auto back = read_store_request(message.getRoot<schema::StoreRequest>().asReader());
    BOOST_REQUIRE(!back.ok());
    BOOST_TEST(back.error().code == "malformed");
  }
  BOOST_TEST(!round_trip_request(MemberChangeRequest{MemberChangeKind::remove, 0, ""}).ok());
  BOOST_TEST(!round_trip_request(
                  MemberChangeRequest{MemberChangeKind::add_voter, 2, std::string(300, 'h')})
                  .ok());
  BOOST_TEST(!round_trip_request(TransferLeaderRequest{0}).ok());
}

// ---- watches ----

BOOST_AUTO_TEST_CASE(watch_requests_round_trip) {
  WatchRequest w;
  w.key = std::string("a\0b", 3);
  w.range_end = "c";
  w.start_revision = 17;
  w.prev_kv = true;
  w.progress_notify = true;
  w.filter_delete = true;
  w.watch_id = 5;
  auto back = round_trip_request(WatchCreate{w});
  BOOST_REQUIRE(back.ok());
  auto got = std::get<WatchCreate>(*back).request;
  BOOST_TEST(got.key == w.key);
  BOOST_TEST(got.range_end == "c");
  BOOST_TEST(got.start_revision == 17);
  BOOST_TEST(got.prev_kv);
  BOOST_TEST(got.progress_notify);
  BOOST_TEST(!got.filter_put);
  BOOST_TEST(got.filter_delete);
  BOOST_TEST(got.watch_id == 5);

  auto cancel = round_trip_request(WatchCancel{9});
  BOOST_REQUIRE(cancel.ok());
  BOOST_TEST(std::get<WatchCancel>(*cancel).watch_id == 9);
  auto progress = round_trip_request(WatchProgress{});
  BOOST_REQUIRE(progress.ok());
  BOOST_TEST(std::holds_alternative<WatchProgress>(*progress));
}

BOOST_AUTO_TEST_CASE(bad_watch_requests_are_malformed) {
  WatchRequest no_key;
  BOOST_TEST(round_trip_request(WatchCreate{no_key}).error().code == "malformed");
  WatchRequest long_key;
  long_key.key = std::string(KvLimits{}.key_bytes_max + 1, 'k');
  BOOST_TEST(round_trip_request(WatchCreate{long_key}).error().code == "malformed");
  WatchRequest negative;
  negative.key = "k";
  negative.start_revision = -1;
  BOOST_TEST(round_trip_request(WatchCreate{negative}).error().code == "malformed");
  negative.start_revision = 0;
  negative.watch_id = -3;
  BOOST_TEST(round_trip_request(WatchCreate{negative}).error().code == "malformed");
  BOOST_TEST(round_trip_request(WatchCancel{0}).error().code == "malformed");
}

BOOST_AUTO_TEST_CASE(watch_response_round_trip_and_bad_event_type) {
  WatchResponse w;
  w.watch_id = 3;
  w.header_revision = 12;
  w.canceled = true;
  w.cancel_reason = "compacted";
  w.compact_revision = 7;
  w.events.push_back(
      Event{EventType::put, KeyValue{"k", 2, 12, 3, "v", 0}, KeyValue{"k", 2, 9, 2, "u", 0}});
  w.events.push_back(Event{EventType::del, KeyValue{"j", 0, 12, 0, "", 0}, std::nullopt});
  capnp::MallocMessageBuilder message;
  write_store_reply(message.initRoot<schema::StoreResponse>(), StoreReply{std::nullopt, 1, w});
  auto back = read_store_reply(message.getRoot<schema::StoreResponse>().asReader());
  BOOST_REQUIRE(back.ok());
  auto got = std::get<WatchResponse>(back->body);
  BOOST_TEST(got.watch_id == 3);
  BOOST_TEST(got.header_revision == 12);
  BOOST_TEST(got.canceled);
  BOOST_TEST(!got.created);
  BOOST_TEST(got.cancel_reason == "compacted");
  BOOST_TEST(got.compact_revision == 7);
  BOOST_REQUIRE(got.events.size() == 2u);
  BOOST_TEST((got.events[0].kv == w.events[0].kv));
  BOOST_REQUIRE(got.events[0].prev_kv.has_value());
  BOOST_TEST((*got.events[0].prev_kv == *w.events[0].prev_kv));
  BOOST_TEST(int(got.events[1].type) == int(EventType::del));
  BOOST_TEST(!got.events[1].prev_kv.has_value());

  message.getRoot<schema::StoreResponse>().getWatch().getEvents()[1].setType(9);
  auto bad = read_store_reply(message.getRoot<schema::StoreResponse>().asReader());
  BOOST_TEST(bad.error().code == "malformed");
}
