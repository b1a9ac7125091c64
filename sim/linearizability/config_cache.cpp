#include "sim/linearizability/config_cache.hpp"
#include "runtime/assert.hpp"

#include <algorithm>

namespace craton::linearizability {

ConfigCache::ConfigCache(std::size_t unknown_words) : words_(unknown_words), slots_(1024, 0) {}

std::uint64_t ConfigCache::slot_value(std::uint64_t hash, std::uint32_t k) {
  return (hash & 0xffffffff00000000ULL) | (std::uint64_t{k} + 1);
}

std::uint64_t ConfigCache::hash(const ConfigKey& key) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ ((std::uint64_t{key.state} << 32) | key.frontier);
  h *= 0x100000001b3ULL;
  for (std::uint32_t id : key.above) h = (h ^ id) * 0x100000001b3ULL;
  return h ^ (h >> 31);
}

bool ConfigCache::same_key(std::uint32_t k, const ConfigKey& key) const {
  const std::uint32_t* p = packed_.data() + key_offset_[k];
  if (p[0] != key.state || p[1] != key.frontier || p[2] != key.above.size()) return false;
  return std::equal(key.above.begin(), key.above.end(), p + 3);
}

void ConfigCache::grow() {
  std::vector<std::uint64_t> slots(slots_.size() * 2, 0);
  const std::size_t mask = slots.size() - 1;
  for (std::uint32_t k = 0; k < key_hash_.size(); ++k) {
    std::size_t i = key_hash_[k] & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = slot_value(key_hash_[k], k);
  }
  slots_.swap(slots);
}

std::uint32_t ConfigCache::find_or_add(const ConfigKey& key) {
  const std::uint64_t h = hash(key);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask) {
    if ((slots_[i] >> 32) != (h >> 32)) continue;  // cheap reject without touching the key
    const auto k = static_cast<std::uint32_t>(slots_[i] & 0xffffffffU) - 1;
    if (key_hash_[k] == h && same_key(k, key)) return k;
  }
  const auto k = static_cast<std::uint32_t>(key_hash_.size());
  key_offset_.push_back(packed_.size());
  packed_.push_back(key.state);
  packed_.push_back(key.frontier);
  packed_.push_back(static_cast<std::uint32_t>(key.above.size()));
  packed_.insert(packed_.end(), key.above.begin(), key.above.end());
  key_hash_.push_back(h);
  key_newest_.push_back(kEnd);
  slots_[i] = slot_value(h, k);
  if (key_hash_.size() * 2 > slots_.size()) grow();  // keep the load factor under 1/2
  return k;
}

bool ConfigCache::insert(const ConfigKey& key, std::span<const std::uint64_t> unknown) {
  CRATON_ASSERT(unknown.size() == words_, "one bit per operation");
  const std::uint32_t k = find_or_add(key);
  for (std::uint32_t e = key_newest_[k]; e != kEnd; e = chain_next_[e])
    if (subset(e, unknown)) return false;
  const auto entry = static_cast<std::uint32_t>(chain_next_.size());
  unknown_sets_.insert(unknown_sets_.end(), unknown.begin(), unknown.end());
  chain_next_.push_back(key_newest_[k]);
  key_newest_[k] = entry;
  return true;
}

// Is the entry's unknown-outcome set a subset of `unknown`?
bool ConfigCache::subset(std::uint32_t entry, std::span<const std::uint64_t> unknown) const {
  const std::uint64_t* old = unknown_sets_.data() + std::size_t{entry} * words_;
  for (std::size_t w = 0; w < words_; ++w)
    if ((old[w] & ~unknown[w]) != 0) return false;
  return true;
}

}  // namespace craton::linearizability
