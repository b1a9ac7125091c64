#include "sim/linearizability/config_cache.hpp"

#include <cassert>

namespace craton::linearizability {

bool ConfigCache::insert(ConfigKey key, const std::vector<std::uint64_t>& unknown) {
  assert(unknown.size() == words_);
  auto [it, inserted] = heads_.try_emplace(std::move(key), kEnd);
  for (std::uint32_t e = it->second; e != kEnd; e = chain_next_[e])
    if (subset(e, unknown)) return false;
  const auto entry = static_cast<std::uint32_t>(chain_next_.size());
  unknown_sets_.insert(unknown_sets_.end(), unknown.begin(), unknown.end());
  chain_next_.push_back(it->second);
  it->second = entry;
  return true;
}

// Is the entry's unknown-outcome set a subset of `unknown`?
bool ConfigCache::subset(std::uint32_t entry, const std::vector<std::uint64_t>& unknown) const {
  const std::uint64_t* old = unknown_sets_.data() + std::size_t{entry} * words_;
  for (std::size_t w = 0; w < words_; ++w)
    if ((old[w] & ~unknown[w]) != 0) return false;
  return true;
}

}  // namespace craton::linearizability
