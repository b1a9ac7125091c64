# The consistent store's wire and log format: Raft messages between replicas, the key-value
# requests clients send (a write request is also what a Raft log entry holds), and the replies.
# Mirrors etcd v3's etcdserverpb/mvccpb one to one (see storage/kv_types.hpp); conversions live
# in actors/store/codec/store_codec.hpp. The evolution rules at the top of envelope.capnp apply: this
# is also a disk format (Raft entries hold WriteRequest bytes), so never renumber.
@0x8957ec9b69afc804;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("craton::schema");

# ---- Raft (actors/store/raft/raft_message.hpp) ----

struct RaftEntry {
  term @0 :UInt64;
  index @1 :UInt64;
  type @2 :UInt8;       # raft::EntryType
  data @3 :Data;
}

struct RaftSnapshot {
  index @0 :UInt64;
  term @1 :UInt64;
  voters @2 :List(UInt64);
  learners @3 :List(UInt64);
  data @4 :Data;
  # Where members listen (SnapshotMeta::addresses): ids and addresses, pairwise.
  addressIds @5 :List(UInt64);
  addresses @6 :List(Text);
}

struct RaftMessage {
  type @0 :UInt8;       # raft::MessageType
  from @1 :UInt64;
  to @2 :UInt64;
  term @3 :UInt64;
  logTerm @4 :UInt64;
  index @5 :UInt64;
  entries @6 :List(RaftEntry);
  commit @7 :UInt64;
  reject @8 :Bool;
  rejectHint @9 :UInt64;
  leaderTransfer @10 :Bool;
  context @11 :Data;
  hasSnapshot @12 :Bool;
  snapshot @13 :RaftSnapshot;
}

# ---- Key-value vocabulary (storage/kv_types.hpp) ----

struct KeyValue {
  key @0 :Data;
  createRevision @1 :Int64;
  modRevision @2 :Int64;
  version @3 :Int64;
  value @4 :Data;
  lease @5 :Int64;
}

struct RangeRequest {
  key @0 :Data;
  rangeEnd @1 :Data;
  limit @2 :Int64;
  revision @3 :Int64;
  keysOnly @4 :Bool;
  countOnly @5 :Bool;
}

struct RangeResponse {
  headerRevision @0 :Int64;
  kvs @1 :List(KeyValue);
  more @2 :Bool;
  count @3 :Int64;
}

struct PutRequest {
  key @0 :Data;
  value @1 :Data;
  lease @2 :Int64;
  prevKv @3 :Bool;
}

struct PutResponse {
  headerRevision @0 :Int64;
  hasPrevKv @1 :Bool;
  prevKv @2 :KeyValue;
}

struct DeleteRangeRequest {
  key @0 :Data;
  rangeEnd @1 :Data;
  prevKv @2 :Bool;
}

struct DeleteRangeResponse {
  headerRevision @0 :Int64;
  deleted @1 :Int64;
  prevKvs @2 :List(KeyValue);
}

struct Compare {
  result @0 :UInt8;     # storage::CompareResult
  target @1 :UInt8;     # storage::CompareTarget
  key @2 :Data;
  rangeEnd @3 :Data;
  number @4 :Int64;
  value @5 :Data;
}

struct RequestOp {
  union {
    range @0 :RangeRequest;
    put @1 :PutRequest;
    deleteRange @2 :DeleteRangeRequest;
  }
}

struct ResponseOp {
  union {
    range @0 :RangeResponse;
    put @1 :PutResponse;
    deleteRange @2 :DeleteRangeResponse;
  }
}

struct TxnRequest {
  compare @0 :List(Compare);
  success @1 :List(RequestOp);
  failure @2 :List(RequestOp);
}

struct TxnResponse {
  headerRevision @0 :Int64;
  succeeded @1 :Bool;
  responses @2 :List(ResponseOp);
}

# Everything that goes through Raft. A normal Raft entry's data is one of these, flat-encoded.
struct WriteRequest {
  union {
    put @0 :PutRequest;
    deleteRange @1 :DeleteRangeRequest;
    txn @2 :TxnRequest;
    compaction @3 :Int64;     # revision
    leaseGrant @4 :LeaseGrant;
    leaseRevoke @5 :Int64;    # lease id
  }
  session @6 :ClientSession;  # unset: no de-duplication (see ClientSession)
}

# Who sent a write, so that a duplicated request is applied at most once (Raft thesis 6.3).
# See storage/session_table.hpp for the rules the replicas apply.
struct ClientSession {
  clientId @0 :UInt64;          # random, chosen by the client; non-zero
  sequence @1 :UInt64;          # per client: 1, 2, 3, ... (a retry keeps its sequence)
  firstIncomplete @2 :UInt64;   # the client's lowest sequence still without an answer
}

struct LeaseGrant {
  id @0 :Int64;
  ttlS @1 :Int64;
}

struct LeaseRevokeResponse {
  headerRevision @0 :Int64;
  deleted @1 :Int64;
}

struct WriteResponse {
  union {
    put @0 :PutResponse;
    deleteRange @1 :DeleteRangeResponse;
    txn @2 :TxnResponse;
    compaction @3 :Int64;     # header revision
    leaseGrant @4 :LeaseGrantResponse;
    leaseRevoke @5 :LeaseRevokeResponse;
  }
}

struct LeaseGrantResponse {
  headerRevision @0 :Int64;
  id @1 :Int64;
  ttlS @2 :Int64;
}

# ---- Client protocol: a StoreRequest is answered by a StoreResponse with the same
# correlation id. ----

struct StoreRequest {
  union {
    range @0 :RangeRequest;   # linearizable (ReadIndex)
    serializableRange @1 :RangeRequest;   # served from the replica's local state
    write @2 :WriteRequest;
    status @3 :Void;
    watchCreate @4 :WatchCreateRequest;
    watchCancel @5 :Int64;              # watch id
    watchProgress @6 :Void;             # progress notification for the caller's stream
    leaseKeepAlive @7 :Int64;           # lease id
    leaseTimeToLive @8 :LeaseTimeToLiveRequest;
    leaseList @9 :Void;
    memberChange @10 :MemberChange;
    transferLeader @11 :UInt64;         # the replica id to hand leadership to
  }
}

# ---- Watches (filled in by the watch work) ----

# etcd's WatchCreateRequest. The stream is the sender's address; see docs/store.md "Watches".
struct WatchCreateRequest {
  key @0 :Data;
  rangeEnd @1 :Data;          # empty: the key only; "\0": every key >= key
  startRevision @2 :Int64;    # 0: from the next revision
  prevKv @3 :Bool;
  progressNotify @4 :Bool;
  filterPut @5 :Bool;
  filterDelete @6 :Bool;
  watchId @7 :Int64;          # 0: the replica assigns one
}

# One response of a watch stream (etcd's WatchResponse): created, canceled, events or progress.
struct WatchResponse {
  watchId @0 :Int64;          # -1: a stream-wide progress response
  headerRevision @1 :Int64;
  created @2 :Bool;
  canceled @3 :Bool;
  cancelReason @4 :Text;
  compactRevision @5 :Int64;
  events @6 :List(Event);

  struct Event {
    type @0 :UInt8;           # storage::EventType
    kv @1 :KeyValue;
    hasPrevKv @2 :Bool;
    prevKv @3 :KeyValue;
  }
}

# ---- Leases beyond grant/revoke (filled in by the lease work) ----

struct LeaseTimeToLiveRequest {
  id @0 :Int64;
  keys @1 :Bool;            # also list the keys attached to the lease
}

# The answer to leaseKeepAlive, leaseTimeToLive and leaseList (etcd's LeaseKeepAliveResponse,
# LeaseTimeToLiveResponse and LeaseLeasesResponse in one struct; unused fields stay zero).
struct LeaseResponse {
  headerRevision @0 :Int64;
  id @1 :Int64;
  ttlS @2 :Int64;           # keepAlive: the renewed TTL; timeToLive: seconds left
  grantedTtlS @3 :Int64;    # timeToLive: the TTL the lease was granted with
  keys @4 :List(Data);      # timeToLive with keys: attached keys in key order
  leases @5 :List(Int64);   # leaseList: every lease id, ascending
}

# ---- Membership (filled in by the membership work) ----

# etcd's member add/remove/promote/list (actors/store/codec/member_change.hpp). A change is
# answered with the MemberList after its conf change entry applies.
struct MemberChange {
  kind @0 :UInt8;       # store::MemberChangeKind: 0 list, 1 add voter, 2 add learner,
                        # 3 promote, 4 remove
  id @1 :UInt64;
  address @2 :Text;     # host:port (adds only)
}

struct MemberList {
  members @0 :List(Member);
  leader @1 :UInt64;    # 0: unknown

  struct Member {
    id @0 :UInt64;
    address @1 :Text;
    learner @2 :Bool;
  }
}

# ---- Snapshot transfer between replicas (filled in by the snapshot work) ----

# A follower that Raft sent a snapshot pulls the serving replica's whole state in chunks
# (actors/store/replica/snapshot_transfer.hpp). Every chunk of one transfer comes from one read
# transaction; records are storage::TableChunk bytes: a version byte, then length-prefixed
# (table, key, value) triples.

struct SnapshotFetch {
  from @0 :UInt64;           # the follower's replica id
  to @1 :UInt64;             # the serving replica's id
  transferId @2 :UInt64;     # chosen by the follower; a new id starts a new transfer
  seq @3 :UInt64;            # the chunk asked for, from 0
  snapshotIndex @4 :UInt64;  # the server must have applied at least this index
  afterTable @5 :Text;       # resume after this record; empty table: from the beginning
  afterKey @6 :Data;
  window @7 :UInt32 = 1;     # chunks wanted: seq, seq + 1, ... (the server caps it)
}

struct SnapshotChunk {
  from @0 :UInt64;
  to @1 :UInt64;
  transferId @2 :UInt64;
  seq @3 :UInt64;
  appliedIndex @4 :UInt64;   # the index the whole transfer's state stands at
  appliedTerm @5 :UInt64;    # its term (0 when the server no longer holds it)
  records @6 :Data;          # at most about 1 MiB (one record may exceed it, values <= 1.5 MiB)
  lastTable @7 :Text;        # the position to ask for next
  lastKey @8 :Data;
  done @9 :Bool;
  error @10 :Text;           # non-empty: refused (the follower restarts later)
}

struct MemberStatus {
  id @0 :UInt64;
  role @1 :Text;            # leader, follower, learner, candidate, pre_candidate
  leader @2 :UInt64;        # 0: unknown
  term @3 :UInt64;
  commitIndex @4 :UInt64;
  appliedIndex @5 :UInt64;
  revision @6 :Int64;
  compactedRevision @7 :Int64;
  dbSizeBytes @8 :UInt64;
  dataBytes @9 :Int64;
  voters @10 :List(UInt64);
  learners @11 :List(UInt64);
  quotaBytes @12 :Int64;    # --quota-backend-bytes of this replica (filled in by the hygiene work)
}

enum StoreErrorCode {
  # A store error (actors/store/codec/store_error.hpp, the same order). Append only.
  unspecified @0;
  unknown @1;
  notLeader @2;
  noLeader @3;
  busy @4;
  timeout @5;
  proposalDropped @6;
  unknownRequest @7;
  failed @8;
  removed @9;
  malformed @10;
  invalid @11;
  tooLarge @12;
  noSpace @13;
  compacted @14;
  futureRevision @15;
  duplicateKey @16;
  tooManyOps @17;
  leaseNotFound @18;
  leaseExists @19;
  leaseExpired @20;
  tooManyLeases @21;
  ttlTooLarge @22;
  duplicate @23;
  staleSequence @24;
  memberExists @25;
  memberUnknown @26;
  addressInUse @27;
  badAddress @28;
  lastVoter @29;
  notLearner @30;
  notVoter @31;
  learnerNotReady @32;
  changeInProgress @33;
  transferring @34;
  transferFailed @35;
  watchNotFound @36;
  watchExists @37;
  tooManyStreams @38;
  tooManyWatchers @39;
  streamBacklog @40;
  corrupt @41;
  storage @42;
  applyFailed @43;
}

struct StoreResponse {
  # No error on success. The error is `code` (an enum since the typed-errors change) with
  # errorMessage; errorCode still carries the code's name for older readers, and a reader that
  # finds `code` unspecified (an older writer) parses errorCode.
  errorCode @0 :Text;
  errorMessage @1 :Text;
  leaderHint @2 :UInt64;    # the replica id the sender believes leads; 0: unknown
  union {
    none @3 :Void;
    range @4 :RangeResponse;
    write @5 :WriteResponse;
    status @6 :MemberStatus;
    watch @7 :WatchResponse;
    lease @8 :LeaseResponse;
    members @9 :MemberList;
  }
  code @10 :StoreErrorCode;
}
