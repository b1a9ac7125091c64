// The envelope codec: round trips, and defensive decoding of truncated, oversized,
// misaligned, corrupted and random input (never a crash, always a clear error).
#define BOOST_TEST_MODULE runtime_codec
#include <boost/test/unit_test.hpp>

#include <capnp/serialize.h>

#include <cstring>

#include "runtime/envelope_codec.hpp"
#include "runtime/rng.hpp"

using namespace craton;

namespace {

std::vector<std::uint8_t> ping_bytes(std::size_t payload_bytes, std::uint64_t seq = 7) {
  EnvelopeBuilder b(Address{"n1", "pinger"}, Address{"n2", "echo"}, 42);
  auto ping = b.body().initPing();
  ping.setSeq(seq);
  auto payload = ping.initPayload(payload_bytes);
  for (std::size_t i = 0; i < payload_bytes; ++i) payload[i] = static_cast<std::uint8_t>(i);
  return b.encode();
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_keeps_addresses_correlation_and_body) {
  auto bytes = ping_bytes(100);
  auto d = decode_envelope(bytes);
  BOOST_REQUIRE(d.ok());
  BOOST_TEST(d->from().to_string() == "n1/pinger");
  BOOST_TEST(d->to().to_string() == "n2/echo");
  BOOST_TEST(d->root().getCorrelationId() == 42u);
  BOOST_REQUIRE(d->root().getBody().isPing());
  auto ping = d->root().getBody().getPing();
  BOOST_TEST(ping.getSeq() == 7u);
  BOOST_TEST(ping.getPayload().size() == 100u);
  BOOST_TEST(ping.getPayload()[99] == 99);
}

// encode() writes the segment table and the segments itself: the bytes are what capnp reads as
// a flat array, whether the message has one segment or several (a body past the first
// segment's 8 KiB spills into more), and exactly encoded_bytes() of them.
BOOST_AUTO_TEST_CASE(encoded_bytes_are_a_flat_array_for_any_number_of_segments) {
  for (std::size_t payload : {0u, 100u, 5000u, 300000u}) {
    EnvelopeBuilder b(Address{"n1", "pinger"}, Address{"n2", "echo"}, 42);
    auto ping = b.body().initPing();
    ping.setSeq(3);
    auto data = ping.initPayload(payload);
    for (std::size_t i = 0; i < payload; ++i) data[i] = static_cast<std::uint8_t>(i * 7);
    auto bytes = b.encode();
    BOOST_TEST(bytes.size() == b.encoded_bytes());
    BOOST_REQUIRE(bytes.size() % sizeof(capnp::word) == 0);
    std::vector<capnp::word> words(bytes.size() / sizeof(capnp::word));
    std::memcpy(words.data(), bytes.data(), bytes.size());
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
    BOOST_TEST(reader.getEnd() == words.data() + words.size());  // nothing left over
    auto got = reader.getRoot<schema::Envelope>().getBody().getPing().getPayload();
    BOOST_REQUIRE(got.size() == payload);
    for (std::size_t i = 0; i < payload; ++i)
      if (got[i] != static_cast<std::uint8_t>(i * 7)) BOOST_FAIL("payload byte " << i);
  }
}

BOOST_AUTO_TEST_CASE(decoded_envelope_stays_valid_after_move) {
  auto bytes = ping_bytes(16);
  std::vector<DecodedEnvelope> kept;
  {
    auto d = decode_envelope(bytes);
    BOOST_REQUIRE(d.ok());
    kept.push_back(std::move(d).value());
  }
  BOOST_TEST(kept[0].root().getBody().getPing().getSeq() == 7u);
}

BOOST_AUTO_TEST_CASE(misaligned_input_is_copied_and_decoded) {
  auto bytes = ping_bytes(33);
  std::vector<std::uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  std::span<const std::uint8_t> view(shifted.data() + 1, bytes.size());
  auto d = decode_envelope(view);
  BOOST_REQUIRE(d.ok());
  BOOST_TEST(d->root().getBody().getPing().getPayload().size() == 33u);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_rejected) {
  auto bytes = ping_bytes(40);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto d = decode_envelope(std::span<const std::uint8_t>(bytes.data(), n));
    BOOST_TEST(!d.ok(), "prefix of " << n << " bytes was accepted");
  }
}

BOOST_AUTO_TEST_CASE(trailing_bytes_are_rejected) {
  auto bytes = ping_bytes(8);
  bytes.resize(bytes.size() + 8, 0);
  auto d = decode_envelope(bytes);
  BOOST_REQUIRE(!d.ok());
  BOOST_TEST(d.error().code == "truncated");
}

BOOST_AUTO_TEST_CASE(oversized_input_is_rejected_before_parsing) {
  auto bytes = ping_bytes(4096);
  CodecLimits limits;
  limits.message_bytes_max = 1024;
  auto d = decode_envelope(bytes, limits);
  BOOST_REQUIRE(!d.ok());
  BOOST_TEST(d.error().code == "too_large");
  BOOST_TEST(decode_envelope(bytes).ok());  // within the default 4 MiB
}

BOOST_AUTO_TEST_CASE(traversal_limit_is_enforced) {
  auto bytes = ping_bytes(64 * 1024);
  CodecLimits limits;
  limits.traversal_words_max = 1000;  // the payload alone is 8192 words
  auto d = decode_envelope(bytes, limits);
  BOOST_REQUIRE(!d.ok());
  BOOST_TEST(d.error().code == "malformed");
}

BOOST_AUTO_TEST_CASE(bad_addresses_are_rejected) {
  EnvelopeBuilder b(Address{"n1", "a"}, Address{"", "b"});
  b.body().initPing();
  auto bytes = b.encode();
  auto d = decode_envelope(bytes);
  BOOST_REQUIRE(!d.ok());
  BOOST_TEST(d.error().code == "bad_name");
}

BOOST_AUTO_TEST_CASE(unknown_body_member_is_rejected) {
  auto bytes = ping_bytes(0);
  // The body union's discriminant is the 16-bit word after the 64-bit correlation id in the
  // root struct's data section: root pointer at word 1 (after the segment table), data at 2.
  std::uint16_t bogus = 0x7fff;
  std::memcpy(bytes.data() + 8 + 8 + 8, &bogus, sizeof bogus);
  auto d = decode_envelope(bytes);
  BOOST_REQUIRE(!d.ok());
  BOOST_TEST(d.error().code == "unknown_body");
}

// A seeded random-input test over 200,000 inputs: random bytes, valid envelopes with random
// bit flips, and random truncations. The decoder must never crash or throw, and whatever it
// accepts must be fully readable.
BOOST_AUTO_TEST_CASE(random_and_corrupted_inputs_never_crash) {
  Rng rng(20261126);
  auto valid = ping_bytes(200);
  std::size_t accepted = 0, rejected = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<std::uint8_t> input;
    switch (i % 3) {
      case 0: {  // random bytes, sometimes with a plausible segment table
        input.resize(8 * rng.uniform(0, 64));
        for (auto& b : input) b = static_cast<std::uint8_t>(rng.next());
        if (input.size() >= 8 && rng.chance(0.5)) {
          std::uint32_t header[2] = {0, static_cast<std::uint32_t>(input.size() / 8 - 1)};
          std::memcpy(input.data(), header, 8);
        }
        break;
      }
      case 1: {  // a valid envelope with a few flipped bits
        input = valid;
        for (int f = 0, n = static_cast<int>(rng.uniform(1, 4)); f < n; ++f)
          input[rng.uniform(0, input.size() - 1)] ^=
              static_cast<std::uint8_t>(1u << rng.uniform(0, 7));
        break;
      }
      default: {  // a valid envelope cut at a random point
        input.assign(valid.begin(), valid.begin() + rng.uniform(0, valid.size()));
      }
    }
    auto d = decode_envelope(input);
    if (!d.ok()) {
      ++rejected;
      BOOST_REQUIRE(!d.error().message.empty());
      continue;
    }
    ++accepted;
    // Accepted input must be readable end to end without throwing.
    auto root = d->root();
    (void)d->from().to_string();
    (void)d->to().to_string();
    if (root.getBody().isPing()) (void)root.getBody().getPing().getPayload().size();
  }
  BOOST_TEST(accepted + rejected == 200000u);
  BOOST_TEST(rejected > 0u);
  BOOST_TEST(accepted > 0u);  // some bit flips land in the payload and stay valid
}

// open_envelope is for bytes this process made or already checked: it skips the per-field
// walk, so only decode_envelope's full check may be applied to bytes from outside.
BOOST_AUTO_TEST_CASE(full_validation_catches_what_opening_does_not) {
  auto bytes = ping_bytes(200);
  Rng rng(7);
  int caught_only_by_full = 0;
  for (int i = 0; i < 20000; ++i) {
    auto input = bytes;
    input[rng.uniform(0, input.size() - 1)] ^= static_cast<std::uint8_t>(1u << rng.uniform(0, 7));
    bool opened = open_envelope(input).ok();
    bool full = decode_envelope(input).ok();
    BOOST_REQUIRE(!full || opened);  // full is never more lenient
    if (opened && !full) ++caught_only_by_full;
  }
  BOOST_TEST(caught_only_by_full > 0);
  BOOST_TEST(open_envelope(bytes).ok());
}
