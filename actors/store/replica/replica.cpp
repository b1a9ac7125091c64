// Replica: opening storage, step/tick/submit/flush, the Ready loop and the pending requests;
// leases, membership, snapshots, watches and Raft events are delegated to the parts it owns.
#include "actors/store/replica/replica.hpp"

#include <cstring>

#include "actors/store/codec/session_codec.hpp"
#include "actors/store/codec/store_codec.hpp"
#include "runtime/assert.hpp"

namespace craton::store {
namespace {

std::string encode_context(std::uint64_t id) {
  std::string s(sizeof(id), '\0');
  std::memcpy(s.data(), &id, sizeof(id));
  return s;
}

std::optional<std::uint64_t> decode_context(const std::string& s) {
  if (s.size() != sizeof(std::uint64_t)) return std::nullopt;
  std::uint64_t id = 0;
  std::memcpy(&id, s.data(), sizeof(id));
  return id;
}

ReplicaSnapshotConfig snapshot_config(const ReplicaConfig& config, std::string staging_dir) {
  auto transfer = config.snapshot_transfer;
  transfer.excluded_tables = {RaftLogStore::kLogDatabase, RaftLogStore::kMetaDatabase};
  return {config.id,
          config.seed,
          std::move(staging_dir),
          config.map_size_bytes,
          config.snapshot_entries,
          config.snapshot_catchup_entries,
          std::move(transfer)};
}

ReplicaWatchLimits watch_limits(const ReplicaConfig& config) {
  return {config.watch, config.watch_streams_max, config.watch_stream_watches_max,
          config.watch_idle_ticks, config.watch_progress_ticks};
}

}  // namespace

Replica::Replica(ReplicaConfig config)
    : config_(std::move(config)),
      raft_events_(config_.record_raft_events),
      leases_(config_.leases, std::int64_t(config_.election_tick) * config_.tick_ms,
              config_.lease_check_ms),
      snapshots_(snapshot_config(config_, staging_dir())) {}

Result<std::unique_ptr<Replica>> Replica::open(ReplicaConfig config) {
  if (config.id == 0) return Error{"bad_config", "replica id must be non-zero"};
  if (config.data_dir.empty()) return Error{"bad_config", "data directory required"};
  if (config.tick_ms <= 0 || config.lease_check_ms <= 0)
    return Error{"bad_config", "tick_ms and lease_check_ms must be positive"};
  std::unique_ptr<Replica> r(new Replica(std::move(config)));
  if (auto s = r->open_storage(); !s) return s.error();
  return r;
}

Status Replica::open_storage() {
  // A transfer interrupted by a crash left only scratch data: the live tables are untouched.
  if (auto s = storage::SnapshotStaging::discard(staging_dir()); !s) return s.error();
  storage::EnvOptions env_options;
  env_options.path = config_.data_dir;
  env_options.map_size_bytes = config_.map_size_bytes;
  env_options.no_sync = config_.no_sync;
  env_options.faults = config_.disk_faults;
  auto env = storage::Environment::open(env_options);
  if (!env) return Error{env.error().code, config_.data_dir + ": " + env.error().message};
  env_.emplace(std::move(*env));
  auto log = RaftLogStore::open(*env_);
  if (!log) return log.error();
  log_.emplace(std::move(*log));
  auto mvcc = storage::MvccStore::open(*env_, mvcc_options());
  if (!mvcc) return mvcc.error();
  mvcc_.emplace(std::move(*mvcc));
  watches_.emplace(watch_limits(config_), mvcc_->current_revision());
  if (auto s = open_raft(); !s) return s;
  applied_ = std::max(mvcc_->applied_index(), log_->snapshot().index);
  raft_events_.opened(*log_, applied_);
  leases_.recover(*mvcc_);  // expiries are set for real when this replica is promoted
  // The member directory, rebuilt from the committed conf change entries in the stored log.
  members_.emplace(config_.id, config_.peer_addresses);
  members_->rebuild(log_->snapshot(), raft_->log());
  return Ok{};
}

// Raft restarted from the log store's state.
storage::MvccOptions Replica::mvcc_options() const {
  auto options = config_.mvcc;
  options.defer_apply_sync = true;
  return options;
}

Status Replica::open_raft() {
  raft::PersistentState state;
  state.hard_state = log_->hard_state();
  state.snapshot.meta = log_->snapshot();
  if (log_->last_index() >= log_->first_index()) {
    auto entries = log_->entries(log_->first_index(), log_->last_index() + 1);
    if (!entries) return entries.error();
    state.entries = std::move(*entries);
  }
  raft::RaftConfig rc;
  rc.id = config_.id;
  rc.voters = config_.voters;
  for (auto v : config_.voters)
    if (auto it = config_.peer_addresses.find(v); it != config_.peer_addresses.end())
      rc.bootstrap_contexts[v] = it->second;
  rc.election_tick = config_.election_tick;
  rc.heartbeat_tick = config_.heartbeat_tick;
  rc.seed = config_.seed;
  // An installed snapshot may put the MVCC store past the stored log (its entries up to the
  // install's applied index had not arrived yet): Raft re-delivers them, the store skips them.
  rc.applied = std::min(mvcc_->applied_index(),
                        std::max(state.hard_state.commit, state.snapshot.meta.index));
  auto raft = raft::Raft::open(rc, std::move(state));
  if (!raft) return raft.error();
  raft_.emplace(std::move(*raft));
  return Ok{};
}

void Replica::fail(Error error) {
  if (!failure_) failure_ = std::move(error);
}

StoreReply Replica::refuse(StoreErrorCode code, std::string message) const {
  StoreReply reply;
  reply.error = StoreError{code, std::move(message)};
  reply.leader_hint = raft_->lead();
  return reply;
}

StoreReply Replica::refuse(const Error& lower) const {
  auto e = to_store_error(lower);
  return refuse(e.code, std::move(e.message));
}

StoreReply Replica::refuse_not_leader() const {
  auto lead = raft_->lead();
  if (lead == 0) return refuse(StoreErrorCode::no_leader, "no leader known: retry later");
  return refuse(StoreErrorCode::not_leader, "replica " + std::to_string(config_.id) +
                                                " is not the leader; try replica " +
                                                std::to_string(lead));
}

ReplicaOutput Replica::answer(std::uint64_t request_id, StoreReply reply) {
  ReplicaOutput out;
  out.replies.push_back({request_id, std::move(reply)});
  return out;
}

ReplicaOutput Replica::step(raft::Message m) {
  ReplicaOutput out;
  if (failed()) return out;
  // etcd's order: a snapshot's state is transferred before Raft sees the message, so that a
  // long transfer never silences this replica's Raft (it keeps voting and acknowledging
  // heartbeats, and the quorum it may be part of keeps committing, lease revokes included).
  if (snapshots_.needs_transfer(m, mvcc_->applied_index()) && raft_->validate(m) &&
      m.term >= raft_->term()) {
    if (snapshots_.installing())
      ++dropped_;  // one transfer at a time; the leader sends the snapshot again if needed
    else
      emit_fetch(snapshots_.hold(std::move(m), ticks_), out);
    return out;
  }
  step_raft(std::move(m));
  return out;
}

void Replica::step_raft(raft::Message m) {
  if (!raft_->step(std::move(m))) ++dropped_;
  note_leadership();
}

void Replica::note_leadership() {
  raft_events_.leadership(*raft_);
  if (raft_->lead() == last_lead_) return;
  last_lead_ = raft_->lead();
  if (last_lead_ != 0) ++stats_.leader_changes_seen;  // etcd counts a new leader, not its loss
}

// Answers "timeout" for, and forgets, every pending request whose deadline tick has passed.
template <class Pending>
std::size_t Replica::expire(Pending& pending, const char* message, ReplicaOutput& out) {
  std::size_t expired = 0;
  for (auto it = pending.begin(); it != pending.end();) {
    if (it->second.deadline_tick > ticks_) {
      ++it;
      continue;
    }
    out.replies.push_back({it->second.request_id, refuse(StoreErrorCode::timeout, message)});
    it = pending.erase(it);
    ++expired;
  }
  return expired;
}

ReplicaOutput Replica::tick() {
  ReplicaOutput out;
  if (failed()) return out;
  ++ticks_;
  raft_->tick();
  note_leadership();
  emit_fetch(snapshots_.tick(*raft_, ticks_), out);
  stats_.proposals_failed += expire(proposals_, "write not applied in time: outcome unknown", out);
  expire(reads_, "no read index confirmed in time", out);
  answer_transfers(out);
  watches_->tick(ticks_, *mvcc_, out);
  return out;
}

ReplicaOutput Replica::submit(std::uint64_t request_id, StoreRequest request,
                              std::optional<storage::ClientSession> session) {
  if (failed()) return answer(request_id, refuse(StoreErrorCode::failed, failure_->message));
  if (std::holds_alternative<StatusRequest>(request))
    return answer(request_id, StoreReply{std::nullopt, raft_->lead(), status()});
  if (is_watch_request(request))
    return answer(request_id, refuse(StoreErrorCode::invalid, "watch requests need a stream"));
  if (removed())
    return answer(request_id,
                  refuse(StoreErrorCode::removed, "replica " + std::to_string(config_.id) +
                                                      " was removed from the cluster"));
  if (auto* change = std::get_if<MemberChangeRequest>(&request);
      change && change->kind == MemberChangeKind::list)
    return answer(request_id, {std::nullopt, raft_->lead(), members_->list(raft_->lead())});
  if (is_leader_only(request)) return submit_lease(request_id, request);
  if (pending() >= config_.pending_max)
    return answer(request_id, refuse(StoreErrorCode::busy, "too many pending requests (" +
                                                               std::to_string(config_.pending_max) +
                                                               "): retry later"));
  if (auto* read = std::get_if<ReadRequest>(&request))
    return submit_read(request_id, std::move(*read));
  if (auto* change = std::get_if<MemberChangeRequest>(&request))
    return submit_member_change(request_id, *change);
  if (auto* transfer = std::get_if<TransferLeaderRequest>(&request))
    return submit_transfer(request_id, *transfer);
  return submit_write(request_id, std::move(std::get<storage::WriteRequest>(request)), session);
}

// Answers a range from the locally applied state (the caller decides that this is allowed).
StoreReply Replica::read_now(const storage::RangeRequest& range) const {
  auto result = mvcc_->range(range);
  if (!result) return refuse(result.error());
  return StoreReply{std::nullopt, raft_->lead(), std::move(*result)};
}

ReplicaOutput Replica::submit_read(std::uint64_t request_id, ReadRequest read) {
  if (read.serializable) return answer(request_id, read_now(read.range));
  if (raft_->lead() == 0)
    return answer(request_id, refuse(StoreErrorCode::no_leader, "no leader known: retry later"));
  auto context = next_read_context_++;
  if (auto s = raft_->read_index(encode_context(context)); !s)
    return answer(request_id, refuse(s.error()));
  reads_[context] = PendingRead{request_id, std::move(read.range),
                                ticks_ + std::uint64_t(config_.request_timeout_ticks), 0};
  return {};
}

ReplicaOutput Replica::submit_write(std::uint64_t request_id, storage::WriteRequest write,
                                    const std::optional<storage::ClientSession>& session) {
  if (!leading()) return answer(request_id, refuse_not_leader());
  if (auto* grant = std::get_if<storage::LeaseGrantRequest>(&write)) {
    // The leader picks lease ids: term and log position make them unique cluster-wide.
    auto position = raft_->log().last_index() + 1;
    if (grant->id == 0)
      grant->id = std::int64_t(((raft_->term() & 0x7fffffff) << 32) | (position & 0xffffffff));
    if (auto s = leases_.check_grant(*grant, leading()); !s)
      return answer(request_id, refuse(s.error()));
  }
  // Applied state only grows, so a copy it already shows is refused without a proposal.
  if (auto seen = session ? mvcc_->sessions().check(*session) : Status(Ok{}); !seen)
    return answer(request_id, refuse(seen.error()));
  if (auto room = admit_write(write, mvcc_->data_bytes(), config_.quota_bytes); !room)
    return answer(request_id, refuse(room.error()));
  ReplicaOutput out;
  track_proposal(request_id, raft_->propose(encode_session_write(write, session)), out);
  return out;
}

ReplicaOutput Replica::submit_lease(std::uint64_t request_id, const StoreRequest& request) {
  leases_.sync_leadership(leading());
  if (!leading()) return answer(request_id, refuse_not_leader());
  const auto& log = raft_->log();
  bool log_applied = log.term(log.committed()) == raft_->term() && applied_ >= log.committed();
  auto lease = leases_.answer(request, log_applied, *mvcc_);
  if (!lease) return answer(request_id, refuse(lease.error()));
  return answer(request_id, StoreReply{std::nullopt, raft_->lead(), std::move(*lease)});
}

ReplicaOutput Replica::submit_member_change(std::uint64_t request_id,
                                            const MemberChangeRequest& change) {
  if (!leading()) return answer(request_id, refuse_not_leader());
  auto cc = members_->check_change(change, *raft_);
  if (!cc) return answer(request_id, refuse(cc.error()));
  ReplicaOutput out;
  track_proposal(request_id, raft_->propose_conf_change(*cc), out);
  return out;
}

ReplicaOutput Replica::submit_transfer(std::uint64_t request_id, TransferLeaderRequest transfer) {
  if (!leading()) return answer(request_id, refuse_not_leader());
  auto deadline = ticks_ + std::uint64_t(config_.request_timeout_ticks);
  auto started = members_->start_transfer(request_id, transfer.to, *raft_, deadline);
  if (!started) return answer(request_id, refuse(started.error()));
  if (*started) return answer(request_id, StoreReply{std::nullopt, config_.id, {}});
  return {};
}

// A transfer is answered once its target leads, or refused once it failed (replica_members).
void Replica::answer_transfers(ReplicaOutput& out) {
  for (auto& t : members_->settle_transfers(*raft_, ticks_)) {
    if (t.error)
      out.replies.push_back({t.request_id, refuse(*t.error)});
    else
      out.replies.push_back({t.request_id, StoreReply{std::nullopt, t.to, {}}});
  }
}

raft::NodeId Replica::transfer_to_best_voter() {
  if (failed() || !leading()) return 0;
  auto best = members_->best_voter(*raft_);
  if (best != 0 && !raft_->transfer_leadership(best)) return 0;
  return best;
}

void Replica::track_proposal(std::uint64_t request_id, const Result<std::uint64_t>& index,
                             ReplicaOutput& out) {
  if (!index) {
    ++stats_.proposals_failed;
    out.replies.push_back({request_id, refuse(index.error())});
    return;
  }
  proposals_[index.value()] = PendingWrite{request_id, raft_->term(),
                                           ticks_ + std::uint64_t(config_.request_timeout_ticks)};
}

void Replica::advance_clock(std::int64_t now_ms) {
  if (failed()) return;
  // A revoke that is lost (leader change, full queue) is offered again by the keeper later.
  for (auto id : leases_.advance_clock(now_ms, leading()))
    (void)raft_->propose(encode_write_request(storage::LeaseRevokeRequest{id}));
}

std::optional<std::int64_t> Replica::auto_compact(std::int64_t now_ms) {
  if (failed()) return std::nullopt;
  auto revision = auto_compactor_.decide(now_ms, leading(), mvcc_->current_revision(),
                                         mvcc_->compacted_revision());
  if (!revision) return std::nullopt;
  // No pending entry: the answer goes nowhere. A refusal (lost leadership, full queue) is
  // retried by the compactor's next decision.
  auto index = raft_->propose(encode_write_request(storage::CompactionRequest{*revision}));
  if (!index) return std::nullopt;
  return revision;
}

ReplicaOutput Replica::flush() {
  ReplicaOutput out;
  // Bounded: each Ready hands out at most ready_committed_entries_max entries; a few rounds
  // drain any backlog, and whatever is left waits for the next flush.
  for (int round = 0; round < 64 && !failed() && raft_->has_ready(); ++round) {
    auto rd = raft_->ready();
    // Raft only restores snapshots whose state the MVCC store holds (step() transfers first).
    CRATON_ASSERT(!rd.snapshot || rd.snapshot->meta.index <= mvcc_->applied_index(),
                  "Raft restored a snapshot the MVCC store has not reached");
    if (auto s = handle_ready(rd, out); !s) {
      fail(s.error());
      break;
    }
    raft_->advance();
  }
  if (!failed()) leases_.sync_leadership(leading());
  if (!failed()) answer_transfers(out);
  maybe_compact();
  if (!failed()) watches_->pump(*mvcc_, out);
  return out;
}

Status Replica::handle_ready(raft::Ready& rd, ReplicaOutput& out) {
  if (rd.snapshot) {
    // The MVCC store has reached it (installed, or applied on its own): record it with the
    // Ready's hard state in the same transaction, as the snapshot's term may be newer than
    // the stored hard state's, which a restart would refuse.
    if (auto s = log_->save_snapshot(rd.snapshot->meta, rd.hard_state); !s) return s;
  }
  send_early(rd);
  if (rd.hard_state || !rd.entries.empty()) {
    // Group commit: every entry and the hard state of this Ready in one synced transaction.
    auto saved = disk_timer_.time(DiskWrite::log_save,
                                  [&] { return log_->save(rd.hard_state, rd.entries); });
    if (!saved) return saved.error();
  }
  raft_events_.persisted(rd);
  for (auto& m : rd.messages) out.messages.push_back(std::move(m));
  if (auto s = apply(rd.committed_entries, out); !s) return s;
  raft_events_.applied(rd.committed_entries);
  for (auto& rs : rd.read_states) {
    auto context = decode_context(rs.context);
    if (!context) continue;
    if (auto it = reads_.find(*context); it != reads_.end()) it->second.read_index = rs.index;
  }
  serve_reads(out);
  return Ok{};
}

void Replica::send_early(raft::Ready& rd) {
  if (!early_sender_ || !leading()) return;
  // Only what a leader originates; anything that answers another replica (votes, acks) waits
  // for the save like everything on a follower.
  auto leader_only = [](const raft::Message& m) {
    using raft::MessageType;
    return m.type == MessageType::app || m.type == MessageType::heartbeat ||
           m.type == MessageType::snap || m.type == MessageType::timeout_now;
  };
  std::vector<raft::Message> early;
  std::vector<raft::Message> rest;
  for (auto& m : rd.messages) (leader_only(m) ? early : rest).push_back(std::move(m));
  rd.messages = std::move(rest);
  if (!early.empty()) early_sender_(std::move(early));
}

// Applies `writes` as one MVCC batch (one transaction), mirrors leases, answers the proposals
// of `origin` (the entry of each write), and clears both.
Status Replica::apply_writes(std::vector<storage::IndexedWrite>& writes,
                             std::vector<const raft::Entry*>& origin, ReplicaOutput& out) {
  auto results =
      disk_timer_.time(DiskWrite::apply_commit, [&] { return mvcc_->apply_batch(writes); });
  // A batch the disk refused is committed in Raft all the same: its writes are not answered
  // (an error such as no_space would tell the client "not applied"); the replica fails.
  if (!writes.empty() && mvcc_->applied_index() < writes.back().index)
    return Error{"apply_failed",
                 "the MVCC store did not apply index " + std::to_string(writes.back().index)};
  leases_.note_applied(writes, results);
  for (std::size_t i = 0; i < results.size(); ++i)
    answer_write(*origin[i], std::move(results[i]), out);
  writes.clear();
  origin.clear();
  return Ok{};
}

Status Replica::apply(const std::vector<raft::Entry>& entries, ReplicaOutput& out) {
  std::vector<storage::IndexedWrite> writes;
  std::vector<const raft::Entry*> origin;
  for (const auto& e : entries) {
    if (e.type == raft::EntryType::conf_change) {
      answer_member_change(e, out);
      continue;
    }
    if (e.type != raft::EntryType::normal || e.data.empty()) {
      answer_write(e, Error{"proposal_dropped", "the write lost its log position"}, out);
      continue;
    }
    auto request = decode_session_write(e.data);
    if (!request) {
      answer_write(e, request.error(), out);
      continue;
    }
    if (std::holds_alternative<storage::CompactionRequest>(request->request)) {
      // The watch hub's contract: it reads every revision before a compaction removes it.
      if (!writes.empty())
        if (auto s = apply_writes(writes, origin, out); !s) return s;
      watches_->on_applied(*mvcc_);
    }
    writes.push_back({e.index, std::move(request->request), request->session});
    origin.push_back(&e);
  }
  if (auto s = apply_writes(writes, origin, out); !s) return s;
  if (!entries.empty()) applied_ = std::max(applied_, entries.back().index);
  return Ok{};
}

std::optional<std::uint64_t> Replica::settle_proposal(const raft::Entry& e, const char* what,
                                                      ReplicaOutput& out) {
  auto it = proposals_.find(e.index);
  if (it == proposals_.end()) return std::nullopt;
  auto request_id = it->second.request_id;
  bool replaced = it->second.term != e.term;
  proposals_.erase(it);
  if (!replaced) return request_id;
  ++stats_.proposals_failed;
  out.replies.push_back(
      {request_id, refuse(StoreErrorCode::proposal_dropped,
                          std::string("a leader change replaced the ") + what + ": not applied")});
  return std::nullopt;
}

void Replica::answer_write(const raft::Entry& e, Result<storage::WriteResponse> result,
                           ReplicaOutput& out) {
  auto request_id = settle_proposal(e, "write", out);
  if (!request_id) return;
  if (!result)
    out.replies.push_back({*request_id, refuse(result.error())});
  else
    out.replies.push_back({*request_id, {std::nullopt, raft_->lead(), std::move(result.value())}});
}

// A committed conf change: the directory learns it (Raft applies it in advance()), and the
// change's requester gets the resulting membership.
void Replica::answer_member_change(const raft::Entry& e, ReplicaOutput& out) {
  members_->apply(e);
  if (auto request_id = settle_proposal(e, "change", out))
    out.replies.push_back(
        {*request_id, {std::nullopt, raft_->lead(), members_->list(raft_->lead())}});
}

void Replica::serve_reads(ReplicaOutput& out) {
  for (auto it = reads_.begin(); it != reads_.end();) {
    auto& read = it->second;
    if (read.read_index == 0 || read.read_index > applied_) {
      ++it;
      continue;
    }
    out.replies.push_back({read.request_id, read_now(read.range)});
    it = reads_.erase(it);
  }
}

ReplicaOutput Replica::watch(std::uint64_t request_id, StreamId stream, StoreRequest request) {
  if (failed()) return answer(request_id, refuse(StoreErrorCode::failed, failure_->message));
  auto handled = watches_->handle(request_id, stream, request, *mvcc_, ticks_);
  if (!handled) return answer(request_id, refuse(handled.error()));
  ReplicaOutput out;
  if (*handled) out.replies.push_back({request_id, StoreReply{std::nullopt, raft_->lead(), {}}});
  watches_->pump(*mvcc_, out);
  return out;
}

void Replica::close_stream(StreamId stream) {
  watches_->close_stream(stream);
}

MemberStatus Replica::status() const {
  MemberStatus s;
  s.id = config_.id;
  const auto& members = raft_->membership();
  s.role = members.is_learner(config_.id) ? "learner" : raft::to_string(raft_->role());
  s.leader = raft_->lead();
  s.term = raft_->term();
  s.commit_index = raft_->log().committed();
  s.applied_index = applied_;
  s.revision = mvcc_->current_revision();
  s.compacted_revision = mvcc_->compacted_revision();
  if (auto stats = env_->stats()) s.db_size_bytes = stats->used_bytes;
  s.data_bytes = mvcc_->data_bytes();
  s.quota_bytes = config_.quota_bytes;
  s.voters.assign(members.voters.begin(), members.voters.end());
  s.learners.assign(members.learners.begin(), members.learners.end());
  return s;
}

}  // namespace craton::store
