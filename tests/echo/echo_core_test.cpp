// The echo protocol's pure core: Ping answered by the matching Pong; the pinger matches Pongs
// to its Pings, ignores strangers and duplicates, and bounds what it remembers.
#define BOOST_TEST_MODULE echo_core
#include <boost/test/unit_test.hpp>

#include "actors/echo/core.hpp"

using namespace craton;
using namespace craton::echo;

namespace {

DecodedEnvelope decode(const std::vector<std::uint8_t>& bytes) {
  auto d = decode_envelope(bytes);
  BOOST_REQUIRE(d.ok());
  return std::move(d).value();
}

std::vector<std::uint8_t> pong_bytes(const Address& from, const Address& to, std::uint64_t seq) {
  EnvelopeBuilder b(from, to, seq);
  b.body().initPong().setSeq(seq);
  return b.encode();
}

}  // namespace

BOOST_AUTO_TEST_CASE(ping_is_answered_with_same_seq_and_payload) {
  EnvelopeBuilder ping(Address{"a", "pinger"}, Address{"b", "echo"}, 77);
  auto body = ping.body().initPing();
  body.setSeq(5);
  std::vector<std::uint8_t> payload{1, 2, 3, 4, 5};
  body.setPayload(kj::arrayPtr(payload.data(), payload.size()));
  auto bytes = ping.encode();
  auto reply = answer_ping(decode(bytes));
  BOOST_REQUIRE(reply.has_value());
  auto pong = decode(*reply);
  BOOST_TEST(pong.from().to_string() == "b/echo");
  BOOST_TEST(pong.to().to_string() == "a/pinger");
  BOOST_TEST(pong.root().getCorrelationId() == 77u);
  BOOST_REQUIRE(pong.root().getBody().isPong());
  BOOST_TEST(pong.root().getBody().getPong().getSeq() == 5u);
  auto got = pong.root().getBody().getPong().getPayload();
  BOOST_TEST(std::vector<std::uint8_t>(got.begin(), got.end()) == payload,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(non_pings_get_no_answer) {
  auto bytes = pong_bytes({"a", "x"}, {"b", "echo"}, 1);
  BOOST_TEST(!answer_ping(decode(bytes)).has_value());
}

BOOST_AUTO_TEST_CASE(pinger_pings_every_peer_and_matches_pongs) {
  PingerCore core(PingerConfig{{"a", "pinger"}, {"b", "c"}, 8});
  auto pings = core.tick(1000);
  BOOST_REQUIRE(pings.size() == 2u);
  auto to_b = decode(pings[0]);
  BOOST_TEST(to_b.to().to_string() == "b/echo");
  BOOST_TEST(to_b.root().getBody().getPing().getPayload().size() == 8u);
  auto reply = answer_ping(to_b);
  BOOST_REQUIRE(reply.has_value());
  auto seen = core.on_pong(decode(*reply), 1012);
  BOOST_REQUIRE(seen.has_value());
  BOOST_TEST(seen->peer == "b");
  BOOST_TEST(seen->rtt_ms == 12);
  BOOST_TEST(core.pongs_from("b") == 1u);
  BOOST_TEST(core.pongs_from("c") == 0u);
  BOOST_TEST(!core.on_pong(decode(*reply), 1013).has_value());  // duplicate
  BOOST_TEST(core.outstanding() == 1u);
}

BOOST_AUTO_TEST_CASE(pinger_ignores_pongs_it_never_asked_for_or_from_the_wrong_node) {
  PingerCore core(PingerConfig{{"a", "pinger"}, {"b"}, 8});
  auto pings = core.tick(0);
  auto seq = decode(pings[0]).root().getBody().getPing().getSeq();
  BOOST_TEST(!core.on_pong(decode(pong_bytes({"b", "echo"}, {"a", "pinger"}, seq + 100)), 1));
  BOOST_TEST(!core.on_pong(decode(pong_bytes({"z", "echo"}, {"a", "pinger"}, seq)), 1));
  BOOST_TEST(core.on_pong(decode(pong_bytes({"b", "echo"}, {"a", "pinger"}, seq)), 1).has_value());
}

BOOST_AUTO_TEST_CASE(pinger_forgets_the_oldest_pings_beyond_its_bound) {
  PingerCore core(PingerConfig{{"a", "pinger"}, {"b"}, 0, 4});
  auto first = core.tick(0);
  for (int i = 0; i < 10; ++i) core.tick(i + 1);
  BOOST_TEST(core.outstanding() == 4u);
  auto reply = answer_ping(decode(first[0]));
  BOOST_TEST(!core.on_pong(decode(*reply), 20).has_value());  // forgotten, so not matched
}
