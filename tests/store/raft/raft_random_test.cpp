// Randomized cluster runs of the pure Raft core: 3- and 5-replica clusters under message loss,
// duplication, reordering, partitions, crashes and restarts (from exactly what Ready asked to
// persist), snapshots and reads, with the safety properties checked after every step by
// RaftChecker. After the faults stop the cluster must converge: one leader, a new proposal
// committed and applied everywhere, identical state machines. A failing run names its seed;
// CRATON_RAFT_SEED=<n> reruns one seed, CRATON_RAFT_SEEDS=<n> changes how many run.
#define BOOST_TEST_MODULE store_raft_random
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <sstream>

#include "runtime/rng.hpp"
#include "tests/store/raft/raft_cluster.hpp"

using namespace craton::raft;
using namespace craton::raft::test;

namespace {

struct Faults {
  double drop = 0.05;
  double duplicate = 0.03;
  int crash_per_mille = 5;  ///< chance per step of crashing or restarting a replica
  int steps = 20000;

  /// Each seed draws its own fault mix, from calm to harsh.
  static Faults draw(std::uint64_t seed) {
    craton::Rng r(craton::derive_seed(seed, "raft-random-faults"));
    Faults f;
    f.drop = r.unit() * 0.2;
    f.duplicate = r.unit() * 0.1;
    f.crash_per_mille = static_cast<int>(r.uniform(0, 10));
    return f;
  }
};

class RandomRun {
 public:
  RandomRun(std::uint64_t seed, std::size_t size)
      : seed_(seed),
        size_(size),
        rng_(craton::derive_seed(seed, "raft-random-run")),
        cluster_(voters(size), seed, tweak(seed)) {
    // Three kinds of transport: reports what happened, reports every snapshot delivered,
    // never reports (the leader's wait bound must then recover).
    auto transport = rng_.uniform(0, 2);
    cluster_.snapshots_always_reported_delivered = transport == 1;
    cluster_.report_snapshots = transport != 2;
  }

  void run(const Faults& f);
  std::string summary() const;

 private:
  static std::vector<NodeId> voters(std::size_t n) {
    std::vector<NodeId> v;
    for (NodeId i = 1; i <= n; ++i) v.push_back(i);
    return v;
  }
  static RaftCluster::Tweak tweak(std::uint64_t seed) {
    return [seed](RaftConfig& c) {
      craton::Rng r(craton::derive_seed(seed, "raft-random-config"));
      c.inflight_appends_max = r.uniform(1, 8);
      c.msg_entries_max = r.uniform(1, 16);
      c.ready_committed_entries_max = r.uniform(1, 64);
    };
  }
  NodeId random_node() { return ids()[rng_.uniform(0, ids().size() - 1)]; }
  std::vector<NodeId> ids() const { return cluster_.ids(); }

  void fault_step(const Faults& f);
  void deliver_random(const Faults& f);
  void repartition();
  void propose();
  void change_membership();
  void converge();
  bool settled(std::uint64_t target_index);

  std::uint64_t seed_;
  std::size_t size_;
  craton::Rng rng_;
  RaftCluster cluster_;
  std::uint64_t next_value_ = 1;
  std::size_t proposals_ok_ = 0;
  std::size_t crashes_ = 0;
  std::size_t snapshots_ = 0;
  std::size_t delivered_ = 0;
  std::uint64_t final_commit_ = 0;
  std::size_t conf_changes_ = 0;
  NodeId next_new_id_ = 0;  // replicas added during the run get fresh ids
};

void RandomRun::run(const Faults& f) {
  for (int i = 0; i < f.steps; ++i) fault_step(f);
  converge();
}

void RandomRun::fault_step(const Faults& f) {
  auto roll = rng_.uniform(0, 999);
  if (roll < 600) {
    deliver_random(f);
  } else if (roll < 850) {
    cluster_.tick(random_node());
  } else if (roll < 950) {
    propose();
  } else if (roll < 950 + static_cast<std::uint64_t>(f.crash_per_mille)) {
    NodeId id = random_node();
    if (cluster_.up(id)) {
      cluster_.crash(id);
      ++crashes_;
    } else {
      cluster_.restart(id);
    }
  } else if (roll < 975) {
    repartition();
  } else if (roll < 985) {
    NodeId id = random_node();
    if (cluster_.up(id)) {
      cluster_.snapshot(id);
      ++snapshots_;
    }
  } else if (roll < 987) {
    change_membership();
  } else if (roll < 989) {
    auto lead = cluster_.leader();
    if (lead) {
      (void)cluster_.node(*lead).transfer_leadership(random_node());
      cluster_.process(*lead);
    }
  } else {
    NodeId id = random_node();
    if (cluster_.up(id)) {
      (void)cluster_.node(id).read_index("read-" + std::to_string(roll));
      cluster_.process(id);
    }
  }
}

void RandomRun::deliver_random(const Faults& f) {
  auto& net = cluster_.network();
  if (net.empty()) return;
  // Bound the network: beyond this the oldest messages are lost, as a full queue would.
  while (net.size() > 4000) net.pop_front();
  std::size_t i = rng_.uniform(0, net.size() - 1);  // any message: reordering
  Message m = net[i];
  if (!rng_.chance(f.duplicate)) net.erase(net.begin() + static_cast<std::ptrdiff_t>(i));
  if (rng_.chance(f.drop)) {
    cluster_.drop_if = [](const Message&) { return true; };
  }
  cluster_.deliver(std::move(m));
  cluster_.drop_if = nullptr;
  ++delivered_;
}

void RandomRun::repartition() {
  cluster_.heal();
  if (rng_.chance(0.3)) return;  // healed for a while
  auto lead = cluster_.leader();
  if (lead && rng_.chance(0.4)) {
    // Cut the leader off, possibly with one follower that holds some of its newest entries:
    // the elections that follow are where old-term entries get overwritten (Figure 8).
    cluster_.isolate(*lead);
    if (rng_.chance(0.5)) {
      NodeId buddy = random_node();
      if (buddy != *lead) {
        for (NodeId other : ids()) {
          if (other != *lead) cluster_.cut(buddy, other);
        }
        cluster_.heal_link(*lead, buddy);
      }
    }
    return;
  }
  // Random two-sided split; one-way cuts too, sometimes.
  std::map<NodeId, int> side;
  for (NodeId id : ids()) side[id] = static_cast<int>(rng_.uniform(0, 1));
  bool one_way = rng_.chance(0.3);
  for (NodeId a : ids()) {
    for (NodeId b : ids()) {
      if (a == b || side[a] == side[b]) continue;
      if (one_way && side[a] == 0) continue;
      cluster_.cut(a, b);
    }
  }
}

void RandomRun::propose() {
  auto lead = cluster_.leader();
  if (!lead) return;
  auto r = cluster_.node(*lead).propose("v" + std::to_string(next_value_++));
  if (r) ++proposals_ok_;
  cluster_.process(*lead);
}

// One membership step, as an operator would do it: add a new replica as a learner, promote a
// learner once it has caught up, or remove a voter (never below three voters).
void RandomRun::change_membership() {
  auto lead = cluster_.leader();
  if (!lead) return;
  Raft& leader = cluster_.node(*lead);
  const Membership& m = leader.membership();
  if (next_new_id_ == 0) next_new_id_ = ids().size() + 1;
  std::optional<ConfChange> cc;
  for (NodeId l : leader.caught_up_learners()) cc = {ConfChangeType::add_voter, l};
  if (!cc && m.voters.size() > 3 && rng_.chance(0.5)) {
    auto it = std::next(m.voters.begin(),
                        static_cast<std::ptrdiff_t>(rng_.uniform(0, m.voters.size() - 1)));
    cc = {ConfChangeType::remove_node, *it};
  }
  if (!cc && m.learners.empty() && next_new_id_ <= 8) {
    cluster_.add_fresh_node(next_new_id_);
    cc = {ConfChangeType::add_learner, next_new_id_++};
  }
  if (!cc) return;
  if (leader.propose_conf_change(*cc)) ++conf_changes_;
  cluster_.process(*lead);
}

bool RandomRun::settled(std::uint64_t target_index) {
  auto lead = cluster_.leader();
  if (!lead) return false;
  const auto& ref = cluster_.state(*lead);
  if (ref.applied < target_index) return false;
  for (NodeId id : ids()) {
    if (!cluster_.node(*lead).membership().contains(id)) continue;
    const auto& sm = cluster_.state(id);
    if (sm.applied != ref.applied || sm.values != ref.values) return false;
  }
  return true;
}

void RandomRun::converge() {
  cluster_.heal();
  for (NodeId id : ids()) {
    if (!cluster_.up(id)) cluster_.restart(id);
  }
  std::uint64_t target = 0;
  for (int round = 0; round < 3000; ++round) {
    for (NodeId id : ids()) cluster_.tick(id);
    cluster_.deliver_all();
    auto lead = cluster_.leader();
    if (target == 0 && lead) {
      auto r = cluster_.node(*lead).propose("final");
      if (r) target = *r;
      cluster_.process(*lead);
      cluster_.deliver_all();
    }
    if (target != 0 && settled(target)) {
      const auto& values = cluster_.state(*cluster_.leader()).values;
      if (std::find(values.begin(), values.end(), "final") == values.end()) {
        throw std::runtime_error("the final proposal was lost");
      }
      final_commit_ = cluster_.node(*cluster_.leader()).log().committed();
      return;
    }
    // A leader deposed before committing "final" loses it; propose again to the next one.
    if (target != 0 && lead &&
        cluster_.node(*lead).log().term(target) !=
            std::optional<std::uint64_t>(cluster_.node(*lead).term()) &&
        cluster_.state(*lead).applied < target) {
      target = 0;
    }
  }
  throw std::runtime_error("cluster did not converge after healing");
}

std::string RandomRun::summary() const {
  std::ostringstream os;
  os << "seed " << seed_ << " (" << size_ << " voters, " << cluster_.ids().size()
     << " replicas by the end): delivered " << delivered_ << ", proposals accepted "
     << proposals_ok_ << ", crashes " << crashes_ << ", snapshots " << snapshots_
     << ", conf changes " << conf_changes_ << ", final commit " << final_commit_;
  return os.str();
}

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

void run_seeds(std::size_t size) {
  std::uint64_t only = env_or("CRATON_RAFT_SEED", 0);
  std::uint64_t count = env_or("CRATON_RAFT_SEEDS", 200);
  std::uint64_t first = only ? only : 1;
  std::uint64_t last = only ? only : count;
  std::size_t failures = 0;
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    RandomRun run(seed, size);
    try {
      run.run(Faults::draw(seed));
      if (env_or("CRATON_RAFT_VERBOSE", 0)) BOOST_TEST_MESSAGE(run.summary());
    } catch (const std::exception& e) {
      ++failures;
      BOOST_ERROR("seed " << seed << " (" << size << " replicas) failed: " << e.what()
                          << "\n  replay: CRATON_RAFT_SEED=" << seed
                          << " test_store_raft_random\n  " << run.summary());
      if (failures >= 5) break;
    }
  }
  BOOST_TEST(failures == 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(raft_random)

BOOST_AUTO_TEST_CASE(three_replicas_stay_safe_and_converge) {
  run_seeds(3);
}

BOOST_AUTO_TEST_CASE(five_replicas_stay_safe_and_converge) {
  run_seeds(5);
}

BOOST_AUTO_TEST_SUITE_END()
