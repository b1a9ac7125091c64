#include "sim/world/world.hpp"

#include <caf/detail/test_actor_clock.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <unordered_map>

#include "runtime/node_clock.hpp"
#include "runtime/router.hpp"
#include "runtime/wire.hpp"
#include "sim/world/clock_faults.hpp"
#include "sim/world/sim_disk.hpp"
#include "sim/world/sim_network.hpp"
#include "sim/world/trace.hpp"

namespace craton::sim {
namespace {

using Clock = caf::detail::test_actor_clock;
using Kind = Fault::Kind;

enum class NodeState { up, paused, down };

// A node stopped by its disk (an injected error failed its replica) is restarted this much
// later, as a process supervisor would.
constexpr std::int64_t kDiskRestartMs = 1000;

struct SimNode {
  std::string id;
  NodeState state = NodeState::up;
  std::uint64_t incarnation = 0;
  caf::actor router;
  std::vector<caf::actor> actors;  // router included
  bool stalled = false;            // a slow sync: no actor of the node runs until stall_end_ms
  std::int64_t stall_end_ms = 0;
  // The node's clock (clock faults); it survives restarts, as a machine's clock would.
  std::shared_ptr<NodeClock> clock = std::make_shared<NodeClock>();
};

// Disk-driven events of the world itself (sim/world/sim_disk.hpp), not in the fault schedule.
struct DiskTimer {
  enum class Kind { unstall, restart };
  Kind kind = Kind::unstall;
  std::string node;
};

// Removes the scratch directory it created, whatever happens to the run.
struct ScratchDir {
  std::filesystem::path path;
  bool owned = false;
  explicit ScratchDir(const std::filesystem::path& requested, std::uint64_t seed) {
    static std::atomic<int> counter{0};
    path = requested;
    if (path.empty()) {
      // The pid keeps parallel test processes apart; it never reaches the trace.
      path = std::filesystem::temp_directory_path() /
             ("craton-sim-" + std::to_string(seed) + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter++));
      owned = true;
    }
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    if (owned) std::filesystem::remove_all(path, ec);
  }
};

class World final : public NetworkHost {
 public:
  World(const WorldConfig& config, Scenario& scenario)
      : config_(config),
        scenario_(scenario),
        trace_(config.trace_out),
        schedule_rng_(derive_seed(config.seed, "schedule")),
        model_(config.network, derive_seed(config.seed, "network")),
        scratch_(config.scratch_dir, config.seed),
        log_(std::make_shared<MemorySink>(LogLevel::info, 1000)),
        metrics_(std::make_shared<Metrics>()),
        disks_(std::make_shared<SimDisks>()) {}

  RunReport run();

  // NetworkHost
  bool node_known(const std::string& node) const override { return find(node) != nullptr; }
  bool node_up(const std::string& node) const override {
    auto* n = find(node);
    return n && n->state != NodeState::down;
  }
  caf::actor router_of(const std::string& node) const override {
    auto* n = find(node);
    return n ? n->router : caf::actor{};
  }
  NetworkModel& model() override { return model_; }
  void record(std::string_view kind, std::string_view details) override {
    trace_.record(now_ms(), kind, details);
  }
  void count_message(bool delivered) override { ++(delivered ? delivered_ : dropped_); }
  std::int64_t now_ms() const override;

 private:
  const SimNode* find(const std::string& id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  void start_node(SimNode& node);
  void crash_node(SimNode& node);
  void apply(const Fault& fault);
  void apply_clock(const Fault& fault);
  void settle();
  void handle_disk_requests();
  void run_disk_timers();
  bool run_one_job();
  bool paused(caf::resumable* job) const;
  void advance();
  void trace_due_timers(Clock::time_point until);
  void on_observe(const std::string& node, std::uint64_t incarnation, ObservedEvent event);
  void shut_down();
  RunReport report();

  const WorldConfig& config_;
  Scenario& scenario_;
  Trace trace_;
  Rng schedule_rng_;
  NetworkModel model_;
  ScratchDir scratch_;
  std::shared_ptr<MemorySink> log_;
  std::shared_ptr<Metrics> metrics_;
  std::shared_ptr<SimDisks> disks_;
  std::multimap<std::int64_t, DiskTimer> disk_timers_;  // by time, then insertion order
  std::size_t stalled_count_ = 0;
  std::map<std::string, SimNode> nodes_;  // ordered: iterations over nodes are deterministic
  std::unordered_map<std::string, const SimNode*> by_id_;  // fast lookups into nodes_
  // Lookups only, never iterated: the pointers must not influence any order.
  std::unordered_map<const caf::abstract_actor*, const SimNode*> node_of_;  // nodes_ is stable
  std::unordered_map<const caf::abstract_actor*, std::string> label_of_;
  std::size_t paused_count_ = 0;
  caf::actor_system* sys_ = nullptr;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  caf::actor network_;
  Clock::time_point origin_;
  std::size_t next_fault_ = 0;
  bool settled_ = false;
  std::int64_t end_ms_ = 0;  // duration_ms, or when the scenario said it was done
  std::uint64_t steps_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
  RunHistory history_;
  std::vector<std::size_t> eligible_;  // reused by run_one_job
};

std::int64_t World::now_ms() const {
  auto d = sched_->clock().now() - origin_;
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

const caf::abstract_actor* raw(const caf::actor& a) {
  return caf::actor_cast<caf::abstract_actor*>(a);
}

std::string actor_name(const caf::actor& a) {
  auto* local = dynamic_cast<const caf::local_actor*>(raw(a));
  return local ? local->name() : "actor";
}

void World::start_node(SimNode& node) {
  NodeContext ctx;
  ctx.node_id = node.id;
  ctx.incarnation = node.incarnation;
  ctx.seed = derive_seed(config_.seed, node.id);
  ctx.data_dir = scratch_.path / node.id;
  std::filesystem::create_directories(ctx.data_dir);
  ctx.log = log_;
  ctx.metrics = metrics_;
  ctx.clock = node.clock;
  ctx.observe = [this, id = node.id, inc = node.incarnation](const std::string& event) {
    on_observe(id, inc, TextEvent{event});
  };
  ObservationSink sink = [this, id = node.id, inc = node.incarnation](ObservedEvent event) {
    on_observe(id, inc, std::move(event));
  };
  ctx.router = spawn_router(*sys_, RouterConfig{node.id, log_, metrics_, CodecLimits{}});
  caf::anon_send(ctx.router, default_route_atom::value, network_);
  node.router = ctx.router;
  node.actors = {ctx.router};
  for (auto& a : scenario_.spawn_node(*sys_, ctx, sink)) node.actors.push_back(std::move(a));
  for (const auto& a : node.actors) {
    node_of_[raw(a)] = &node;
    label_of_[raw(a)] = node.id + " " + actor_name(a);
  }
  node.state = NodeState::up;
  record("start", node.id + " incarnation " + std::to_string(node.incarnation));
}

// A crash: the actor's next step is its death. anon_send_exit queues the exit behind the
// messages already in the mailbox, so a crashed node's actors went on handling those (a
// watcher persisted a revision the world never saw it observe, store-remote seed 22); an
// urgent exit is handled first and the rest is discarded with the actor.
void kill_now(const caf::actor& a) {
  a->enqueue(nullptr, caf::make_message_id(caf::message_priority::high),
             caf::make_message(caf::exit_msg{a.address(), caf::exit_reason::kill}), nullptr);
}

void World::crash_node(SimNode& node) {
  if (node.state == NodeState::paused) --paused_count_;
  if (node.stalled) --stalled_count_;
  node.stalled = false;
  node.state = NodeState::down;
  disks_->crashed(node.id);  // its next open loses what it never synced
  // Killed actors still run once to process the exit (so they must not count as paused);
  // SimNetwork drops what they send. Their map entries go now, so that a later actor
  // allocated at the same address is never taken for one of them.
  for (const auto& a : node.actors) {
    node_of_.erase(raw(a));
    label_of_.erase(raw(a));
    kill_now(a);
  }
  node.actors.clear();
  node.router = nullptr;
}

void World::apply(const Fault& f) {
  record("fault", f.describe());
  if (disks_->apply(f)) return;
  if (is_clock_fault(f.kind)) return apply_clock(f);
  auto* node = f.nodes.empty() ? nullptr : &nodes_.at(f.nodes[0]);
  switch (f.kind) {
    case Kind::partition:
      model_.partition(f.groups);
      break;
    case Kind::oneway:
      model_.block_oneway(f.nodes[0], f.nodes[1]);
      break;
    case Kind::heal:
      model_.heal();
      break;
    case Kind::loss:
      model_.set_loss(f.probability);
      break;
    case Kind::duplicate:
      model_.set_duplicate(f.probability);
      break;
    case Kind::latency:
      model_.set_latency(f.latency);
      break;
    case Kind::crash:
      if (node->state != NodeState::down) crash_node(*node);
      break;
    case Kind::restart:
      if (node->state == NodeState::down) {
        ++node->incarnation;
        start_node(*node);
      }
      break;
    case Kind::pause:
      if (node->state == NodeState::up) {
        node->state = NodeState::paused;
        ++paused_count_;
      }
      break;
    case Kind::resume:
      if (node->state == NodeState::paused) {
        node->state = NodeState::up;
        --paused_count_;
      }
      break;
    case Kind::disk_full:
    case Kind::disk_ok:
    case Kind::fsync_fail:
    case Kind::disk_slow:
    case Kind::clock_skew:
    case Kind::clock_drift:
      break;  // the disks or the clocks took it
  }
}

// Clocks are read against the actor clock's epoch, as ActorEnv::now_ms reads them.
void World::apply_clock(const Fault& f) {
  auto& clock = *nodes_.at(f.nodes[0]).clock;
  auto true_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     sched_->clock().now().time_since_epoch())
                     .count();
  if (f.kind == Kind::clock_skew)
    clock.jump(true_ms, f.skew_ms);
  else
    clock.set_rate(true_ms, f.clock_rate);
}

// A slow sync stalls its node; a replica failed by an injected disk error stops its node,
// which the world restarts kDiskRestartMs later.
void World::handle_disk_requests() {
  for (auto& r : disks_->take_requests()) {
    auto& node = nodes_.at(r.node);
    if (node.state == NodeState::down) continue;
    if (r.kind == DiskRequest::Kind::stall) {
      record("disk-stall", r.node + " " + std::to_string(r.stall_ms) + "ms");
      if (!node.stalled) ++stalled_count_;
      node.stalled = true;
      node.stall_end_ms = std::max(node.stall_end_ms, now_ms()) + r.stall_ms;
      disk_timers_.emplace(node.stall_end_ms, DiskTimer{DiskTimer::Kind::unstall, r.node});
    } else {
      record("disk-stop", r.node + ", restart in " + std::to_string(kDiskRestartMs) + "ms");
      crash_node(node);
      disk_timers_.emplace(now_ms() + kDiskRestartMs, DiskTimer{DiskTimer::Kind::restart, r.node});
    }
  }
}

void World::run_disk_timers() {
  while (!disk_timers_.empty() && disk_timers_.begin()->first <= now_ms()) {
    auto timer = disk_timers_.begin()->second;
    disk_timers_.erase(disk_timers_.begin());
    auto& node = nodes_.at(timer.node);
    if (timer.kind == DiskTimer::Kind::unstall) {
      if (node.stalled && node.stall_end_ms <= now_ms()) {
        node.stalled = false;
        --stalled_count_;
      }
    } else if (node.state == NodeState::down) {
      ++node.incarnation;
      start_node(node);
    }
  }
}

void World::settle() {
  settled_ = true;
  record("settle", "heal, no loss, no duplication, resume paused nodes");
  model_.heal();
  model_.set_loss(0);
  model_.set_duplicate(0);
  disks_->settle();
  for (auto& [id, node] : nodes_)
    if (node.state == NodeState::paused) node.state = NodeState::up;
  paused_count_ = 0;
}

bool World::paused(caf::resumable* job) const {
  auto it = node_of_.find(dynamic_cast<caf::abstract_actor*>(job));
  return it != node_of_.end() && (it->second->state == NodeState::paused || it->second->stalled);
}

// Lets one runnable actor (chosen by the seeded Rng) handle one message.
bool World::run_one_job() {
  auto& jobs = sched_->jobs;
  if (jobs.empty()) return false;
  std::size_t pick = 0;
  if (paused_count_ == 0 && stalled_count_ == 0) {
    pick = schedule_rng_.uniform(0, jobs.size() - 1);
  } else {
    eligible_.clear();
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (!paused(jobs[i])) eligible_.push_back(i);
    if (eligible_.empty()) return false;
    pick = eligible_[schedule_rng_.uniform(0, eligible_.size() - 1)];
  }
  if (pick != 0) std::rotate(jobs.begin(), jobs.begin() + pick, jobs.begin() + pick + 1);
  sched_->run_once();
  ++steps_;
  if (disks_->has_requests()) handle_disk_requests();
  return true;
}

// Records the timers that fire up to `until` (network deliveries are traced by SimNetwork).
void World::trace_due_timers(Clock::time_point until) {
  using Simple = caf::detail::simple_actor_clock;
  const auto& schedule = sched_->clock().schedule();
  for (auto it = schedule.begin(); it != schedule.end() && it->first <= until; ++it) {
    const caf::abstract_actor* target = nullptr;
    const auto& ev = *it->second;
    if (ev.subtype == Simple::actor_msg_type)
      target = static_cast<const Simple::actor_msg&>(ev).receiver->get();
    else if (ev.subtype == Simple::ordinary_timeout_type)
      target = static_cast<const Simple::ordinary_timeout&>(ev).self->get();
    else if (ev.subtype == Simple::multi_timeout_type)
      target = static_cast<const Simple::multi_timeout&>(ev).self->get();
    // Only live node actors are labelled: timers of killed actors, of CAF's own actors and
    // of SimNetwork (whose deliveries are traced as such) are not node events.
    auto label = label_of_.find(target);
    if (label == label_of_.end()) continue;
    trace_.record(
        std::chrono::duration_cast<std::chrono::milliseconds>(it->first - origin_).count(), "timer",
        label->second);
  }
}

// Nothing runnable: jump to the next timer, fault, settle point or the end of the run.
void World::advance() {
  const auto& schedule = sched_->clock().schedule();
  auto target = origin_ + std::chrono::milliseconds(config_.duration_ms);
  if (!schedule.empty()) target = std::min(target, schedule.begin()->first);
  if (next_fault_ < config_.faults.size())
    target =
        std::min(target, origin_ + std::chrono::milliseconds(config_.faults[next_fault_].at_ms));
  if (!settled_) target = std::min(target, origin_ + std::chrono::milliseconds(settle_ms(config_)));
  if (!disk_timers_.empty())
    target = std::min(target, origin_ + std::chrono::milliseconds(disk_timers_.begin()->first));
  auto now = sched_->clock().now();
  trace_due_timers(std::max(now, target));
  if (target <= now)
    sched_->clock().trigger_expired_timeouts();
  else
    sched_->advance_time(target - now);
}

void World::on_observe(const std::string& node, std::uint64_t incarnation, ObservedEvent event) {
  const auto& n = *find(node);
  if (n.state == NodeState::down || n.incarnation != incarnation) return;  // a dying actor
  record("observe", node + " " + format_event(event));
  history_.observations.push_back(Observation{now_ms(), node, incarnation, std::move(event)});
}

void World::shut_down() {
  for (auto& [id, node] : nodes_)
    for (const auto& a : node.actors) caf::anon_send_exit(a, caf::exit_reason::kill);
  caf::anon_send_exit(network_, caf::exit_reason::kill);
  network_ = nullptr;
  while (!sched_->jobs.empty()) sched_->run_once();
  for (auto& [id, node] : nodes_) {
    node.actors.clear();
    node.router = nullptr;
  }
}

RunReport World::report() {
  RunReport r;
  r.scenario = scenario_.name();
  r.simulated_ms = end_ms_;
  r.messages_delivered = delivered_;
  r.messages_dropped = dropped_;
  r.steps = steps_;
  history_.nodes = node_ids(config_.nodes);
  history_.settle_ms = settle_ms(config_);
  history_.end_ms = end_ms_;
  history_.delay_max_ms = delay_max_ms(config_);
  history_.faults = config_.faults;
  for (const auto& [id, node] : nodes_) {
    bool up = node.state != NodeState::down;
    history_.final_state[id] = NodeFinalState{up, node.incarnation};
    if (!up) r.nodes_down.push_back(id);
  }
  r.check = scenario_.check(history_);
  r.events = trace_.events();
  r.trace_hash = trace_.hash_hex();
  r.history = std::move(history_);
  return r;
}

RunReport World::run() {
  caf::actor_system_config cfg;
  add_craton_types(cfg);
  cfg.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system sys{cfg};
  sys_ = &sys;
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  origin_ = sched_->clock().now();
  network_ = spawn_sim_network(sys, this);
  scenario_.use_disks(disks_);
  for (const auto& id : node_ids(config_.nodes)) {
    nodes_[id].id = id;
    by_id_[id] = &nodes_[id];
  }
  // Clock faults at time 0 set the clocks the nodes start with.
  while (next_fault_ < config_.faults.size() && config_.faults[next_fault_].at_ms == 0 &&
         is_clock_fault(config_.faults[next_fault_].kind))
    apply(config_.faults[next_fault_++]);
  for (const auto& id : node_ids(config_.nodes)) start_node(nodes_[id]);
  const auto end = origin_ + std::chrono::milliseconds(config_.duration_ms);
  end_ms_ = config_.duration_ms;
  while (steps_ < config_.steps_max) {
    while (next_fault_ < config_.faults.size() && config_.faults[next_fault_].at_ms <= now_ms())
      apply(config_.faults[next_fault_++]);
    if (!settled_ && now_ms() >= settle_ms(config_)) settle();
    run_disk_timers();
    if (disks_->has_requests()) handle_disk_requests();  // e.g. a restart whose open failed
    if (run_one_job()) continue;
    if (sched_->clock().now() >= end) break;
    // Nothing runnable at this instant: the scenario may end the run here (Scenario::done).
    if (scenario_.done(now_ms())) {
      end_ms_ = now_ms();
      break;
    }
    advance();
  }
  bool step_limit = steps_ >= config_.steps_max;
  shut_down();
  scenario_.use_disks(nullptr);
  auto r = report();
  if (step_limit) r.check.fail("step limit (" + std::to_string(config_.steps_max) + ") reached");
  return r;
}

}  // namespace

std::vector<std::string> node_ids(std::size_t n) {
  std::vector<std::string> ids;
  for (std::size_t i = 1; i <= n; ++i) ids.push_back("n" + std::to_string(i));
  return ids;
}

std::int64_t delay_max_ms(const WorldConfig& config) {
  std::int64_t latency = config.network.latency.max_ms, sync = 0;
  for (const auto& f : config.faults) {
    if (f.kind == Fault::Kind::latency) latency = std::max(latency, f.latency.max_ms);
    if (f.kind == Fault::Kind::disk_slow) sync = std::max(sync, f.duration_ms);
  }
  return latency + sync;
}

std::int64_t settle_ms(const WorldConfig& config) {
  return static_cast<std::int64_t>(static_cast<double>(config.duration_ms) *
                                   config.settle_fraction);
}

RunReport run_world(const WorldConfig& config, Scenario& scenario) {
  World world(config, scenario);
  return world.run();
}

}  // namespace craton::sim
