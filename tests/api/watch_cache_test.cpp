// WatchCache (actors/api/meta/watch_cache.hpp): the documented cases, then a model check:
// random puts and deletes on a few keys, and at every step, for every revision, an exact
// LIST equals the model's state at that revision and replaying events_after from it reaches
// the state now, or the cache says "gone" exactly when the window no longer covers it.
#define BOOST_TEST_MODULE api_watch_cache
#include <boost/test/unit_test.hpp>

#include <random>

#include "actors/api/meta/watch_cache.hpp"

using namespace craton;
using namespace craton::api;

namespace {

using State = std::map<std::string, std::pair<std::int64_t, std::string>>;  // key -> (rev, value)

State as_state(const std::vector<CachedObject>& objects) {
  State s;
  for (const auto& o : objects) s[o.key] = {o.mod_revision, o.value};
  return s;
}

State under(const State& s, const std::string& prefix) {
  State out;
  for (const auto& [k, v] : s)
    if (k.rfind(prefix, 0) == 0) out[k] = v;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lists_and_watches_at_the_revisions_kubernetes_asks_for) {
  WatchCache c(3);
  c.reset(10, {{"/registry/pods/default/a", 5, "a1"}, {"/registry/pods/kube-system/b", 7, "b1"}});
  BOOST_REQUIRE(c.apply("/registry/pods/default/a", 11, "a2").ok());
  BOOST_REQUIRE(c.apply("/registry/pods/default/c", 12, "c1").ok());
  BOOST_REQUIRE(c.apply("/registry/pods/kube-system/b", 13, std::nullopt).ok());
  auto now = c.list("/registry/pods/", ListMode::latest, 0);
  BOOST_REQUIRE(now.ok());
  BOOST_TEST(now->first == 13);
  BOOST_TEST(now->second.size() == 2u);
  auto at10 = c.list("/registry/pods/", ListMode::exact, 10);
  BOOST_REQUIRE(at10.ok());
  BOOST_TEST(at10->first == 10);
  BOOST_TEST(
      (at10->second == std::vector<CachedObject>{{"/registry/pods/default/a", 5, "a1"},
                                                 {"/registry/pods/kube-system/b", 7, "b1"}}));
  auto ns = c.list("/registry/pods/default/", ListMode::exact, 11);
  BOOST_REQUIRE(ns.ok());
  BOOST_TEST(ns->second.size() == 1u);  // a at 11; c came at 12
  auto events = c.events_after("/registry/pods/", 11);
  BOOST_REQUIRE(events.ok());
  BOOST_REQUIRE(events->size() == 2u);
  BOOST_TEST(int(events->at(0).type) == int(ChangeType::added));
  BOOST_TEST(int(events->at(1).type) == int(ChangeType::deleted));
  BOOST_TEST(events->at(1).value.bytes() == "b1");  // a delete shows the last value, as watches do
  BOOST_TEST(c.events_after("/registry/pods/", 13)->empty());
  // Too new: the cache has not seen it; not older than: now.
  BOOST_TEST(c.list("/registry/pods/", ListMode::not_older_than, 14).error().code == "too_new");
  BOOST_TEST(c.list("/registry/pods/", ListMode::not_older_than, 12)->first == 13);
  // One more change pushes revision 11 out of the 3-change window: 10 is gone.
  BOOST_REQUIRE(c.apply("/registry/pods/default/a", 14, "a3").ok());
  BOOST_TEST(c.oldest_servable() == 11);
  auto expired = c.events_after("/registry/pods/", 10);
  BOOST_REQUIRE(!expired.ok());
  BOOST_TEST(expired.error().code == "gone");
  BOOST_TEST(expired.error().message == "too old resource version: 10 (11)");
  BOOST_TEST(c.list("/registry/pods/", ListMode::exact, 10).error().code == "gone");
  BOOST_TEST(c.events_after("/registry/pods/", 11)->size() == 3u);
  // Out of order is refused and changes nothing.
  BOOST_TEST(!c.apply("/registry/pods/default/a", 14, "x").ok());
  BOOST_TEST(c.get("/registry/pods/default/a")->value.bytes() == "a3");
  BOOST_TEST(!c.apply("/registry/pods/default/b", 13, "x").ok());
  // Another key at the revision of the last change: one transaction wrote both.
  BOOST_REQUIRE(c.apply("/registry/pods/default/c", 14, "c1").ok());
  BOOST_TEST(c.events_after("/registry/pods/", 13)->size() == 2u);
  c.progress(20);
  BOOST_TEST(c.revision() == 20);
  BOOST_TEST(c.events_after("/registry/pods/", 20)->empty());
}

BOOST_AUTO_TEST_CASE(exact_lists_and_replays_match_a_model_at_every_revision) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    const std::size_t window = 1 + rng() % 8;
    WatchCache c(window);
    std::map<std::int64_t, State> history;  // revision -> full state
    State state{{"/r/a/1", {3, "v0"}}};
    std::int64_t rev = 5;
    c.reset(rev, {{"/r/a/1", 3, "v0"}});
    history[rev] = state;
    std::int64_t last_dropped = rev;  // the window covers changes after this
    std::deque<std::int64_t> changes;
    for (int step = 0; step < 60; ++step) {
      rev += 1 + std::int64_t(rng() % 3);
      std::string key = std::string(rng() % 2 ? "/r/a/" : "/r/b/") + std::to_string(rng() % 4);
      bool put = rng() % 3 != 0;
      bool existed = state.count(key) > 0;
      if (put)
        state[key] = {rev, "v" + std::to_string(step)};
      else
        state.erase(key);
      auto made = c.apply(
          key, rev, put ? std::optional<std::string>("v" + std::to_string(step)) : std::nullopt);
      BOOST_REQUIRE(made.ok());
      BOOST_TEST(made->has_value() == (put || existed));  // the change watchers are sent
      if (put || existed) changes.push_back(rev);
      while (changes.size() > window) {
        last_dropped = changes.front();
        changes.pop_front();
      }
      history[rev] = state;
      for (const auto& [at, then] : history) {
        for (std::string prefix : {"/r/", "/r/a/"}) {
          auto listed = c.list(prefix, ListMode::exact, at);
          auto replay = c.events_after(prefix, at);
          if (at < last_dropped) {
            BOOST_TEST(listed.error().code == "gone");
            BOOST_TEST(replay.error().code == "gone");
            continue;
          }
          BOOST_REQUIRE(listed.ok());
          BOOST_TEST((as_state(listed->second) == under(then, prefix)), "seed " << seed);
          BOOST_REQUIRE(replay.ok());
          State replayed = under(then, prefix);
          for (const auto& ch : *replay) {
            if (ch.type == ChangeType::deleted)
              replayed.erase(ch.key);
            else
              replayed[ch.key] = {ch.revision, ch.value};
          }
          BOOST_TEST((replayed == under(state, prefix)), "seed " << seed << " from " << at);
        }
      }
    }
  }
}

// A version's bytes are held once: the object now, the window's change and every list share
// them (a LIST of 10,000 objects must not copy 30 MiB), and a change's `previous` is the
// version it replaced, not a copy.
BOOST_AUTO_TEST_CASE(a_version_is_shared_by_the_objects_the_window_and_every_list) {
  WatchCache c(10);
  c.reset(1, {{"/registry/pods/default/a", 1, "a1"}});
  auto put = c.apply("/registry/pods/default/a", 2, "a2");
  BOOST_REQUIRE(put.ok() && put->has_value());
  auto now = c.get("/registry/pods/default/a");
  auto listed = c.list("/registry/pods/", ListMode::latest, 0);
  auto again = c.list("/registry/pods/", ListMode::not_older_than, 2);
  auto events = c.events_after("/registry/pods/", 1);
  BOOST_REQUIRE(listed.ok() && again.ok() && events.ok() && events->size() == 1u);
  const std::string* held = &now->value.bytes();
  BOOST_TEST(&listed->second.at(0).value.bytes() == held);
  BOOST_TEST(&again->second.at(0).value.bytes() == held);
  BOOST_TEST(&events->at(0).value.bytes() == held);
  BOOST_TEST(&(*put)->value.bytes() == held);
  // The version it replaced is what an exact list at 1 answers: the same bytes as `previous`.
  auto before = c.list("/registry/pods/", ListMode::exact, 1);
  BOOST_REQUIRE(before.ok() && before->second.size() == 1u);
  BOOST_TEST(&before->second.at(0).value.bytes() == &events->at(0).previous->bytes());
  BOOST_TEST(before->second.at(0).value.bytes() == "a1");
}

// The encoded form a reader keeps with a version is seen through every handle to that
// version, only for the revision it was made at, and never by the next version.
BOOST_AUTO_TEST_CASE(an_encoded_form_is_kept_with_its_version_and_revision) {
  WatchCache c(10);
  c.reset(1, {});
  BOOST_REQUIRE(c.apply("/registry/pods/default/a", 2, "a2").ok());
  auto first = c.get("/registry/pods/default/a");
  BOOST_TEST(!first->value.encoded(2));
  first->value.keep(std::make_shared<const CachedValue::Encoded>(CachedValue::Encoded{2, "{2}"}));
  auto listed = c.list("/registry/pods/", ListMode::latest, 0);
  auto kept = listed->second.at(0).value.encoded(2);
  BOOST_REQUIRE(kept);
  BOOST_TEST(kept->text == "{2}");
  BOOST_TEST(!listed->second.at(0).value.encoded(3));  // made for another revision
  BOOST_REQUIRE(c.apply("/registry/pods/default/a", 3, "a3").ok());
  BOOST_TEST(!c.get("/registry/pods/default/a")->value.encoded(3));  // a new version
  BOOST_TEST(c.events_after("/registry/pods/", 2)->at(0).previous->encoded(2)->text == "{2}");
}
