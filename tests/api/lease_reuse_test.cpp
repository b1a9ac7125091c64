// LeaseReuse (actors/api/server/lease_reuse.hpp): kube-apiserver's lease manager rule for
// which writes with a TTL share one store lease.
#define BOOST_TEST_MODULE api_lease_reuse
#include <boost/test/unit_test.hpp>

#include "actors/api/server/lease_reuse.hpp"

using namespace craton::api;

BOOST_AUTO_TEST_CASE(a_lease_is_granted_for_the_ttl_and_its_reuse_window) {
  LeaseReuse leases;
  BOOST_TEST(leases.grant_ttl_s(3600) == 3660);  // 5% is 180 s: capped at 60 s
  BOOST_TEST(leases.grant_ttl_s(100) == 105);    // 5%
  BOOST_TEST(leases.grant_ttl_s(3) == 3);        // 5% of 3 s rounds down to nothing
}

BOOST_AUTO_TEST_CASE(nothing_is_reused_before_a_grant) {
  LeaseReuse leases;
  BOOST_TEST(!leases.reusable(3600, 0).has_value());
}

BOOST_AUTO_TEST_CASE(writes_inside_the_reuse_window_share_the_lease) {
  LeaseReuse leases;
  leases.granted(7, 3660, 1'000);  // lives until 3,661,000 ms
  BOOST_TEST(leases.reusable(3600, 1'000).value() == 7);
  BOOST_TEST(leases.reusable(3600, 60'999).value() == 7);  // its TTL ends 1 ms before the lease
  // From here an object would go before its TTL ended: a new lease.
  BOOST_TEST(!leases.reusable(3600, 61'000).has_value());
}

BOOST_AUTO_TEST_CASE(a_lease_that_would_keep_an_object_too_long_is_not_reused) {
  LeaseReuse leases;
  leases.granted(7, 3660, 1'000);
  // A shorter TTL asked meanwhile would be kept past ttl + window by this lease.
  BOOST_TEST(!leases.reusable(100, 1'000).has_value());
}

BOOST_AUTO_TEST_CASE(a_lease_serves_at_most_objects_per_lease_max_writes) {
  LeaseReuse leases(LeaseReuseOptions{60, 5, 3});
  leases.granted(7, 3660, 0);  // the first object
  BOOST_TEST(leases.reusable(3600, 0).value() == 7);
  BOOST_TEST(leases.reusable(3600, 0).value() == 7);
  BOOST_TEST(!leases.reusable(3600, 0).has_value());
  leases.granted(8, 3660, 0);  // a new lease counts from one again
  BOOST_TEST(leases.reusable(3600, 0).value() == 8);
}

BOOST_AUTO_TEST_CASE(a_forgotten_lease_is_not_offered_again) {
  LeaseReuse leases;
  leases.granted(7, 3660, 0);
  leases.forget(8);  // another lease: nothing changes
  BOOST_TEST(leases.reusable(3600, 0).value() == 7);
  leases.forget(7);
  BOOST_TEST(!leases.reusable(3600, 0).has_value());
}
