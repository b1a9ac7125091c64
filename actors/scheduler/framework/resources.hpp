// Resources: the scheduler's resource vector (milli-CPU, memory bytes, ephemeral-storage bytes,
// pods, and extended resources such as nvidia.com/gpu), and ResourceNames, the table that turns
// a resource name into a small integer id once, where objects are converted, so Filter and Score
// compare ids and never strings. Promises: ids are dense and stable for the table's lifetime;
// the four standard resources always have the ids below; every string_view the table hands out
// (names, "Insufficient <name>" reasons) stays valid as long as the table lives.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace craton::scheduler {

using ResourceId = std::uint32_t;

inline constexpr ResourceId kCpu = 0;               ///< "cpu", in milli-CPU
inline constexpr ResourceId kMemory = 1;            ///< "memory", in bytes
inline constexpr ResourceId kEphemeralStorage = 2;  ///< "ephemeral-storage", in bytes
inline constexpr ResourceId kPods = 3;              ///< "pods", a count
inline constexpr ResourceId kFirstExtended = 4;

/// Interned resource names. Not thread-safe: the scheduler's converter interns while it decodes
/// objects, on one thread; plugins only read.
class ResourceNames {
 public:
  ResourceNames();
  ResourceNames(const ResourceNames&) = delete;
  ResourceNames& operator=(const ResourceNames&) = delete;

  /// The id of `name`, added when new.
  ResourceId intern(std::string_view name);
  /// The id of `name` if known.
  const ResourceId* find(std::string_view name) const;
  std::string_view name(ResourceId id) const;
  /// Kubernetes' NodeResourcesFit reason for the resource: "Insufficient <name>".
  std::string_view insufficient_reason(ResourceId id) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::deque<std::string> names_;         ///< by id; a deque keeps views stable as it grows
  std::deque<std::string> insufficient_;  ///< by id
  std::unordered_map<std::string_view, ResourceId> ids_;
};

/// One extended resource amount.
struct ExtendedAmount {
  ResourceId id = 0;
  std::int64_t amount = 0;
  bool operator==(const ExtendedAmount&) const = default;
};

/// A resource vector. Extended amounts are kept sorted by id, without zeros.
struct Resources {
  std::int64_t milli_cpu = 0;
  std::int64_t memory_bytes = 0;
  std::int64_t ephemeral_storage_bytes = 0;
  std::int64_t pods = 0;
  std::vector<ExtendedAmount> extended;

  std::int64_t get(ResourceId id) const;
  void set(ResourceId id, std::int64_t amount);
  void add(const Resources& other);
  void subtract(const Resources& other);
  /// Per resource, the larger of the two (Kubernetes' init-container rule).
  void raise_to(const Resources& other);
  bool operator==(const Resources&) const = default;
};

}  // namespace craton::scheduler
