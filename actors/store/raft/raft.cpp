#include "actors/store/raft/raft.hpp"

#include <algorithm>
#include <stdexcept>

#include "actors/store/raft/raft_internal.hpp"

namespace craton::raft {

using detail::is_local_request;
using detail::not_leader;

namespace {

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
  bool listed = std::count(voters.begin(), voters.end(), id) > 0 ||
                std::count(learners.begin(), learners.end(), id) > 0;
  if (!voters.empty() && !listed) {
    // Bootstrapping a cluster it is not part of would write a log no member shares.
    return Error{"invalid_config",
                 "the initial configuration must include this replica "
                 "(a replica joining later passes none)"};
  }
  if (heartbeat_tick <= 0 || election_tick <= heartbeat_tick) {
    return Error{"invalid_config", "need 0 < heartbeat_tick < election_tick"};
  }
  if (inflight_appends_max == 0 || msg_entries_max == 0 || msg_bytes_max == 0 ||
      ready_committed_entries_max == 0 || pending_reads_max == 0 || entry_bytes_max == 0 ||
      uncommitted_entries_max == 0) {
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
      read_only_(cfg_.pending_reads_max) {
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
    auto context = cfg_.bootstrap_contexts.find(node);
    ConfChange cc{type, node,
                  context != cfg_.bootstrap_contexts.end() ? context->second : std::string()};
    Entry e{1, entries.size() + 1, EntryType::conf_change, cc.encode()};
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
  CRATON_ASSERT(term >= term_, "terms never go back");
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
  unsent_read_round_ = 0;
  reads_awaiting_commit_.clear();
}

void Raft::reset_progress() {
  progress_.clear();
  auto add = [&](NodeId n, bool learner) {
    Progress pr(log_.last_index() + 1, cfg_.inflight_appends_max, learner);
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
  CRATON_ASSERT(role_ != Role::leader, "leader cannot become pre-candidate");
  // A pre-campaign changes neither term nor vote: that is what keeps it harmless.
  role_ = Role::pre_candidate;
  votes_.clear();
  lead_ = 0;
}

void Raft::become_candidate() {
  CRATON_ASSERT(role_ != Role::leader, "leader cannot become candidate");
  reset(term_ + 1);
  vote_ = id_;
  role_ = Role::candidate;
}

void Raft::become_leader() {
  CRATON_ASSERT(role_ == Role::candidate, "only a candidate becomes leader");
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

Status Raft::validate(const Message& m) const {
  return validate_message(m, id_, cfg_.incoming_msg_entries_max);
}

Status Raft::step(Message m) {
  if (auto st = validate(m); !st) return st;
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

}  // namespace craton::raft
