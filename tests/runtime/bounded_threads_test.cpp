// BoundedThreads: at most `max` jobs at once, the next refused (not queued), room again once
// one returns, and close() waits for every running job and refuses new ones.
#define BOOST_TEST_MODULE runtime_bounded_threads
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/bounded_threads.hpp"

using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(a_full_set_refuses_and_close_waits_for_every_job) {
  craton::BoundedThreads threads(2);
  std::atomic<bool> release{false};
  std::atomic<int> done{0};
  auto held = [&] {
    while (!release) std::this_thread::sleep_for(1ms);
    ++done;
  };
  BOOST_TEST(threads.try_run(held));
  BOOST_TEST(threads.try_run(held));
  BOOST_TEST(!threads.try_run([&] { ++done; }));  // refused: nothing ran
  BOOST_TEST(threads.running() == 2u);
  release = true;
  for (int i = 0; i < 5000 && threads.running() > 0; ++i) std::this_thread::sleep_for(1ms);
  BOOST_TEST(threads.running() == 0u);
  BOOST_TEST(threads.try_run([&] { ++done; }));  // room again
  threads.close();
  BOOST_TEST(done == 3);
  BOOST_TEST(!threads.try_run([&] { ++done; }));  // closed
  BOOST_TEST(done == 3);
}
