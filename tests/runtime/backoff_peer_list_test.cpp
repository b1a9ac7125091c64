// Backoff bounds, growth, jitter and reset; peer list and endpoint parsing.
#define BOOST_TEST_MODULE runtime_backoff
#include <boost/test/unit_test.hpp>

#include <set>

#include "runtime/backoff.hpp"
#include "runtime/peer_list.hpp"

using namespace craton;

BOOST_AUTO_TEST_CASE(backoff_without_jitter_doubles_up_to_the_maximum) {
  Backoff b(BackoffPolicy{100, 1000, 2.0, 0.0});
  Rng rng(1);
  std::vector<std::int64_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(b.next_delay_ms(rng));
  std::vector<std::int64_t> want{100, 200, 400, 800, 1000, 1000, 1000};
  BOOST_TEST(got == want, boost::test_tools::per_element());
  BOOST_TEST(b.attempts() == 7u);
}

BOOST_AUTO_TEST_CASE(backoff_reset_starts_again_from_the_initial_delay) {
  Backoff b(BackoffPolicy{50, 5000, 3.0, 0.0});
  Rng rng(1);
  b.next_delay_ms(rng);
  b.next_delay_ms(rng);
  b.reset();
  BOOST_TEST(b.attempts() == 0u);
  BOOST_TEST(b.next_delay_ms(rng) == 50);
}

BOOST_AUTO_TEST_CASE(backoff_jitter_stays_in_bounds_and_varies) {
  BackoffPolicy p{100, 2000, 2.0, 0.5};
  Backoff b(p);
  Rng rng(42);
  std::set<std::int64_t> distinct;
  for (int outage = 0; outage < 200; ++outage) {
    double base = 100;
    for (int i = 0; i < 12; ++i) {
      auto d = b.next_delay_ms(rng);
      BOOST_TEST(d >= std::int64_t(base * 0.5) - 1);
      BOOST_TEST(d <= std::int64_t(base) + 1);
      BOOST_TEST(d <= p.max_ms);
      distinct.insert(d);
      base = std::min(base * 2, 2000.0);
    }
    b.reset();
  }
  BOOST_TEST(distinct.size() > 100u);  // jitter really spreads the delays
}

BOOST_AUTO_TEST_CASE(backoff_is_reproducible_from_the_seed) {
  auto run = [](std::uint64_t seed) {
    Backoff b(BackoffPolicy{});
    Rng rng(seed);
    std::vector<std::int64_t> out;
    for (int i = 0; i < 10; ++i) out.push_back(b.next_delay_ms(rng));
    return out;
  };
  BOOST_TEST(run(7) == run(7));
  BOOST_TEST(run(7) != run(8));
}

BOOST_AUTO_TEST_CASE(backoff_survives_many_attempts_without_overflow) {
  Backoff b(BackoffPolicy{1, 3600 * 1000, 16.0, 1.0});
  Rng rng(3);
  for (int i = 0; i < 100000; ++i) {
    auto d = b.next_delay_ms(rng);
    BOOST_REQUIRE(d >= 1 && d <= 3600 * 1000);
  }
}

BOOST_AUTO_TEST_CASE(backoff_policy_validation_rejects_nonsense) {
  BOOST_TEST(validate_backoff_policy(BackoffPolicy{}).ok());
  BOOST_TEST(!validate_backoff_policy(BackoffPolicy{0, 100, 2, 0}).ok());
  BOOST_TEST(!validate_backoff_policy(BackoffPolicy{100, 50, 2, 0}).ok());
  BOOST_TEST(!validate_backoff_policy(BackoffPolicy{100, 200, 0.5, 0}).ok());
  BOOST_TEST(!validate_backoff_policy(BackoffPolicy{100, 200, 2, 1.5}).ok());
  BOOST_TEST(!validate_backoff_policy(BackoffPolicy{100, 200, 2, -0.1}).ok());
  BOOST_CHECK_THROW(Backoff(BackoffPolicy{0, 100, 2, 0}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(endpoints_parse_and_reject) {
  auto e = parse_endpoint("127.0.0.1:7001");
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(e->host == "127.0.0.1");
  BOOST_TEST(e->port == 7001);
  BOOST_TEST(parse_endpoint("node-3.example:1").ok());
  BOOST_TEST(!parse_endpoint("127.0.0.1").ok());
  BOOST_TEST(!parse_endpoint(":7001").ok());
  BOOST_TEST(!parse_endpoint("h:").ok());
  BOOST_TEST(!parse_endpoint("h:65536").ok());
  BOOST_TEST(!parse_endpoint("h:-1").ok());
  BOOST_TEST(!parse_endpoint("h:12x").ok());
  BOOST_TEST(!parse_endpoint("h h:1").ok());
  BOOST_TEST(!parse_endpoint("h:0").ok());
  BOOST_TEST(parse_endpoint("h:0", true).ok());
  BOOST_TEST(!parse_endpoint(std::string(254, 'a') + ":1").ok());
}

BOOST_AUTO_TEST_CASE(peer_lists_parse_and_reject) {
  auto peers = parse_peer_list("b=127.0.0.1:7002,c=10.0.0.3:7001");
  BOOST_REQUIRE(peers.ok());
  BOOST_REQUIRE(peers->size() == 2u);
  BOOST_TEST((*peers)[0].node == "b");
  BOOST_TEST((*peers)[1].endpoint.to_string() == "10.0.0.3:7001");
  BOOST_TEST(parse_peer_list("")->empty());
  BOOST_TEST(!parse_peer_list("b").ok());
  BOOST_TEST(!parse_peer_list("b=h:1,,c=h:2").ok());
  BOOST_TEST(!parse_peer_list("b=h:1,b=h:2").ok());
  BOOST_TEST(!parse_peer_list("b/x=h:1").ok());
  BOOST_TEST(!parse_peer_list("=h:1").ok());
  BOOST_TEST(!parse_peer_list("b=h:0").ok());
  std::string many;
  for (std::size_t i = 0; i <= kPeersMax; ++i) many += "n" + std::to_string(i) + "=h:1,";
  BOOST_TEST(!parse_peer_list(many).ok());
}
