#include "actors/store/raft.hpp"

#include <algorithm>
#include <stdexcept>

// Messages are built with C++20 designated initializers that name only the fields a type
// uses; the others keep their declared defaults, which is what this warning flags.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace craton::raft {

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::logic_error(std::string("raft invariant: ") + what);
}

Error not_leader(NodeId lead) {
  return Error{"not_leader", lead == 0 ? "no leader is known"
                                       : "not the leader; leader is " + std::to_string(lead)};
}

bool is_local_request(MessageType t) {
  // Requests a follower forwards to its leader carry no term (as in etcd).
  return t == MessageType::read_index || t == MessageType::transfer_leader;
}

Status validate_entries(const Message& m, std::size_t max_count) {
  if (m.entries.size() > max_count) return Error{"malformed", "too many entries in a message"};
  for (std::size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.index != m.index + 1 + i) return Error{"malformed", "entries are not contiguous"};
    if (e.term == 0 || e.term > m.term) return Error{"malformed", "entry term out of range"};
    if (i > 0 && e.term < m.entries[i - 1].term) {
      return Error{"malformed", "entry terms decrease"};
    }
    if (e.type != EntryType::normal && e.type != EntryType::conf_change) {
      return Error{"malformed", "unknown entry type"};
    }
  }
  if (!m.entries.empty() && m.entries.front().term < m.log_term) {
    return Error{"malformed", "entry term below the previous entry's"};
  }
  return Ok{};
}

Status validate_message(const Message& m, NodeId self, std::size_t max_entries) {
  if (m.type < MessageType::app || m.type > MessageType::timeout_now) {
    return Error{"malformed", "unknown message type"};
  }
  if (m.to != self) return Error{"malformed", "message addressed to another replica"};
  if (m.from == 0 || m.from == self) return Error{"malformed", "bad sender id"};
  if (m.term == 0 && !is_local_request(m.type)) return Error{"malformed", "message has no term"};
  if (m.type == MessageType::snap) {
    if (!m.snapshot || m.snapshot->meta.index == 0 || m.snapshot->meta.term == 0 ||
        m.snapshot->meta.term > m.term || m.snapshot->meta.voters.empty()) {
      return Error{"malformed", "snapshot message without a valid snapshot"};
    }
  }
  if (m.type == MessageType::app) return validate_entries(m, max_entries);
  if (!m.entries.empty()) return Error{"malformed", "entries on a non-append message"};
  return Ok{};
}

}  // namespace

const char* to_string(MessageType type) {
  static const char* names[] = {"?",
                                "app",
                                "app_resp",
                                "vote",
                                "vote_resp",
                                "pre_vote",
                                "pre_vote_resp",
                                "snap",
                                "heartbeat",
                                "heartbeat_resp",
                                "read_index",
                                "read_index_resp",
                                "transfer_leader",
                                "timeout_now"};
  auto i = static_cast<std::size_t>(type);
  return i < std::size(names) ? names[i] : "?";
}

const char* to_string(Role role) {
  switch (role) {
    case Role::follower:
      return "follower";
    case Role::pre_candidate:
      return "pre_candidate";
    case Role::candidate:
      return "candidate";
    case Role::leader:
      return "leader";
  }
  return "?";
}

Status RaftConfig::validate() const {
  if (id == 0) return Error{"invalid_config", "replica id must not be 0"};
  if (heartbeat_tick <= 0 || election_tick <= heartbeat_tick) {
    return Error{"invalid_config", "need 0 < heartbeat_tick < election_tick"};
  }
  if (max_inflight == 0 || max_entries_per_msg == 0 || max_bytes_per_msg == 0 ||
      max_committed_per_ready == 0 || max_pending_reads == 0 || max_entry_bytes == 0) {
    return Error{"invalid_config", "every limit must be positive"};
  }
  for (NodeId v : voters) {
    if (v == 0) return Error{"invalid_config", "voter id 0"};
    if (std::count(learners.begin(), learners.end(), v)) {
      return Error{"invalid_config", "a node is both voter and learner"};
    }
  }
  return Ok{};
}

Result<Raft> Raft::open(RaftConfig config, PersistentState state) {
  if (auto st = config.validate(); !st) return st.error();
  const auto& snap = state.snapshot.meta;
  for (std::size_t i = 0; i < state.entries.size(); ++i) {
    if (state.entries[i].index != snap.index + 1 + i) {
      return Error{"corrupt_state", "stored entries do not follow the snapshot contiguously"};
    }
  }
  std::uint64_t last = snap.index + state.entries.size();
  const auto& hs = state.hard_state;
  // A commit index past the stored log means entries were lost.
  if (hs.commit > last) return Error{"corrupt_state", "hard state commit beyond the log"};
  if (snap.index > 0 && (snap.term == 0 || snap.voters.empty())) {
    return Error{"corrupt_state", "stored snapshot has no term or no voters"};
  }
  if (hs.term < snap.term || (!state.entries.empty() && state.entries.back().term > hs.term)) {
    return Error{"corrupt_state", "stored term is older than the stored log"};
  }
  if (config.applied > std::max(hs.commit, snap.index)) {
    return Error{"corrupt_state", "applied index beyond commit"};
  }
  return Raft(std::move(config), std::move(state));
}

Raft::Raft(RaftConfig config, PersistentState state)
    : cfg_(std::move(config)),
      id_(cfg_.id),
      rng_(derive_seed(cfg_.seed, "raft/" + std::to_string(cfg_.id))),
      term_(state.hard_state.term),
      vote_(state.hard_state.vote),
      log_(state.snapshot.meta, std::move(state.entries)),
      snapshot_(std::move(state.snapshot)),
      read_only_(cfg_.max_pending_reads) {
  bool empty_storage = state.hard_state == HardState{} && log_.last_index() == 0;
  if (snapshot_.meta.index > 0) {
    membership_ = Membership::from(snapshot_.meta);
  } else {
    membership_.voters.insert(cfg_.voters.begin(), cfg_.voters.end());
    membership_.learners.insert(cfg_.learners.begin(), cfg_.learners.end());
  }
  conf_history_.push_back({log_.snapshot_index(), membership_});
  log_.commit_to(std::max(state.hard_state.commit, log_.snapshot_index()));
  log_.applied_to(std::max(cfg_.applied, log_.snapshot_index()));
  prev_hard_state_ = state.hard_state;
  prev_hard_state_.commit = log_.committed();
  if (empty_storage && !membership_.voters.empty()) bootstrap();
  replay_applied_conf_changes();
  become_follower(term_, 0);
  prev_soft_state_ = soft_state();
}

// A brand-new cluster writes its initial configuration into the log as committed entries of
// term 1, identically on every initial member (as etcd's StartNode does), so that replicas
// added later learn it from the log like any other change.
void Raft::bootstrap() {
  std::vector<Entry> entries;
  auto add = [&](ConfChangeType type, NodeId node) {
    Entry e{1, entries.size() + 1, EntryType::conf_change, ConfChange{type, node}.encode()};
    entries.push_back(std::move(e));
  };
  for (NodeId v : membership_.voters) add(ConfChangeType::add_voter, v);
  for (NodeId l : membership_.learners) add(ConfChangeType::add_learner, l);
  log_.append(std::move(entries));
  log_.commit_to(log_.last_index());
  term_ = 1;
}

// After a restart the configuration is the snapshot's (or the initial one) plus every change
// the state machine had already applied; later ones are applied as they are handed out again.
void Raft::replay_applied_conf_changes() {
  for (auto i = log_.first_index(); i <= log_.applied(); ++i) {
    const Entry& e = log_.at(i);
    if (e.type != EntryType::conf_change) continue;
    auto cc = ConfChange::decode(e.data);
    if (!cc) continue;
    auto next = membership_.apply(*cc);
    if (!next) continue;
    membership_ = std::move(*next);
    conf_history_.push_back({e.index, membership_});
  }
}

// ---------------------------------------------------------------------------------------------
// Roles

void Raft::reset(std::uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = 0;
  }
  lead_ = 0;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  reset_randomized_election_timeout();
  abort_leader_transfer();
  votes_.clear();
  reset_progress();
  pending_conf_index_ = 0;
  read_only_.clear();
  reads_awaiting_commit_.clear();
}

void Raft::reset_progress() {
  progress_.clear();
  auto add = [&](NodeId n, bool learner) {
    Progress pr(log_.last_index() + 1, cfg_.max_inflight, learner);
    if (n == id_) pr.match = log_.last_index();
    progress_.emplace(n, std::move(pr));
  };
  for (NodeId v : membership_.voters) add(v, false);
  for (NodeId l : membership_.learners) add(l, true);
}

void Raft::reset_randomized_election_timeout() {
  auto et = static_cast<std::uint64_t>(cfg_.election_tick);
  randomized_election_timeout_ = static_cast<int>(rng_.uniform(et, 2 * et - 1));
}

void Raft::become_follower(std::uint64_t term, NodeId lead) {
  reset(term);
  lead_ = lead;
  role_ = Role::follower;
}

void Raft::become_pre_candidate() {
  require(role_ != Role::leader, "leader cannot become pre-candidate");
  // A pre-campaign changes neither term nor vote: that is what keeps it harmless.
  role_ = Role::pre_candidate;
  votes_.clear();
  lead_ = 0;
}

void Raft::become_candidate() {
  require(role_ != Role::leader, "leader cannot become candidate");
  reset(term_ + 1);
  vote_ = id_;
  role_ = Role::candidate;
}

void Raft::become_leader() {
  require(role_ == Role::candidate, "only a candidate becomes leader");
  reset(term_);
  lead_ = id_;
  role_ = Role::leader;
  // Conservatively treat everything in the log as a possible pending conf change.
  pending_conf_index_ = log_.last_index();
  // An empty entry of the new term lets the leader commit (thesis 3.6.2 / Figure 8).
  append_entries({Entry{term_, 0, EntryType::normal, {}}});
  broadcast_append();
}

// ---------------------------------------------------------------------------------------------
// Ticks and elections

void Raft::tick() {
  if (role_ == Role::leader) {
    tick_heartbeat();
  } else {
    tick_election();
  }
}

void Raft::tick_election() {
  ++election_elapsed_;
  if (promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    hup(Campaign::election);
  }
}

void Raft::tick_heartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= cfg_.election_tick) {
    election_elapsed_ = 0;
    if (cfg_.check_quorum && !quorum_active()) {
      become_follower(term_, 0);
      return;
    }
    abort_leader_transfer();  // it did not complete within an election timeout
  }
  if (heartbeat_elapsed_ >= cfg_.heartbeat_tick) {
    heartbeat_elapsed_ = 0;
    broadcast_heartbeat({});
  }
}

bool Raft::quorum_active() {
  std::size_t active = 0;
  for (auto& [node, pr] : progress_) {
    if (node == id_) {
      if (membership_.is_voter(id_)) ++active;
      continue;
    }
    if (pr.recent_active && !pr.is_learner) ++active;
    pr.recent_active = false;
  }
  return active >= membership_.quorum();
}

bool Raft::has_unapplied_conf_change() const {
  for (auto i = log_.applied() + 1; i <= log_.committed(); ++i) {
    if (i >= log_.first_index() && log_.at(i).type == EntryType::conf_change) return true;
  }
  return false;
}

void Raft::hup(Campaign kind) {
  if (role_ == Role::leader || !promotable()) return;
  // A committed but unapplied membership change could change who votes: wait for it.
  if (has_unapplied_conf_change()) return;
  campaign(cfg_.pre_vote && kind == Campaign::election ? Campaign::pre_vote : kind);
}

void Raft::campaign(Campaign kind) {
  std::uint64_t term = 0;
  MessageType type;
  if (kind == Campaign::pre_vote) {
    become_pre_candidate();
    type = MessageType::pre_vote;
    term = term_ + 1;  // the term we would campaign in; our own term is unchanged
  } else {
    become_candidate();
    type = MessageType::vote;
    term = term_;
  }
  if (poll(id_, true) == VoteResult::won) {  // a cluster of one
    if (kind == Campaign::pre_vote) {
      campaign(Campaign::election);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId v : membership_.voters) {
    if (v == id_) continue;
    Message m{.type = type, .from = id_, .to = v, .term = term};
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    m.leader_transfer = kind == Campaign::transfer;
    send(std::move(m));
  }
}

Raft::VoteResult Raft::poll(NodeId from, bool granted) {
  votes_.emplace(from, granted);  // the first answer counts; duplicates do not
  std::size_t yes = 0, no = 0;
  for (auto [node, g] : votes_) {
    if (!membership_.is_voter(node)) continue;
    (g ? yes : no) += 1;
  }
  if (yes >= membership_.quorum()) return VoteResult::won;
  if (no > membership_.voters.size() - membership_.quorum()) return VoteResult::lost;
  return VoteResult::pending;
}

// ---------------------------------------------------------------------------------------------
// Step

Status Raft::step(Message m) {
  if (auto st = validate_message(m, id_, cfg_.max_msg_entries); !st) return st;
  if (!step_term(m)) return Ok{};
  switch (m.type) {
    case MessageType::vote:
    case MessageType::pre_vote:
      handle_vote_request(m);
      return Ok{};
    default:
      break;
  }
  switch (role_) {
    case Role::leader:
      step_leader(m);
      break;
    case Role::candidate:
    case Role::pre_candidate:
      step_candidate(m);
      break;
    case Role::follower:
      step_follower(m);
      break;
  }
  return Ok{};
}

// Applies the term rules common to every role; returns false if the message is to be dropped.
bool Raft::step_term(const Message& m) {
  if (m.term == 0) return true;
  if (m.term > term_) {
    bool vote_request = m.type == MessageType::vote || m.type == MessageType::pre_vote;
    if (vote_request) {
      bool in_lease = cfg_.check_quorum && lead_ != 0 && election_elapsed_ < cfg_.election_tick;
      // While we hear from a live leader, ignore disruptive candidates (thesis 4.2.3).
      if (in_lease && !m.leader_transfer) return false;
    }
    if (m.type == MessageType::pre_vote) return true;  // a pre-vote never changes our term
    if (m.type == MessageType::pre_vote_resp && !m.reject) return true;  // future term
    bool from_leader = m.type == MessageType::app || m.type == MessageType::heartbeat ||
                       m.type == MessageType::snap;
    become_follower(m.term, from_leader ? m.from : 0);
    return true;
  }
  if (m.term < term_) {
    if ((cfg_.check_quorum || cfg_.pre_vote) &&
        (m.type == MessageType::heartbeat || m.type == MessageType::app)) {
      // A stale leader (or one cut off while we advanced our term): tell it our term so it
      // steps down instead of staying stuck.
      send(Message{.type = MessageType::app_resp, .to = m.from});
    } else if (m.type == MessageType::pre_vote) {
      send(
          Message{.type = MessageType::pre_vote_resp, .to = m.from, .term = term_, .reject = true});
    }
    return false;
  }
  return true;
}

void Raft::handle_vote_request(const Message& m) {
  bool pre = m.type == MessageType::pre_vote;
  bool can_vote = vote_ == m.from || (vote_ == 0 && lead_ == 0) || (pre && m.term > term_);
  auto resp_type = pre ? MessageType::pre_vote_resp : MessageType::vote_resp;
  if (can_vote && log_.is_up_to_date(m.index, m.log_term)) {
    send(Message{.type = resp_type, .to = m.from, .term = m.term});
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    send(Message{.type = resp_type, .to = m.from, .term = term_, .reject = true});
  }
}

void Raft::step_leader(Message& m) {
  if (m.type == MessageType::read_index) {
    leader_read(m.from, std::move(m.context));
    return;
  }
  if (m.type == MessageType::transfer_leader) {
    start_transfer(m.from);
    return;
  }
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return;  // not (or no longer) a member
  Progress& pr = it->second;
  if (m.type == MessageType::app_resp) {
    handle_append_response(m, pr);
  } else if (m.type == MessageType::heartbeat_resp) {
    handle_heartbeat_response(m, pr);
  }
}

void Raft::handle_append_response(const Message& m, Progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    // Fast back-off: skip every entry of a term the follower does not have (etcd's
    // findConflictByTerm), instead of one index per round trip.
    std::uint64_t probe = m.reject_hint;
    if (m.log_term > 0) probe = log_.find_conflict_by_term(m.reject_hint, m.log_term);
    if (pr.maybe_decrease_to(m.index, probe)) {
      if (pr.state == ProgressState::replicate) pr.become_probe();
      send_append(m.from);
    }
    return;
  }
  bool was_paused = pr.is_paused();
  if (!pr.maybe_update(m.index)) return;
  if (pr.state == ProgressState::probe) {
    pr.become_replicate();
  } else if (pr.state == ProgressState::snapshot && pr.match >= pr.pending_snapshot) {
    pr.become_probe();
  } else if (pr.state == ProgressState::replicate) {
    pr.inflights.free_to(m.index);
  }
  if (maybe_commit()) {
    broadcast_append();
  } else if (was_paused) {
    send_append(m.from, false);
  }
  // Pipelining: keep the window full while there is something to send.
  while (progress_.count(m.from) && send_append(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr.match == log_.last_index()) {
    send(Message{.type = MessageType::timeout_now, .to = m.from});
  }
}

void Raft::handle_heartbeat_response(const Message& m, Progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;
  // A reply proves the follower is reachable again: let one more append through.
  if (pr.state == ProgressState::replicate && pr.inflights.full()) pr.inflights.reset();
  if (pr.match < log_.last_index()) send_append(m.from);
  std::uint64_t round = ReadOnlyQueue::parse_round(m.context);
  if (round == 0 || !membership_.is_voter(m.from)) return;
  std::uint64_t confirmed = read_only_.ack(round, m.from, membership_.quorum());
  if (confirmed == 0) return;
  for (auto& req : read_only_.release_through(confirmed)) {
    answer_read(req.from, req.index, std::move(req.context));
  }
}

void Raft::step_candidate(Message& m) {
  auto my_resp = role_ == Role::pre_candidate ? MessageType::pre_vote_resp : MessageType::vote_resp;
  switch (m.type) {
    case MessageType::app:
      become_follower(m.term, m.from);
      handle_append(m);
      return;
    case MessageType::heartbeat:
      become_follower(m.term, m.from);
      handle_heartbeat(m);
      return;
    case MessageType::snap:
      become_follower(m.term, m.from);
      handle_snapshot(m);
      return;
    default:
      break;
  }
  if (m.type != my_resp) return;
  switch (poll(m.from, !m.reject)) {
    case VoteResult::won:
      if (role_ == Role::pre_candidate) {
        campaign(Campaign::election);
      } else {
        become_leader();
      }
      return;
    case VoteResult::lost:
      become_follower(term_, 0);
      return;
    case VoteResult::pending:
      return;
  }
}

void Raft::step_follower(Message& m) {
  switch (m.type) {
    case MessageType::app:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_append(m);
      return;
    case MessageType::heartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_heartbeat(m);
      return;
    case MessageType::snap:
      election_elapsed_ = 0;
      lead_ = m.from;
      handle_snapshot(m);
      return;
    case MessageType::timeout_now:
      // The leader hands over: campaign now, skipping pre-vote and leases.
      hup(Campaign::transfer);
      return;
    case MessageType::read_index_resp:
      if (!m.reject) read_states_.push_back({m.index, std::move(m.context)});
      return;
    default:
      return;  // read_index / transfer_leader reach followers only if misrouted: drop
  }
}

void Raft::handle_append(Message& m) {
  if (m.index < log_.committed()) {
    send(Message{.type = MessageType::app_resp, .to = m.from, .index = log_.committed()});
    return;
  }
  auto last = log_.maybe_append(m.index, m.log_term, m.commit, std::move(m.entries));
  if (last) {
    send(Message{.type = MessageType::app_resp, .to = m.from, .index = *last});
    return;
  }
  // Reject with a hint: the last index whose term is <= the leader's term at m.index.
  std::uint64_t hint = log_.find_conflict_by_term(std::min(m.index, log_.last_index()), m.log_term);
  Message resp{.type = MessageType::app_resp, .to = m.from, .index = m.index, .reject = true};
  resp.reject_hint = hint;
  resp.log_term = log_.term(hint).value_or(0);
  send(std::move(resp));
}

void Raft::handle_heartbeat(const Message& m) {
  log_.commit_to(std::min(m.commit, log_.last_index()));
  send(Message{.type = MessageType::heartbeat_resp, .to = m.from, .context = m.context});
}

void Raft::handle_snapshot(Message& m) {
  if (restore(*m.snapshot)) {
    send(Message{.type = MessageType::app_resp, .to = m.from, .index = log_.last_index()});
  } else {
    send(Message{.type = MessageType::app_resp, .to = m.from, .index = log_.committed()});
  }
}

bool Raft::restore(const Snapshot& s) {
  if (s.meta.index <= log_.committed()) return false;
  if (log_.match_term(s.meta.index, s.meta.term)) {
    // We already hold the entries it covers: just learn they are committed.
    log_.commit_to(s.meta.index);
    return false;
  }
  log_.restore(s.meta);
  snapshot_ = s;
  membership_ = Membership::from(s.meta);
  conf_history_.assign(1, {s.meta.index, membership_});
  reset_progress();
  pending_snapshot_ = s;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Replication

void Raft::send(Message m) {
  m.from = id_;
  if (m.term == 0 && !is_local_request(m.type)) m.term = term_;
  msgs_.push_back(std::move(m));
}

bool Raft::send_append(NodeId to, bool send_if_empty) {
  auto it = progress_.find(to);
  if (it == progress_.end() || to == id_) return false;
  Progress& pr = it->second;
  if (pr.is_paused()) return false;
  auto prev_term = log_.term(pr.next - 1);
  if (!prev_term) {  // the entries this follower needs were compacted away
    send_snapshot(to, pr);
    return true;
  }
  std::vector<Entry> ents;
  if (pr.next <= log_.last_index()) {
    ents = log_.slice(pr.next, log_.last_index(), cfg_.max_entries_per_msg, cfg_.max_bytes_per_msg);
  }
  if (ents.empty() && !send_if_empty) return false;
  Message m{.type = MessageType::app, .to = to, .log_term = *prev_term, .index = pr.next - 1};
  m.commit = log_.committed();
  if (!ents.empty()) {
    pr.sent_entries(ents.back().index);
  } else if (pr.state == ProgressState::probe) {
    pr.probe_sent = true;
  }
  m.entries = std::move(ents);
  send(std::move(m));
  return true;
}

void Raft::send_snapshot(NodeId to, Progress& pr) {
  require(snapshot_.meta.index == log_.snapshot_index(), "snapshot matches the log offset");
  Message m{.type = MessageType::snap, .to = to};
  m.snapshot = snapshot_;
  pr.become_snapshot(snapshot_.meta.index);
  send(std::move(m));
}

void Raft::send_heartbeat(NodeId to, const std::string& context) {
  const Progress& pr = progress_.at(to);
  // Never tell a follower to commit beyond what it is known to hold.
  Message m{.type = MessageType::heartbeat, .to = to, .context = context};
  m.commit = std::min(pr.match, log_.committed());
  send(std::move(m));
}

void Raft::broadcast_append() {
  for (auto& [node, pr] : progress_) {
    if (node == id_ || !send_append(node)) continue;
    // Pipelining: a replicating follower gets everything new, up to its in-flight window.
    while (pr.state == ProgressState::replicate && send_append(node, false)) {
    }
  }
}

void Raft::broadcast_heartbeat(const std::string& context) {
  for (auto& entry : progress_) {
    if (entry.first != id_) send_heartbeat(entry.first, context);
  }
}

Status Raft::check_can_propose() const {
  if (role_ != Role::leader) return not_leader(lead_);
  if (lead_transferee_ != 0) {
    return Error{"transferring",
                 "leadership is being transferred to " + std::to_string(lead_transferee_)};
  }
  return Ok{};
}

Result<std::uint64_t> Raft::propose(std::string data) {
  std::vector<std::string> one;
  one.push_back(std::move(data));
  return propose_batch(std::move(one));
}

Result<std::uint64_t> Raft::propose_batch(std::vector<std::string> data) {
  if (data.empty()) return Error{"invalid", "empty proposal batch"};
  std::vector<Entry> entries;
  for (auto& d : data) {
    if (d.size() > cfg_.max_entry_bytes) {
      return Error{"too_large", "proposal of " + std::to_string(d.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(cfg_.max_entry_bytes)};
    }
    entries.push_back(Entry{0, 0, EntryType::normal, std::move(d)});
  }
  return append_proposals(std::move(entries));
}

Result<std::uint64_t> Raft::propose_conf_change(const ConfChange& cc) {
  if (auto st = check_can_propose(); !st) return st.error();
  if (pending_conf_index_ > log_.applied()) {
    return Error{"change_in_progress", "a membership change is still being applied"};
  }
  if (auto next = membership_.apply(cc); !next) return next.error();
  auto index = append_proposals({Entry{0, 0, EntryType::conf_change, cc.encode()}});
  if (index) pending_conf_index_ = *index;
  return index;
}

Result<std::uint64_t> Raft::append_proposals(std::vector<Entry> entries) {
  if (auto st = check_can_propose(); !st) return st.error();
  append_entries(std::move(entries));
  broadcast_append();
  return log_.last_index();
}

void Raft::append_entries(std::vector<Entry> entries) {
  std::uint64_t index = log_.last_index();
  for (auto& e : entries) {
    e.term = term_;
    e.index = ++index;
  }
  std::uint64_t last = log_.append(std::move(entries));
  progress_.at(id_).maybe_update(last);
  maybe_commit();
}

bool Raft::maybe_commit() {
  std::vector<std::uint64_t> matches;
  for (NodeId v : membership_.voters) {
    auto it = progress_.find(v);
    matches.push_back(it == progress_.end() ? 0 : it->second.match);
  }
  if (matches.empty()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  std::uint64_t candidate = matches[membership_.quorum() - 1];
  // Only entries of the current term are committed by counting (Raft 5.4.2, Figure 8).
  if (candidate <= log_.committed() || log_.term(candidate) != term_) return false;
  log_.commit_to(candidate);
  release_pending_reads();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reads

Status Raft::read_index(std::string context) {
  if (role_ == Role::leader) {
    if (read_only_.full() || reads_awaiting_commit_.size() >= cfg_.max_pending_reads) {
      return Error{"busy", "too many pending linearizable reads"};
    }
    leader_read(id_, std::move(context));
    return Ok{};
  }
  if (lead_ == 0) return not_leader(0);
  send(Message{.type = MessageType::read_index, .to = lead_, .context = std::move(context)});
  return Ok{};
}

void Raft::leader_read(NodeId from, std::string context) {
  if (membership_.voters.size() == 1 && membership_.is_voter(id_)) {
    answer_read(from, log_.committed(), std::move(context));
    return;
  }
  // Until an entry of this term commits, our commit index may lag the cluster's.
  if (log_.term(log_.committed()) != term_) {
    if (reads_awaiting_commit_.size() < cfg_.max_pending_reads) {
      reads_awaiting_commit_.emplace_back(from, std::move(context));
    }
    return;
  }
  if (read_only_.full()) {
    if (from != id_)
      send(Message{.type = MessageType::read_index_resp,
                   .to = from,
                   .reject = true,
                   .context = std::move(context)});
    return;
  }
  std::uint64_t round = read_only_.add(log_.committed(), from, std::move(context), id_);
  broadcast_heartbeat(ReadOnlyQueue::round_context(round));
}

void Raft::answer_read(NodeId from, std::uint64_t index, std::string context) {
  if (from == id_) {
    read_states_.push_back({index, std::move(context)});
  } else {
    Message m{.type = MessageType::read_index_resp, .to = from, .context = std::move(context)};
    m.index = index;
    send(std::move(m));
  }
}

void Raft::release_pending_reads() {
  if (reads_awaiting_commit_.empty() || log_.term(log_.committed()) != term_) return;
  auto reads = std::move(reads_awaiting_commit_);
  reads_awaiting_commit_.clear();
  for (auto& [from, context] : reads) leader_read(from, std::move(context));
}

// ---------------------------------------------------------------------------------------------
// Snapshots

Status Raft::create_snapshot(std::uint64_t index, std::string data) {
  if (index <= log_.snapshot_index()) {
    return Error{"stale_snapshot",
                 "a snapshot at or after index " + std::to_string(index) + " already exists"};
  }
  if (index > log_.applied() || index > log_.stable()) {
    return Error{"invalid", "snapshot index " + std::to_string(index) +
                                " is beyond the applied and persisted log"};
  }
  Snapshot s;
  s.meta.index = index;
  s.meta.term = log_.term(index).value();
  membership_at(index).fill(s.meta);
  s.data = std::move(data);
  log_.compact_to(index);
  snapshot_ = std::move(s);
  // Keep only the history still needed: the last configuration at or before the snapshot.
  while (conf_history_.size() > 1 && conf_history_[1].first <= index) {
    conf_history_.erase(conf_history_.begin());
  }
  return Ok{};
}

Membership Raft::membership_at(std::uint64_t index) const {
  const Membership* m = &conf_history_.front().second;
  for (const auto& [at, config] : conf_history_) {
    if (at <= index) m = &config;
  }
  return *m;
}

void Raft::report_snapshot(NodeId to, bool delivered) {
  auto it = progress_.find(to);
  if (role_ != Role::leader || it == progress_.end()) return;
  Progress& pr = it->second;
  if (pr.state != ProgressState::snapshot) return;
  // Either way, probe: on success the follower's answer moves it to replicate; on failure
  // the next heartbeat response retries (with a fresh snapshot if still needed).
  if (!delivered) pr.pending_snapshot = 0;
  pr.become_probe();
  pr.probe_sent = true;  // wait for a heartbeat response before probing
}

void Raft::report_unreachable(NodeId to) {
  auto it = progress_.find(to);
  if (role_ != Role::leader || it == progress_.end()) return;
  if (it->second.state == ProgressState::replicate) it->second.become_probe();
}

// ---------------------------------------------------------------------------------------------
// Membership

void Raft::apply_conf_change(const Entry& e) {
  auto cc = ConfChange::decode(e.data);
  if (!cc) return;  // a malformed change was refused at proposal; replicas skip it alike
  auto next = membership_.apply(*cc);
  if (!next) return;  // e.g. removing the last voter: every replica skips it alike
  membership_ = std::move(*next);
  conf_history_.push_back({e.index, membership_});
  // Keep the progress of remaining members; add new ones, drop removed ones.
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = membership_.contains(it->first) ? std::next(it) : progress_.erase(it);
  }
  for (NodeId n : membership_.voters) {
    progress_.try_emplace(n, log_.last_index() + 1, cfg_.max_inflight, false);
    progress_.at(n).is_learner = false;
  }
  for (NodeId n : membership_.learners) {
    progress_.try_emplace(n, log_.last_index() + 1, cfg_.max_inflight, true);
  }
  if (lead_transferee_ != 0 && !membership_.is_voter(lead_transferee_)) abort_leader_transfer();
  if (role_ != Role::leader) return;
  if (!membership_.is_voter(id_)) {
    become_follower(term_, 0);  // removed (or demoted): let the others elect a leader
    return;
  }
  if (maybe_commit()) broadcast_append();
  broadcast_append();
}

// ---------------------------------------------------------------------------------------------
// Leader transfer

Status Raft::transfer_leadership(NodeId to) {
  if (role_ != Role::leader) {
    if (to != id_) return not_leader(lead_);
    if (lead_ == 0) return not_leader(0);
    send(Message{.type = MessageType::transfer_leader, .to = lead_});
    return Ok{};
  }
  if (!membership_.is_voter(to)) {
    return Error{"invalid", "node " + std::to_string(to) + " is not a voter"};
  }
  start_transfer(to);
  return Ok{};
}

void Raft::start_transfer(NodeId to) {
  if (to == id_ || !membership_.is_voter(to) || lead_transferee_ == to) return;
  lead_transferee_ = to;
  election_elapsed_ = 0;  // the transfer gets one election timeout to finish
  const Progress& pr = progress_.at(to);
  if (pr.match == log_.last_index()) {
    send(Message{.type = MessageType::timeout_now, .to = to});
  } else {
    send_append(to);
  }
}

// ---------------------------------------------------------------------------------------------
// Ready

const Progress* Raft::progress(NodeId node) const {
  if (role_ != Role::leader) return nullptr;
  auto it = progress_.find(node);
  return it == progress_.end() ? nullptr : &it->second;
}

bool Raft::has_ready() const {
  if (awaiting_advance_) return false;
  return soft_state() != prev_soft_state_ || hard_state() != prev_hard_state_ ||
         pending_snapshot_.has_value() || log_.stable() < log_.last_index() || !msgs_.empty() ||
         log_.has_next_committed() || !read_states_.empty();
}

Ready Raft::ready() {
  require(!awaiting_advance_, "ready() called twice without advance()");
  awaiting_advance_ = true;
  handed_ = Handed{};
  Ready rd;
  if (soft_state() != prev_soft_state_) {
    rd.soft_state = soft_state();
    prev_soft_state_ = soft_state();
  }
  HardState hs = hard_state();
  if (hs != prev_hard_state_) {
    rd.hard_state = hs;
    handed_.hard_state = hs;
    rd.must_sync = hs.term != prev_hard_state_.term || hs.vote != prev_hard_state_.vote;
  }
  if (pending_snapshot_) {
    rd.snapshot = std::move(*pending_snapshot_);
    pending_snapshot_.reset();
    handed_.snapshot = true;
    rd.must_sync = true;
  }
  rd.entries = log_.unstable_entries();
  if (!rd.entries.empty()) {
    handed_.stable_index = rd.entries.back().index;
    handed_.stable_term = rd.entries.back().term;
    rd.must_sync = true;
  }
  rd.messages = std::move(msgs_);
  msgs_.clear();
  rd.committed_entries = log_.next_committed(cfg_.max_committed_per_ready);
  for (const auto& e : rd.committed_entries) {
    if (e.type == EntryType::conf_change) handed_.conf_changes.push_back(e);
  }
  if (!rd.committed_entries.empty()) handed_.applied = rd.committed_entries.back().index;
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  return rd;
}

void Raft::advance() {
  require(awaiting_advance_, "advance() without ready()");
  awaiting_advance_ = false;
  if (handed_.hard_state) prev_hard_state_ = *handed_.hard_state;
  if (handed_.stable_index > 0) log_.stable_to(handed_.stable_index, handed_.stable_term);
  for (const auto& e : handed_.conf_changes) {
    if (e.index > log_.applied()) apply_conf_change(e);
  }
  if (handed_.applied > 0) log_.applied_to(handed_.applied);
  handed_ = Handed{};
}

}  // namespace craton::raft
