#include "actors/api/convert/zero_fields.hpp"

#include "actors/api/convert/kube_json.hpp"

namespace craton::api {

ZeroFields ZeroFields::of(capnp::StructSchema schema, const std::vector<std::string>& paths) {
  ZeroFields out;
  for (const auto& path : paths) out.add(schema, path);
  return out;
}

void ZeroFields::add(capnp::StructSchema schema, std::string_view path) {
  auto dot = path.find('.');
  std::string_view name = path.substr(0, dot);
  bool list = name.ends_with("[]");
  if (list) name.remove_suffix(2);
  auto field = find_json_field(schema, name);
  if (!field) return;
  auto type = field->getType();
  auto& node = fields[std::uint16_t(field->getIndex())];
  if (dot == std::string_view::npos) {
    node.zero = true;
    return;
  }
  // "name[]" steps into a list of structs' elements; a plain name into a struct.
  if (list && type.isList() && type.asList().getElementType().isStruct())
    node.add(type.asList().getElementType().asStruct(), path.substr(dot + 1));
  else if (!list && type.isStruct())
    node.add(type.asStruct(), path.substr(dot + 1));
}

const ZeroFields* ZeroFields::find(std::uint16_t index) const {
  auto it = fields.find(index);
  return it == fields.end() ? nullptr : &it->second;
}

}  // namespace craton::api
