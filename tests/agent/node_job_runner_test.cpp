// The agent's workers (actors/agent/service/job_runner.hpp): jobs run off the caller's thread
// in order, their continuations only when the owner drains, on the owner's thread; jobs of one
// key never overlap and keep their order while other keys run beside them; inline mode runs
// jobs inside submit(); a full queue refuses more; destruction with jobs waiting is clean. No
// timing assertions: the test waits for notifications with a generous deadline.
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
  JobRunner runner({.queue_max = 16, .workers = 1}, [&] { notices.notify(); });
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
  JobRunner runner({.queue_max = 2, .workers = 1}, [&] { notices.notify(); });
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
    JobRunner runner({.queue_max = 8, .workers = 1}, [] {});
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

BOOST_AUTO_TEST_CASE(jobs_of_one_key_run_in_order_and_never_at_once_on_many_workers) {
  Notices notices;
  JobRunner runner({.queue_max = 256, .workers = 4}, [&] { notices.notify(); });
  constexpr int keys = 3, per_key = 20;
  std::mutex mutex;
  std::vector<std::vector<int>> order(keys);  // per key, the order jobs ran in
  std::atomic<int> inside[keys] = {};
  std::atomic<bool> overlapped{false};
  std::vector<std::vector<int>> drained(keys);
  for (int i = 0; i < per_key; ++i)
    for (int k = 0; k < keys; ++k)
      BOOST_REQUIRE(runner
                        .submit(
                            [&, k, i]() -> JobRunner::Continuation {
                              if (++inside[k] > 1) overlapped = true;
                              std::this_thread::yield();
                              {
                                std::lock_guard lock(mutex);
                                order[k].push_back(i);
                              }
                              --inside[k];
                              return [&, k, i] { drained[k].push_back(i); };
                            },
                            "pod-" + std::to_string(k))
                        .ok());
  BOOST_REQUIRE(notices.wait_for(keys * per_key));
  BOOST_TEST(runner.drain() == std::size_t(keys * per_key));
  BOOST_TEST(!overlapped.load());
  std::vector<int> expected;
  for (int i = 0; i < per_key; ++i) expected.push_back(i);
  for (int k = 0; k < keys; ++k) {
    BOOST_TEST(order[k] == expected, boost::test_tools::per_element());
    BOOST_TEST(drained[k] == expected, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(a_blocked_key_does_not_hold_up_other_keys) {
  Notices notices;
  JobRunner runner({.queue_max = 16, .workers = 2}, [&] { notices.notify(); });
  std::promise<void> other_ran;
  auto other = other_ran.get_future();
  std::atomic<bool> waited_ok{false};
  // The first job waits for the second, of another key: with one worker at a time (the old
  // runner) it would wait out its 60 s and fail.
  BOOST_REQUIRE(runner
                    .submit(
                        [&]() -> JobRunner::Continuation {
                          waited_ok =
                              other.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
                          return {};
                        },
                        "slow-pod")
                    .ok());
  BOOST_REQUIRE(runner
                    .submit(
                        [&]() -> JobRunner::Continuation {
                          other_ran.set_value();
                          return {};
                        },
                        "next-pod")
                    .ok());
  BOOST_REQUIRE(notices.wait_for(2));
  BOOST_TEST(waited_ok.load());
  BOOST_TEST(runner.drain() == 2u);
}

BOOST_AUTO_TEST_CASE(inline_mode_runs_the_job_inside_submit_and_defers_the_continuation) {
  int notified = 0;
  JobRunner runner({.queue_max = 4, .workers = 0}, [&] { ++notified; });
  auto owner = std::this_thread::get_id();
  std::vector<int> seen;
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(runner
                      .submit(
                          [&, i]() -> JobRunner::Continuation {
                            BOOST_CHECK(std::this_thread::get_id() == owner);
                            seen.push_back(i);
                            return [&, i] { seen.push_back(100 + i); };
                          },
                          "pod")
                      .ok());
  BOOST_TEST(seen == (std::vector<int>{0, 1, 2}), boost::test_tools::per_element());
  BOOST_TEST(notified == 3);
  BOOST_TEST(runner.pending() == 3u);
  BOOST_TEST(runner.drain() == 3u);
  BOOST_TEST(seen == (std::vector<int>{0, 1, 2, 100, 101, 102}), boost::test_tools::per_element());
}

// podp99: a pod's start holds its worker while it mostly waits (its shim, mounts, exec), so the
// default must let many pods wait side by side: 16 pods' jobs, each waiting until all 16 are
// running at once (one deadline for all: with the old default of 4 workers the test fails after
// a minute instead of hanging for four).
BOOST_AUTO_TEST_CASE(the_default_runs_sixteen_pods_waiting_calls_side_by_side) {
  constexpr int kPods = 16;
  Notices notices;
  JobRunnerConfig config;
  BOOST_TEST(config.workers == std::size_t{kPods});
  JobRunner runner(config, [&] { notices.notify(); });
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0;
  std::atomic<int> saw_all{0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int i = 0; i < kPods; ++i)
    BOOST_REQUIRE(
        runner
            .submit(
                [&]() -> JobRunner::Continuation {
                  std::unique_lock lock(mutex);
                  ++running;
                  changed.notify_all();
                  if (changed.wait_until(lock, deadline, [&] { return running >= kPods; }))
                    ++saw_all;
                  return {};
                },
                "pod-" + std::to_string(i))
            .ok());
  BOOST_REQUIRE(notices.wait_for(kPods));
  BOOST_TEST(saw_all.load() == kPods);
  BOOST_TEST(runner.drain() == std::size_t{kPods});
}
