#include "actors/store/codec/store_codec.hpp"

#include "actors/store/codec/member_codec.hpp"
#include "actors/store/codec/session_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>

namespace craton::store {
namespace {

using namespace craton::storage;

Error malformed(const std::string& what) {
  return Error{"malformed", "store message: " + what};
}

capnp::Data::Reader as_data(std::string_view s) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

std::string text(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

// ---- Raft ----

void write_entry(schema::RaftEntry::Builder b, const raft::Entry& e) {
  b.setTerm(e.term);
  b.setIndex(e.index);
  b.setType(static_cast<std::uint8_t>(e.type));
  b.setData(as_data(e.data));
}

Result<raft::Entry> read_entry(schema::RaftEntry::Reader r) {
  if (r.getType() > static_cast<std::uint8_t>(raft::EntryType::conf_change))
    return malformed("entry type " + std::to_string(r.getType()));
  return raft::Entry{r.getTerm(), r.getIndex(), static_cast<raft::EntryType>(r.getType()),
                     text(r.getData())};
}

void write_snapshot(schema::RaftSnapshot::Builder b, const raft::Snapshot& s) {
  b.setIndex(s.meta.index);
  b.setTerm(s.meta.term);
  auto voters = b.initVoters(s.meta.voters.size());
  for (unsigned i = 0; i < s.meta.voters.size(); ++i) voters.set(i, s.meta.voters[i]);
  auto learners = b.initLearners(s.meta.learners.size());
  for (unsigned i = 0; i < s.meta.learners.size(); ++i) learners.set(i, s.meta.learners[i]);
  b.setData(as_data(s.data));
  auto ids = b.initAddressIds(static_cast<unsigned>(s.meta.addresses.size()));
  auto addresses = b.initAddresses(static_cast<unsigned>(s.meta.addresses.size()));
  unsigned i = 0;
  for (const auto& [id, address] : s.meta.addresses) {
    ids.set(i, id);
    addresses.set(i++, address);
  }
}

raft::Snapshot read_snapshot(schema::RaftSnapshot::Reader r) {
  raft::Snapshot s;
  s.meta.index = r.getIndex();
  s.meta.term = r.getTerm();
  for (auto v : r.getVoters()) s.meta.voters.push_back(v);
  for (auto l : r.getLearners()) s.meta.learners.push_back(l);
  s.data = text(r.getData());
  // Pairwise lists; a mismatched pair (a malformed or foreign sender) is ignored as a whole.
  auto ids = r.getAddressIds();
  auto addresses = r.getAddresses();
  if (ids.size() == addresses.size())
    for (unsigned i = 0; i < ids.size(); ++i) s.meta.addresses[ids[i]] = addresses[i].cStr();
  return s;
}

// ---- key-values ----

void write_kv(schema::KeyValue::Builder b, const KeyValue& kv) {
  b.setKey(as_data(kv.key));
  b.setCreateRevision(kv.create_revision);
  b.setModRevision(kv.mod_revision);
  b.setVersion(kv.version);
  b.setValue(as_data(kv.value));
  b.setLease(kv.lease);
}

KeyValue read_kv(schema::KeyValue::Reader r) {
  return KeyValue{text(r.getKey()), r.getCreateRevision(), r.getModRevision(),
                  r.getVersion(),   text(r.getValue()),    r.getLease()};
}

void write_put(schema::PutRequest::Builder b, const PutRequest& p) {
  b.setKey(as_data(p.key));
  b.setValue(as_data(p.value));
  b.setLease(p.lease);
  b.setPrevKv(p.prev_kv);
}

PutRequest read_put(schema::PutRequest::Reader r) {
  return PutRequest{text(r.getKey()), text(r.getValue()), r.getLease(), r.getPrevKv()};
}

void write_put_response(schema::PutResponse::Builder b, const PutResponse& p) {
  b.setHeaderRevision(p.header_revision);
  b.setHasPrevKv(p.prev_kv.has_value());
  if (p.prev_kv) write_kv(b.initPrevKv(), *p.prev_kv);
}

PutResponse read_put_response(schema::PutResponse::Reader r) {
  PutResponse p;
  p.header_revision = r.getHeaderRevision();
  if (r.getHasPrevKv()) p.prev_kv = read_kv(r.getPrevKv());
  return p;
}

void write_delete(schema::DeleteRangeRequest::Builder b, const DeleteRangeRequest& d) {
  b.setKey(as_data(d.key));
  b.setRangeEnd(as_data(d.range_end));
  b.setPrevKv(d.prev_kv);
}

DeleteRangeRequest read_delete(schema::DeleteRangeRequest::Reader r) {
  return DeleteRangeRequest{text(r.getKey()), text(r.getRangeEnd()), r.getPrevKv()};
}

void write_delete_response(schema::DeleteRangeResponse::Builder b, const DeleteRangeResponse& d) {
  b.setHeaderRevision(d.header_revision);
  b.setDeleted(d.deleted);
  auto kvs = b.initPrevKvs(d.prev_kvs.size());
  for (unsigned i = 0; i < d.prev_kvs.size(); ++i) write_kv(kvs[i], d.prev_kvs[i]);
}

DeleteRangeResponse read_delete_response(schema::DeleteRangeResponse::Reader r) {
  DeleteRangeResponse d;
  d.header_revision = r.getHeaderRevision();
  d.deleted = r.getDeleted();
  for (auto kv : r.getPrevKvs()) d.prev_kvs.push_back(read_kv(kv));
  return d;
}

// ---- transactions ----

void write_compare(schema::Compare::Builder b, const Compare& c) {
  b.setResult(static_cast<std::uint8_t>(c.result));
  b.setTarget(static_cast<std::uint8_t>(c.target));
  b.setKey(as_data(c.key));
  b.setRangeEnd(as_data(c.range_end));
  b.setNumber(c.number);
  b.setValue(as_data(c.value));
}

Result<Compare> read_compare(schema::Compare::Reader r) {
  if (r.getResult() > static_cast<std::uint8_t>(CompareResult::not_equal))
    return malformed("compare result " + std::to_string(r.getResult()));
  if (r.getTarget() > static_cast<std::uint8_t>(CompareTarget::lease))
    return malformed("compare target " + std::to_string(r.getTarget()));
  return Compare{static_cast<CompareResult>(r.getResult()),
                 static_cast<CompareTarget>(r.getTarget()),
                 text(r.getKey()),
                 text(r.getRangeEnd()),
                 r.getNumber(),
                 text(r.getValue())};
}

void write_ops(capnp::List<schema::RequestOp>::Builder b, const std::vector<RequestOp>& ops) {
  for (unsigned i = 0; i < ops.size(); ++i) {
    if (auto* r = std::get_if<RangeRequest>(&ops[i])) write_range_request(b[i].initRange(), *r);
    if (auto* p = std::get_if<PutRequest>(&ops[i])) write_put(b[i].initPut(), *p);
    if (auto* d = std::get_if<DeleteRangeRequest>(&ops[i]))
      write_delete(b[i].initDeleteRange(), *d);
  }
}

Result<std::vector<RequestOp>> read_ops(capnp::List<schema::RequestOp>::Reader list) {
  std::vector<RequestOp> ops;
  for (auto op : list) {
    switch (op.which()) {
      case schema::RequestOp::RANGE: {
        auto r = read_range_request(op.getRange());
        if (!r) return r.error();
        ops.emplace_back(std::move(*r));
        break;
      }
      case schema::RequestOp::PUT:
        ops.emplace_back(read_put(op.getPut()));
        break;
      case schema::RequestOp::DELETE_RANGE:
        ops.emplace_back(read_delete(op.getDeleteRange()));
        break;
      default:
        return malformed("unknown txn operation");
    }
  }
  return ops;
}

void write_txn(schema::TxnRequest::Builder b, const TxnRequest& t) {
  auto cmp = b.initCompare(t.compare.size());
  for (unsigned i = 0; i < t.compare.size(); ++i) write_compare(cmp[i], t.compare[i]);
  write_ops(b.initSuccess(t.success.size()), t.success);
  write_ops(b.initFailure(t.failure.size()), t.failure);
}

Result<TxnRequest> read_txn(schema::TxnRequest::Reader r) {
  TxnRequest t;
  for (auto c : r.getCompare()) {
    auto cmp = read_compare(c);
    if (!cmp) return cmp.error();
    t.compare.push_back(std::move(*cmp));
  }
  auto success = read_ops(r.getSuccess());
  if (!success) return success.error();
  auto failure = read_ops(r.getFailure());
  if (!failure) return failure.error();
  t.success = std::move(*success);
  t.failure = std::move(*failure);
  return t;
}

void write_txn_response(schema::TxnResponse::Builder b, const TxnResponse& t) {
  b.setHeaderRevision(t.header_revision);
  b.setSucceeded(t.succeeded);
  auto list = b.initResponses(t.responses.size());
  for (unsigned i = 0; i < t.responses.size(); ++i) {
    const auto& op = t.responses[i];
    if (auto* r = std::get_if<RangeResponse>(&op)) write_range_response(list[i].initRange(), *r);
    if (auto* p = std::get_if<PutResponse>(&op)) write_put_response(list[i].initPut(), *p);
    if (auto* d = std::get_if<DeleteRangeResponse>(&op))
      write_delete_response(list[i].initDeleteRange(), *d);
  }
}

Result<TxnResponse> read_txn_response(schema::TxnResponse::Reader r) {
  TxnResponse t;
  t.header_revision = r.getHeaderRevision();
  t.succeeded = r.getSucceeded();
  for (auto op : r.getResponses()) {
    switch (op.which()) {
      case schema::ResponseOp::RANGE:
        t.responses.emplace_back(read_range_response(op.getRange()));
        break;
      case schema::ResponseOp::PUT:
        t.responses.emplace_back(read_put_response(op.getPut()));
        break;
      case schema::ResponseOp::DELETE_RANGE:
        t.responses.emplace_back(read_delete_response(op.getDeleteRange()));
        break;
      default:
        return malformed("unknown txn response");
    }
  }
  return t;
}

void write_status(schema::MemberStatus::Builder b, const MemberStatus& s) {
  b.setId(s.id);
  b.setRole(s.role);
  b.setLeader(s.leader);
  b.setTerm(s.term);
  b.setCommitIndex(s.commit_index);
  b.setAppliedIndex(s.applied_index);
  b.setRevision(s.revision);
  b.setCompactedRevision(s.compacted_revision);
  b.setDbSizeBytes(s.db_size_bytes);
  b.setDataBytes(s.data_bytes);
  auto voters = b.initVoters(s.voters.size());
  for (unsigned i = 0; i < s.voters.size(); ++i) voters.set(i, s.voters[i]);
  auto learners = b.initLearners(s.learners.size());
  for (unsigned i = 0; i < s.learners.size(); ++i) learners.set(i, s.learners[i]);
  b.setQuotaBytes(s.quota_bytes);
}

MemberStatus read_status(schema::MemberStatus::Reader r) {
  MemberStatus s;
  s.id = r.getId();
  s.role = r.getRole().cStr();
  s.leader = r.getLeader();
  s.term = r.getTerm();
  s.commit_index = r.getCommitIndex();
  s.applied_index = r.getAppliedIndex();
  s.revision = r.getRevision();
  s.compacted_revision = r.getCompactedRevision();
  s.db_size_bytes = r.getDbSizeBytes();
  s.data_bytes = r.getDataBytes();
  for (auto v : r.getVoters()) s.voters.push_back(v);
  for (auto l : r.getLearners()) s.learners.push_back(l);
  s.quota_bytes = r.getQuotaBytes();
  return s;
}

}  // namespace

void write_raft_message(schema::RaftMessage::Builder b, const raft::Message& m) {
  b.setType(static_cast<std::uint8_t>(m.type));
  b.setFrom(m.from);
  b.setTo(m.to);
  b.setTerm(m.term);
  b.setLogTerm(m.log_term);
  b.setIndex(m.index);
  auto entries = b.initEntries(m.entries.size());
  for (unsigned i = 0; i < m.entries.size(); ++i) write_entry(entries[i], m.entries[i]);
  b.setCommit(m.commit);
  b.setReject(m.reject);
  b.setRejectHint(m.reject_hint);
  b.setLeaderTransfer(m.leader_transfer);
  b.setContext(as_data(m.context));
  b.setHasSnapshot(m.snapshot.has_value());
  if (m.snapshot) write_snapshot(b.initSnapshot(), *m.snapshot);
}

Result<raft::Message> read_raft_message(schema::RaftMessage::Reader r) {
  auto type = r.getType();
  if (type < static_cast<std::uint8_t>(raft::MessageType::app) ||
      type > static_cast<std::uint8_t>(raft::MessageType::timeout_now))
    return malformed("raft message type " + std::to_string(type));
  raft::Message m;
  m.type = static_cast<raft::MessageType>(type);
  m.from = r.getFrom();
  m.to = r.getTo();
  m.term = r.getTerm();
  m.log_term = r.getLogTerm();
  m.index = r.getIndex();
  for (auto e : r.getEntries()) {
    auto entry = read_entry(e);
    if (!entry) return entry.error();
    m.entries.push_back(std::move(*entry));
  }
  m.commit = r.getCommit();
  m.reject = r.getReject();
  m.reject_hint = r.getRejectHint();
  m.leader_transfer = r.getLeaderTransfer();
  m.context = text(r.getContext());
  if (r.getHasSnapshot()) m.snapshot = read_snapshot(r.getSnapshot());
  return m;
}

void write_range_request(schema::RangeRequest::Builder b, const RangeRequest& r) {
  b.setKey(as_data(r.key));
  b.setRangeEnd(as_data(r.range_end));
  b.setLimit(r.limit);
  b.setRevision(r.revision);
  b.setKeysOnly(r.keys_only);
  b.setCountOnly(r.count_only);
}

Result<RangeRequest> read_range_request(schema::RangeRequest::Reader r) {
  return RangeRequest{text(r.getKey()), text(r.getRangeEnd()), r.getLimit(),
                      r.getRevision(),  r.getKeysOnly(),       r.getCountOnly()};
}

void write_range_response(schema::RangeResponse::Builder b, const RangeResponse& r) {
  b.setHeaderRevision(r.header_revision);
  auto kvs = b.initKvs(r.kvs.size());
  for (unsigned i = 0; i < r.kvs.size(); ++i) write_kv(kvs[i], r.kvs[i]);
  b.setMore(r.more);
  b.setCount(r.count);
}

RangeResponse read_range_response(schema::RangeResponse::Reader r) {
  RangeResponse out;
  out.header_revision = r.getHeaderRevision();
  for (auto kv : r.getKvs()) out.kvs.push_back(read_kv(kv));
  out.more = r.getMore();
  out.count = r.getCount();
  return out;
}

void write_write_request(schema::WriteRequest::Builder b, const WriteRequest& w) {
  std::visit(
      [&](const auto& req) {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, PutRequest>) write_put(b.initPut(), req);
        if constexpr (std::is_same_v<T, DeleteRangeRequest>) write_delete(b.initDeleteRange(), req);
        if constexpr (std::is_same_v<T, TxnRequest>) write_txn(b.initTxn(), req);
        if constexpr (std::is_same_v<T, CompactionRequest>) b.setCompaction(req.revision);
        if constexpr (std::is_same_v<T, LeaseGrantRequest>) {
          auto g = b.initLeaseGrant();
          g.setId(req.id);
          g.setTtlS(req.ttl_s);
        }
        if constexpr (std::is_same_v<T, LeaseRevokeRequest>) b.setLeaseRevoke(req.id);
      },
      w);
}

Result<WriteRequest> read_write_request(schema::WriteRequest::Reader r) {
  switch (r.which()) {
    case schema::WriteRequest::PUT:
      return WriteRequest{read_put(r.getPut())};
    case schema::WriteRequest::DELETE_RANGE:
      return WriteRequest{read_delete(r.getDeleteRange())};
    case schema::WriteRequest::TXN: {
      auto t = read_txn(r.getTxn());
      if (!t) return t.error();
      return WriteRequest{std::move(*t)};
    }
    case schema::WriteRequest::COMPACTION:
      return WriteRequest{CompactionRequest{r.getCompaction()}};
    case schema::WriteRequest::LEASE_GRANT:
      return WriteRequest{
          LeaseGrantRequest{r.getLeaseGrant().getId(), r.getLeaseGrant().getTtlS()}};
    case schema::WriteRequest::LEASE_REVOKE:
      return WriteRequest{LeaseRevokeRequest{r.getLeaseRevoke()}};
  }
  return malformed("unknown write request");
}

void write_write_response(schema::WriteResponse::Builder b, const WriteResponse& w) {
  std::visit(
      [&](const auto& resp) {
        using T = std::decay_t<decltype(resp)>;
        if constexpr (std::is_same_v<T, PutResponse>) write_put_response(b.initPut(), resp);
        if constexpr (std::is_same_v<T, DeleteRangeResponse>)
          write_delete_response(b.initDeleteRange(), resp);
        if constexpr (std::is_same_v<T, TxnResponse>) write_txn_response(b.initTxn(), resp);
        if constexpr (std::is_same_v<T, CompactionResponse>) b.setCompaction(resp.header_revision);
        if constexpr (std::is_same_v<T, LeaseGrantResponse>) {
          auto g = b.initLeaseGrant();
          g.setHeaderRevision(resp.header_revision);
          g.setId(resp.id);
          g.setTtlS(resp.ttl_s);
        }
        if constexpr (std::is_same_v<T, LeaseRevokeResponse>) {
          auto v = b.initLeaseRevoke();
          v.setHeaderRevision(resp.header_revision);
          v.setDeleted(resp.deleted);
        }
      },
      w);
}

Result<WriteResponse> read_write_response(schema::WriteResponse::Reader r) {
  switch (r.which()) {
    case schema::WriteResponse::PUT:
      return WriteResponse{read_put_response(r.getPut())};
    case schema::WriteResponse::DELETE_RANGE:
      return WriteResponse{read_delete_response(r.getDeleteRange())};
    case schema::WriteResponse::TXN: {
      auto t = read_txn_response(r.getTxn());
      if (!t) return t.error();
      return WriteResponse{std::move(*t)};
    }
    case schema::WriteResponse::COMPACTION:
      return WriteResponse{CompactionResponse{r.getCompaction()}};
    case schema::WriteResponse::LEASE_GRANT: {
      auto g = r.getLeaseGrant();
      return WriteResponse{LeaseGrantResponse{g.getHeaderRevision(), g.getId(), g.getTtlS()}};
    }
    case schema::WriteResponse::LEASE_REVOKE: {
      auto v = r.getLeaseRevoke();
      return WriteResponse{LeaseRevokeResponse{v.getHeaderRevision(), v.getDeleted()}};
    }
  }
  return malformed("unknown write response");
}

void write_lease_reply(schema::LeaseResponse::Builder b, const LeaseReply& lease) {
  b.setHeaderRevision(lease.header_revision);
  b.setId(lease.id);
  b.setTtlS(lease.ttl_s);
  b.setGrantedTtlS(lease.granted_ttl_s);
  auto keys = b.initKeys(static_cast<unsigned>(lease.keys.size()));
  for (unsigned i = 0; i < keys.size(); ++i) keys.set(i, as_data(lease.keys[i]));
  auto leases = b.initLeases(static_cast<unsigned>(lease.leases.size()));
  for (unsigned i = 0; i < leases.size(); ++i) leases.set(i, lease.leases[i]);
}

LeaseReply read_lease_reply(schema::LeaseResponse::Reader r) {
  LeaseReply lease{r.getHeaderRevision(), r.getId(), r.getTtlS(), r.getGrantedTtlS(), {}, {}};
  for (auto key : r.getKeys()) lease.keys.push_back(text(key));
  for (auto id : r.getLeases()) lease.leases.push_back(id);
  return lease;
}

namespace {

// ---- watches ----

void write_watch_create(schema::WatchCreateRequest::Builder b, const WatchRequest& w) {
  b.setKey(as_data(w.key));
  b.setRangeEnd(as_data(w.range_end));
  b.setStartRevision(w.start_revision);
  b.setPrevKv(w.prev_kv);
  b.setProgressNotify(w.progress_notify);
  b.setFilterPut(w.filter_put);
  b.setFilterDelete(w.filter_delete);
  b.setWatchId(w.watch_id);
}

// Bounds what the hub would refuse anyway, so that a bad request is one clear error early.
Result<WatchRequest> read_watch_create(schema::WatchCreateRequest::Reader r) {
  const KvLimits limits;
  if (r.getKey().size() == 0) return malformed("watch without a key");
  if (r.getKey().size() > limits.key_bytes_max || r.getRangeEnd().size() > limits.key_bytes_max)
    return malformed("watch key or range end longer than " + std::to_string(limits.key_bytes_max) +
                     " bytes");
  if (r.getStartRevision() < 0) return malformed("negative watch start revision");
  if (r.getWatchId() < 0) return malformed("negative watch id");
  WatchRequest w;
  w.key = text(r.getKey());
  w.range_end = text(r.getRangeEnd());
  w.start_revision = r.getStartRevision();
  w.prev_kv = r.getPrevKv();
  w.progress_notify = r.getProgressNotify();
  w.filter_put = r.getFilterPut();
  w.filter_delete = r.getFilterDelete();
  w.watch_id = r.getWatchId();
  return w;
}

void write_watch_response(schema::WatchResponse::Builder b, const WatchResponse& w) {
  b.setWatchId(w.watch_id);
  b.setHeaderRevision(w.header_revision);
  b.setCreated(w.created);
  b.setCanceled(w.canceled);
  b.setCancelReason(w.cancel_reason);
  b.setCompactRevision(w.compact_revision);
  auto events = b.initEvents(static_cast<unsigned>(w.events.size()));
  for (unsigned i = 0; i < w.events.size(); ++i) {
    const auto& e = w.events[i];
    events[i].setType(static_cast<std::uint8_t>(e.type));
    write_kv(events[i].initKv(), e.kv);
    events[i].setHasPrevKv(e.prev_kv.has_value());
    if (e.prev_kv) write_kv(events[i].initPrevKv(), *e.prev_kv);
  }
}

Result<WatchResponse> read_watch_response(schema::WatchResponse::Reader r) {
  WatchResponse w;
  w.watch_id = r.getWatchId();
  if (w.watch_id < kProgressWatchId) return malformed("watch id " + std::to_string(w.watch_id));
  w.header_revision = r.getHeaderRevision();
  w.created = r.getCreated();
  w.canceled = r.getCanceled();
  w.cancel_reason = r.getCancelReason().cStr();
  w.compact_revision = r.getCompactRevision();
  for (auto e : r.getEvents()) {
    if (e.getType() > static_cast<std::uint8_t>(EventType::del))
      return malformed("watch event type " + std::to_string(e.getType()));
    Event event{static_cast<EventType>(e.getType()), read_kv(e.getKv()), std::nullopt};
    if (e.getHasPrevKv()) event.prev_kv = read_kv(e.getPrevKv());
    w.events.push_back(std::move(event));
  }
  return w;
}

}  // namespace

void write_store_request(schema::StoreRequest::Builder b, const StoreRequest& request) {
  if (auto* read = std::get_if<ReadRequest>(&request)) {
    write_range_request(read->serializable ? b.initSerializableRange() : b.initRange(),
                        read->range);
  } else if (auto* write = std::get_if<WriteRequest>(&request)) {
    write_write_request(b.initWrite(), *write);
  } else if (auto* keep = std::get_if<LeaseKeepAliveRequest>(&request)) {
    b.setLeaseKeepAlive(keep->id);
  } else if (auto* ttl = std::get_if<LeaseTimeToLiveRequest>(&request)) {
    auto t = b.initLeaseTimeToLive();
    t.setId(ttl->id);
    t.setKeys(ttl->keys);
  } else if (std::holds_alternative<LeaseListRequest>(request)) {
    b.setLeaseList();
  } else if (auto* change = std::get_if<MemberChangeRequest>(&request)) {
    write_member_change(b.initMemberChange(), *change);
  } else if (auto* transfer = std::get_if<TransferLeaderRequest>(&request)) {
    b.setTransferLeader(transfer->to);
  } else if (auto* create = std::get_if<WatchCreate>(&request)) {
    write_watch_create(b.initWatchCreate(), create->request);
  } else if (auto* cancel = std::get_if<WatchCancel>(&request)) {
    b.setWatchCancel(cancel->watch_id);
  } else if (std::holds_alternative<WatchProgress>(request)) {
    b.setWatchProgress();
  } else {
    b.setStatus();
  }
}

Result<StoreRequest> read_store_request(schema::StoreRequest::Reader r) {
  switch (r.which()) {
    case schema::StoreRequest::RANGE:
    case schema::StoreRequest::SERIALIZABLE_RANGE: {
      bool serializable = r.which() == schema::StoreRequest::SERIALIZABLE_RANGE;
      auto range = read_range_request(serializable ? r.getSerializableRange() : r.getRange());
      if (!range) return range.error();
      return StoreRequest{ReadRequest{std::move(*range), serializable}};
    }
    case schema::StoreRequest::WRITE: {
      auto w = read_write_request(r.getWrite());
      if (!w) return w.error();
      return StoreRequest{std::move(*w)};
    }
    case schema::StoreRequest::STATUS:
      return StoreRequest{StatusRequest{}};
    case schema::StoreRequest::LEASE_KEEP_ALIVE:
      return StoreRequest{LeaseKeepAliveRequest{r.getLeaseKeepAlive()}};
    case schema::StoreRequest::LEASE_TIME_TO_LIVE:
      return StoreRequest{
          LeaseTimeToLiveRequest{r.getLeaseTimeToLive().getId(), r.getLeaseTimeToLive().getKeys()}};
    case schema::StoreRequest::LEASE_LIST:
      return StoreRequest{LeaseListRequest{}};
    case schema::StoreRequest::MEMBER_CHANGE: {
      auto change = read_member_change(r.getMemberChange());
      if (!change) return change.error();
      return StoreRequest{std::move(*change)};
    }
    case schema::StoreRequest::TRANSFER_LEADER:
      if (r.getTransferLeader() == 0) return malformed("transfer to replica 0");
      return StoreRequest{TransferLeaderRequest{r.getTransferLeader()}};
    case schema::StoreRequest::WATCH_CREATE: {
      auto w = read_watch_create(r.getWatchCreate());
      if (!w) return w.error();
      return StoreRequest{WatchCreate{std::move(*w)}};
    }
    case schema::StoreRequest::WATCH_CANCEL:
      if (r.getWatchCancel() <= 0) return malformed("watch cancel needs a positive watch id");
      return StoreRequest{WatchCancel{r.getWatchCancel()}};
    case schema::StoreRequest::WATCH_PROGRESS:
      return StoreRequest{WatchProgress{}};
    default:
      break;
  }
  return Error{"unknown_request", "store request member newer than this replica"};
}

namespace {

// The reply's error, if any: the enum, else (an older writer) the code's name; a value past the
// codes this build knows reads as `unknown`.
std::optional<StoreError> read_store_error(schema::StoreResponse::Reader r) {
  auto wire = static_cast<std::size_t>(r.getCode());
  StoreError e{StoreErrorCode::unknown, r.getErrorMessage().cStr()};
  if (wire >= kStoreErrorCodes) return e;
  e.code = static_cast<StoreErrorCode>(wire);
  if (e.code != StoreErrorCode::unspecified) return e;
  if (r.getErrorCode().size() == 0) return std::nullopt;
  e.code = parse_store_error_code(r.getErrorCode().cStr());
  return e;
}

}  // namespace

void write_store_reply(schema::StoreResponse::Builder b, const StoreReply& reply) {
  if (reply.error) {
    b.setCode(static_cast<schema::StoreErrorCode>(reply.error->code));
    b.setErrorCode(std::string(name(reply.error->code)));  // for readers older than `code`
    b.setErrorMessage(reply.error->message);
  }
  b.setLeaderHint(reply.leader_hint);
  if (auto* range = std::get_if<RangeResponse>(&reply.body)) {
    write_range_response(b.initRange(), *range);
  } else if (auto* write = std::get_if<WriteResponse>(&reply.body)) {
    write_write_response(b.initWrite(), *write);
  } else if (auto* status = std::get_if<MemberStatus>(&reply.body)) {
    write_status(b.initStatus(), *status);
  } else if (auto* lease = std::get_if<LeaseReply>(&reply.body)) {
    write_lease_reply(b.initLease(), *lease);
  } else if (auto* members = std::get_if<MemberList>(&reply.body)) {
    write_member_list(b.initMembers(), *members);
  } else if (auto* watch = std::get_if<WatchResponse>(&reply.body)) {
    write_watch_response(b.initWatch(), *watch);
  } else {
    b.setNone();
  }
}

Result<StoreReply> read_store_reply(schema::StoreResponse::Reader r) {
  StoreReply reply;
  reply.error = read_store_error(r);
  reply.leader_hint = r.getLeaderHint();
  switch (r.which()) {
    case schema::StoreResponse::NONE:
      break;
    case schema::StoreResponse::RANGE:
      reply.body = read_range_response(r.getRange());
      break;
    case schema::StoreResponse::WRITE: {
      auto w = read_write_response(r.getWrite());
      if (!w) return w.error();
      reply.body = std::move(*w);
      break;
    }
    case schema::StoreResponse::STATUS:
      reply.body = read_status(r.getStatus());
      break;
    case schema::StoreResponse::LEASE:
      reply.body = read_lease_reply(r.getLease());
      break;
    case schema::StoreResponse::MEMBERS: {
      auto members = read_member_list(r.getMembers());
      if (!members) return members.error();
      reply.body = std::move(*members);
      break;
    }
    case schema::StoreResponse::WATCH: {
      auto w = read_watch_response(r.getWatch());
      if (!w) return w.error();
      reply.body = std::move(*w);
      break;
    }
    default:
      return malformed("unknown store response");
  }
  return reply;
}

// Log entries may carry a client session: session_codec.cpp reads and writes both.
std::string encode_write_request(const WriteRequest& w) {
  return encode_session_write(w, std::nullopt);
}

Result<WriteRequest> decode_write_request(std::string_view bytes) {
  auto entry = decode_session_write(bytes);
  if (!entry) return entry.error();
  return std::move(entry->request);
}

}  // namespace craton::store
