// EmptyTexts (see the header).
#include "actors/api/kinds/empty_texts.hpp"

#include <algorithm>

#include "runtime/assert.hpp"

namespace craton::api {
namespace {

// Deeper than any Kubernetes object nests; a message that does is left as it is below it
// (capnp's own reader limits nesting to 64 as well).
constexpr int kDepthMax = 64;

std::uint16_t discriminant(kj::ArrayPtr<capnp::byte> data, std::uint32_t offset) {
  std::size_t at = std::size_t{offset} * 2;
  if (at + 1 >= data.size()) return 0;  // beyond an older struct's data: the default
  return static_cast<std::uint16_t>(data[at] | (data[at + 1] << 8));  // capnp is little-endian
}

}  // namespace

std::shared_ptr<const EmptyTexts> EmptyTexts::of(capnp::StructSchema schema) {
  auto made = std::shared_ptr<EmptyTexts>(new EmptyTexts());
  std::vector<std::uint64_t> ids;
  made->plan_of(schema, ids);
  return made;
}

std::size_t EmptyTexts::plan_of(capnp::StructSchema schema, std::vector<std::uint64_t>& ids) {
  auto id = schema.getProto().getId();
  if (auto it = std::find(ids.begin(), ids.end(), id); it != ids.end())
    return std::size_t(it - ids.begin());
  ids.push_back(id);
  plans_.emplace_back();
  std::size_t index = plans_.size() - 1;
  collect(schema, index, {}, ids);
  return index;
}

void EmptyTexts::collect(capnp::StructSchema schema, std::size_t plan,
                         const std::vector<std::pair<std::uint32_t, std::uint16_t>>& when,
                         std::vector<std::uint64_t>& ids) {
  auto offset = schema.getProto().getStruct().getDiscriminantOffset();
  for (auto field : schema.getFields()) {
    auto proto = field.getProto();
    auto cases = when;
    if (proto.getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT)
      cases.emplace_back(offset, proto.getDiscriminantValue());
    auto type = field.getType();
    if (proto.isGroup()) {  // its fields live in this struct's sections
      collect(type.asStruct(), plan, cases, ids);
      continue;
    }
    Slot slot;
    slot.pointer = proto.getSlot().getOffset();
    slot.when = std::move(cases);
    if (type.isText()) {
      slot.what = What::text;
    } else if (type.isStruct()) {
      slot.what = What::structure;
      slot.plan = plan_of(type.asStruct(), ids);
    } else if (type.isList() && type.asList().getElementType().isStruct()) {
      slot.what = What::structs;
      slot.plan = plan_of(type.asList().getElementType().asStruct(), ids);
    } else {
      continue;  // no text inside
    }
    plans_[plan].slots.push_back(std::move(slot));  // by index: plan_of may have grown plans_
  }
}

void EmptyTexts::clear(capnp::AnyStruct::Builder object) const {
  CRATON_ASSERT(!plans_.empty(), "a plan made by EmptyTexts::of");
  clear_with(plans_[0], object, 0);
}

void EmptyTexts::clear_with(const Plan& plan, capnp::AnyStruct::Builder object, int depth) const {
  if (depth > kDepthMax) return;
  auto data = object.getDataSection();
  auto pointers = object.getPointerSection();
  for (const auto& slot : plan.slots) {
    if (slot.pointer >= pointers.size()) continue;
    bool selected = std::all_of(slot.when.begin(), slot.when.end(), [&](const auto& w) {
      return discriminant(data, w.first) == w.second;
    });
    if (!selected) continue;
    auto pointer = pointers[slot.pointer];
    if (pointer.isNull()) continue;
    switch (slot.what) {
      case What::text:
        if (pointer.getAs<capnp::Text>().size() == 0) pointer.clear();
        break;
      case What::structure:
        clear_with(plans_[slot.plan], pointer.getAs<capnp::AnyStruct>(), depth + 1);
        break;
      case What::structs: {
        auto list = pointer.getAs<capnp::AnyList>().as<capnp::List<capnp::AnyStruct>>();
        for (unsigned i = 0; i < list.size(); ++i)
          clear_with(plans_[slot.plan], list[i], depth + 1);
        break;
      }
    }
  }
}

}  // namespace craton::api
