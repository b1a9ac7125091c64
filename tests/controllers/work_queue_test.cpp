// The controllers' work queue (actors/controllers/work_queue.hpp): client-go's workqueue
// promises, and back-off that keeps one failing key from starving the others.
#define BOOST_TEST_MODULE controllers_work_queue
#include <boost/test/unit_test.hpp>

#include "actors/controllers/work_queue.hpp"

using craton::controllers::WorkQueue;
using craton::controllers::WorkQueueConfig;

BOOST_AUTO_TEST_CASE(a_key_waits_once_and_is_never_handed_out_twice_at_once) {
  WorkQueue q;
  q.add("ns/a");
  q.add("ns/b");
  q.add("ns/a");  // already waiting
  BOOST_TEST(q.waiting() == 2u);
  BOOST_TEST(*q.next() == "ns/a");
  q.add("ns/a");  // changed while processed: waits, but not handed out until done()
  BOOST_TEST(*q.next() == "ns/b");
  BOOST_TEST(!q.next().has_value());
  q.done("ns/a");
  BOOST_TEST(*q.next() == "ns/a");  // again, for the change seen meanwhile
  q.done("ns/a");
  q.done("ns/b");
  BOOST_TEST(!q.next().has_value());
}

BOOST_AUTO_TEST_CASE(failures_back_off_exponentially_up_to_the_cap) {
  WorkQueueConfig config;
  config.base_delay_ms = 5;
  config.delay_max_ms = 1000;
  WorkQueue q(config);
  BOOST_TEST(q.retry_delay_ms(0) == 5);
  BOOST_TEST(q.retry_delay_ms(1) == 10);
  BOOST_TEST(q.retry_delay_ms(7) == 640);
  BOOST_TEST(q.retry_delay_ms(8) == 1000);
  BOOST_TEST(q.retry_delay_ms(4'000'000'000u) == 1000);  // no overflow, ever
  q.add("broken");
  auto key = *q.next();
  q.retry(key, 0);
  q.done(key);
  BOOST_TEST(q.delayed() == 1u);
  BOOST_TEST(*q.next_due_ms() == 5);
  q.tick(4);
  BOOST_TEST(!q.next().has_value());
  q.tick(5);
  BOOST_TEST(*q.next() == "broken");
  q.retry("broken", 5);  // second failure: 10 ms
  q.done("broken");
  BOOST_TEST(*q.next_due_ms() == 15);
  BOOST_TEST(q.failures("broken") == 2u);
  q.forget("broken");
  BOOST_TEST(q.failures("broken") == 0u);
}

BOOST_AUTO_TEST_CASE(a_failing_key_does_not_starve_the_others) {
  WorkQueue q;
  for (int i = 0; i < 5; ++i) q.add("ok-" + std::to_string(i));
  q.add("broken");
  std::int64_t now = 0;
  int handled_ok = 0, broken_runs = 0;
  for (int step = 0; step < 200; ++step, now += 10) {
    q.tick(now);
    while (auto key = q.next()) {
      if (*key == "broken") {
        ++broken_runs;
        q.retry(*key, now);
      } else {
        ++handled_ok;
        q.forget(*key);
        q.add(*key);  // the ok keys keep changing
      }
      q.done(*key);
      if (handled_ok > 1000) break;
    }
  }
  BOOST_TEST(handled_ok > 900);
  // 2 s of simulated time: the broken key ran about log2(2000 / 5) + 1 times, not hundreds.
  BOOST_TEST(broken_runs < 12);
  BOOST_TEST(broken_runs > 5);
}

BOOST_AUTO_TEST_CASE(the_bound_refuses_new_keys_and_keeps_the_old) {
  WorkQueueConfig config;
  config.keys_max = 2;
  WorkQueue q(config);
  BOOST_TEST(q.add("a"));
  BOOST_TEST(q.add("b"));
  BOOST_TEST(!q.add("c"));
  BOOST_TEST(q.add("a"));  // already there: fine
  BOOST_TEST(q.waiting() == 2u);
  // A retry that comes sooner replaces a later one (one delayed entry per key).
  q.next();
  q.retry("a", 0);
  q.retry("a", 0);
  BOOST_TEST(q.delayed() == 1u);
}
