// StableHash: FNV-1a 64, identical on every build and platform. Used for trace hashes and
// seed derivation, where std::hash (which may change between library versions) will not do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace craton {

class StableHash {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h_ ^= c;
      h_ *= 0x100000001b3ULL;
    }
  }
  void add_u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xff;
      h_ *= 0x100000001b3ULL;
    }
  }
  std::uint64_t value() const { return h_; }
  /// 16 lowercase hex digits.
  std::string hex() const;

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

inline std::uint64_t stable_hash(std::string_view bytes) {
  StableHash h;
  h.add(bytes);
  return h.value();
}

}  // namespace craton
