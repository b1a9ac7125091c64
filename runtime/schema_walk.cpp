#include "runtime/schema_walk.hpp"

#include <kj/debug.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace craton {
namespace {

struct Layout;

// What one pointer slot must hold.
struct PointerSlot {
  std::uint32_t index = 0;
  capnp::Type type;                // the field's type (struct, list, text or data)
  const Layout* target = nullptr;  // struct, or list of struct: the element's layout
};

// The pointer part of a struct (or of a group inside it, which shares its sections).
struct Layout {
  std::vector<PointerSlot> pointers;
  std::vector<Layout> groups;  // non-union groups, walked on the same struct
  bool has_union = false;
  std::uint32_t discriminant_offset = 0;  // in 16-bit units of the data section
  std::vector<Layout> members;            // by discriminant value
};

std::mutex plans_mutex;
std::map<std::uint64_t, std::unique_ptr<Layout>> plans;  // by struct schema id

const Layout& plan_for(capnp::StructSchema schema);

// Caller holds plans_mutex.
const Layout& plan_locked(capnp::StructSchema schema);

void plan_field(capnp::StructSchema::Field field, Layout& out) {
  auto proto = field.getProto();
  if (proto.isGroup()) {
    out.groups.push_back({});
    Layout& group = out.groups.back();
    auto schema = field.getType().asStruct();
    for (auto f : schema.getNonUnionFields()) plan_field(f, group);
    if (schema.getUnionFields().size() > 0) {
      group.has_union = true;
      group.discriminant_offset = schema.getProto().getStruct().getDiscriminantOffset();
      group.members.resize(schema.getUnionFields().size());
      for (auto f : schema.getUnionFields())
        plan_field(f, group.members[f.getProto().getDiscriminantValue()]);
    }
    return;
  }
  auto type = field.getType();
  if (!(type.isStruct() || type.isList() || type.isText() || type.isData())) return;
  PointerSlot slot{proto.getSlot().getOffset(), type, nullptr};
  if (type.isStruct()) slot.target = &plan_locked(type.asStruct());
  if (type.isList() && type.asList().getElementType().isStruct())
    slot.target = &plan_locked(type.asList().getElementType().asStruct());
  out.pointers.push_back(slot);
}

const Layout& plan_locked(capnp::StructSchema schema) {
  auto id = schema.getProto().getId();
  if (auto it = plans.find(id); it != plans.end()) return *it->second;
  // Insert first so that recursive types find their (still filling) layout.
  Layout& layout = *plans.emplace(id, std::make_unique<Layout>()).first->second;
  for (auto f : schema.getNonUnionFields()) plan_field(f, layout);
  if (schema.getUnionFields().size() > 0) {
    layout.has_union = true;
    layout.discriminant_offset = schema.getProto().getStruct().getDiscriminantOffset();
    layout.members.resize(schema.getUnionFields().size());
    for (auto f : schema.getUnionFields())
      plan_field(f, layout.members[f.getProto().getDiscriminantValue()]);
  }
  return layout;
}

const Layout& plan_for(capnp::StructSchema schema) {
  std::lock_guard<std::mutex> lock(plans_mutex);
  return plan_locked(schema);
}

void walk(const Layout& layout, capnp::AnyStruct::Reader s);

// Reads a list's elements through Cap'n Proto's typed getters, which check element sizes.
void walk_list(const PointerSlot& slot, capnp::AnyPointer::Reader p) {
  auto element = slot.type.asList().getElementType();
  switch (element.which()) {
    case capnp::schema::Type::STRUCT: {
      // Cap'n Proto reads any list but a bit list as a struct list (schema upgrades).
      auto list = p.getAs<capnp::AnyList>();
      KJ_REQUIRE(list.getElementSize() != capnp::ElementSize::BIT,
                 "bit list where a struct list was expected");
      for (auto e : list.as<capnp::List<capnp::AnyStruct>>()) walk(*slot.target, e);
      return;
    }
    case capnp::schema::Type::TEXT:
      for (auto e : p.getAs<capnp::List<capnp::Text>>()) (void)e;
      return;
    case capnp::schema::Type::DATA:
      for (auto e : p.getAs<capnp::List<capnp::Data>>()) (void)e;
      return;
    case capnp::schema::Type::LIST:
    case capnp::schema::Type::ANY_POINTER:
    case capnp::schema::Type::INTERFACE:
      (void)p.getAs<capnp::AnyList>();
      return;
    case capnp::schema::Type::BOOL:
      (void)p.getAs<capnp::List<bool>>();
      return;
    case capnp::schema::Type::VOID:
      (void)p.getAs<capnp::List<capnp::Void>>();
      return;
    case capnp::schema::Type::INT8:
    case capnp::schema::Type::UINT8:
      (void)p.getAs<capnp::List<std::uint8_t>>();
      return;
    case capnp::schema::Type::INT16:
    case capnp::schema::Type::UINT16:
    case capnp::schema::Type::ENUM:
      (void)p.getAs<capnp::List<std::uint16_t>>();
      return;
    case capnp::schema::Type::INT32:
    case capnp::schema::Type::UINT32:
    case capnp::schema::Type::FLOAT32:
      (void)p.getAs<capnp::List<std::uint32_t>>();
      return;
    default:
      (void)p.getAs<capnp::List<std::uint64_t>>();
      return;
  }
}

void walk_slot(const PointerSlot& slot, capnp::AnyPointer::Reader p) {
  if (p.isNull()) return;
  if (slot.type.isText())
    (void)p.getAs<capnp::Text>();
  else if (slot.type.isData())
    (void)p.getAs<capnp::Data>();
  else if (slot.type.isStruct())
    walk(*slot.target, p.getAs<capnp::AnyStruct>());
  else
    walk_list(slot, p);
}

void walk(const Layout& layout, capnp::AnyStruct::Reader s) {
  auto pointers = s.getPointerSection();
  for (const auto& slot : layout.pointers)
    if (slot.index < pointers.size()) walk_slot(slot, pointers[slot.index]);
  for (const auto& group : layout.groups) walk(group, s);
  if (!layout.has_union) return;
  auto data = s.getDataSection();
  std::size_t at = std::size_t{layout.discriminant_offset} * 2;
  std::uint16_t which = at + 2 <= data.size() ? std::uint16_t(data[at] | (data[at + 1] << 8)) : 0;
  if (which < layout.members.size()) walk(layout.members[which], s);
}

}  // namespace

void walk_by_schema(capnp::StructSchema schema, capnp::AnyStruct::Reader root) {
  walk(plan_for(schema), root);
}

}  // namespace craton
