// The "api" scenario end to end: API actors over 3- and 5-replica store clusters under random
// faults, with writers and watchers using them in envelopes, judged by the store checker
// (linearizability of every write through the API), the watch checker (ordered, no gaps,
// no duplicates, complete, resumed across restarts) and the cache checker (each envelope
// informer's cache equals the history at its revision, and catches up). Not vacuous: writes
// succeed, watchers see them, watches resume from a revision after crashes, caches are checked.
#define BOOST_TEST_MODULE api_scenario
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "runtime/rng.hpp"
#include "sim/api/api_scenario.hpp"
#include "sim/world/fault_schedule.hpp"
#include "sim/world/world.hpp"

namespace sim = craton::sim;

namespace {

constexpr std::int64_t kDurationMs = 30000;

std::uint64_t seeds_per_shape(std::uint64_t fallback) {
  if (const char* env = std::getenv("CRATON_API_SEEDS")) return std::strtoull(env, nullptr, 10);
  return fallback;
}

struct Tally {
  std::size_t ok_writes = 0, events = 0, resumes = 0, snapshots = 0;
};

void run_many(std::size_t nodes, std::uint64_t first, std::uint64_t seeds) {
  Tally total;
  std::uint64_t failed = 0;
  for (std::uint64_t seed = first; seed < first + seeds; ++seed) {
    sim::WorldConfig config;
    config.seed = seed;
    config.nodes = nodes;
    config.duration_ms = kDurationMs;
    auto ids = sim::node_ids(nodes);
    config.faults =
        sim::random_faults(craton::derive_seed(seed, "faults"), ids, sim::settle_ms(config));
    sim::ApiScenario scenario(ids);
    auto report = sim::run_world(config, scenario);
    for (const auto& o : report.history.observations) {
      if (const auto* op = std::get_if<sim::StoreOpEvent>(&o.event))
        total.ok_writes += op->phase == sim::OpPhase::ok && op->revision != 0;
      if (const auto* w = std::get_if<sim::WatchEvent>(&o.event)) {
        total.events += w->changes.size();
        total.resumes += w->kind == sim::WatchEvent::Kind::start && w->revision > 1;
      }
    }
    total.snapshots += report.check.counts["cache_snapshots_checked"];
    if (report.check.ok) continue;
    ++failed;
    std::string why;
    for (const auto& f : report.check.failures) why += "\n  " + f;
    BOOST_ERROR("seed " << seed << " failed; replay: craton sim --scenario api --seed " << seed
                        << " --nodes " << nodes << " --duration " << kDurationMs
                        << "ms --faults random --trace trace.txt" << why);
  }
  BOOST_TEST_MESSAGE(nodes << " nodes: " << seeds << " seeds, " << failed << " failed; "
                           << total.ok_writes << " writes acknowledged, " << total.events
                           << " watch events, " << total.resumes << " resumed watches, "
                           << total.snapshots << " informer caches checked");
  BOOST_TEST(total.ok_writes > 20 * seeds);
  BOOST_TEST(total.events > 20 * seeds);
  BOOST_TEST(total.resumes > 0);
  BOOST_TEST(total.snapshots > 10 * seeds);
}

}  // namespace

BOOST_AUTO_TEST_CASE(three_nodes_random_faults) {
  run_many(3, 1, seeds_per_shape(60));
}

BOOST_AUTO_TEST_CASE(five_nodes_random_faults) {
  run_many(5, 1001, seeds_per_shape(25));
}
