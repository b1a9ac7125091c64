// Rng: the seeded pseudo-random generator every actor gets from its environment. Actors never
// use rand() or std::random_device; in simulation the seed derives from the world seed and the
// actor's address, so a run replays exactly from its seed.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "runtime/stable_hash.hpp"

namespace craton {

/// Mixes a parent seed with a name (an address, a purpose) into an independent child seed.
inline std::uint64_t derive_seed(std::uint64_t parent, std::string_view name) {
  StableHash h;
  h.add_u64(parent);
  h.add(name);
  return h.value();
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}

  /// Uniform integer in [lo, hi] (inclusive). Precondition: lo <= hi.
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return lo + gen_() % (hi - lo + 1);  // bias is negligible for our small ranges
  }
  /// Uniform double in [0, 1).
  double unit() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  /// True with probability p.
  bool chance(double p) { return p > 0 && unit() < p; }
  std::uint64_t next() { return gen_(); }

 private:
  std::mt19937_64 gen_;
};

}  // namespace craton
