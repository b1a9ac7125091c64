// ReplicaLeases (actors/store/replica/replica_leases.hpp) through its own interface, without a
// Replica: when it starts deciding expiries, how often it offers revokes, and what it refuses.
#define BOOST_TEST_MODULE store_replica_leases
#include <boost/test/unit_test.hpp>

#include "actors/store/replica/replica_leases.hpp"
#include "tests/storage/mvcc_test_util.hpp"

using namespace craton;
using namespace craton::store;
using namespace craton::storage::test;

namespace {

constexpr std::int64_t kElectionTimeoutMs = 1000;
constexpr std::int64_t kLeaseCheckMs = 500;

ReplicaLeases make_leases() {
  return ReplicaLeases({}, kElectionTimeoutMs, kLeaseCheckMs);
}

// An applied grant, as the Replica reports it after apply_batch.
void apply_grant(ReplicaLeases& leases, std::int64_t id, std::int64_t ttl_s) {
  std::vector<storage::IndexedWrite> writes{{1, storage::LeaseGrantRequest{id, ttl_s}, {}}};
  std::vector<Result<storage::WriteResponse>> results{
      storage::WriteResponse{storage::LeaseGrantResponse{1, id, ttl_s}}};
  leases.note_applied(writes, results);
}

}  // namespace

BOOST_AUTO_TEST_CASE(leading_is_followed_only_once_a_clock_reading_is_known) {
  auto leases = make_leases();
  leases.sync_leadership(true);
  BOOST_TEST(!leases.is_leader());  // "now" unknown: promoting would expire every lease
  storage::LeaseGrantRequest grant{7, 60};
  auto refused = leases.check_grant(grant, true);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().code == "no_leader");
  BOOST_TEST(leases.advance_clock(1'000, true).empty());
  BOOST_TEST(leases.is_leader());
  BOOST_TEST(leases.check_grant(grant, true).ok());
  leases.sync_leadership(false);
  BOOST_TEST(!leases.is_leader());
}

BOOST_AUTO_TEST_CASE(expired_leases_are_offered_for_revoke_only_every_lease_check_ms) {
  auto leases = make_leases();
  BOOST_TEST(leases.advance_clock(0, true).empty());  // promoted at 0, checked at 0
  apply_grant(leases, 5, 2);                          // granted at 0: expires at 2.0 s
  BOOST_TEST(leases.advance_clock(300, true).empty());
  apply_grant(leases, 6, 2);  // granted at 0.3 s: expires at 2.3 s
  BOOST_TEST(leases.advance_clock(2'000, true) == std::vector<std::int64_t>{5});
  // Lease 6 expired at 2.3 s, but the last check was at 2.0 s: not before 2.5 s.
  BOOST_TEST(leases.advance_clock(2'400, true).empty());
  BOOST_TEST(leases.advance_clock(2'499, true).empty());
  BOOST_TEST(leases.advance_clock(2'500, true) == std::vector<std::int64_t>{6});
  // An earlier reading is ignored: time does not go back.
  BOOST_TEST(leases.advance_clock(100, true).empty());
  BOOST_TEST(*leases.now_ms() == 2'500);
}

BOOST_AUTO_TEST_CASE(a_follower_offers_no_revokes_and_an_applied_revoke_forgets_the_lease) {
  auto leases = make_leases();
  BOOST_TEST(leases.advance_clock(0, true).empty());
  apply_grant(leases, 5, 2);
  BOOST_TEST(leases.advance_clock(5'000, false).empty());  // demoted: not its decision
  BOOST_TEST(!leases.is_leader());
  std::vector<storage::IndexedWrite> writes{{2, storage::LeaseRevokeRequest{5}, {}}};
  std::vector<Result<storage::WriteResponse>> results{
      Error{"lease_not_found", "revoked twice"}};  // a second revoke still drops it
  leases.note_applied(writes, results);
  BOOST_TEST(leases.keeper().leases() == 0u);
}

BOOST_AUTO_TEST_CASE(lease_requests_wait_for_a_clock_and_for_the_applied_log) {
  TempDir dir;
  auto env = open_env(dir.sub("db"));
  auto mvcc = open_store(env);
  auto leases = make_leases();
  auto before_clock = leases.answer(LeaseListRequest{}, true, mvcc);
  BOOST_REQUIRE(!before_clock.ok());
  BOOST_TEST(before_clock.error().message == "this leader has no clock reading yet: retry later");
  leases.advance_clock(0, true);
  auto unapplied = leases.answer(LeaseListRequest{}, false, mvcc);
  BOOST_REQUIRE(!unapplied.ok());
  BOOST_TEST(unapplied.error().message == "this leader has not applied its log yet: retry later");
  auto missing = leases.answer(LeaseTimeToLiveRequest{42, false}, true, mvcc);
  BOOST_REQUIRE(missing.ok());
  BOOST_TEST(missing->ttl_s == -1);  // etcd's answer for a lease that does not exist
  BOOST_TEST(leases.answer(LeaseListRequest{}, true, mvcc).ok());
}
