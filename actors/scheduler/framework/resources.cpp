// ResourceNames and Resources: the interned resource table and resource vector arithmetic.
#include "actors/scheduler/framework/resources.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::scheduler {

ResourceNames::ResourceNames() {
  for (std::string_view n : {"cpu", "memory", "ephemeral-storage", "pods"}) intern(n);
  CRATON_ASSERT(*find("pods") == kPods, "standard resources have fixed ids");
}

ResourceId ResourceNames::intern(std::string_view name) {
  if (const auto* id = find(name)) return *id;
  auto id = static_cast<ResourceId>(names_.size());
  names_.emplace_back(name);
  insufficient_.push_back("Insufficient " + names_.back());
  ids_.emplace(names_.back(), id);
  return id;
}

const ResourceId* ResourceNames::find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? nullptr : &it->second;
}

std::string_view ResourceNames::name(ResourceId id) const {
  CRATON_ASSERT(id < names_.size(), "resource id from this table");
  return names_[id];
}

std::string_view ResourceNames::insufficient_reason(ResourceId id) const {
  CRATON_ASSERT(id < insufficient_.size(), "resource id from this table");
  return insufficient_[id];
}

std::int64_t Resources::get(ResourceId id) const {
  switch (id) {
    case kCpu:
      return milli_cpu;
    case kMemory:
      return memory_bytes;
    case kEphemeralStorage:
      return ephemeral_storage_bytes;
    case kPods:
      return pods;
  }
  for (const auto& e : extended)
    if (e.id == id) return e.amount;
  return 0;
}

void Resources::set(ResourceId id, std::int64_t amount) {
  switch (id) {
    case kCpu:
      milli_cpu = amount;
      return;
    case kMemory:
      memory_bytes = amount;
      return;
    case kEphemeralStorage:
      ephemeral_storage_bytes = amount;
      return;
    case kPods:
      pods = amount;
      return;
  }
  auto it = std::lower_bound(extended.begin(), extended.end(), id,
                             [](const ExtendedAmount& e, ResourceId i) { return e.id < i; });
  if (it != extended.end() && it->id == id) {
    if (amount == 0)
      extended.erase(it);
    else
      it->amount = amount;
  } else if (amount != 0) {
    extended.insert(it, ExtendedAmount{id, amount});
  }
}

void Resources::add(const Resources& other) {
  milli_cpu += other.milli_cpu;
  memory_bytes += other.memory_bytes;
  ephemeral_storage_bytes += other.ephemeral_storage_bytes;
  pods += other.pods;
  for (const auto& e : other.extended) set(e.id, get(e.id) + e.amount);
}

void Resources::subtract(const Resources& other) {
  milli_cpu -= other.milli_cpu;
  memory_bytes -= other.memory_bytes;
  ephemeral_storage_bytes -= other.ephemeral_storage_bytes;
  pods -= other.pods;
  for (const auto& e : other.extended) set(e.id, get(e.id) - e.amount);
}

void Resources::raise_to(const Resources& other) {
  milli_cpu = std::max(milli_cpu, other.milli_cpu);
  memory_bytes = std::max(memory_bytes, other.memory_bytes);
  ephemeral_storage_bytes = std::max(ephemeral_storage_bytes, other.ephemeral_storage_bytes);
  pods = std::max(pods, other.pods);
  for (const auto& e : other.extended) set(e.id, std::max(get(e.id), e.amount));
}

}  // namespace craton::scheduler
