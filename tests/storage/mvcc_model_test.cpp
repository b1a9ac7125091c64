#define BOOST_TEST_MODULE storage_mvcc_model
#include <boost/test/unit_test.hpp>

// Random operations against MvccStore and against a naive model that keeps a full copy of the
// key space per revision; every read (current and past revisions, events, after reopens and
// compactions) must agree with the model.

#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::storage;
using namespace craton::storage::test;

namespace {

using State = std::map<std::string, KeyValue>;

struct ModelEvent {
  std::int64_t rev;
  std::string key;
  bool del;
  std::string value;
};

struct Model {
  std::int64_t rev = 1;
  std::int64_t compacted = 0;
  std::map<std::int64_t, State> states{{1, State{}}};
  std::vector<ModelEvent> events;

  State& begin_write() {
    states[rev + 1] = states[rev];
    return states[rev + 1];
  }
  void put(State& s, const std::string& key, const std::string& value) {
    auto it = s.find(key);
    KeyValue kv{key, rev + 1, rev + 1, 1, value, 0};
    if (it != s.end()) {
      kv.create_revision = it->second.create_revision;
      kv.version = it->second.version + 1;
    }
    s[key] = kv;
    events.push_back({rev + 1, key, false, value});
  }
  bool del(State& s, const std::string& from, const std::string& to) {
    bool any = false;
    for (auto it = s.lower_bound(from); it != s.end() && it->first < to;) {
      events.push_back({rev + 1, it->first, true, ""});
      it = s.erase(it);
      any = true;
    }
    return any;
  }
  void commit(bool changed) {
    if (changed) {
      ++rev;
    } else {
      states.erase(rev + 1);
    }
  }
};

std::string key_of(std::mt19937_64& rng) {
  return "k" + std::to_string(rng() % 12);
}

}  // namespace

BOOST_AUTO_TEST_CASE(random_operations_match_the_model) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    TempDir dir;
    auto env = open_env(dir.sub("env"));
    MvccOptions options;
    options.compaction_batch_max = 3;
    auto store = open_store(env, options);
    Model model;
    std::mt19937_64 rng(seed);
    for (int step = 0; step < 400; ++step) {
      int op = static_cast<int>(rng() % 100);
      if (op < 45) {
        std::string key = key_of(rng), value = "v" + std::to_string(step);
        must(store.put(put_req(key, value)));
        auto& s = model.begin_write();
        model.put(s, key, value);
        model.commit(true);
      } else if (op < 60) {
        std::string a = key_of(rng), b = key_of(rng);
        if (b < a) std::swap(a, b);
        b += "~";
        must(store.delete_range(del_req(a, b)));
        auto& s = model.begin_write();
        model.commit(model.del(s, a, b));
      } else if (op < 75) {  // compare-and-swap on mod_revision, as Kubernetes updates
        std::string key = key_of(rng);
        auto& before = model.states[model.rev];
        std::int64_t expect = before.count(key) ? before[key].mod_revision : 0;
        if (rng() % 3 == 0) expect += 1;  // sometimes stale
        TxnRequest t;
        t.compare.push_back(cmp(key, CompareTarget::mod_revision, CompareResult::equal, expect));
        t.success.emplace_back(put_req(key, "cas" + std::to_string(step)));
        t.success.emplace_back(put_req(key + "/side", "s"));
        auto r = must(store.txn(t));
        bool holds = (before.count(key) ? before[key].mod_revision : 0) == expect;
        BOOST_REQUIRE_EQUAL(r.succeeded, holds);
        auto& s = model.begin_write();
        if (holds) {
          model.put(s, key, "cas" + std::to_string(step));
          model.put(s, key + "/side", "s");
        }
        model.commit(holds);
      } else if (op < 80 && model.rev > model.compacted + 1) {
        std::int64_t at =
            model.compacted + 1 + static_cast<std::int64_t>(rng() % (model.rev - model.compacted));
        must(store.compact(at));
        model.compacted = at;
      } else if (op < 83) {
        store = open_store(env, options);
      }
      BOOST_REQUIRE_EQUAL(store.current_revision(), model.rev);
      // A read at a random revision that is still available.
      std::int64_t low = std::max<std::int64_t>(1, model.compacted);
      std::int64_t at = low + static_cast<std::int64_t>(rng() % (model.rev - low + 1));
      auto got = must(store.range(get_req("k", "l", at)));
      const State& want = model.states[at];
      BOOST_REQUIRE_EQUAL(got.kvs.size(), want.size());
      std::size_t i = 0;
      for (const auto& [k, kv] : want) BOOST_REQUIRE(got.kvs[i++] == kv);
    }
    // Events after the compaction point agree with the model's change log.
    EventsRequest er{"k", "l", model.compacted + 1, true, 100000};
    auto events = must(store.events(er));
    std::size_t j = 0;
    for (const auto& e : model.events) {
      if (e.rev <= model.compacted) continue;
      BOOST_REQUIRE_LT(j, events.events.size());
      const auto& got = events.events[j++];
      BOOST_REQUIRE_EQUAL(got.kv.key, e.key);
      BOOST_REQUIRE_EQUAL(got.kv.mod_revision, e.rev);
      BOOST_REQUIRE(got.type == (e.del ? EventType::del : EventType::put));
      const State& before = model.states[e.rev - 1];
      auto prev = before.find(e.key);
      BOOST_REQUIRE_EQUAL(got.prev_kv.has_value(), prev != before.end());
      if (got.prev_kv) BOOST_REQUIRE(*got.prev_kv == prev->second);
    }
    BOOST_CHECK_EQUAL(j, events.events.size());
  }
}
