#define BOOST_TEST_MODULE store_lease_keeper
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/store/lease/lease_keeper.hpp"
#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage;
using namespace craton::storage::test;

namespace {

using Ids = std::vector<std::int64_t>;

LeaseKeeper leader_keeper(LeaseKeeperOptions o = {}) {
  LeaseKeeper k(o);
  k.promote(0, 0);
  return k;
}

}  // namespace

BOOST_AUTO_TEST_CASE(minimum_ttl_follows_the_election_timeout) {
  BOOST_CHECK_EQUAL(min_ttl_for_election_timeout(1000), 2);  // 1.5 s rounded up
  BOOST_CHECK_EQUAL(min_ttl_for_election_timeout(100), 1);
  BOOST_CHECK_EQUAL(min_ttl_for_election_timeout(2000), 3);
  BOOST_CHECK_EQUAL(min_ttl_for_election_timeout(5000), 8);  // 7.5 s
}

BOOST_AUTO_TEST_CASE(grants_are_checked_and_bounded) {
  LeaseKeeperOptions o;
  o.leases_max = 2;
  o.ttl_max_s = 1000;
  LeaseKeeper k(o);
  BOOST_CHECK_EQUAL(code_of(k.check_grant(1, 10)), "not_leader");
  k.promote(0, 0);
  BOOST_CHECK_EQUAL(must(k.check_grant(1, 10)), 10);
  BOOST_CHECK_EQUAL(must(k.check_grant(1, 1)), 2);  // raised to the minimum, as etcd
  BOOST_CHECK_EQUAL(must(k.check_grant(1, 0)), 2);
  BOOST_CHECK_EQUAL(code_of(k.check_grant(1, -1)), "invalid");
  BOOST_CHECK_EQUAL(code_of(k.check_grant(0, 10)), "invalid");
  BOOST_CHECK_EQUAL(code_of(k.check_grant(-3, 10)), "invalid");
  BOOST_CHECK_EQUAL(code_of(k.check_grant(1, 1001)), "ttl_too_large");
  BOOST_CHECK_EQUAL(must(k.check_grant(1, 1000)), 1000);
  k.on_granted(1, 10, 0);
  BOOST_CHECK_EQUAL(code_of(k.check_grant(1, 10)), "lease_exists");
  k.on_granted(2, 10, 0);
  BOOST_CHECK_EQUAL(code_of(k.check_grant(3, 10)), "too_many_leases");
  k.on_revoked(1);
  BOOST_CHECK_EQUAL(must(k.check_grant(3, 10)), 10);
}

BOOST_AUTO_TEST_CASE(grant_keepalive_and_expiry_times) {
  LeaseKeeper k = leader_keeper();
  k.on_granted(1, 10, 1000);
  BOOST_CHECK_EQUAL(*k.expiry_ms(1), 11000);
  BOOST_CHECK(k.expired(10999).empty());
  // A keep-alive renews to now + TTL and answers the TTL.
  BOOST_CHECK_EQUAL(must(k.keep_alive(1, 5000)), 10);
  BOOST_CHECK_EQUAL(*k.expiry_ms(1), 15000);
  BOOST_CHECK(k.expired(14999).empty());
  BOOST_CHECK(k.expired(15000) == Ids{1});
  // Expired: no renewal any more, and it is not offered twice while its revoke is pending.
  BOOST_CHECK_EQUAL(code_of(k.keep_alive(1, 15001)), "lease_not_found");
  BOOST_CHECK(k.expired(16000).empty());
  // A revoke that was never applied (a lost proposal) is offered again after the retry time.
  BOOST_CHECK(k.expired(15000 + 3000) == Ids{1});
  k.on_revoked(1);
  BOOST_CHECK(k.expired(100000).empty());
  BOOST_CHECK_EQUAL(code_of(k.keep_alive(1, 100000)), "lease_not_found");
  BOOST_CHECK_EQUAL(k.leases(), 0u);
  BOOST_CHECK_EQUAL(code_of(k.keep_alive(42, 0)), "lease_not_found");
  auto missing = k.keep_alive(42, 0);  // 42 = 0x2a: messages name ids in hex
  BOOST_TEST(!missing.ok());
  if (!missing.ok())
    BOOST_TEST(missing.error().message.find("000000000000002a") != std::string::npos,
               missing.error().message);
}

BOOST_AUTO_TEST_CASE(a_lease_past_its_time_but_not_yet_offered_cannot_be_renewed) {
  LeaseKeeper k = leader_keeper();
  k.on_granted(1, 5, 0);
  BOOST_CHECK_EQUAL(code_of(k.keep_alive(1, 5000)), "lease_not_found");
  BOOST_CHECK(k.expired(5000) == Ids{1});
}

BOOST_AUTO_TEST_CASE(expired_returns_earliest_first) {
  LeaseKeeper k = leader_keeper();
  k.on_granted(3, 30, 0);
  k.on_granted(1, 10, 0);
  k.on_granted(2, 20, 0);
  BOOST_CHECK(k.expired(25000) == (Ids{1, 2}));
  k.on_revoked(1);  // 2's revoke got lost: retried after 3 s, before 3 which expires later
  BOOST_CHECK(k.expired(30000) == (Ids{2, 3}));
}

BOOST_AUTO_TEST_CASE(promote_extends_every_lease_instead_of_expiring_them) {
  LeaseKeeper k;  // a follower: applies grants, decides nothing
  k.on_granted(1, 5, 0);
  k.on_granted(2, 60, 0);
  BOOST_CHECK(k.expired(1'000'000).empty());
  BOOST_CHECK_EQUAL(code_of(k.keep_alive(1, 0)), "not_leader");
  // Elected long after the leases would have run out under the old leader's clock.
  k.promote(100'000, 1000);
  BOOST_CHECK(k.is_leader());
  BOOST_CHECK_EQUAL(*k.expiry_ms(1), 100'000 + 1000 + 5000);
  BOOST_CHECK_EQUAL(*k.expiry_ms(2), 100'000 + 1000 + 60'000);
  BOOST_CHECK(k.expired(105'999).empty());
  BOOST_CHECK(k.expired(106'000) == Ids{1});
}

BOOST_AUTO_TEST_CASE(promote_resets_pending_revokes_of_an_earlier_term) {
  LeaseKeeper k = leader_keeper();
  k.on_granted(1, 5, 0);
  BOOST_CHECK(k.expired(5000) == Ids{1});
  k.demote();
  k.promote(50'000, 0);  // the revoke was lost with the old term: the lease gets a full TTL
  BOOST_CHECK_EQUAL(must(k.keep_alive(1, 50'001)), 5);
}

BOOST_AUTO_TEST_CASE(demote_stops_all_decisions) {
  LeaseKeeper k = leader_keeper();
  k.on_granted(1, 5, 0);
  k.demote();
  BOOST_CHECK(!k.is_leader());
  BOOST_CHECK(k.expired(1'000'000).empty());
  BOOST_CHECK_EQUAL(code_of(k.keep_alive(1, 0)), "not_leader");
  TempDir dir;
  Environment env = open_env(dir.sub("env"));
  MvccStore store = open_store(env);
  BOOST_CHECK_EQUAL(code_of(k.time_to_live(1, 0, store)), "not_leader");
  // Grants and revokes are still mirrored (they come from the log).
  k.on_granted(2, 5, 0);
  k.on_revoked(1);
  BOOST_CHECK_EQUAL(k.leases(), 1u);
}

BOOST_AUTO_TEST_CASE(mass_expiry_is_rate_limited) {
  LeaseKeeper k = leader_keeper();
  for (std::int64_t id = 1; id <= 1200; ++id) k.on_granted(id, 10, 0);
  std::set<std::int64_t> offered;
  std::vector<std::size_t> per_call;
  for (std::int64_t t = 10'000; t < 11'500; t += 500) {
    auto ids = k.expired(t);
    per_call.push_back(ids.size());
    for (auto id : ids) BOOST_CHECK(offered.insert(id).second);  // never twice
  }
  BOOST_CHECK(per_call == (std::vector<std::size_t>{500, 500, 200}));
  BOOST_CHECK_EQUAL(offered.size(), 1200u);
}

BOOST_AUTO_TEST_CASE(promote_spreads_expiries_to_three_quarters_of_the_revoke_rate) {
  LeaseKeeper k;
  for (std::int64_t id = 1; id <= 3000; ++id) k.on_granted(id, 10, 0);
  k.promote(0, 0);
  std::map<std::int64_t, std::size_t> per_second;
  for (std::int64_t id = 1; id <= 3000; ++id) {
    std::int64_t e = *k.expiry_ms(id);
    BOOST_CHECK_GE(e, 10'000);  // never earlier than the TTL
    ++per_second[(e - 10'000) / 1000];
  }
  for (const auto& [second, n] : per_second) {
    BOOST_TEST_INFO("second " << second);
    BOOST_CHECK_LE(n, 750u + 1);
  }
  BOOST_CHECK_GE(per_second.size(), 4u);  // 3000 leases at 750 per second
}

BOOST_AUTO_TEST_CASE(time_to_live_reports_remaining_ttl_and_attached_keys) {
  TempDir dir;
  Environment env = open_env(dir.sub("env"));
  MvccStore store = open_store(env);
  must(store.lease_grant(7, 30));
  must(store.put(put_req("b", "1", 7)));
  must(store.put(put_req("a", "1", 7)));
  must(store.put(put_req("c", "1")));
  LeaseKeeper k = leader_keeper();
  k.on_granted(7, 30, 0);
  auto ttl = must(k.time_to_live(7, 10'500, store));
  BOOST_CHECK_EQUAL(ttl.id, 7);
  BOOST_CHECK_EQUAL(ttl.granted_ttl_s, 30);
  BOOST_CHECK_EQUAL(ttl.remaining_ttl_s, 20);  // 19.5 s rounded up
  BOOST_CHECK(ttl.keys == (std::vector<std::string>{"a", "b"}));
  BOOST_CHECK_EQUAL(must(k.time_to_live(7, 40'000, store)).remaining_ttl_s, 0);
  BOOST_CHECK_EQUAL(code_of(k.time_to_live(8, 0, store)), "lease_not_found");
  // After the revoke is applied, the store and the keeper both forget it.
  must(store.lease_revoke(7));
  k.on_revoked(7);
  BOOST_CHECK_EQUAL(code_of(k.time_to_live(7, 0, store)), "lease_not_found");
  BOOST_CHECK_EQUAL(must(store.range(get_req("a", "d"))).count, 1);  // only c is left
}

BOOST_AUTO_TEST_CASE(recover_mirrors_the_store) {
  TempDir dir;
  Environment env = open_env(dir.sub("env"));
  MvccStore store = open_store(env);
  must(store.lease_grant(1, 10));
  must(store.lease_grant(2, 20));
  LeaseKeeper k;
  k.on_granted(99, 10, 0);  // stale state from before a snapshot install
  k.recover(store, 5000);
  BOOST_CHECK_EQUAL(k.leases(), 2u);
  BOOST_CHECK(!k.expiry_ms(99));
  BOOST_CHECK_EQUAL(*k.expiry_ms(1), 15'000);
  BOOST_CHECK_EQUAL(*k.expiry_ms(2), 25'000);
}
