// Table columns and rows as kube-apiserver's printers produce them.
#include "actors/api/server/table.hpp"

#include "schemas/api_meta.capnp.h"

namespace craton::api {
namespace {

nlohmann::json column(const TableColumn& c) {
  return {{"name", c.name},
          {"type", c.type},
          {"format", c.format},
          {"description", c.description},
          {"priority", c.priority}};
}

}  // namespace

nlohmann::json table_columns(const Kind& kind) {
  auto out = nlohmann::json::array();
  if (!kind.name_and_age) {
    for (const auto& c : kind.columns) out.push_back(column(c));
    for (const auto& c : kind.wide_columns) out.push_back(column(c));
    return out;
  }
  out.push_back(column(
      {"Name", "string", "name", "Name must be unique within a namespace. Cannot be updated."}));
  for (const auto& c : kind.columns) out.push_back(column(c));
  out.push_back(column({"Age", "string", "",
                        "CreationTimestamp is a timestamp representing the server time when "
                        "this object was created."}));
  for (const auto& c : kind.wide_columns) out.push_back(column(c));
  return out;
}

nlohmann::json table_row(const Kind& kind, ObjectReader object, nlohmann::json metadata,
                         std::int64_t now_seconds) {
  auto meta = object.get("metadata").as<capnp::DynamicStruct>().as<schema::k8s::ObjectMeta>();
  auto cells = nlohmann::json::array();
  if (kind.name_and_age) cells.push_back(text(meta.getName()));
  if (kind.cells)
    for (auto& c : kind.cells(object, now_seconds)) cells.push_back(std::move(c));
  auto created = parse_rfc3339(text(meta.getCreationTimestamp()));
  if (kind.name_and_age)
    cells.push_back(created ? human_duration(now_seconds - *created) : "<unknown>");
  if (kind.wide_cells)
    for (auto& c : kind.wide_cells(object, now_seconds)) cells.push_back(std::move(c));
  return {{"cells", std::move(cells)},
          {"object",
           {{"kind", "PartialObjectMetadata"},
            {"apiVersion", "meta.k8s.io/v1"},
            {"metadata", std::move(metadata)}}}};
}

}  // namespace craton::api
