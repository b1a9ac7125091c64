#include "actors/store/replica/replica.hpp"

#include <cstring>
#include <iterator>

#include "actors/store/codec/session_codec.hpp"
#include "actors/store/codec/store_codec.hpp"

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

}  // namespace

namespace {

template <class T>
void move_all(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

void ReplicaOutput::append(ReplicaOutput&& more) {
  move_all(messages, more.messages);
  move_all(replies, more.replies);
  move_all(fetches, more.fetches);
  move_all(chunks, more.chunks);
  move_all(watch, more.watch);
  move_all(closed_streams, more.closed_streams);
}

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
  sender_ = std::make_unique<SnapshotSender>(config_.snapshot_transfer);
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
  // Applied writes need not be synced on their own: the log beside them is (see MvccOptions).
  auto mvcc_options = config_.mvcc;
  mvcc_options.defer_apply_sync = true;
  auto mvcc = storage::MvccStore::open(*env_, mvcc_options);
  if (!mvcc) return mvcc.error();
  mvcc_.emplace(std::move(*mvcc));
  hub_.emplace(config_.watch, mvcc_->current_revision());

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
  applied_ = std::max(mvcc_->applied_index(), log_->snapshot().index);
  record_opened();
  leases_.recover(*mvcc_, 0);  // expiries are set for real when this replica is promoted
  return open_members();
}

void Replica::fail(Error error) {
  if (!failure_) failure_ = std::move(error);
}

StoreReply Replica::refuse(std::string code, std::string message) const {
  StoreReply reply;
  reply.error = Error{std::move(code), std::move(message)};
  reply.leader_hint = raft_->lead();
  return reply;
}

// Refuses a leader-only request: not_leader with the believed leader, or no_leader.
StoreReply Replica::refuse_not_leader() const {
  auto lead = raft_->lead();
  if (lead == 0) return refuse("no_leader", "no leader known: retry later");
  return refuse("not_leader", "replica " + std::to_string(config_.id) +
                                  " is not the leader; try replica " + std::to_string(lead));
}

void Replica::step(raft::Message m) {
  if (failed()) return;
  if (!raft_->step(std::move(m))) ++dropped_;
  record_leadership();
}

// Answers "timeout" for, and forgets, every pending request whose deadline tick has passed.
template <class Pending>
void Replica::expire(Pending& pending, const char* message, ReplicaOutput& out) {
  for (auto it = pending.begin(); it != pending.end();) {
    if (it->second.deadline_tick > ticks_) {
      ++it;
      continue;
    }
    out.replies.push_back({it->second.request_id, refuse("timeout", message)});
    it = pending.erase(it);
  }
}

ReplicaOutput Replica::tick() {
  ReplicaOutput out;
  if (failed()) return out;
  ++ticks_;
  raft_->tick();
  record_leadership();
  tick_snapshots(out);
  expire(proposals_, "write not applied in time: outcome unknown", out);
  expire(reads_, "no read index confirmed in time", out);
  answer_transfers(out);
  tick_watches(out);
  return out;
}

ReplicaOutput Replica::submit(std::uint64_t request_id, StoreRequest request,
                              std::optional<storage::ClientSession> session) {
  ReplicaOutput out;
  if (failed()) {
    out.replies.push_back({request_id, refuse("failed", failure_->message)});
    return out;
  }
  if (std::holds_alternative<StatusRequest>(request)) {
    out.replies.push_back({request_id, StoreReply{std::nullopt, raft_->lead(), status()}});
    return out;
  }
  if (is_watch_request(request)) {
    out.replies.push_back({request_id, refuse("invalid", "watch requests need a stream")});
    return out;
  }
  if (removed()) {
    out.replies.push_back({request_id, refuse("removed", "replica " + std::to_string(config_.id) +
                                                             " was removed from the cluster")});
    return out;
  }
  if (auto* change = std::get_if<MemberChangeRequest>(&request);
      change && change->kind == MemberChangeKind::list) {
    out.replies.push_back(
        {request_id, {std::nullopt, raft_->lead(), members_->list(raft_->lead())}});
    return out;
  }
  if (is_leader_only(request)) return submit_lease(request_id, request);
  if (pending() >= config_.pending_max) {
    out.replies.push_back(
        {request_id, refuse("busy", "too many pending requests (" +
                                        std::to_string(config_.pending_max) + "): retry later")});
    return out;
  }
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
  StoreReply reply{std::nullopt, raft_->lead(), {}};
  auto result = mvcc_->range(range);
  if (result)
    reply.body = std::move(*result);
  else
    reply.error = result.error();
  return reply;
}

ReplicaOutput Replica::submit_read(std::uint64_t request_id, ReadRequest read) {
  ReplicaOutput out;
  if (read.serializable) {
    out.replies.push_back({request_id, read_now(read.range)});
    return out;
  }
  if (raft_->lead() == 0) {
    out.replies.push_back({request_id, refuse("no_leader", "no leader known: retry later")});
    return out;
  }
  auto context = next_read_context_++;
  if (auto s = raft_->read_index(encode_context(context)); !s) {
    out.replies.push_back({request_id, refuse(s.error().code, s.error().message)});
    return out;
  }
  reads_[context] = PendingRead{request_id, std::move(read.range),
                                ticks_ + std::uint64_t(config_.request_timeout_ticks), 0};
  return out;
}

ReplicaOutput Replica::submit_write(std::uint64_t request_id, storage::WriteRequest write,
                                    const std::optional<storage::ClientSession>& session) {
  ReplicaOutput out;
  if (raft_->role() != raft::Role::leader) {
    out.replies.push_back({request_id, refuse_not_leader()});
    return out;
  }
  if (auto* grant = std::get_if<storage::LeaseGrantRequest>(&write); grant && grant->id == 0) {
    // The leader picks lease ids: term and log position make them unique cluster-wide.
    auto position = raft_->log().last_index() + 1;
    grant->id = std::int64_t(((raft_->term() & 0x7fffffff) << 32) | (position & 0xffffffff));
  }
  if (auto* grant = std::get_if<storage::LeaseGrantRequest>(&write)) {
    if (auto s = check_lease_grant(*grant); !s) {
      out.replies.push_back({request_id, refuse(s.error().code, s.error().message)});
      return out;
    }
  }
  // Applied state only grows, so a copy it already shows is refused without a proposal.
  if (auto seen = session ? mvcc_->sessions().check(*session) : Status(Ok{}); !seen) {
    out.replies.push_back({request_id, refuse(seen.error().code, seen.error().message)});
    return out;
  }
  if (auto room = admit_write(write, mvcc_->data_bytes(), config_.quota_bytes); !room) {
    out.replies.push_back({request_id, refuse(room.error().code, room.error().message)});
    return out;
  }
  track_proposal(request_id, raft_->propose(encode_session_write(write, session)), out);
  return out;
}

void Replica::track_proposal(std::uint64_t request_id, const Result<std::uint64_t>& index,
                             ReplicaOutput& out) {
  if (!index) {
    out.replies.push_back({request_id, refuse(index.error().code, index.error().message)});
    return;
  }
  proposals_[index.value()] = PendingWrite{request_id, raft_->term(),
                                           ticks_ + std::uint64_t(config_.request_timeout_ticks)};
}

ReplicaOutput Replica::flush() {
  ReplicaOutput out;
  // Bounded: each Ready hands out at most ready_committed_entries_max entries; a few rounds
  // drain any backlog, and whatever is left waits for the next flush.
  for (int round = 0; round < 64 && !failed() && !held_ && raft_->has_ready(); ++round) {
    auto rd = raft_->ready();
    if (needs_install(rd)) {
      hold_snapshot_ready(std::move(rd), out);
      break;
    }
    if (auto s = handle_ready(rd, out); !s) {
      fail(s.error());
      break;
    }
    raft_->advance();
  }
  if (!failed()) sync_leadership();
  if (!failed()) answer_transfers(out);
  maybe_compact();
  if (!failed()) pump_watches(out);
  return out;
}

Status Replica::handle_ready(raft::Ready& rd, ReplicaOutput& out) {
  if (rd.snapshot) {
    // The MVCC store has reached it (installed, or applied on its own): record it.
    if (auto s = record_snapshot(rd); !s) return s;
  }
  send_early(rd);
  if (rd.hard_state || !rd.entries.empty()) {
    // Group commit: every entry and the hard state of this Ready in one synced transaction.
    if (auto s = log_->save(rd.hard_state, rd.entries); !s) return s.error();
  }
  record_persisted(rd);
  for (auto& m : rd.messages) out.messages.push_back(std::move(m));
  if (auto s = apply(rd.committed_entries, out); !s) return s;
  record_applied(rd.committed_entries);
  for (auto& rs : rd.read_states) {
    auto context = decode_context(rs.context);
    if (!context) continue;
    if (auto it = reads_.find(*context); it != reads_.end()) it->second.read_index = rs.index;
  }
  serve_reads(out);
  return Ok{};
}

void Replica::send_early(raft::Ready& rd) {
  if (!early_sender_ || raft_->role() != raft::Role::leader) return;
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

Status Replica::apply(const std::vector<raft::Entry>& entries, ReplicaOutput& out) {
  std::vector<storage::IndexedWrite> writes;
  std::vector<const raft::Entry*> origin;
  // Applies what is collected so far as one batch (see apply_batch below).
  auto apply_collected = [&]() -> Status {
    auto results = mvcc_->apply_batch(writes);
    // A batch the disk refused is committed in Raft all the same: its writes are not answered
    // (an error such as no_space would tell the client "not applied"); the replica fails.
    if (!writes.empty() && mvcc_->applied_index() < writes.back().index)
      return Error{"apply_failed",
                   "the MVCC store did not apply index " + std::to_string(writes.back().index)};
    note_leases(writes, results);
    for (std::size_t i = 0; i < results.size(); ++i)
      answer_write(*origin[i], std::move(results[i]), out);
    writes.clear();
    origin.clear();
    return Ok{};
  };
  for (const auto& e : entries) {
    if (e.type == raft::EntryType::conf_change) {
      apply_member_change(e, out);
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
        if (auto s = apply_collected(); !s) return s;
      hub_->on_applied(*mvcc_);
    }
    writes.push_back({e.index, std::move(request->request), request->session});
    origin.push_back(&e);
  }
  if (auto s = apply_collected(); !s) return s;
  if (!entries.empty()) applied_ = std::max(applied_, entries.back().index);
  return Ok{};
}

void Replica::answer_write(const raft::Entry& e, Result<storage::WriteResponse> result,
                           ReplicaOutput& out) {
  auto it = proposals_.find(e.index);
  if (it == proposals_.end()) return;
  StoreReply reply{std::nullopt, raft_->lead(), {}};
  if (it->second.term != e.term)
    reply.error = Error{"proposal_dropped", "a leader change replaced the write: not applied"};
  else if (result)
    reply.body = std::move(result.value());
  else
    reply.error = result.error();
  out.replies.push_back({it->second.request_id, std::move(reply)});
  proposals_.erase(it);
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
