// `craton sim`: run one deterministic simulation of a cluster and judge it.
//
//   craton sim --seed N [--nodes K] [--duration 60s] [--faults random|none|FILE]
//              [--scenario heartbeat|store] [--trace FILE] [--json]
//              [--pods P] [--audit-every D] [--agent-tick T] [--stop-when-running]
//              [--control-plane 1|3] [--deployments K] [--disk-commit D]  (scenario cluster)
//   craton sim --seeds A..B [same flags but --trace]    (one run per seed, one line each)
//
// Plain output is a short summary whose last line is exactly "trace-hash: <16 hex digits>";
// --json prints one JSON object instead. If the scenario's checker fails, the command exits 1
// and prints the command line that replays the run. Bad flags or a bad fault file: one error
// line, exit 2. Flags are read from the raw arguments (not by CLI11) so every error is ours.
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cmd/commands.hpp"
#include "runtime/rng.hpp"
#include "sim/world/world.hpp"

namespace craton::cmd {
namespace {

constexpr std::size_t kNodesMax = 10000;

struct SimFlags {
  std::string seed, nodes = "7", duration = "60s", faults = "random", scenario = "heartbeat";
  std::string trace, seeds, pods, audit_every, agent_tick, control_plane, deployments, disk_commit;
  bool json = false;
  bool stop_when_running = false;
};

constexpr const char* kUsage = R"(Flags:
  --seed N                 world seed (required): same seed, same build, same run
  --seeds A..B             run every seed from A to B (instead of --seed); exit 1 if any
                           check fails, printing the command that replays each failing seed
  --nodes K                number of simulated nodes, 1..10000 (default 7)
  --duration D             simulated time, e.g. 60s, 500ms, 2m (default 60s)
  --faults random|none|F   fault schedule: drawn from the seed, none, or a file
                           (format in docs/simulator.md; default random)
  --scenario NAME          what the cluster runs: heartbeat (default), store, store-remote,
                           store-lease, api (API actors over the store, with writers and
                           watchers), controllers (the controller manager rolling
                           Deployments out; docs/simulator.md), scheduler (schedulers
                           binding pods to nodes under leader election), cluster (control
                           plane and node agents over fake drivers; workers crash or are
                           cut off: use --duration 150s or more)
  --pods P                 scenario cluster: the Deployment's replicas (default 4); its
                           containers run until the end (bench/sim_scale.sh)
  --audit-every D          scenario cluster: the pods auditors list every pod at most once
                           per D of simulated time (default: after every change; a scale
                           run's cheaper check, docs/simulator.md)
  --agent-tick T           scenario cluster: the node agents' tick (default 100ms; a scale
                           run's coarser one for fake nodes, docs/simulator.md)
  --stop-when-running      scenario cluster, --faults none: end the run as soon as every
                           pod is bound, Running and Ready (a scale run measures submission
                           -> all running, not idle time up to --duration)
  --control-plane 1|3      scenario cluster: how many nodes are the control plane (default
                           3 from 5 nodes on, else 1); 1 is one craton server without
                           --peers (one store replica, API, scheduler, controller manager)
  --deployments K          scenario cluster: K Deployments share the --pods (default 1; a
                           scale run's shape, as Kubernetes' density tests: docs/simulator.md)
  --disk-commit D          scenario cluster: each store replica's disk takes D (0..100ms)
                           per commit, and writes arriving meanwhile join it (default 0:
                           an instant disk; a scale run's 1ms, docs/simulator.md)
  --trace FILE             write the event trace to FILE
  --json                   print one JSON object instead of the summary
)";

// Reads "--flag value", "--flag=value" and "--json"; each flag at most once.
Result<SimFlags> read_flags(const std::vector<std::string>& args) {
  SimFlags f;
  std::map<std::string, std::string*> valued{{"--seed", &f.seed},
                                             {"--nodes", &f.nodes},
                                             {"--duration", &f.duration},
                                             {"--faults", &f.faults},
                                             {"--scenario", &f.scenario},
                                             {"--trace", &f.trace},
                                             {"--seeds", &f.seeds},
                                             {"--pods", &f.pods},
                                             {"--audit-every", &f.audit_every},
                                             {"--agent-tick", &f.agent_tick},
                                             {"--control-plane", &f.control_plane},
                                             {"--deployments", &f.deployments},
                                             {"--disk-commit", &f.disk_commit}};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    bool inline_value = false;
    if (auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (!seen.insert(name).second) return Error{"bad_flag", name + " given twice"};
    if (name == "--json" && !inline_value) {
      f.json = true;
      continue;
    }
    if (name == "--stop-when-running" && !inline_value) {
      f.stop_when_running = true;
      continue;
    }
    auto it = valued.find(name);
    if (it == valued.end())
      return Error{"bad_flag", "unknown argument '" + args[i] + "' (see --help)"};
    if (!inline_value) {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        return Error{"bad_flag", name + " needs a value"};
      value = args[++i];
    }
    *it->second = value;
  }
  return f;
}

struct SimRun {
  sim::WorldConfig world;
  std::unique_ptr<sim::Scenario> scenario;
};

Result<std::uint64_t> parse_uint(const std::string& flag, const std::string& text) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return Error{"bad_flag", flag + ": '" + text + "' is not a non-negative integer"};
  return v;
}

Result<std::vector<sim::Fault>> load_faults(const SimFlags& f, const sim::WorldConfig& w,
                                            const sim::Scenario& scenario) {
  auto nodes = sim::node_ids(w.nodes);
  auto settle = sim::settle_ms(w);
  if (f.faults == "none") return std::vector<sim::Fault>{};
  if (f.faults == "random") {
    auto seed = derive_seed(w.seed, "faults");
    if (auto own = scenario.random_faults(seed, settle)) return std::move(*own);
    return sim::random_faults(seed, nodes, settle);
  }
  std::ifstream in(f.faults, std::ios::binary);
  if (!in) return Error{"bad_flag", "--faults: cannot read '" + f.faults + "'"};
  std::string text(sim::kFaultFileBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto faults = sim::parse_fault_file(text, nodes);
  if (!faults) return Error{"bad_faults", f.faults + ": " + faults.error().message};
  if (auto s = sim::validate_schedule(*faults, nodes, settle); !s)
    return Error{"bad_faults", f.faults + ": " + s.error().message};
  return faults;
}

Result<SimRun> parse_flags(const SimFlags& f) {
  SimRun run;
  if (f.seed.empty()) return Error{"bad_flag", "--seed is required"};
  auto seed = parse_uint("--seed", f.seed);
  if (!seed) return seed.error();
  auto nodes = parse_uint("--nodes", f.nodes);
  if (!nodes) return nodes.error();
  if (*nodes < 1 || *nodes > kNodesMax)
    return Error{"bad_flag", "--nodes must be between 1 and " + std::to_string(kNodesMax)};
  auto duration = sim::parse_duration_ms(f.duration);
  if (!duration) return Error{"bad_flag", "--duration: " + duration.error().message};
  if (*duration < 1000) return Error{"bad_flag", "--duration must be at least 1s"};
  run.world.seed = *seed;
  run.world.nodes = static_cast<std::size_t>(*nodes);
  run.world.duration_ms = *duration;
  sim::ScenarioLoad load;
  if (!f.pods.empty()) {
    auto pods = parse_uint("--pods", f.pods);
    if (!pods) return pods.error();
    load.pods = std::size_t(*pods);
  }
  if (!f.audit_every.empty()) {
    auto every = sim::parse_duration_ms(f.audit_every);
    if (!every) return Error{"bad_flag", "--audit-every: " + every.error().message};
    load.audit_every_ms = *every;
  }
  if (!f.agent_tick.empty()) {
    auto tick = sim::parse_duration_ms(f.agent_tick);
    if (!tick) return Error{"bad_flag", "--agent-tick: " + tick.error().message};
    if (*tick < 1 || *tick > 10'000)
      return Error{"bad_flag", "--agent-tick must be between 1ms and 10s"};
    load.agent_tick_ms = *tick;
  }
  if (!f.disk_commit.empty()) {
    auto commit = sim::parse_duration_ms(f.disk_commit);
    if (!commit) return Error{"bad_flag", "--disk-commit: " + commit.error().message};
    if (*commit < 0 || *commit > 100)
      return Error{"bad_flag", "--disk-commit must be between 0ms and 100ms"};
    load.disk_commit_ms = *commit;
  }
  if (!f.control_plane.empty()) {
    auto cp = parse_uint("--control-plane", f.control_plane);
    if (!cp) return cp.error();  // 1 or 3: make_scenario says
    load.control_plane_nodes = std::size_t(*cp);
  }
  if (!f.deployments.empty()) {
    auto k = parse_uint("--deployments", f.deployments);
    if (!k) return k.error();
    if (*k < 1) return Error{"bad_flag", "--deployments must be at least 1"};
    load.deployments = std::size_t(*k);
  }
  // An early end would skip faults still to come and the checker's deadlines after them.
  if (f.stop_when_running && f.faults != "none")
    return Error{"bad_flag", "--stop-when-running needs --faults none"};
  load.stop_when_running = f.stop_when_running;
  auto scenario = sim::make_scenario(f.scenario, sim::node_ids(run.world.nodes), load);
  if (!scenario) return Error{"bad_flag", "--scenario: " + scenario.error().message};
  run.scenario = std::move(*scenario);
  auto faults = load_faults(f, run.world, *run.scenario);
  if (!faults) return faults.error();
  run.world.faults = std::move(*faults);
  return run;
}

struct TimedReport {
  sim::RunReport report;
  std::int64_t wall_ms = 0;
};

// Wall time is measured here, outside the simulated world, and never enters the trace.
TimedReport run_timed(SimRun& run) {
  auto start = std::chrono::steady_clock::now();
  TimedReport out{sim::run_world(run.world, *run.scenario), 0};
  out.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  return out;
}

std::string replay_line(const SimFlags& f) {
  std::string line = "craton sim --seed " + f.seed + " --nodes " + f.nodes + " --duration " +
                     f.duration + " --faults " + f.faults;
  if (f.scenario != "heartbeat") line += " --scenario " + f.scenario;
  if (!f.pods.empty()) line += " --pods " + f.pods;
  if (!f.audit_every.empty()) line += " --audit-every " + f.audit_every;
  if (!f.agent_tick.empty()) line += " --agent-tick " + f.agent_tick;
  if (f.stop_when_running) line += " --stop-when-running";
  if (!f.control_plane.empty()) line += " --control-plane " + f.control_plane;
  if (!f.deployments.empty()) line += " --deployments " + f.deployments;
  if (!f.disk_commit.empty()) line += " --disk-commit " + f.disk_commit;
  return line + " --trace trace.txt";
}

void print_plain(const SimFlags& f, const sim::RunReport& r, std::int64_t wall_ms) {
  std::cout << "craton sim: scenario " << r.scenario << ", seed " << f.seed << ", " << f.nodes
            << " nodes, " << r.simulated_ms << " ms simulated, faults " << f.faults << "\n"
            << "events " << r.events << " (actor steps " << r.steps << "), messages delivered "
            << r.messages_delivered << ", dropped " << r.messages_dropped << ", wall " << wall_ms
            << " ms\n";
  std::cout << "nodes down at end: " << r.nodes_down.size() << "\n";
  std::cout << "check: " << (r.check.ok ? "ok" : "FAILED") << "\n";
  if (!r.check.counts.empty()) {
    std::cout << "checked:";
    for (const auto& [name, n] : r.check.counts) std::cout << " " << name << " " << n;
    std::cout << "\n";
  }
  for (const auto& why : r.check.failures) std::cout << "  " << why << "\n";
  if (!r.check.ok) std::cout << "replay: " << replay_line(f) << "\n";
  std::cout << "trace-hash: " << r.trace_hash << "\n";
}

void print_json(const SimFlags& f, const sim::RunReport& r, std::int64_t wall_ms) {
  nlohmann::json j{{"scenario", r.scenario},
                   {"seed", std::stoull(f.seed)},
                   {"nodes", std::stoull(f.nodes)},
                   {"faults", f.faults},
                   {"trace_hash", r.trace_hash},
                   {"events", r.events},
                   {"steps", r.steps},
                   {"simulated_ms", r.simulated_ms},
                   {"wall_ms", wall_ms},
                   {"messages_delivered", r.messages_delivered},
                   {"messages_dropped", r.messages_dropped},
                   {"nodes_down", r.nodes_down},
                   {"check", {{"ok", r.check.ok}, {"failures", r.check.failures}}}};
  if (!r.check.counts.empty()) j["counts"] = r.check.counts;  // e.g. elections, invariant_checks
  if (!r.check.ok) j["replay"] = replay_line(f);
  std::cout << j.dump() << "\n";
}

int run_seeds(SimFlags flags);

int run_sim(const std::vector<std::string>& args) {
  auto parsed = read_flags(args);
  if (!parsed) {
    std::cerr << "craton sim: " << parsed.error().message << "\n";
    return 2;
  }
  if (!parsed->seeds.empty()) return run_seeds(*parsed);
  const SimFlags& flags = *parsed;
  auto run = parse_flags(flags);
  if (!run) {
    std::cerr << "craton sim: " << run.error().message << "\n";
    return 2;
  }
  std::ofstream trace;
  if (!flags.trace.empty()) {
    trace.open(flags.trace, std::ios::binary | std::ios::trunc);
    if (!trace) {
      std::cerr << "craton sim: --trace: cannot write '" << flags.trace << "'\n";
      return 2;
    }
    run->world.trace_out = &trace;
  }
  auto [report, wall_ms] = run_timed(*run);
  if (flags.json)
    print_json(flags, report, wall_ms);
  else
    print_plain(flags, report, wall_ms);
  if (!report.check.ok) std::cerr << "replay with: " << replay_line(flags) << "\n";
  return report.check.ok ? 0 : 1;
}

// "A..B" with A <= B and at most kSeedsMax seeds.
constexpr std::uint64_t kSeedsMax = 1'000'000;

Result<std::pair<std::uint64_t, std::uint64_t>> parse_seed_range(const std::string& text) {
  auto dots = text.find("..");
  if (dots == std::string::npos)
    return Error{"bad_flag", "--seeds: expected A..B, got '" + text + "'"};
  auto a = parse_uint("--seeds", text.substr(0, dots));
  if (!a) return a.error();
  auto b = parse_uint("--seeds", text.substr(dots + 2));
  if (!b) return b.error();
  if (*a > *b) return Error{"bad_flag", "--seeds: " + text + " is an empty range"};
  if (*b - *a >= kSeedsMax)
    return Error{"bad_flag", "--seeds: at most " + std::to_string(kSeedsMax) + " seeds"};
  return std::make_pair(*a, *b);
}

// One simulation per seed; a line per seed, the failures and replay line of failing ones.
int run_seeds(SimFlags flags) {
  if (!flags.seed.empty() || !flags.trace.empty()) {
    std::cerr << "craton sim: --seeds excludes --seed and --trace\n";
    return 2;
  }
  auto range = parse_seed_range(flags.seeds);
  if (!range) {
    std::cerr << "craton sim: " << range.error().message << "\n";
    return 2;
  }
  std::uint64_t failed = 0;
  for (auto seed = range->first;; ++seed) {
    flags.seed = std::to_string(seed);
    auto run = parse_flags(flags);
    if (!run) {
      std::cerr << "craton sim: " << run.error().message << "\n";
      return 2;
    }
    auto [report, wall_ms] = run_timed(*run);
    std::cout << "seed " << seed << ": " << (report.check.ok ? "ok" : "FAILED") << " (steps "
              << report.steps << ", wall " << wall_ms << " ms, trace-hash " << report.trace_hash
              << ")\n";
    if (!report.check.ok) {
      ++failed;
      for (const auto& why : report.check.failures) std::cout << "  " << why << "\n";
      std::cout << "  replay: " << replay_line(flags) << "\n";
    }
    if (seed == range->second) break;
  }
  std::cout << "seeds " << flags.seeds << ": " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

void add_sim_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("sim", "Run a deterministic simulated cluster from a seed");
  // Flags are read from the raw arguments so that every mistake gets one line and exit 2.
  sub->allow_extras();
  sub->footer(kUsage);
  sub->callback([sub, &exit_code] { exit_code = run_sim(sub->remaining()); });
}

}  // namespace craton::cmd
