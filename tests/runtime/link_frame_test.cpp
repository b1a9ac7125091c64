// Link frames (runtime/link_frame.hpp): round trips however the stream is cut, the limit
// checked before a payload is kept (the 4 GiB claim of issue 10's 32-byte packet), every
// malformed header refused for good, and a seeded fuzz run of 100,000 inputs holding the
// reader to its bounds.
#define BOOST_TEST_MODULE runtime_link_frame
#include <boost/test/unit_test.hpp>

#include "runtime/link_frame.hpp"
#include "runtime/rng.hpp"

using namespace craton;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes frame(FrameKind kind, const Bytes& payload, std::size_t max = kFrameBytesMaxDefault) {
  auto f = encode_frame(kind, payload, max);
  BOOST_REQUIRE(f.ok());
  return *f;
}

std::vector<Frame> drain(FrameReader& r) {
  std::vector<Frame> out;
  while (auto f = r.next()) out.push_back(std::move(*f));
  return out;
}

// Feeds `stream` in pieces of random sizes (1..max_piece), draining after each piece as a
// transport would; checks the bound on held bytes throughout.
Status feed_in_pieces(FrameReader& r, const Bytes& stream, Rng& rng, std::size_t max_piece,
                      std::size_t frame_max, std::vector<Frame>& out) {
  for (std::size_t at = 0; at < stream.size();) {
    auto n = std::min<std::size_t>(stream.size() - at, rng.uniform(1, max_piece));
    auto s = r.feed(std::span(stream).subspan(at, n));
    for (auto& f : drain(r)) out.push_back(std::move(f));
    BOOST_REQUIRE(r.partial_bytes() <= kFrameHeaderBytes + frame_max);
    if (!s) return s;
    at += n;
  }
  return Ok{};
}

}  // namespace

BOOST_AUTO_TEST_CASE(frames_round_trip_however_the_stream_is_cut) {
  std::vector<Frame> sent{{FrameKind::hello, {'n', '1'}},
                          {FrameKind::envelope, Bytes(1000, 7)},
                          {FrameKind::keepalive, {}},
                          {FrameKind::envelope, {1, 2, 3}}};
  Bytes stream;
  for (const auto& f : sent) {
    auto b = frame(f.kind, f.payload);
    stream.insert(stream.end(), b.begin(), b.end());
  }
  Rng rng(1);
  for (std::size_t piece : {std::size_t{1}, std::size_t{5}, std::size_t{12}, stream.size()}) {
    FrameReader r;
    std::vector<Frame> got;
    BOOST_REQUIRE(feed_in_pieces(r, stream, rng, piece, kFrameBytesMaxDefault, got).ok());
    BOOST_TEST((got == sent), "pieces of up to " << piece);
    BOOST_TEST(r.partial_bytes() == 0u);
  }
}

// Issue 10's packet claimed 0xffffffff bytes: refused at the header, with 12 bytes held.
BOOST_AUTO_TEST_CASE(a_length_over_the_limit_is_refused_before_any_payload_is_kept) {
  Bytes header{'C', 'R', 'T', 1, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  FrameReader r;
  auto s = r.feed(header);
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.error().message.find("exceeds the limit") != std::string::npos);
  BOOST_TEST(r.partial_bytes() == 0u);
  BOOST_TEST(r.failed());
  BOOST_TEST(!r.feed(Bytes(100, 0)).ok());  // spent: the connection must be closed

  FrameReader at_limit(1024);
  BOOST_TEST(at_limit.feed(frame(FrameKind::envelope, Bytes(1024, 1), 1024)).ok());
  BOOST_TEST(drain(at_limit).size() == 1u);
  Bytes over{'C', 'R', 'T', 1, 2, 0, 0, 0, 0, 0, 0x04, 0x01};  // 1025
  BOOST_TEST(!at_limit.feed(over).ok());
  BOOST_TEST(!encode_frame(FrameKind::envelope, Bytes(1025, 0), 1024).ok());
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_refused) {
  const Bytes good = frame(FrameKind::keepalive, {});
  auto refused = [&](std::size_t byte, std::uint8_t value) {
    Bytes b = good;
    b[byte] = value;
    FrameReader r;
    return !r.feed(b).ok() && !r.next().has_value();
  };
  BOOST_TEST(refused(0, 'X'));  // magic
  BOOST_TEST(refused(3, 2));    // version
  BOOST_TEST(refused(4, 0));    // kind
  BOOST_TEST(refused(4, 4));
  BOOST_TEST(refused(6, 1));  // reserved
  FrameReader r;
  BOOST_TEST(r.feed(good).ok());
  BOOST_TEST(r.next().has_value());
}

// 100,000 seeded inputs: random bytes, and valid streams with bytes changed and cut short, fed
// in random pieces. Whatever comes in, the reader holds at most a header and one frame's limit,
// every frame it returns is within the limit and of a known kind, and an untouched stream
// comes out exactly as it went in.
BOOST_AUTO_TEST_CASE(fuzz_the_reader_with_100000_seeded_inputs) {
  constexpr std::size_t kMax = 256;
  Rng rng(20261205);
  std::size_t frames_out = 0, refused = 0, exact = 0;
  for (int input = 0; input < 100000; ++input) {
    Bytes stream;
    std::vector<Frame> sent;
    const bool garbage = rng.chance(0.3);
    if (garbage) {
      stream.resize(rng.uniform(0, 64));
      for (auto& b : stream) b = std::uint8_t(rng.uniform(0, 255));
      if (rng.chance(0.5) && stream.size() >= 4) std::copy_n("CRT\1", 4, stream.begin());
    } else {
      for (auto n = rng.uniform(1, 4); n > 0; --n) {
        Frame f{FrameKind(rng.uniform(1, 3)), Bytes(rng.uniform(0, kMax))};
        for (auto& b : f.payload) b = std::uint8_t(rng.uniform(0, 255));
        auto bytes = frame(f.kind, f.payload, kMax);
        stream.insert(stream.end(), bytes.begin(), bytes.end());
        sent.push_back(std::move(f));
      }
    }
    const bool mutated = !garbage && rng.chance(0.5);
    if (mutated) {
      for (auto k = rng.uniform(1, 3); k > 0; --k)
        stream[rng.uniform(0, stream.size() - 1)] = std::uint8_t(rng.uniform(0, 255));
      if (rng.chance(0.3)) stream.resize(rng.uniform(0, stream.size()));
    }
    FrameReader r(kMax);
    std::vector<Frame> got;
    auto s = feed_in_pieces(r, stream, rng, 1 + rng.uniform(0, 300), kMax, got);
    refused += !s.ok();
    for (const auto& f : got) {
      BOOST_REQUIRE(f.payload.size() <= kMax);
      BOOST_REQUIRE((f.kind == FrameKind::hello || f.kind == FrameKind::envelope ||
                     f.kind == FrameKind::keepalive));
    }
    frames_out += got.size();
    if (!s.ok()) BOOST_REQUIRE(!r.feed(Bytes{1}).ok());  // stays failed
    if (!garbage && !mutated) {
      BOOST_REQUIRE(s.ok());
      BOOST_REQUIRE((got == sent));
      ++exact;
    }
  }
  BOOST_TEST_MESSAGE(frames_out << " frames out, " << refused << " inputs refused, " << exact
                                << " clean streams exact");
  BOOST_TEST(refused > 10000u);  // not vacuous: many inputs were bad
  BOOST_TEST(exact > 20000u);
}
