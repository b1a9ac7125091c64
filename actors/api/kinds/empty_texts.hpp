// EmptyTexts: where a kind's objects can hold texts, worked out once from its schema, so that
// clearing the empty ones (object_to_bytes: Kubernetes omits empty strings, and equal objects
// must have equal bytes) walks only the pointer slots that can lead to a text, without capnp's
// reflection per field (StructSchema::Field::getType and DynamicStruct::has were most of what a
// pod binding cost the API server).
//
// A plan per struct type lists its pointer slots holding a text, a struct or a list of structs,
// each with the union discriminants it depends on (groups are flattened into their struct, as
// capnp lays them out). Recursive types share one plan. Immutable once made.
#pragma once

#include <capnp/any.h>
#include <capnp/schema.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace craton::api {

class EmptyTexts {
 public:
  /// The plan for structs of `schema` and of everything they hold.
  static std::shared_ptr<const EmptyTexts> of(capnp::StructSchema schema);

  /// Clears (nulls) every empty text in `object`, a struct of the plan's schema, at any depth.
  /// A struct written by an older schema (fewer pointers) is fine: absent slots are skipped.
  void clear(capnp::AnyStruct::Builder object) const;

 private:
  enum class What : std::uint8_t { text, structure, structs };
  struct Slot {
    What what = What::text;
    std::uint32_t pointer = 0;  ///< index in the struct's pointer section
    /// Union members: (discriminant offset in 16-bit words of the data section, value).
    std::vector<std::pair<std::uint32_t, std::uint16_t>> when;
    std::size_t plan = 0;  ///< the element struct's plan (structure, structs)
  };
  struct Plan {
    std::vector<Slot> slots;
  };

  EmptyTexts() = default;
  std::size_t plan_of(capnp::StructSchema schema, std::vector<std::uint64_t>& ids);
  void collect(capnp::StructSchema schema, std::size_t plan,
               const std::vector<std::pair<std::uint32_t, std::uint16_t>>& when,
               std::vector<std::uint64_t>& ids);
  void clear_with(const Plan& plan, capnp::AnyStruct::Builder object, int depth) const;

  std::vector<Plan> plans_;  ///< plans_[0]: the root schema's
};

}  // namespace craton::api
