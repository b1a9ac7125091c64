// The store scenario end to end: many seeds of a 3- and a 5-replica store cluster under random
// faults, each judged by the store checker (linearizability of every key's history, Raft
// safety on every RaftEvent the replicas report, progress after the settle point); and the
// checker's own teeth: fabricated histories with a stale read, two leaders in a term,
// diverging commits, and real runs whose events are altered as a broken replica's would be.
#define BOOST_TEST_MODULE store_scenario
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

#include "actors/store/raft/raft_event.hpp"
#include "runtime/rng.hpp"
#include "sim/store/store_checker.hpp"
#include "sim/store/store_scenario.hpp"
#include "sim/world/world.hpp"
#include "tests/sim/trace_events.hpp"

namespace sim = craton::sim;

namespace {

// Seeds per cluster size; CRATON_STORE_SEEDS overrides (for longer local runs).
std::uint64_t seeds_per_shape(std::uint64_t fallback) {
  if (const char* env = std::getenv("CRATON_STORE_SEEDS")) return std::strtoull(env, nullptr, 10);
  return fallback;
}

// clients_local false: "store-remote", clients over SimNetwork (duplicated requests included).
sim::RunReport run_seed(std::uint64_t seed, std::size_t nodes, std::int64_t duration_ms,
                        bool clients_local = true) {
  sim::WorldConfig config;
  config.seed = seed;
  config.nodes = nodes;
  config.duration_ms = duration_ms;
  auto ids = sim::node_ids(nodes);
  config.faults =
      sim::random_faults(craton::derive_seed(seed, "faults"), ids, sim::settle_ms(config));
  sim::StoreScenarioOptions options;
  options.clients_local = clients_local;
  sim::StoreScenario scenario(ids, options);
  return sim::run_world(config, scenario);
}

void check_seed(std::uint64_t seed, std::size_t nodes, std::int64_t duration_ms, bool clients_local,
                std::uint64_t& failed) {
  auto report = run_seed(seed, nodes, duration_ms, clients_local);
  if (report.check.ok) return;
  ++failed;
  std::string why;
  for (const auto& f : report.check.failures) why += "\n  " + f;
  BOOST_ERROR("seed " << seed << " failed; replay: craton sim --scenario "
                      << (clients_local ? "store" : "store-remote") << " --seed " << seed
                      << " --nodes " << nodes << " --duration " << duration_ms
                      << "ms --faults random --trace trace.txt" << why);
}

void run_many(std::size_t nodes, std::int64_t duration_ms, std::uint64_t seeds,
              bool clients_local = true) {
  std::uint64_t failed = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed)
    check_seed(seed, nodes, duration_ms, clients_local, failed);
  BOOST_TEST_MESSAGE(nodes << " replicas: " << seeds << " seeds, " << failed << " failed");
}

sim::Observation op(std::int64_t t, const std::string& event) {
  return sim::testing::observed(t, "n1", 0, event);
}

sim::RunHistory history_of(std::vector<sim::Observation> obs) {
  sim::RunHistory h;
  h.nodes = {"n1", "n2", "n3"};
  h.observations = std::move(obs);
  h.settle_ms = 100;
  h.end_ms = 1000;
  return h;
}

bool mentions(const sim::CheckResult& r, const std::string& what) {
  for (const auto& f : r.failures)
    if (f.find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(three_replicas_random_faults) {
  run_many(3, 10000, seeds_per_shape(240));
}

BOOST_AUTO_TEST_CASE(five_replicas_random_faults) {
  run_many(5, 10000, seeds_per_shape(160));
}

// "store-remote": clients reach any replica over the faulty SimNetwork and follow redirects,
// so their requests are lost, delayed and duplicated too; client sessions keep each write
// applied once. Seeds that applied a duplicate before sessions existed come first.
BOOST_AUTO_TEST_CASE(remote_clients_duplicated_requests_apply_once) {
  std::uint64_t failed = 0;
  for (std::uint64_t seed : {130, 179}) check_seed(seed, 3, 10000, false, failed);
  for (std::uint64_t seed : {9, 29, 32, 87, 93}) check_seed(seed, 5, 20000, false, failed);
  BOOST_TEST(failed == 0u);
}

BOOST_AUTO_TEST_CASE(three_replicas_remote_clients) {
  run_many(3, 10000, seeds_per_shape(100), false);
}

BOOST_AUTO_TEST_CASE(five_replicas_remote_clients) {
  run_many(5, 10000, seeds_per_shape(60), false);
}

BOOST_AUTO_TEST_CASE(same_seed_same_trace) {
  auto a = run_seed(7, 3, 5000);
  auto b = run_seed(7, 3, 5000);
  BOOST_TEST(a.trace_hash == b.trace_hash);
  BOOST_TEST(a.history.observations.size() == b.history.observations.size());
}

// Observations are typed records (sim/world/observation.hpp); the trace prints them with one
// formatter. Every record of a real run, and of a watcher run, reads back from its text as the
// same record: the trace loses nothing, and the typed records carry what the text carried.
BOOST_AUTO_TEST_CASE(every_observation_of_a_real_run_round_trips_through_its_trace_text) {
  auto r = run_seed(3, 3, 6000);
  std::size_t typed = 0;
  for (const auto& o : r.history.observations) {
    if (!std::holds_alternative<sim::TextEvent>(o.event)) ++typed;
    BOOST_TEST((sim::testing::event_from_text(o.text()) == o.event), o.text());
  }
  BOOST_TEST(typed > 100u);
}

BOOST_AUTO_TEST_CASE(a_run_records_operations_and_raft_events) {
  auto r = run_seed(3, 3, 6000);
  std::size_t ok = 0, fail = 0, info = 0, commits = 0, leaders = 0;
  for (const auto& o : r.history.observations) {
    if (o.text().find(" ok ") != std::string::npos) ++ok;
    if (o.text().find(" fail ") != std::string::npos) ++fail;
    if (o.text().find(" info ") != std::string::npos) ++info;
    if (o.text().rfind("raft committed ", 0) == 0) ++commits;
    if (o.text().rfind("raft leader ", 0) == 0) ++leaders;
  }
  BOOST_TEST_MESSAGE("seed 3: ok " << ok << ", fail " << fail << ", info " << info << ", commits "
                                   << commits << ", leader terms " << leaders << ", steps "
                                   << r.steps);
  BOOST_TEST(ok > 10u);
  BOOST_TEST(commits > 10u);
  BOOST_TEST(leaders >= 1u);
  BOOST_TEST(r.check.counts.at("elections") == leaders);
  BOOST_TEST(r.check.counts.at("invariant_checks") > 100u);
  auto h = sim::store_ops_history(r.history);
  BOOST_REQUIRE(h);
  BOOST_TEST(h->events.size() > 20u);
}

BOOST_AUTO_TEST_CASE(checker_passes_a_good_history) {
  auto h = history_of({op(1, "op a invoke write k0 =a.1"), op(2, "op a ok write"),
                       op(3, "op b invoke read k0"), op(4, "op b ok read =a.1"),
                       op(150, "op a invoke cas k0 =a.1 =a.2"), op(160, "op a ok cas"),
                       op(170, "op b invoke read k1"), op(180, "op b ok read =")});
  auto r = sim::check_store_history(h);
  BOOST_TEST(r.ok);
  for (const auto& f : r.failures) BOOST_TEST_MESSAGE(f);
}

BOOST_AUTO_TEST_CASE(checker_catches_a_stale_read) {
  auto h = history_of({op(1, "op a invoke write k0 =a.1"), op(2, "op a ok write"),
                       op(3, "op a invoke write k0 =a.2"), op(4, "op a ok write"),
                       op(150, "op b invoke read k0"), op(160, "op b ok read =a.1")});
  auto r = sim::check_store_history(h);
  BOOST_TEST(!r.ok);
  BOOST_TEST(mentions(r, "not linearizable"));
}

BOOST_AUTO_TEST_CASE(checker_catches_a_lost_delete) {
  // A delete is a write of "": a later read of the old value is a violation.
  auto h = history_of({op(1, "op a invoke write k0 =a.1"), op(2, "op a ok write"),
                       op(3, "op a invoke write k0 ="), op(4, "op a ok write"),
                       op(150, "op b invoke read k0"), op(160, "op b ok read =a.1")});
  BOOST_TEST(!sim::check_store_history(h).ok);
}

BOOST_AUTO_TEST_CASE(checker_catches_no_progress) {
  auto h = history_of({op(1, "op a invoke write k0 =a.1"), op(2, "op a ok write"),
                       op(150, "op a invoke write k0 =a.2"), op(900, "op a info write")});
  auto r = sim::check_store_history(h);
  BOOST_TEST(!r.ok);
  BOOST_TEST(mentions(r, "no progress"));
}

BOOST_AUTO_TEST_CASE(checker_catches_two_leaders_in_a_term) {
  auto h = history_of({op(150, "op a invoke read k0"), op(160, "op a ok read ="),
                       sim::testing::observed(10, "n1", 0, "raft leader 2"),
                       sim::testing::observed(20, "n2", 0, "raft leader 2")});
  auto r = sim::check_store_history(h);
  BOOST_TEST(mentions(r, "election safety"));
}

BOOST_AUTO_TEST_CASE(checker_catches_diverging_commits_and_logs) {
  auto h = history_of({op(150, "op a invoke read k0"), op(160, "op a ok read ="),
                       sim::testing::observed(10, "n1", 0, "raft persisted 1 2:00000000000000aa"),
                       sim::testing::observed(11, "n1", 0, "raft committed 1 2"),
                       sim::testing::observed(20, "n2", 0, "raft persisted 1 2:00000000000000bb"),
                       sim::testing::observed(21, "n2", 0, "raft committed 1 2")});
  auto r = sim::check_store_history(h);
  BOOST_TEST(mentions(r, "state machine safety"));
  BOOST_TEST(mentions(r, "log matching"));
}

BOOST_AUTO_TEST_CASE(checker_catches_a_leader_missing_a_committed_entry) {
  auto h = history_of({op(150, "op a invoke read k0"), op(160, "op a ok read ="),
                       sim::testing::observed(10, "n1", 0, "raft persisted 1 2:00000000000000aa"),
                       sim::testing::observed(11, "n1", 0, "raft committed 1 2"),
                       sim::testing::observed(20, "n2", 0, "raft leader 3")});
  auto r = sim::check_store_history(h);
  BOOST_TEST(mentions(r, "leader completeness"));
}

// A real run's history, with one stale read appended: a value that a later completed write
// replaced (values are unique, so it can never come back). The checker must reject it.
BOOST_AUTO_TEST_CASE(checker_catches_a_stale_read_injected_into_a_real_run) {
  auto r = run_seed(3, 3, 6000);
  BOOST_REQUIRE(sim::check_store_history(r.history).ok);
  // Find an ok write of `stale` on `key`, then an ok write or cas on that key invoked after it
  // completed (a write of "" is a delete).
  struct Open {
    std::string key, value;
    bool after_stale = false;
  };
  std::map<std::string, Open> open;  // by process
  std::string key, stale;
  bool replaced = false;
  std::int64_t end = 0;
  for (const auto& o : r.history.observations) {
    end = std::max(end, o.time_ms);
    if (o.text().rfind("op ", 0) != 0) continue;
    std::istringstream in(o.text());
    std::string op_, process, type, f, k, v;
    in >> op_ >> process >> type >> f >> k >> v;
    if (type == "invoke") {
      if (f != "read") open[process] = Open{k, f == "write" ? v.substr(1) : "", !stale.empty()};
      continue;
    }
    auto it = open.find(process);
    if (it == open.end()) continue;
    if (type == "ok" && stale.empty() && f == "write" && !it->second.value.empty())
      std::tie(key, stale) = std::tie(it->second.key, it->second.value);
    else if (type == "ok" && it->second.after_stale && it->second.key == key)
      replaced = true;
    open.erase(it);
  }
  BOOST_REQUIRE(replaced);
  BOOST_REQUIRE(!stale.empty());
  auto broken = r.history;
  broken.observations.push_back(
      sim::testing::observed(end + 1, "n1", 0, "op stale invoke read " + key));
  broken.observations.push_back(
      sim::testing::observed(end + 2, "n1", 0, "op stale ok read =" + stale));
  auto verdict = sim::check_store_history(broken);
  BOOST_TEST(!verdict.ok);
  BOOST_TEST(mentions(verdict, "not linearizable"));
}

// A broken replica's events in a real run: n2 applies other data at one index than the rest.
BOOST_AUTO_TEST_CASE(checker_catches_a_replica_applying_other_data_in_a_real_run) {
  auto r = run_seed(3, 3, 6000);
  BOOST_REQUIRE(r.check.ok);
  auto broken = r.history;
  std::size_t changed = 0;
  for (auto& o : broken.observations) {
    if (o.node != "n2" || o.text().rfind("raft applied ", 0) != 0) continue;
    auto e = craton::store::parse_raft_event(o.text());
    BOOST_REQUIRE(e);
    if (e->index < 4) continue;  // past the bootstrap configuration
    e->entries.front().hash ^= 1;
    o.event = sim::TextEvent{craton::store::format_raft_event(*e)};
    ++changed;
    break;
  }
  BOOST_REQUIRE(changed == 1u);
  auto verdict = sim::check_store_history(broken);
  BOOST_TEST(!verdict.ok);
  BOOST_TEST(mentions(verdict, "state machine safety"));
}

// A broken replica that loses durable entries: n1's persisted events after its first leader
// term are dropped, as if its disk never kept them. Its later events contradict its log.
BOOST_AUTO_TEST_CASE(checker_catches_a_replica_losing_persisted_entries_in_a_real_run) {
  auto r = run_seed(3, 3, 6000);
  BOOST_REQUIRE(r.check.ok);
  auto broken = r.history;
  std::size_t dropped = 0;
  for (auto it = broken.observations.begin(); it != broken.observations.end();) {
    bool drop = it->node == "n1" && it->text().rfind("raft persisted ", 0) == 0 &&
                it->text().rfind("raft persisted 1 ", 0) != 0 && dropped < 3;
    if (drop) ++dropped;
    it = drop ? broken.observations.erase(it) : it + 1;
  }
  BOOST_REQUIRE(dropped == 3u);
  auto verdict = sim::check_store_history(broken);
  BOOST_TEST(!verdict.ok);
  BOOST_TEST(mentions(verdict, "(a hole)"));
  BOOST_TEST(mentions(verdict, "beyond its durable log"));
}

namespace {

// One run of the store scenario under a fault file (text), 3 replicas, 20 s.
sim::RunReport run_file(const std::string& faults, sim::StoreScenarioOptions options = {}) {
  sim::WorldConfig config;
  config.seed = 11;
  config.nodes = 3;
  config.duration_ms = 20000;
  auto ids = sim::node_ids(3);
  auto parsed = sim::parse_fault_file(faults, ids);
  BOOST_REQUIRE_MESSAGE(parsed, (parsed ? "" : parsed.error().message));
  config.faults = std::move(*parsed);
  auto valid = sim::validate_schedule(config.faults, ids, sim::settle_ms(config));
  BOOST_REQUIRE_MESSAGE(valid, (valid ? "" : valid.error().message));
  sim::StoreScenario scenario(ids, options);
  return sim::run_world(config, scenario);
}

std::size_t count_events(const sim::RunReport& r, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& o : r.history.observations) n += o.text().rfind(prefix, 0) == 0;
  return n;
}

std::string failures_of(const sim::CheckResult& r) {
  std::string why;
  for (const auto& f : r.failures) why += "\n  " + f;
  return why;
}

// Two of three replicas crash together and come back cut off from the third, so that they
// alone elect the next leader: with an honest disk they keep every entry they synced, so the
// cluster keeps every acknowledged write.
const char* const kMajorityCrash =
    "at 4s crash n1\nat 4s crash n2\nat 4s partition n1,n2 | n3\nat 5s restart n1\n"
    "at 5s restart n2\nat 9s heal\n";

}  // namespace

// Every disk fault at once on a 3-replica cluster: slow syncs, a failed fsync (the replica
// stops without answering and the world restarts it), a full disk, and a crash that loses
// the unsynced (deferred) commits. The checkers still pass.
BOOST_AUTO_TEST_CASE(disk_faults_keep_the_store_linearizable) {
  auto r = run_file(
      "at 1s disk-slow n1 80ms\n"
      "at 2s fsync-fail n2\n"
      "at 3s disk-full n3\n"
      "at 4s disk-ok n3\n"
      "at 5s disk-slow n1 0ms\n"
      "at 6s crash n2\n"
      "at 7s restart n2\n"
      "at 8s fsync-fail n1\n");
  BOOST_TEST(r.check.ok, failures_of(r.check));
  BOOST_TEST(count_events(r, "disk stop: ") >= 2u);  // the failed fsyncs (and the full disk)
  BOOST_TEST(count_events(r, "store failed") == 0u);
  BOOST_TEST(r.nodes_down.empty());
}

// The checkers' teeth: the same majority crash on a disk that acknowledges syncs it never
// makes durable. The restarted replicas forget acknowledged entries; the run must fail, and
// the linearizability check alone (every "raft" event removed) must fail too.
BOOST_AUTO_TEST_CASE(checker_catches_acknowledged_writes_lost_by_a_lying_disk) {
  auto honest = run_file(kMajorityCrash);
  BOOST_TEST(honest.check.ok, failures_of(honest.check));

  sim::StoreScenarioOptions lying;
  lying.disk_sync_lies = true;
  auto r = run_file(kMajorityCrash, lying);
  BOOST_TEST(!r.check.ok);
  BOOST_TEST(mentions(r.check, "crash-restart"), failures_of(r.check));

  auto history = r.history;
  std::erase_if(history.observations,
                [](const sim::Observation& o) { return o.text().rfind("raft ", 0) == 0; });
  auto lin = sim::check_store_history(history, sim::StoreCheckOptions{false, 0});
  BOOST_TEST(!lin.ok);
  BOOST_TEST(mentions(lin, "store history is"), failures_of(lin));
}
