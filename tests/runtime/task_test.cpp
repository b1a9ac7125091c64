// Task and Callback (runtime/task.hpp): values flow through chains of awaits, a completion
// that comes at once does not suspend, one from another thread resumes the chain there, and
// exceptions reach the awaiter.
#define BOOST_TEST_MODULE runtime_task
#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/task.hpp"

using namespace craton;

namespace {

// An operation whose completion the test calls when it likes.
struct Pending {
  std::function<void(int)> done;
  Callback<int> wait() {
    return callback<int>([this](std::function<void(int)> d) { done = std::move(d); });
  }
};

Task<int> twice(Pending& p) {
  int a = co_await p.wait();
  int b = co_await p.wait();
  co_return a + b;
}

Task<std::string> outer(Pending& p) {
  auto sum = co_await twice(p);
  co_return "sum " + std::to_string(sum);
}

Task<int> at_once(int v) {
  co_return co_await callback<int>([v](std::function<void(int)> done) { done(v); });
}

Task<int> throws() {
  co_await at_once(1);
  throw std::runtime_error("boom");
}

Task<std::string> catches() {
  try {
    co_await throws();
  } catch (const std::runtime_error& e) {
    co_return std::string("caught ") + e.what();
  }
  co_return std::string("not thrown");
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_chain_suspends_until_each_completion_and_ends_with_its_value) {
  Pending p;
  std::optional<std::string> result;
  start(outer(p), [&](std::string s) { result = std::move(s); });
  BOOST_REQUIRE(!result && p.done);
  auto first = std::move(p.done);
  first(2);  // resumes: the chain now waits for the second
  BOOST_REQUIRE(!result && p.done);
  auto second = std::move(p.done);
  second(40);
  BOOST_REQUIRE(result.has_value());
  BOOST_TEST(*result == "sum 42");
}

BOOST_AUTO_TEST_CASE(a_completion_before_suspension_goes_on_without_suspending) {
  std::optional<int> result;
  start(at_once(7), [&](int v) { result = v; });
  BOOST_REQUIRE(result.has_value());  // all within start()
  BOOST_TEST(*result == 7);
}

BOOST_AUTO_TEST_CASE(a_completion_on_another_thread_resumes_there) {
  Pending p;
  std::optional<std::thread::id> finished_on;
  start(twice(p), [&](int) { finished_on = std::this_thread::get_id(); });
  std::thread other([&] {
    auto first = std::move(p.done);
    first(1);
    auto second = std::move(p.done);
    second(1);
  });
  auto other_id = other.get_id();
  other.join();
  BOOST_REQUIRE(finished_on.has_value());
  BOOST_TEST((*finished_on == other_id));
}

BOOST_AUTO_TEST_CASE(exceptions_reach_the_awaiter) {
  std::optional<std::string> result;
  start(catches(), [&](std::string s) { result = std::move(s); });
  BOOST_REQUIRE(result.has_value());
  BOOST_TEST(*result == "caught boom");
}
