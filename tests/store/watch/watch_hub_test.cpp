#define BOOST_TEST_MODULE store_watch_hub
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "actors/store/watch/watch_hub.hpp"
#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage;
using namespace craton::storage::test;

namespace {

/// What one client saw of one watch, built from the responses it took, in order.
struct Seen {
  bool created = false;
  bool canceled = false;
  std::int64_t compact_revision = 0;
  std::vector<Event> events;
  std::vector<std::size_t> response_sizes;  ///< events per response
  std::vector<std::int64_t> progress;       ///< header revisions of progress responses
};

/// No fsync: these tests are about watch semantics, not durability (and the disk is shared).
Environment open_unsynced_env(const std::string& path) {
  auto env = Environment::open(EnvOptions{path, 64u << 20, 8, 126, true});
  BOOST_REQUIRE_MESSAGE(env.ok(), (env.ok() ? "" : env.error().message));
  return std::move(env).value();
}

struct Fixture {
  TempDir dir;
  Environment env = open_unsynced_env(dir.sub("env"));
  MvccStore store = open_store(env);
  WatchHubOptions options;
  std::unique_ptr<WatchHub> hub;
  std::map<std::pair<StreamId, WatchId>, Seen> seen;
  std::map<StreamId, std::vector<std::int64_t>> stream_progress;

  Seen& at(StreamId s, WatchId w) { return seen[{s, w}]; }

  explicit Fixture(WatchHubOptions o = {}) { reset_hub(o); }
  void reset_hub(WatchHubOptions o) {
    options = o;
    hub = std::make_unique<WatchHub>(o, store.current_revision());
  }

  std::int64_t put(const std::string& k, const std::string& v) {
    auto r = must(store.put(put_req(k, v)));
    hub->on_applied(store);
    return r.header_revision;
  }
  std::int64_t del(const std::string& k, const std::string& end = "") {
    auto r = must(store.delete_range(del_req(k, end)));
    hub->on_applied(store);
    return r.header_revision;
  }
  WatchId watch(StreamId s, WatchRequest r) {
    auto id = hub->create(s, r, store);
    BOOST_REQUIRE_MESSAGE(id.ok(), (id.ok() ? "" : id.error().message));
    return *id;
  }
  void absorb(const WatchResponse& r) {
    if (r.watch_id == kProgressWatchId) {
      stream_progress[r.stream].push_back(r.header_revision);
      return;
    }
    Seen& s = at(r.stream, r.watch_id);
    BOOST_REQUIRE(!s.canceled);  // nothing after a cancel
    if (r.created) {
      BOOST_REQUIRE(!s.created);
      s.created = true;
      return;
    }
    BOOST_REQUIRE(s.created);  // nothing before created
    if (r.canceled) {
      s.canceled = true;
      s.compact_revision = r.compact_revision;
    } else if (r.is_progress()) {
      s.progress.push_back(r.header_revision);
    } else {
      // Atomic per revision: a revision never continues from the previous response.
      if (!s.events.empty()) {
        BOOST_REQUIRE_LT(s.events.back().kv.mod_revision, r.events.front().kv.mod_revision);
      }
      s.response_sizes.push_back(r.events.size());
      s.events.insert(s.events.end(), r.events.begin(), r.events.end());
    }
  }
  void drain() {
    for (const auto& r : hub->take_all()) absorb(r);
  }
  /// Takes and re-pumps until nothing is left (catch-up finished).
  void drain_fully() {
    for (int i = 0; i < 100000; ++i) {
      hub->on_applied(store);
      auto rs = hub->take_all();
      if (rs.empty() && hub->unsynced_watchers() == 0) return;
      for (const auto& r : rs) absorb(r);
    }
    BOOST_FAIL("hub never finished catching up");
  }
  std::string dump(StreamId s, WatchId w) {
    std::string out;
    for (const auto& e : at(s, w).events) {
      out += (e.type == EventType::put ? "put " : "del ") + e.kv.key;
      if (e.type == EventType::put) out += "=" + e.kv.value;
      out += "@" + std::to_string(e.kv.mod_revision) + ";";
    }
    return out;
  }
};

WatchRequest on(std::string key, std::string end = "", std::int64_t start = 0) {
  WatchRequest r;
  r.key = std::move(key);
  r.range_end = std::move(end);
  r.start_revision = start;
  return r;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(watch_from_now_sees_later_puts_and_deletes_in_order, Fixture) {
  put("a", "0");  // rev 2, before the watch
  WatchId id = watch(1, on("a"));
  BOOST_CHECK_EQUAL(id, 1);
  put("a", "1");
  put("b", "x");  // another key
  del("a");
  put("a", "2");
  drain();
  BOOST_CHECK(at(1, id).created);
  BOOST_CHECK_EQUAL(dump(1, id), "put a=1@3;del a@5;put a=2@6;");
  auto& e = at(1, id).events;
  BOOST_CHECK_EQUAL(e[0].kv.version, 2);
  BOOST_CHECK_EQUAL(e[2].kv.create_revision, 6);
  BOOST_CHECK(!e[0].prev_kv);
}

BOOST_AUTO_TEST_CASE(past_revision_gets_history_then_live_events_without_gap_or_duplicate) {
  WatchHubOptions o;
  o.catchup_events_max = 3;  // force several catch-up batches
  Fixture f(o);
  for (int i = 0; i < 10; ++i) f.put("p/" + std::to_string(i % 4), "v" + std::to_string(i));
  f.put("q", "other");
  WatchId id = f.watch(7, on("p/", prefix_end("p/"), 3));
  BOOST_CHECK_EQUAL(f.hub->unsynced_watchers(), 1u);
  // Live writes interleave with the catch-up rounds.
  for (int i = 10; i < 16; ++i) {
    f.put("p/" + std::to_string(i % 4), "v" + std::to_string(i));
    f.drain();
  }
  f.drain_fully();
  std::string want;
  for (int i = 1; i < 16; ++i) {
    want += "put p/" + std::to_string(i % 4) + "=v" + std::to_string(i) + "@" +
            std::to_string(i >= 10 ? i + 3 : i + 2) + ";";
  }
  BOOST_CHECK_EQUAL(f.dump(7, id), want);
  BOOST_CHECK_EQUAL(f.hub->unsynced_watchers(), 0u);
}

BOOST_AUTO_TEST_CASE(all_events_of_a_txn_revision_arrive_in_one_response) {
  WatchHubOptions o;
  o.events_per_response_max = 2;
  Fixture f(o);
  f.put("t/c", "old");
  WatchId live = f.watch(1, on("t/", prefix_end("t/")));
  TxnRequest t;
  t.success.emplace_back(put_req("t/a", "1"));
  t.success.emplace_back(put_req("t/b", "2"));
  t.success.emplace_back(del_req("t/c"));
  t.success.emplace_back(put_req("t/d", "4"));
  auto rev = must(f.store.txn(t)).header_revision;
  f.put("t/e", "5");
  f.hub->on_applied(f.store);
  WatchId past = f.watch(1, on("t/", prefix_end("t/"), rev));
  f.drain_fully();
  for (WatchId id : {live, past}) {
    BOOST_CHECK_EQUAL(f.dump(1, id), "put t/a=1@3;put t/b=2@3;del t/c@3;put t/d=4@3;put t/e=5@4;");
    // The four events of revision 3 exceed the per-response bound but are never split.
    auto& sizes = f.at(1, id).response_sizes;
    BOOST_REQUIRE_EQUAL(sizes.size(), 2u);
    BOOST_CHECK_EQUAL(sizes[0], 4u);
    BOOST_CHECK_EQUAL(sizes[1], 1u);
  }
}

BOOST_FIXTURE_TEST_CASE(several_revisions_share_a_response_up_to_the_bound, Fixture) {
  WatchId id = watch(1, on("k"));
  for (int i = 0; i < 600; ++i) put("k", std::to_string(i));
  drain();
  auto& sizes = at(1, id).response_sizes;
  BOOST_REQUIRE_EQUAL(sizes.size(), 3u);  // 256 + 256 + 88
  BOOST_CHECK_EQUAL(sizes[0], options.events_per_response_max);
  BOOST_CHECK_EQUAL(at(1, id).events.size(), 600u);
}

// A response is one envelope, and an envelope over its 4 MiB limit is dropped whole (a gap
// the client cannot see): revisions share a response only up to response_bytes_max.
BOOST_FIXTURE_TEST_CASE(revisions_share_a_response_only_up_to_the_byte_bound, Fixture) {
  WatchId id = watch(1, on("big/", prefix_end("big/")));
  std::string value(300 << 10, 'v');  // 300 KiB: three fit in 1 MiB, four do not
  for (int i = 0; i < 10; ++i) must(store.put(put_req("big/" + std::to_string(i), value)));
  hub->on_applied(store);  // ten revisions in one apply batch
  drain();
  auto& sizes = at(1, id).response_sizes;
  BOOST_REQUIRE_EQUAL(sizes.size(), 4u);  // 3 + 3 + 3 + 1
  BOOST_CHECK_EQUAL(sizes[0], 3u);
  BOOST_CHECK_EQUAL(at(1, id).events.size(), 10u);
  // A single revision larger than the bound still goes whole, alone.
  TxnRequest t;
  for (int i = 0; i < 4; ++i) t.success.emplace_back(put_req("big/t" + std::to_string(i), value));
  must(store.txn(t));
  put("big/after", "small");
  drain();
  BOOST_REQUIRE_EQUAL(sizes.size(), 6u);
  BOOST_CHECK_EQUAL(sizes[4], 4u);
  BOOST_CHECK_EQUAL(sizes[5], 1u);
}

BOOST_FIXTURE_TEST_CASE(prefix_range_and_open_ended_watches_match_their_keys, Fixture) {
  WatchId prefix = watch(1, on("p/", prefix_end("p/")));
  WatchId range = watch(1, on("b", "d"));
  WatchId from_c = watch(1, on("c", std::string(1, '\0')));
  WatchId single = watch(1, on("b"));
  for (std::string k : {"a", "b", "ba", "c", "d", "p", "p/", "p/x", "q"}) put(k, "v");
  drain();
  BOOST_CHECK_EQUAL(dump(1, prefix), "put p/=v@8;put p/x=v@9;");
  BOOST_CHECK_EQUAL(dump(1, range), "put b=v@3;put ba=v@4;put c=v@5;");
  BOOST_CHECK_EQUAL(dump(1, from_c),
                    "put c=v@5;put d=v@6;put p=v@7;put p/=v@8;put p/x=v@9;put q=v@10;");
  BOOST_CHECK_EQUAL(dump(1, single), "put b=v@3;");
}

BOOST_FIXTURE_TEST_CASE(prev_kv_only_when_asked, Fixture) {
  put("a", "1");
  WatchRequest with = on("a");
  with.prev_kv = true;
  WatchId w = watch(1, with);
  WatchId wo = watch(1, on("a"));
  put("a", "2");
  del("a");
  put("a", "3");
  drain();
  auto& e = at(1, w).events;
  BOOST_REQUIRE_EQUAL(e.size(), 3u);
  BOOST_REQUIRE(e[0].prev_kv);
  BOOST_CHECK_EQUAL(e[0].prev_kv->value, "1");
  BOOST_REQUIRE(e[1].prev_kv);
  BOOST_CHECK_EQUAL(e[1].prev_kv->value, "2");
  BOOST_CHECK(!e[2].prev_kv);  // the key did not exist before
  for (const auto& x : at(1, wo).events) BOOST_CHECK(!x.prev_kv);
  // Catch-up gives prev_kv as well.
  WatchId past = watch(1, [&] {
    auto r = on("a", "", 3);
    r.prev_kv = true;
    return r;
  }());
  drain_fully();
  BOOST_REQUIRE_EQUAL(at(1, past).events.size(), 3u);
  BOOST_CHECK_EQUAL(at(1, past).events[0].prev_kv->value, "1");
}

BOOST_FIXTURE_TEST_CASE(filters_drop_puts_or_deletes, Fixture) {
  WatchRequest noput = on("a");
  noput.filter_put = true;
  WatchRequest nodel = on("a");
  nodel.filter_delete = true;
  WatchId np = watch(1, noput);
  WatchId nd = watch(1, nodel);
  put("a", "1");
  del("a");
  drain();
  BOOST_CHECK_EQUAL(dump(1, np), "del a@3;");
  BOOST_CHECK_EQUAL(dump(1, nd), "put a=1@2;");
}

BOOST_FIXTURE_TEST_CASE(cancel_stops_events_and_drops_queued_ones, Fixture) {
  WatchId id = watch(1, on("a"));
  WatchId other = watch(1, on("a"));
  put("a", "1");  // queued, not taken
  BOOST_REQUIRE(hub->cancel(1, id).ok());
  put("a", "2");
  drain();
  BOOST_CHECK(at(1, id).created);
  BOOST_CHECK(at(1, id).canceled);
  BOOST_CHECK_EQUAL(at(1, id).compact_revision, 0);
  BOOST_CHECK(at(1, id).events.empty());
  BOOST_CHECK_EQUAL(dump(1, other), "put a=1@2;put a=2@3;");
  BOOST_CHECK_EQUAL(code_of(hub->cancel(1, id)), "watch_not_found");
  BOOST_CHECK_EQUAL(hub->watchers(), 1u);
  hub->close_stream(1);
  BOOST_CHECK_EQUAL(hub->watchers(), 0u);
  put("a", "3");
  BOOST_CHECK(hub->take_all().empty());
}

BOOST_FIXTURE_TEST_CASE(compacted_start_revision_is_refused_with_the_compact_revision, Fixture) {
  for (int i = 0; i < 5; ++i) put("a", std::to_string(i));  // revs 2..6
  must(store.compact(4));
  hub->on_applied(store);
  WatchId old = watch(1, on("a", "", 3));
  WatchId at_compacted = watch(1, on("a", "", 4));
  WatchId ok = watch(1, on("a", "", 5));
  drain_fully();
  BOOST_CHECK(at(1, old).created);
  BOOST_CHECK(at(1, old).canceled);
  BOOST_CHECK_EQUAL(at(1, old).compact_revision, 4);
  BOOST_CHECK_EQUAL(at(1, at_compacted).compact_revision, 4);
  BOOST_CHECK(!at(1, ok).canceled);
  BOOST_CHECK_EQUAL(dump(1, ok), "put a=3@5;put a=4@6;");
  BOOST_CHECK_EQUAL(hub->watchers(), 1u);
}

BOOST_FIXTURE_TEST_CASE(resume_from_last_revision_plus_one_gets_exactly_the_rest, Fixture) {
  WatchId first = watch(1, on("r/", prefix_end("r/")));
  for (int i = 0; i < 5; ++i) put("r/" + std::to_string(i), "x");
  drain();
  std::int64_t last = at(1, first).events.back().kv.mod_revision;
  hub->close_stream(1);  // the client disconnects
  for (int i = 5; i < 9; ++i) put("r/" + std::to_string(i), "x");
  WatchId again = watch(2, on("r/", prefix_end("r/"), last + 1));
  put("r/9", "x");
  drain_fully();
  BOOST_CHECK_EQUAL(dump(2, again),
                    "put r/5=x@7;put r/6=x@8;put r/7=x@9;put r/8=x@10;put r/9=x@11;");
}

BOOST_AUTO_TEST_CASE(slow_watcher_falls_back_to_unsynced_and_is_caught_up_from_the_store) {
  WatchHubOptions o;
  o.pending_events_max = 4;
  Fixture f(o);
  WatchId slow = f.watch(1, on("s"));
  WatchId fast = f.watch(2, on("s"));
  for (int i = 0; i < 20; ++i) {
    f.put("s", std::to_string(i));
    BOOST_CHECK_LE(f.hub->pending_events(1, slow), 4u);
    for (const auto& r : f.hub->take(2)) f.absorb(r);  // stream 2 keeps up
  }
  BOOST_CHECK_EQUAL(f.hub->unsynced_watchers(), 1u);
  BOOST_CHECK_EQUAL(f.hub->pending_events(1, slow), 4u);
  // The slow client takes one response at a time; catch-up fills the freed room.
  for (int i = 0; i < 100 && f.hub->unsynced_watchers() > 0; ++i) {
    for (const auto& r : f.hub->take(1, 1)) f.absorb(r);
    f.hub->on_applied(f.store);
    BOOST_CHECK_LE(f.hub->pending_events(1, slow), 4u);
  }
  f.put("s", "last");
  f.drain_fully();
  std::string want;
  for (int i = 0; i < 20; ++i)
    want += "put s=" + std::to_string(i) + "@" + std::to_string(i + 2) + ";";
  want += "put s=last@22;";
  BOOST_CHECK_EQUAL(f.dump(1, slow), want);
  BOOST_CHECK_EQUAL(f.dump(2, fast), want);
  BOOST_CHECK(!f.at(1, slow).canceled);
}

BOOST_AUTO_TEST_CASE(slow_watcher_is_cancelled_if_its_position_is_compacted_meanwhile) {
  WatchHubOptions o;
  o.pending_events_max = 2;
  Fixture f(o);
  WatchId slow = f.watch(1, on("s"));
  for (int i = 0; i < 6; ++i) f.put("s", std::to_string(i));  // revs 2..7; 2 queued
  must(f.store.compact(6));
  f.drain_fully();
  auto& s = f.at(1, slow);
  BOOST_CHECK_EQUAL(f.dump(1, slow), "put s=0@2;put s=1@3;");
  BOOST_CHECK(s.canceled);
  BOOST_CHECK_EQUAL(s.compact_revision, 6);
}

BOOST_FIXTURE_TEST_CASE(progress_notify_on_tick_and_on_request, Fixture) {
  WatchRequest r = on("a");
  r.progress_notify = true;
  WatchId id = watch(1, r);
  WatchId quiet = watch(1, on("b"));  // no progress_notify
  put("z", "1");                      // rev 2, not watched
  hub->tick_progress();
  drain();
  BOOST_REQUIRE_EQUAL(at(1, id).progress.size(), 1u);
  BOOST_CHECK_EQUAL(at(1, id).progress[0], 2);
  BOOST_CHECK(at(1, quiet).progress.empty());
  put("a", "1");  // rev 3: events since the last tick, so no progress on the next
  hub->tick_progress();
  drain();
  BOOST_CHECK_EQUAL(at(1, id).progress.size(), 1u);
  hub->tick_progress();
  drain();
  BOOST_REQUIRE_EQUAL(at(1, id).progress.size(), 2u);
  BOOST_CHECK_EQUAL(at(1, id).progress[1], 3);

  // On request: deferred while a watch of the stream is still catching up.
  WatchHubOptions o = options;
  o.catchup_events_max = 1;
  reset_hub(o);
  for (int i = 0; i < 5; ++i) put("c", std::to_string(i));  // revs 4..8
  WatchId past = watch(9, on("c", "", 4));
  hub->request_progress(9);
  auto first = hub->take(9);
  for (const auto& x : first) {
    BOOST_CHECK(x.watch_id != kProgressWatchId);
    absorb(x);
  }
  drain_fully();
  BOOST_REQUIRE_EQUAL(stream_progress[9].size(), 1u);
  BOOST_CHECK_EQUAL(stream_progress[9][0], 8);
  BOOST_CHECK_EQUAL(at(9, past).events.size(), 5u);
  // A stream with nothing behind gets it at once.
  hub->request_progress(9);
  drain();
  BOOST_CHECK_EQUAL(stream_progress[9].size(), 2u);
}

BOOST_AUTO_TEST_CASE(requests_are_validated_and_bounded) {
  WatchHubOptions o;
  o.watchers_max = 2;
  Fixture f(o);
  auto code = [&](WatchRequest r, StreamId s = 1) { return code_of(f.hub->create(s, r, f.store)); };
  BOOST_CHECK_EQUAL(code(on("")), "invalid");
  BOOST_CHECK_EQUAL(code(on("b", "a")), "invalid");
  BOOST_CHECK_EQUAL(code(on("b", "b")), "invalid");
  BOOST_CHECK_EQUAL(code(on("a", "", -1)), "invalid");
  BOOST_CHECK_EQUAL(code(on(std::string(5000, 'k'))), "invalid");
  WatchRequest r = on("a");
  r.watch_id = 5;
  BOOST_CHECK_EQUAL(code(r), "ok");
  BOOST_CHECK_EQUAL(code(r), "watch_exists");
  BOOST_CHECK_EQUAL(code(r, 2), "ok");  // ids are per stream
  BOOST_CHECK_EQUAL(code(on("a"), 3), "too_many_watchers");
  // Nothing was queued for the refused ones.
  auto rs = f.hub->take_all();
  BOOST_CHECK_EQUAL(rs.size(), 2u);
}

BOOST_FIXTURE_TEST_CASE(assigned_ids_ascend_per_stream_and_are_not_reused, Fixture) {
  BOOST_CHECK_EQUAL(watch(1, on("a")), 1);
  BOOST_CHECK_EQUAL(watch(1, on("a")), 2);
  BOOST_CHECK_EQUAL(watch(2, on("a")), 1);
  BOOST_REQUIRE(hub->cancel(1, 1).ok());
  WatchRequest chosen = on("a");
  chosen.watch_id = 4;
  BOOST_CHECK_EQUAL(watch(1, chosen), 4);
  BOOST_CHECK_EQUAL(watch(1, on("a")), 3);
  BOOST_CHECK_EQUAL(watch(1, on("a")), 5);  // 4 is taken
}

// ---------------------------------------------------------------- randomized, against a model

namespace {

/// A brute-force reconstruction of the store's history: every revision's events, computed
/// from the requests alone (not from the store's event log).
struct HistoryModel {
  std::map<std::string, KeyValue> live;
  std::map<std::int64_t, std::vector<Event>> log;  ///< with prev_kv always filled
  std::int64_t rev = 1;
  std::int64_t compacted = 0;

  std::vector<Event> pending;
  void put(const std::string& k, const std::string& v) {
    Event e;
    e.type = EventType::put;
    auto it = live.find(k);
    if (it != live.end()) e.prev_kv = it->second;
    e.kv.key = k;
    e.kv.value = v;
    e.kv.mod_revision = rev + 1;
    e.kv.create_revision = it != live.end() ? it->second.create_revision : rev + 1;
    e.kv.version = it != live.end() ? it->second.version + 1 : 1;
    live[k] = e.kv;
    pending.push_back(e);
  }
  void del(const std::string& a, const std::string& b) {
    std::vector<std::string> gone;
    for (const auto& [k, kv] : live) {
      if (in_range(k, a, b)) gone.push_back(k);
    }
    for (const auto& k : gone) {
      Event e;
      e.type = EventType::del;
      e.kv.key = k;
      e.kv.mod_revision = rev + 1;
      e.prev_kv = live[k];
      live.erase(k);
      pending.push_back(e);
    }
  }
  void commit() {
    if (pending.empty()) return;
    ++rev;
    log[rev] = std::move(pending);
    pending.clear();
  }
};

struct ClientWatch {
  StreamId stream = 0;
  WatchId id = 0;
  WatchRequest request;
  std::int64_t start = 0;  ///< effective start revision
  bool client_canceled = false;
};

bool matches(const WatchRequest& r, const Event& e) {
  if (!in_range(e.kv.key, r.key, r.range_end)) return false;
  if (e.type == EventType::put && r.filter_put) return false;
  if (e.type == EventType::del && r.filter_delete) return false;
  return true;
}

std::vector<Event> expected_events(const HistoryModel& m, const ClientWatch& w, std::int64_t upto) {
  std::vector<Event> out;
  for (auto it = m.log.lower_bound(w.start); it != m.log.end() && it->first <= upto; ++it) {
    for (const Event& e : it->second) {
      if (matches(w.request, e)) out.push_back(e);
    }
  }
  return out;
}

void check_same(const Event& got, const Event& want, bool prev_kv) {
  BOOST_REQUIRE(got.type == want.type);
  BOOST_REQUIRE_EQUAL(got.kv.key, want.kv.key);
  BOOST_REQUIRE_EQUAL(got.kv.mod_revision, want.kv.mod_revision);
  if (got.type == EventType::put) BOOST_REQUIRE(got.kv == want.kv);
  if (!prev_kv) {
    BOOST_REQUIRE(!got.prev_kv);
  } else {
    BOOST_REQUIRE_EQUAL(got.prev_kv.has_value(), want.prev_kv.has_value());
    if (got.prev_kv) BOOST_REQUIRE(*got.prev_kv == *want.prev_kv);
  }
}

/// `got` must be exactly the first events of `want`, ending at a revision boundary.
void check_prefix(const std::vector<Event>& got, const std::vector<Event>& want, bool prev_kv) {
  BOOST_REQUIRE_LE(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) check_same(got[i], want[i], prev_kv);
  if (!got.empty() && got.size() < want.size()) {
    BOOST_REQUIRE_NE(got.back().kv.mod_revision, want[got.size()].kv.mod_revision);
  }
}

const std::vector<std::string> kKeys = {"a", "b", "c", "d/1", "d/2", "d/3", "e"};

WatchRequest random_spec(std::mt19937_64& rng) {
  WatchRequest r;
  switch (rng() % 4) {
    case 0:
      r.key = kKeys[rng() % kKeys.size()];
      break;
    case 1:
      r.key = "d/";
      r.range_end = prefix_end("d/");
      break;
    case 2:
      r.key = "b";
      r.range_end = "d/2";
      break;
    default:
      r.key = "c";
      r.range_end = std::string(1, '\0');
      break;
  }
  r.prev_kv = rng() % 2 == 0;
  r.progress_notify = rng() % 2 == 0;
  r.filter_put = rng() % 8 == 0;
  r.filter_delete = !r.filter_put && rng() % 8 == 0;
  return r;
}

void run_seed(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  WatchHubOptions o;
  o.pending_events_max = 2 + rng() % 8;
  o.events_per_response_max = 1 + rng() % 4;
  o.catchup_events_max = 1 + rng() % 5;
  o.catchup_watchers_max = 1 + rng() % 3;
  o.live_read_events_max = 1 + rng() % 6;
  Fixture f(o);
  HistoryModel m;
  std::vector<ClientWatch> watches;
  std::map<StreamId, WatchId> next_id;
  // Takes responses and checks progress promises at the moment the client sees them.
  auto take = [&](StreamId s, std::size_t n) {
    for (const auto& r : f.hub->take(s, n)) {
      f.absorb(r);
      if (r.watch_id == kProgressWatchId || r.is_progress()) {
        for (auto& w : watches) {
          if (w.stream != s || (r.watch_id != kProgressWatchId && w.id != r.watch_id)) continue;
          const Seen& seen = f.at(w.stream, w.id);
          if (!seen.created || seen.canceled || w.client_canceled) continue;
          auto want = expected_events(m, w, r.header_revision);
          BOOST_TEST_INFO("watch " << w.stream << "/" << w.id << " key " << w.request.key << " end "
                                   << w.request.range_end << " start " << w.start << " progress at "
                                   << r.header_revision << " last seen "
                                   << (seen.events.empty() ? 0 : seen.events.back().kv.mod_revision)
                                   << " want last "
                                   << (want.empty() ? 0 : want.back().kv.mod_revision));
          BOOST_REQUIRE_EQUAL(seen.events.size(), want.size());
        }
      }
    }
  };
  auto create = [&](WatchRequest r, StreamId s, std::int64_t start) {
    r.start_revision = start;
    r.watch_id = ++next_id[s];
    auto id = f.hub->create(s, r, f.store);
    BOOST_REQUIRE(id.ok());
    watches.push_back(ClientWatch{s, *id, r, start == 0 ? m.rev + 1 : start});
  };

  for (int step = 0; step < 250; ++step) {
    int op = static_cast<int>(rng() % 100);
    if (op < 30) {
      std::string k = kKeys[rng() % kKeys.size()], v = "v" + std::to_string(step);
      must(f.store.put(put_req(k, v)));
      m.put(k, v);
      m.commit();
    } else if (op < 40) {
      std::string a = kKeys[rng() % kKeys.size()], b = kKeys[rng() % kKeys.size()];
      if (b < a) std::swap(a, b);
      if (rng() % 2 == 0) b.clear();
      must(f.store.delete_range(del_req(a, b)));
      m.del(a, b);
      m.commit();
    } else if (op < 50) {  // a txn on distinct keys, guarded by a version compare
      std::vector<std::string> keys = kKeys;
      std::shuffle(keys.begin(), keys.end(), rng);
      std::string guard = kKeys[rng() % kKeys.size()];
      std::int64_t version = m.live.count(guard) ? m.live[guard].version : 0;
      bool holds = rng() % 3 != 0;
      TxnRequest t;
      t.compare.push_back(
          cmp(guard, CompareTarget::version, CompareResult::equal, holds ? version : version + 1));
      std::size_t n = 1 + rng() % 4;
      for (std::size_t i = 0; i < n; ++i) {
        bool is_put = rng() % 3 != 0;
        auto& branch = holds ? t.success : t.failure;
        if (is_put) {
          branch.emplace_back(put_req(keys[i], "t" + std::to_string(step)));
          m.put(keys[i], "t" + std::to_string(step));
        } else {
          branch.emplace_back(del_req(keys[i]));
          m.del(keys[i], "");
        }
      }
      BOOST_REQUIRE_EQUAL(must(f.store.txn(t)).succeeded, holds);
      m.commit();
    } else if (op < 53 && m.rev > m.compacted + 1) {
      std::int64_t at = m.compacted + 1 + static_cast<std::int64_t>(rng() % (m.rev - m.compacted));
      must(f.store.compact(at));
      m.compacted = at;
    } else if (op < 65 && watches.size() < 40) {
      StreamId s = 1 + rng() % 3;
      std::int64_t start = 0;
      if (rng() % 3 != 0) {
        std::int64_t low = std::max<std::int64_t>(1, m.compacted - 2);
        start = low + static_cast<std::int64_t>(rng() % (m.rev + 3 - low));
      }
      create(random_spec(rng), s, start);
    } else if (op < 70 && !watches.empty()) {  // the client cancels and resumes
      ClientWatch& w = watches[rng() % watches.size()];
      const Seen& seen = f.at(w.stream, w.id);
      if (!w.client_canceled && f.hub->cancel(w.stream, w.id).ok()) {
        w.client_canceled = true;
        std::int64_t resume =
            seen.events.empty() ? w.start : seen.events.back().kv.mod_revision + 1;
        if (rng() % 2 == 0) create(w.request, w.stream, resume);
      }
    } else if (op < 90) {
      take(1 + rng() % 3, rng() % 4);
    } else if (op < 95) {
      f.hub->tick_progress();
    } else {
      f.hub->request_progress(1 + rng() % 3);
    }
    BOOST_REQUIRE_EQUAL(f.store.current_revision(), m.rev);
    // Usually after every write; sometimes several writes (or even a compaction, against the
    // contract) go by before the hub hears of them.
    if (rng() % 4 != 0) f.hub->on_applied(f.store);
  }
  // Let every watch catch up, then compare with the model.
  for (int i = 0;
       i < 100000 && (f.hub->unsynced_watchers() > 0 || !f.hub->streams_with_responses().empty());
       ++i) {
    for (StreamId s : f.hub->streams_with_responses()) take(s, 1000);
    f.hub->on_applied(f.store);
  }
  BOOST_REQUIRE_EQUAL(f.hub->unsynced_watchers(), 0u);
  for (const auto& w : watches) {
    const Seen& seen = f.at(w.stream, w.id);
    BOOST_REQUIRE(seen.created);
    auto want = expected_events(m, w, m.rev);
    if (!seen.canceled) {
      BOOST_REQUIRE(!w.client_canceled);
      BOOST_REQUIRE_EQUAL(seen.events.size(), want.size());
      check_prefix(seen.events, want, w.request.prev_kv);
    } else if (w.client_canceled) {
      check_prefix(seen.events, want, w.request.prev_kv);
    } else {  // compacted: what came is a prefix, and the gap really was compacted
      BOOST_REQUIRE_GT(seen.compact_revision, 0);
      check_prefix(seen.events, want, w.request.prev_kv);
      std::int64_t position =
          seen.events.empty() ? w.start : seen.events.back().kv.mod_revision + 1;
      BOOST_REQUIRE_LE(position, seen.compact_revision);
      BOOST_REQUIRE_LE(seen.compact_revision, m.compacted);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(random_histories_match_a_brute_force_reconstruction) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    BOOST_TEST_CONTEXT("seed " << seed) {
      run_seed(seed);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(progress_responses_do_not_pile_up_for_a_client_that_takes_nothing,
                        Fixture) {
  WatchRequest r = on("a");
  r.progress_notify = true;
  WatchId id = watch(1, r);
  for (int i = 0; i < 10; ++i) {
    put("z", std::to_string(i));
    hub->tick_progress();
    hub->request_progress(1);
  }
  auto rs = hub->take(1);
  // created, one tick response for the watch, one stream-wide response at the latest revision
  BOOST_REQUIRE_EQUAL(rs.size(), 3u);
  for (const auto& x : rs) absorb(x);
  BOOST_CHECK_EQUAL(at(1, id).progress.size(), 1u);
  BOOST_REQUIRE_EQUAL(stream_progress[1].size(), 1u);
  BOOST_CHECK_EQUAL(stream_progress[1][0], 11);
  // Once taken, the next tick may queue another.
  hub->tick_progress();
  drain();
  BOOST_CHECK_EQUAL(at(1, id).progress.size(), 2u);
}

BOOST_AUTO_TEST_CASE(a_stream_that_takes_nothing_cannot_create_watches_forever) {
  WatchHubOptions o;
  o.stream_responses_max = 5;
  Fixture f(o);
  for (int i = 0; i < 2; ++i) {
    WatchId id = f.watch(1, on("a"));
    BOOST_REQUIRE(f.hub->cancel(1, id).ok());  // created + canceled stay queued
  }
  f.watch(1, on("a"));  // 5 queued now
  BOOST_CHECK_EQUAL(code_of(f.hub->create(1, on("a"), f.store)), "stream_backlog");
  BOOST_CHECK_EQUAL(code_of(f.hub->create(2, on("a"), f.store)), "ok");  // other streams go on
  BOOST_CHECK_EQUAL(f.hub->take(1).size(), 5u);
  BOOST_CHECK_EQUAL(code_of(f.hub->create(1, on("a"), f.store)), "ok");
}
