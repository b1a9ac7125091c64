// Leader election over a Lease (actors/api/client/leader_election.hpp): instances
// against a fake API that writes conditionally as ours does (create: name free; update: the
// resourceVersion read), each instance with its own clock.
#define BOOST_TEST_MODULE controllers_leader_election
#include <boost/test/unit_test.hpp>

#include <capnp/message.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/api/client/kube_time.hpp"
#include "actors/api/client/leader_election.hpp"
#include "runtime/flat_message.hpp"
#include "schemas/api_meta.capnp.h"

using namespace craton;
using namespace craton::api;
namespace k8s = craton::schema::k8s;

namespace {

constexpr std::int64_t kT0 = 1'796'000'000'000;  // 2026-11-30T00:53:20Z, in ms

struct LeaseView {
  std::string holder, acquire, renew;
  std::int32_t duration_s = 0, transitions = 0;
  std::int64_t resource_version = 0;
};

LeaseView view(const std::string& bytes) {
  auto m = FlatMessage::open(bytes);
  BOOST_REQUIRE(m.ok());
  auto lease = m->root<k8s::Lease>();
  auto s = lease.getSpec();
  return {s.getHolderIdentity(),   s.getAcquireTime(),
          s.getRenewTime(),        s.getLeaseDurationSeconds(),
          s.getLeaseTransitions(), std::atoll(lease.getMetadata().getResourceVersion().cStr())};
}

// One lease, kept as the API keeps it: every write conditional, each a new resourceVersion.
struct FakeLeaseApi {
  std::optional<std::string> lease;
  std::int64_t revision = 0;
  int fail_code = 0;          // answer every call with this code (0: serve)
  bool lose_replies = false;  // serve, then answer 504 (the outcome is unknown to the caller)
  std::vector<api::ApiVerb> verbs;

  api::ApiReply answer(const api::ApiCall& call) {
    auto r = serve(call);
    if (lose_replies) r = code(504);
    return r;
  }
  api::ApiReply serve(const api::ApiCall& call) {
    verbs.push_back(call.verb);
    api::ApiReply r;
    r.code = fail_code;
    if (fail_code != 0) return r;
    if (call.verb == api::ApiVerb::get) return lease ? stored(200) : code(404);
    if (call.verb == api::ApiVerb::create && lease) return code(409);
    if (call.verb == api::ApiVerb::update &&
        (!lease || view(call.object).resource_version != revision))
      return code(lease ? 409 : 404);
    lease = call.object;
    ++revision;
    return stored(call.verb == api::ApiVerb::create ? 201 : 200);
  }
  api::ApiReply code(int c) {
    api::ApiReply r;
    r.code = c;
    return r;
  }
  api::ApiReply stored(int c) {
    auto r = code(c);
    r.object = api::ApiObjectBytes{*lease, revision};
    return r;
  }
  LeaseView current() const { return view(*lease); }
};

// A lease another holder wrote, as the API keeps it.
std::string lease_bytes(const std::string& holder, std::int64_t resource_version) {
  capnp::MallocMessageBuilder m;
  auto lease = m.initRoot<k8s::Lease>();
  lease.getMetadata().setResourceVersion(std::to_string(resource_version));
  lease.getSpec().setHolderIdentity(holder);
  lease.getSpec().setLeaseDurationSeconds(15);
  lease.getSpec().setRenewTime(api::kube_micro_time(kT0));
  return flat_bytes(m);
}

// An instance: its election, its clock offset, and what its callbacks saw.
struct Instance {
  std::int64_t clock_offset_ms = 0;
  int started = 0, stopped = 0;
  std::optional<api::LeaderElection> election;

  explicit Instance(const std::string& identity, std::int64_t offset_ms = 0)
      : clock_offset_ms(offset_ms) {
    api::LeaderElectionConfig c;
    c.identity = identity;
    c.lease_namespace = "kube-system";
    c.lease_name = "craton-controller-manager";
    c.on_started_leading = [this] { ++started; };
    c.on_stopped_leading = [this] { ++stopped; };
    auto made = api::LeaderElection::make(std::move(c));
    BOOST_REQUIRE(made.ok());
    election.emplace(std::move(*made));
  }
  Instance(const Instance&) = delete;

  /// Makes every call the election wants at true time `t`, answered at once by `api`.
  void run(FakeLeaseApi& api, std::int64_t t) {
    std::int64_t now = t + clock_offset_ms;
    for (int calls = 0; calls < 4; ++calls) {
      auto call = election->next(now);
      if (!call) return;
      election->on_reply(call->id, api.answer(call->call), now);
    }
  }
  bool leading() const { return election->leading(); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(acquires_an_absent_lease_by_creating_it) {
  FakeLeaseApi api;
  Instance a("a");
  auto get = a.election->next(kT0);
  BOOST_REQUIRE(get);
  BOOST_TEST((get->call.verb == api::ApiVerb::get));
  BOOST_TEST(get->call.group == "coordination.k8s.io");
  BOOST_TEST(get->call.resource == "leases");
  BOOST_TEST(get->call.namespace_ == "kube-system");
  BOOST_TEST(get->call.name == "craton-controller-manager");
  a.election->on_reply(get->id, api.answer(get->call), kT0);
  auto create = a.election->next(kT0);  // at once, not after the retry period
  BOOST_REQUIRE(create);
  BOOST_TEST((create->call.verb == api::ApiVerb::create));
  BOOST_TEST(!a.leading());
  a.election->on_reply(create->id, api.answer(create->call), kT0);
  BOOST_TEST(a.leading());
  BOOST_TEST(a.started == 1);
  auto lease = api.current();
  BOOST_TEST(lease.holder == "a");
  BOOST_TEST(lease.duration_s == 15);
  BOOST_TEST(lease.acquire == api::kube_micro_time(kT0));
  BOOST_TEST(lease.renew == "2026-11-30T00:53:20.000000Z");
  BOOST_TEST(lease.transitions == 0);
}

// The node clock it runs on may read below 0 (the simulator's offsets): the first read of the
// lease goes out at once all the same, not once the clock passes 0.
BOOST_AUTO_TEST_CASE(campaigns_at_once_on_a_clock_below_zero) {
  Instance a("a");
  auto get = a.election->next(-45'000);
  BOOST_REQUIRE(get);
  BOOST_TEST((get->call.verb == api::ApiVerb::get));
}

BOOST_AUTO_TEST_CASE(a_leader_renews_each_retry_period_with_the_version_it_read) {
  FakeLeaseApi api;
  Instance a("a");
  a.run(api, kT0);
  BOOST_REQUIRE(a.leading());
  BOOST_TEST(!a.election->next(kT0 + 1999).has_value());  // not before the retry period
  auto renew = a.election->next(kT0 + 2000);
  BOOST_REQUIRE(renew);
  BOOST_TEST((renew->call.verb == api::ApiVerb::update));
  BOOST_TEST(view(renew->call.object).resource_version == api.revision);
  a.election->on_reply(renew->id, api.answer(renew->call), kT0 + 2000);
  auto lease = api.current();
  BOOST_TEST(lease.renew == api::kube_micro_time(kT0 + 2000));
  BOOST_TEST(lease.acquire == api::kube_micro_time(kT0));  // kept while the holder stays
  BOOST_TEST(lease.transitions == 0);
  BOOST_TEST(a.leading());
  BOOST_TEST(a.started == 1);
}

BOOST_AUTO_TEST_CASE(the_loser_of_a_conflicting_create_reads_again_and_follows) {
  FakeLeaseApi api;
  Instance a("a"), b("b");
  auto a_get = a.election->next(kT0);
  auto b_get = b.election->next(kT0);
  a.election->on_reply(a_get->id, api.answer(a_get->call), kT0);
  b.election->on_reply(b_get->id, api.answer(b_get->call), kT0);
  auto a_create = a.election->next(kT0);
  auto b_create = b.election->next(kT0);
  a.election->on_reply(a_create->id, api.answer(a_create->call), kT0);
  auto conflict = api.answer(b_create->call);
  BOOST_TEST(conflict.code == 409);
  b.election->on_reply(b_create->id, conflict, kT0);
  BOOST_TEST(a.leading());
  BOOST_TEST(!b.leading());
  auto reread = b.election->next(kT0 + 1);  // at once: someone else wrote
  BOOST_REQUIRE(reread);
  BOOST_TEST((reread->call.verb == api::ApiVerb::get));
  b.election->on_reply(reread->id, api.answer(reread->call), kT0 + 1);
  BOOST_TEST(b.election->observed_holder() == "a");
  BOOST_TEST(!b.election->next(kT0 + 2).has_value());  // waits a retry period
  BOOST_TEST(!b.leading());
}

BOOST_AUTO_TEST_CASE(a_leader_whose_lease_another_holder_wrote_reads_it_and_steps_down) {
  FakeLeaseApi api;
  Instance a("a");
  a.run(api, kT0);
  BOOST_REQUIRE(a.leading());
  // Someone else writes the lease (another instance, or an operator with kubectl).
  api.lease = lease_bytes("b", api.revision);
  ++api.revision;
  a.run(api, kT0 + 2000);  // its renew gets 409; it reads again at once and sees b
  BOOST_TEST(!a.leading());
  BOOST_TEST(a.stopped == 1);
  BOOST_TEST(a.election->observed_holder() == "b");
  BOOST_TEST(api.current().holder == "b");
  BOOST_TEST((api.verbs.back() == api::ApiVerb::get));
}

BOOST_AUTO_TEST_CASE(takes_over_an_expired_lease_a_lease_duration_after_it_last_changed) {
  FakeLeaseApi api;
  Instance a("a"), b("b");
  a.run(api, kT0);
  a.run(api, kT0 + 2000);  // renewed, then a goes silent
  b.run(api, kT0 + 3000);  // b first sees the record a wrote at +2 s
  // Judged by renewTime, the lease would be expired from +17 s; b waits until 15 s after it
  // OBSERVED the change (+18 s), and reads every retry period (2 s).
  for (std::int64_t t = kT0 + 4000; t < kT0 + 19'000; t += 1000) {
    b.run(api, t);
    BOOST_TEST(!b.leading());
  }
  b.run(api, kT0 + 19'000);
  BOOST_TEST(b.leading());
  auto lease = api.current();
  BOOST_TEST(lease.holder == "b");
  BOOST_TEST(lease.transitions == 1);
  BOOST_TEST(lease.acquire == api::kube_micro_time(kT0 + 19'000));
  BOOST_TEST(lease.renew == lease.acquire);
}

BOOST_AUTO_TEST_CASE(never_takes_over_a_lease_it_observes_renewing) {
  FakeLeaseApi api;
  Instance a("a"), b("b");
  for (std::int64_t t = kT0; t < kT0 + 120'000; t += 500) {
    a.run(api, t);
    b.run(api, t + 250);
    BOOST_TEST(!b.leading());
  }
  BOOST_TEST(a.leading());
  BOOST_TEST(a.started == 1);
  BOOST_TEST(api.current().transitions == 0);
}

BOOST_AUTO_TEST_CASE(a_leader_that_cannot_renew_steps_down_at_the_renew_deadline) {
  FakeLeaseApi api;
  Instance a("a");
  a.run(api, kT0);
  api.fail_code = 500;
  for (std::int64_t t = kT0 + 2000; t < kT0 + 10'000; t += 1000) {
    a.run(api, t);
    BOOST_TEST(a.leading());
  }
  BOOST_TEST(a.election->next_due_ms() <= kT0 + 10'000);  // the caller's timer wakes it
  a.run(api, kT0 + 10'000);
  BOOST_TEST(!a.leading());
  BOOST_TEST(a.stopped == 1);
}

BOOST_AUTO_TEST_CASE(an_unanswered_renew_counts_as_failed_and_its_late_reply_is_ignored) {
  FakeLeaseApi api;
  Instance a("a");
  a.run(api, kT0);
  auto lost = a.election->next(kT0 + 2000);
  BOOST_REQUIRE(lost);
  BOOST_TEST(!a.election->next(kT0 + 6999).has_value());  // still waiting for it
  auto retry = a.election->next(kT0 + 7000);              // the call timed out
  BOOST_REQUIRE(retry);
  BOOST_TEST(retry->id != lost->id);
  a.election->on_reply(lost->id, api.answer(lost->call), kT0 + 7001);  // too late: ignored
  BOOST_TEST(a.election->next_due_ms() == kT0 + 7000 + 5000);          // still waits on retry
  a.election->on_reply(retry->id, api.code(503), kT0 + 7002);
  api.fail_code = 503;
  a.run(api, kT0 + 10'000);  // its last renew that counted was sent at kT0
  BOOST_TEST(!a.leading());
  BOOST_TEST(a.stopped == 1);
  // Back in touch, it reads before it writes: the lost renew did happen (the API is at
  // the version it made), and a takes its own lease again without a conflict.
  api.fail_code = 0;
  auto before = api.verbs.size();
  a.run(api, kT0 + 12'000);
  BOOST_TEST(a.leading());
  BOOST_TEST(a.started == 2);
  BOOST_TEST((api.verbs.at(before) == api::ApiVerb::get));
  BOOST_TEST(api.current().transitions == 0);  // the holder never changed
}

BOOST_AUTO_TEST_CASE(an_answer_after_the_renew_deadline_does_not_make_a_leader) {
  FakeLeaseApi api;
  Instance a("a");
  auto get = a.election->next(kT0);
  a.election->on_reply(get->id, api.answer(get->call), kT0);
  auto create = a.election->next(kT0);
  a.election->on_reply(create->id, api.answer(create->call), kT0 + 4'000);
  BOOST_TEST(a.leading());  // within the deadline counted from the send
  auto renew = a.election->next(kT0 + 6'000);
  a.election->on_reply(renew->id, api.answer(renew->call), kT0 + 16'000);
  BOOST_TEST(!a.leading());
}

BOOST_AUTO_TEST_CASE(clock_offsets_between_instances_change_nothing) {
  // b's clock is an hour ahead of a's: comparing a's renewTime with b's clock would call the
  // lease long expired. c's is an hour behind: it would never call it expired.
  FakeLeaseApi api;
  Instance a("a"), b("b", 3'600'000), c("c", -3'600'000);
  for (std::int64_t t = kT0; t < kT0 + 60'000; t += 1000) {
    a.run(api, t);
    b.run(api, t + 300);
    c.run(api, t + 600);
    BOOST_TEST(!b.leading());
    BOOST_TEST(!c.leading());
  }
  BOOST_REQUIRE(a.leading());
  // a stops; c (behind) takes over about a lease duration later, though a's renewTime is an
  // hour in c's future.
  std::int64_t taken = 0;
  for (std::int64_t t = kT0 + 60'000; t < kT0 + 120'000 && !taken; t += 1000) {
    c.run(api, t + 600);
    if (c.leading()) taken = t;
  }
  // a wrote last at +58 s; c sees it within a retry period and reads every retry period.
  BOOST_TEST(taken >= kT0 + 58'000 + 15'000);
  BOOST_TEST(taken <= kT0 + 58'000 + 15'000 + 2'000 + 2'000);
  BOOST_TEST(api.current().holder == "c");
}

BOOST_AUTO_TEST_CASE(two_instances_never_lead_at_once_under_partitions_and_skew) {
  int takeovers = 0;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    FakeLeaseApi api;
    Instance a("a", 0), b("b", std::int64_t(rng() % 7'200'000) - 3'600'000);
    bool cut[2] = {false, false};  // an instance cut off from the API (20 s on average)
    for (std::int64_t t = kT0; t < kT0 + 600'000; t += 100) {
      for (int i = 0; i < 2; ++i) {
        if (rng() % 200 == 0) cut[i] = !cut[i];
        // Cut off: half of the calls fail, half are applied but their answer is lost.
        api.fail_code = cut[i] && rng() % 2 ? 503 : 0;
        api.lose_replies = cut[i] && api.fail_code == 0;
        (i == 0 ? a : b).run(api, t + 50 * i);
      }
      BOOST_REQUIRE(!(a.leading() && b.leading()));
    }
    takeovers += a.started + b.started - 1;
  }
  BOOST_TEST(takeovers >= 20);  // leadership did move, many times
}

BOOST_AUTO_TEST_CASE(a_bad_configuration_is_refused_with_a_reason) {
  auto refused = [](auto change) {
    api::LeaderElectionConfig c;
    c.identity = "a";
    change(c);
    auto made = api::LeaderElection::make(c);
    return !made.ok() && made.error().code == "invalid";
  };
  BOOST_TEST(refused([](auto& c) { c.identity = ""; }));
  BOOST_TEST(refused([](auto& c) { c.lease_name = ""; }));
  BOOST_TEST(refused([](auto& c) { c.renew_deadline_ms = 15'000; }));
  BOOST_TEST(refused([](auto& c) { c.retry_period_ms = 9'000; }));
  BOOST_TEST(refused([](auto& c) { c.retry_period_ms = 500; }));
  BOOST_TEST(!refused([](auto&) {}));
}
