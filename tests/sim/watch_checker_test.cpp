// The watch checker (sim/store/watch_checker.hpp) on fabricated histories: a good history passes,
// and each broken watch guarantee is reported.
#define BOOST_TEST_MODULE sim_watch_checker
#include <boost/test/unit_test.hpp>

#include "sim/store/watch_checker.hpp"
#include "tests/sim/trace_events.hpp"

using namespace craton::sim;

namespace {

struct Builder {
  RunHistory h;
  std::int64_t t = 0;
  Builder& add(const std::string& node, const std::string& event) {
    h.observations.push_back(testing::observed(t += 10, node, 1, event));
    return *this;
  }
  Builder& writes() {
    add("n1", "op p1 invoke write k0 =a");
    add("n1", "op p1 ok write");
    add("n1", "op p1 invoke cas k1 =x =b");
    add("n1", "op p1 ok cas");
    add("n1", "op p1 invoke write k0 =c");
    return *this;
  }
};

bool failed_with(const CheckResult& r, const std::string& part) {
  for (const auto& f : r.failures)
    if (f.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(good_history_with_a_resume_passes) {
  Builder b;
  b.writes();
  b.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 2/p/k0/a");
  b.add("n2", "watch n2 start 1").add("n2", "watch n2 ev 2/p/k0/a 3/p/k1/b");
  // n1 crashed and resumes where it stopped.
  b.add("n1", "watch n1 start 3")
      .add("n1", "watch n1 ev 3/p/k1/b")
      .add("n1", "watch n1 ev 4/d/k0/");
  b.add("n2", "watch n2 ev 4/d/k0/ 5/p/k0/c");
  auto r = check_watch_history(b.h);
  BOOST_TEST(r.ok);
  for (const auto& f : r.failures) BOOST_TEST_MESSAGE(f);
}

BOOST_AUTO_TEST_CASE(duplicate_and_out_of_order_are_caught) {
  Builder b;
  b.writes();
  b.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 2/p/k0/a 3/p/k1/b");
  b.add("n1", "watch n1 ev 3/p/k1/b");
  BOOST_TEST(failed_with(check_watch_history(b.h), "out of order or duplicated"));
  Builder c;
  c.writes();
  c.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 3/p/k1/b 2/p/k0/a");
  BOOST_TEST(failed_with(check_watch_history(c.h), "out of order or duplicated"));
}

BOOST_AUTO_TEST_CASE(gaps_are_caught_against_other_watchers_and_density) {
  Builder b;
  b.writes();
  b.add("n2", "watch n2 start 1").add("n2", "watch n2 ev 2/p/k0/a 3/p/k1/b 4/d/k0/");
  b.add("n1", "watch n1 start 1")
      .add("n1", "watch n1 ev 2/p/k0/a")
      .add("n1", "watch n1 ev 4/d/k0/");
  BOOST_TEST(failed_with(check_watch_history(b.h), "revision 3 (seen on n2) never delivered"));
  Builder c;
  c.writes();
  c.add("n1", "watch n1 start 1")
      .add("n1", "watch n1 ev 2/p/k0/a")
      .add("n1", "watch n1 ev 5/p/k0/c");
  BOOST_TEST(failed_with(check_watch_history(c.h), "revisions 3..4 missing"));
  BOOST_TEST(check_watch_history(c.h, WatchCheckOptions{false, false}).ok);
}

BOOST_AUTO_TEST_CASE(split_or_different_revisions_are_caught) {
  Builder b;
  b.writes();
  b.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 2/p/k0/a 2/p/k1/b");
  b.add("n2", "watch n2 start 1")
      .add("n2", "watch n2 ev 2/p/k0/a")
      .add("n2", "watch n2 ev 2/p/k1/b");
  auto r = check_watch_history(b.h);
  BOOST_TEST(failed_with(r, "differs from what the watcher on n1 saw"));
  BOOST_TEST(failed_with(r, "out of order or duplicated"));  // n2's second half of revision 2
}

BOOST_AUTO_TEST_CASE(wrong_resume_unknown_values_cancel_and_silence_are_caught) {
  Builder b;
  b.writes();
  b.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 2/p/k0/a").add("n1", "watch n1 start 2");
  BOOST_TEST(failed_with(check_watch_history(b.h), "resumed from 2, expected 3"));
  Builder c;
  c.writes();
  c.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 2/p/k0/zzz");
  BOOST_TEST(failed_with(check_watch_history(c.h), "that no client wrote"));
  Builder d;
  d.writes();
  d.add("n1", "watch n1 start 1").add("n1", "watch n1 canceled 7");
  auto r = check_watch_history(d.h);
  BOOST_TEST(failed_with(r, "canceled by the replica"));
  BOOST_TEST(failed_with(r, "no watcher saw any event"));
}

BOOST_AUTO_TEST_CASE(an_acknowledged_write_no_watcher_delivered_is_caught) {
  // Both watchers miss revision 3, which a writer was told it made: "no gaps" alone cannot
  // see it (no watcher saw 3), "complete" does.
  Builder b;
  b.add("n1", "op p1 invoke write k0 =a").add("n1", "op p1 ok write 200 @2");
  b.add("n1", "op p1 invoke write k0 =b").add("n1", "op p1 ok write 200 @3");
  b.add("n1", "op p1 invoke write k0 =c").add("n1", "op p1 ok write 200 @4");
  b.add("n1", "watch n1 start 1")
      .add("n1", "watch n1 ev 2/p/k0/a")
      .add("n1", "watch n1 ev 4/p/k0/c");
  b.add("n2", "watch n2 start 1")
      .add("n2", "watch n2 ev 2/p/k0/a")
      .add("n2", "watch n2 ev 4/p/k0/c");
  WatchCheckOptions options;
  options.every_revision_watched = false;
  auto r = check_watch_history(b.h, options);
  BOOST_TEST(failed_with(r, "revision 3 (a write p1 was told succeeded) never delivered"));
  // Delivered: it passes.
  Builder c;
  c.add("n1", "op p1 invoke write k0 =a").add("n1", "op p1 ok write 200 @2");
  c.add("n1", "watch n1 start 1").add("n1", "watch n1 ev 2/p/k0/a");
  BOOST_TEST(check_watch_history(c.h, options).ok);
}
