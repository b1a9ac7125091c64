#define BOOST_TEST_MODULE store_crash
#include <boost/test/unit_test.hpp>

// Crash consistency with real process deaths: a child process writes through the stores and
// reports each write once it returned ok; the parent SIGKILLs it at a random moment, reopens
// the environment and checks that everything acknowledged is there and the rest is coherent.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "actors/store/replica/raft_log_store.hpp"
#include "storage/mvcc_store.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using namespace craton::storage;
using craton::storage::test::TempDir;
using craton::store::RaftLogStore;

namespace {

EnvOptions env_options(const std::string& path) {
  return EnvOptions{path, 256u << 20, 8, 126};
}

// Runs `work(ack)` in a child process; `ack(n)` reports progress. Kills the child once it
// has acknowledged `kill_after` times; returns the last acknowledged value.
template <class Work>
std::uint64_t run_and_kill(std::uint64_t kill_after, Work work) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    work([&](std::uint64_t n) {
      if (::write(fds[1], &n, sizeof n) != sizeof n) ::_exit(3);
    });
    ::_exit(0);
  }
  ::close(fds[1]);
  std::uint64_t last = 0, seen = 0, n = 0;
  while (::read(fds[0], &n, sizeof n) == sizeof n) {
    last = n;
    if (++seen == kill_after) ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  return last;
}

std::string entry_data(std::uint64_t index, std::uint64_t term) {
  return "e" + std::to_string(index) + "t" + std::to_string(term);
}

}  // namespace

BOOST_AUTO_TEST_CASE(raft_log_survives_sigkill_with_every_acknowledged_save) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 4; ++round) {
    TempDir dir;
    std::uint64_t kill_after = 20 + rng() % 100;
    std::uint64_t acked = run_and_kill(kill_after, [&](auto ack) {
      auto env = Environment::open(env_options(dir.sub("env")));
      auto log = RaftLogStore::open(*env);
      std::uint64_t term = 1;
      for (int batch = 0; batch < 100000; ++batch) {
        std::uint64_t from = log->last_index() + 1;
        if (batch % 7 == 6 && log->last_index() > 5) {  // a new leader rewrites a suffix
          from = log->last_index() - 3;
          ++term;
        }
        std::vector<raft::Entry> entries;
        for (std::uint64_t i = from; i < from + 10; ++i) {
          entries.push_back(raft::Entry{term, i, raft::EntryType::normal, entry_data(i, term)});
        }
        if (!log->save(raft::HardState{term, 1, from - 1}, entries)) ::_exit(2);
        ack(log->last_index());
      }
    });
    BOOST_TEST_MESSAGE("round " << round << ": killed after index " << acked);
    auto env = Environment::open(env_options(dir.sub("env")));
    BOOST_REQUIRE(env.ok());
    auto log = RaftLogStore::open(*env);
    BOOST_REQUIRE(log.ok());
    // Saves are acknowledged after they are durable, so at least the acknowledged state is
    // there (and at most one more batch, which committed before the ack was written).
    BOOST_CHECK_GE(log->last_index(), acked);
    BOOST_CHECK_LE(log->last_index(), acked + 10);
    auto entries = log->entries(1, log->last_index() + 1);
    BOOST_REQUIRE(entries.ok());
    std::uint64_t prev_term = 0;
    for (const auto& e : *entries) {
      BOOST_REQUIRE_EQUAL(e.data, entry_data(e.index, e.term));
      BOOST_REQUIRE_GE(e.term, prev_term);
      prev_term = e.term;
    }
    BOOST_CHECK_EQUAL(log->hard_state().term, prev_term);
  }
}

BOOST_AUTO_TEST_CASE(mvcc_state_after_sigkill_is_exactly_the_applied_prefix) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 4; ++round) {
    TempDir dir;
    std::uint64_t kill_after = 20 + rng() % 100;
    std::uint64_t acked = run_and_kill(kill_after, [&](auto ack) {
      auto env = Environment::open(env_options(dir.sub("env")));
      auto store = MvccStore::open(*env);
      for (std::uint64_t index = 1; index < 1000000; index += 5) {
        std::vector<IndexedWrite> batch;
        for (std::uint64_t i = index; i < index + 5; ++i) {
          PutRequest put;
          put.key = "k" + std::to_string(i % 37);
          put.value = "v" + std::to_string(i);
          batch.push_back({i, put});
        }
        for (auto& r : store->apply_batch(batch)) {
          if (!r) ::_exit(2);
        }
        ack(store->applied_index());
      }
    });
    auto env = Environment::open(env_options(dir.sub("env")));
    BOOST_REQUIRE(env.ok());
    auto store = MvccStore::open(*env);
    BOOST_REQUIRE(store.ok());
    std::uint64_t applied = store->applied_index();
    BOOST_TEST_MESSAGE("round " << round << ": acked " << acked << ", applied " << applied);
    BOOST_CHECK_GE(applied, acked);
    BOOST_CHECK_LE(applied, acked + 5);
    // Each entry made one revision, and the data is exactly what entries 1..applied produce.
    BOOST_CHECK_EQUAL(store->current_revision(), static_cast<std::int64_t>(applied) + 1);
    RangeRequest all;
    all.key = "k";
    all.range_end = "l";
    auto got = store->range(all);
    BOOST_REQUIRE(got.ok());
    BOOST_CHECK_EQUAL(got->count, static_cast<std::int64_t>(std::min<std::uint64_t>(applied, 37)));
    for (const auto& kv : got->kvs) {
      std::uint64_t slot = std::stoull(kv.key.substr(1));
      std::uint64_t last = applied - (applied + 37 - slot) % 37;  // last i <= applied, i%37==slot
      BOOST_REQUIRE_EQUAL(kv.value, "v" + std::to_string(last));
      BOOST_REQUIRE_EQUAL(kv.mod_revision, static_cast<std::int64_t>(last) + 1);
    }
    // Replaying the log from the start is harmless.
    PutRequest replay;
    replay.key = "k1";
    replay.value = "replayed";
    BOOST_CHECK_EQUAL(store->apply(1, replay).error().code, "already_applied");
  }
}
