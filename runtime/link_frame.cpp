// Link frames: encoding, and the reader that checks every header before keeping a payload.
#include "runtime/link_frame.hpp"

#include <algorithm>

namespace craton {
namespace {

constexpr std::uint8_t kMagic[4] = {'C', 'R', 'T', 1};  // the last byte is the version

bool known_kind(std::uint8_t k) {
  return k == std::uint8_t(FrameKind::hello) || k == std::uint8_t(FrameKind::envelope) ||
         k == std::uint8_t(FrameKind::keepalive);
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_frame(FrameKind kind,
                                               std::span<const std::uint8_t> payload,
                                               std::size_t frame_bytes_max) {
  if (payload.size() > frame_bytes_max)
    return Error{"too_large", "frame payload of " + std::to_string(payload.size()) +
                                  " bytes exceeds " + std::to_string(frame_bytes_max)};
  std::vector<std::uint8_t> out(kFrameHeaderBytes + payload.size());
  std::copy(std::begin(kMagic), std::end(kMagic), out.begin());
  out[4] = std::uint8_t(kind);
  const auto n = std::uint32_t(payload.size());
  for (int i = 0; i < 4; ++i) out[8 + i] = std::uint8_t(n >> (24 - 8 * i));
  std::copy(payload.begin(), payload.end(), out.begin() + kFrameHeaderBytes);
  return out;
}

Status FrameReader::fail(std::string why) {
  error_ = Error{"bad_frame", std::move(why)};
  partial_.clear();
  partial_.shrink_to_fit();
  return *error_;
}

Status FrameReader::check_header() {
  if (!std::equal(std::begin(kMagic), std::end(kMagic), partial_.begin()))
    return fail("not a Craton link frame (bad magic or version)");
  if (!known_kind(partial_[4])) return fail("unknown frame kind " + std::to_string(partial_[4]));
  if (partial_[5] != 0 || partial_[6] != 0 || partial_[7] != 0)
    return fail("reserved header bytes are not zero");
  std::uint64_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | partial_[8 + i];
  if (n > frame_bytes_max_)
    return fail("frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                std::to_string(frame_bytes_max_));
  payload_bytes_ = std::size_t(n);
  header_read_ = true;
  return Ok{};
}

Status FrameReader::feed(std::span<const std::uint8_t> bytes) {
  if (error_) return *error_;
  while (!bytes.empty()) {
    // Only what the current part (header, then payload) still lacks: never more.
    const auto want = header_read_ ? kFrameHeaderBytes + payload_bytes_ : kFrameHeaderBytes;
    const auto take = std::min(bytes.size(), want - partial_.size());
    partial_.insert(partial_.end(), bytes.begin(), bytes.begin() + std::ptrdiff_t(take));
    bytes = bytes.subspan(take);
    if (partial_.size() < want) continue;
    if (!header_read_) {
      if (auto s = check_header(); !s) return s;
      if (payload_bytes_ > 0) continue;
    }
    Frame f{FrameKind(partial_[4]),
            std::vector<std::uint8_t>(partial_.begin() + kFrameHeaderBytes, partial_.end())};
    ready_.push_back(std::move(f));
    partial_.clear();
    header_read_ = false;
    payload_bytes_ = 0;
  }
  return Ok{};
}

std::optional<Frame> FrameReader::next() {
  if (taken_ == ready_.size()) {
    ready_.clear();
    taken_ = 0;
    return std::nullopt;
  }
  return std::move(ready_[taken_++]);
}

}  // namespace craton
