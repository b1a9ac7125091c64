// Expectations (actors/controllers/expectations.hpp): what a controller waits to see before
// it counts again.
#define BOOST_TEST_MODULE controllers_expectations
#include <boost/test/unit_test.hpp>

#include "actors/controllers/expectations.hpp"

using craton::controllers::Expectations;

BOOST_AUTO_TEST_CASE(creations_and_deletions_are_waited_for_until_seen) {
  Expectations e(300'000);
  BOOST_TEST(e.satisfied("rs", 0));  // nothing recorded
  e.expect("rs", 2, {"ns/a"}, 0);
  BOOST_TEST(!e.satisfied("rs", 10));
  e.observed_add("rs");
  e.observed_add("rs");
  BOOST_TEST(!e.satisfied("rs", 10));  // the deletion is still to come
  e.observed_delete("rs", "ns/a");
  e.observed_delete("rs", "ns/a");  // seen twice (event, then relist): counted once
  BOOST_TEST(e.satisfied("rs", 10));
  BOOST_TEST(e.pending_adds("rs") == 0);
}

BOOST_AUTO_TEST_CASE(a_failed_call_lowers_what_is_expected) {
  Expectations e;
  e.expect("rs", 1, {"ns/a"}, 0);
  e.lower_adds("rs");
  e.lower_delete("rs", "ns/a");
  BOOST_TEST(e.satisfied("rs", 1));
}

BOOST_AUTO_TEST_CASE(an_uncertain_creation_is_waited_for_a_while_then_given_up) {
  Expectations e(300'000, 20'000);
  e.expect("rs", 1, {}, 0);
  e.uncertain_add("rs", 1000);  // a 504: the pod may still appear
  BOOST_TEST(!e.satisfied("rs", 1000));
  BOOST_TEST(!e.satisfied("rs", 20'999));
  BOOST_TEST(*e.due_ms("rs") == 21'000);  // when the controller must look again
  BOOST_TEST(e.satisfied("rs", 21'000));  // never came: count again
  e.expect("rs", 1, {}, 30'000);
  e.uncertain_add("rs", 30'000);
  e.observed_add("rs");  // it was applied after all
  BOOST_TEST(e.satisfied("rs", 30'001));
}

BOOST_AUTO_TEST_CASE(a_lost_event_stalls_a_key_for_the_ttl_at_most) {
  Expectations e(300'000);
  e.expect("rs", 3, {}, 0);
  BOOST_TEST(!e.satisfied("rs", 300'000));
  BOOST_TEST(e.satisfied("rs", 300'001));
  e.expect("other", 1, {}, 0);
  e.clear();
  BOOST_TEST(e.satisfied("other", 1));
}

BOOST_AUTO_TEST_CASE(a_failed_creation_is_uncertain_only_when_its_outcome_is_unknown) {
  Expectations e(300'000, 20'000);
  e.expect("rs", 2, {}, 0);
  e.creation_failed("rs", 422, 0);  // refused: never applied
  e.creation_failed("rs", 504, 0);  // may be applied
  BOOST_TEST(!e.satisfied("rs", 19'999));
  BOOST_TEST(e.satisfied("rs", 20'000));
  e.expect("rs", 1, {}, 30'000);
  e.creation_failed("rs", 0, 30'000);  // no answer: may be applied
  BOOST_TEST(!e.satisfied("rs", 30'001));
}
