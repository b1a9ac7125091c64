// Seeded, deterministic pseudo-random numbers for the scheduler (no global generator, no clock):
// SplitMix64 for a stream from a seed (tie breaking among equally scored nodes), and a stable
// mix of a seed with text (the RandomScore policy: one number per pod and node, the same on
// every run and every machine, unlike std::hash, whose values the standard leaves open).
#pragma once

#include <cstdint>
#include <string_view>

namespace craton::scheduler {

/// SplitMix64: advances `state` and returns the next number of its stream.
inline std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// `seed` mixed with `text` (FNV-1a over the bytes, then one SplitMix64 step).
inline std::uint64_t mix_text(std::uint64_t seed, std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return next_random(h);
}

}  // namespace craton::scheduler
