// ByteWriter / ByteReader: the fixed binary layout of Craton's LMDB records.
//
// Integers are big-endian so that encoded integers used as LMDB keys sort numerically.
// ByteReader never reads past its input: every read reports failure instead, and callers turn
// a failed decode into a "corrupt" error. Records start with a format version byte so the
// layout can evolve.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace craton::storage {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  /// Length-prefixed bytes (u32 length).
  void bytes(std::string_view b) {
    std::uint32_t n = static_cast<std::uint32_t>(b.size());
    for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(n >> shift));
    out_.append(b);
  }
  /// Unprefixed bytes, for a trailing field.
  void raw(std::string_view b) { out_.append(b); }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool u8(std::uint8_t& v) {
    if (in_.empty()) return false;
    v = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool u64(std::uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool i64(std::int64_t& v) {
    std::uint64_t u = 0;
    if (!u64(u)) return false;
    v = static_cast<std::int64_t>(u);
    return true;
  }
  bool bytes(std::string_view& b) {
    if (in_.size() < 4) return false;
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(4);
    if (in_.size() < n) return false;
    b = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  /// Everything left.
  std::string_view rest() {
    std::string_view r = in_;
    in_ = {};
    return r;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

/// An 8-byte big-endian key for `v`: byte order equals numeric order.
inline std::string u64_key(std::uint64_t v) {
  ByteWriter w;
  w.u64(v);
  return w.take();
}

/// Decodes a u64_key; false when `k` is not 8 bytes.
inline bool parse_u64_key(std::string_view k, std::uint64_t& v) {
  ByteReader r(k);
  return k.size() == 8 && r.u64(v);
}

}  // namespace craton::storage
