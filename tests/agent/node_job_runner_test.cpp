// The agent's worker (actors/agent/service/job_runner.hpp): jobs run off the caller's thread
// in order, their continuations only when the owner drains, on the owner's thread; a full
// queue refuses more; destruction with jobs waiting is clean. No timing assertions: the test
// waits for notifications with a generous deadline.
#define BOOST_TEST_MODULE agent_node_job_runner
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/agent/service/job_runner.hpp"

using namespace craton::agent;

namespace {

// Counts notifications; wait_for(n) waits until n arrived (60 s at most).
struct Notices {
  std::mutex mutex;
  std::condition_variable changed;
  int count = 0;
  void notify() {
    std::lock_guard lock(mutex);
    ++count;
    changed.notify_all();
  }
  bool wait_for(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(60), [&] { return count >= n; });
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(jobs_run_off_thread_in_order_and_results_come_back_on_drain) {
  Notices notices;
  JobRunner runner(16, [&] { notices.notify(); });
  auto owner = std::this_thread::get_id();
  std::vector<int> order;  // written by the worker only, read after the notices
  std::vector<int> results;
  for (int i = 0; i < 5; ++i)
    BOOST_REQUIRE(runner
                      .submit([&, i]() -> JobRunner::Continuation {
                        BOOST_CHECK(std::this_thread::get_id() != owner);
                        order.push_back(i);
                        return [&, i] {
                          BOOST_CHECK(std::this_thread::get_id() == owner);
                          results.push_back(i * 10);
                        };
                      })
                      .ok());
  BOOST_REQUIRE(notices.wait_for(5));
  BOOST_TEST(results.empty());  // nothing runs on the owner before it drains
  BOOST_TEST(runner.pending() == 5u);
  BOOST_TEST(runner.drain() == 5u);
  BOOST_TEST(order == (std::vector<int>{0, 1, 2, 3, 4}), boost::test_tools::per_element());
  BOOST_TEST(results == (std::vector<int>{0, 10, 20, 30, 40}), boost::test_tools::per_element());
  BOOST_TEST(runner.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_refuses_more_jobs) {
  std::promise<void> release;
  auto released = release.get_future().share();
  Notices notices;
  JobRunner runner(2, [&] { notices.notify(); });
  std::atomic<bool> started{false};
  BOOST_REQUIRE(runner
                    .submit([&]() -> JobRunner::Continuation {
                      started = true;
                      released.wait();
                      return {};
                    })
                    .ok());
  while (!started) std::this_thread::yield();  // the first job is running, not waiting
  BOOST_TEST(runner.submit([] { return JobRunner::Continuation(); }).ok());
  BOOST_TEST(runner.submit([] { return JobRunner::Continuation(); }).ok());
  auto refused = runner.submit([] { return JobRunner::Continuation(); });
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().code == "busy");
  release.set_value();
  BOOST_REQUIRE(notices.wait_for(3));
  BOOST_TEST(runner.drain() == 3u);
}

BOOST_AUTO_TEST_CASE(destruction_finishes_the_running_job_and_returns_with_jobs_waiting) {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  {
    JobRunner runner(8, [] {});
    (void)runner.submit([&]() -> JobRunner::Continuation {
      started = true;
      released.wait();
      ++ran;
      return {};
    });
    for (int i = 0; i < 4; ++i)
      (void)runner.submit([&]() -> JobRunner::Continuation {
        ++ran;
        return {};
      });
    while (!started) std::this_thread::yield();
    std::thread([&] { release.set_value(); }).detach();
  }  // joins after the running job
  BOOST_TEST(ran.load() >= 1);
  BOOST_TEST(ran.load() <= 5);  // the waiting ones may or may not have started
}
