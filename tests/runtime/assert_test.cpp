#define BOOST_TEST_MODULE runtime_assert
#include <boost/test/unit_test.hpp>

#include "runtime/assert.hpp"
#include "tests/runtime/death_test.hpp"

using craton::testing::dies_with;
using craton::testing::run_in_child;

BOOST_AUTO_TEST_CASE(a_holding_condition_costs_nothing_visible) {
  auto end = run_in_child([] { CRATON_ASSERT(1 + 1 == 2, "arithmetic"); });
  BOOST_TEST(!end.aborted);
  BOOST_TEST(end.stderr_text.empty());
}

BOOST_AUTO_TEST_CASE(a_broken_condition_aborts_naming_it_and_where) {
  auto end = run_in_child([] {
    int committed = 5, last = 3;
    CRATON_ASSERT(committed <= last, "commit within the log");
  });
  BOOST_TEST(end.aborted);
  BOOST_TEST(end.stderr_text.find("committed <= last") != std::string::npos, end.stderr_text);
  BOOST_TEST(end.stderr_text.find("commit within the log") != std::string::npos);
  BOOST_TEST(end.stderr_text.find("assert_test.cpp:") != std::string::npos);
}

// The reason this macro exists: tests and benchmarks build with NDEBUG.
BOOST_AUTO_TEST_CASE(it_stays_on_under_ndebug) {
#ifndef NDEBUG
  BOOST_TEST_MESSAGE("this build has no NDEBUG; the check below still holds");
#endif
  BOOST_TEST(dies_with([] { CRATON_ASSERT(false, "on in every build"); }, "on in every build"));
}
