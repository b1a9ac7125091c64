// Link frames: the unit our own link transport carries (docs/tls.md, "The choice"), and the
// reader that turns a byte stream from a peer into frames without ever trusting it.
//
//   0      4     5      8              12
//   | "CRT" 1 | kind | 0 0 0 | length (u32, big-endian) | payload: `length` bytes |
//
// Kinds: hello (the handshake: which node speaks), envelope (one encoded Envelope, as the
// router sends), keepalive (empty). A frame is at most frame_bytes_max of payload, the
// envelope limit (CodecLimits::message_bytes_max, 4 MiB).
//
// Promises of FrameReader, whatever the bytes:
// - Nothing is allocated on a peer's word: the header's length is checked against the limit
//   as soon as the header is complete, before any byte of the payload is kept, and the buffer
//   grows only with bytes that actually arrived. So a reader never holds more than
//   kFrameHeaderBytes + frame_bytes_max bytes.
// - A bad magic or version, an unknown kind, non-zero reserved bytes or a length over the limit
//   is an error; the reader is then spent (the connection must be closed) and every later
//   feed() returns the same error.
// - Frames come out whole, in order, however the stream was cut into feeds.
// Pure C++ (no CAF, no I/O).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton {

enum class FrameKind : std::uint8_t { hello = 1, envelope = 2, keepalive = 3 };

inline constexpr std::size_t kFrameHeaderBytes = 12;
inline constexpr std::size_t kFrameBytesMaxDefault = std::size_t{4} << 20;

struct Frame {
  FrameKind kind = FrameKind::keepalive;
  std::vector<std::uint8_t> payload;
  bool operator==(const Frame&) const = default;
};

/// The bytes of one frame; an error if the payload exceeds `frame_bytes_max`.
Result<std::vector<std::uint8_t>> encode_frame(FrameKind kind,
                                               std::span<const std::uint8_t> payload,
                                               std::size_t frame_bytes_max = kFrameBytesMaxDefault);

class FrameReader {
 public:
  explicit FrameReader(std::size_t frame_bytes_max = kFrameBytesMaxDefault)
      : frame_bytes_max_(frame_bytes_max) {}

  /// Takes the next bytes of the stream. Complete frames are then available from next().
  /// An error means the stream is bad (see the promises); the reader stays failed.
  Status feed(std::span<const std::uint8_t> bytes);
  /// The oldest complete frame not yet taken.
  std::optional<Frame> next();

  /// Bytes held: at most kFrameHeaderBytes + frame_bytes_max plus frames not yet taken.
  std::size_t partial_bytes() const { return partial_.size(); }
  bool failed() const { return error_.has_value(); }

 private:
  Status fail(std::string why);
  Status check_header();

  std::size_t frame_bytes_max_;
  std::vector<std::uint8_t> partial_;  ///< the frame being read: header, then payload so far
  std::size_t payload_bytes_ = 0;      ///< the current frame's length, once its header is read
  bool header_read_ = false;
  std::vector<Frame> ready_;  ///< complete frames, oldest first (taken from the front)
  std::size_t taken_ = 0;
  std::optional<Error> error_;
};

}  // namespace craton
