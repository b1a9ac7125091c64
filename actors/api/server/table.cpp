// Table columns and rows as kube-apiserver's printers produce them.
#include "actors/api/server/table.hpp"

#include <ctime>

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

std::string str(std::int64_t n) {
  return std::to_string(n);
}

}  // namespace

std::string human_duration(std::int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return str(seconds) + "s";
  auto minutes = seconds / 60;
  if (minutes < 10) return str(minutes) + "m" + (seconds % 60 ? str(seconds % 60) + "s" : "");
  if (minutes < 180) return str(minutes) + "m";
  auto hours = minutes / 60;
  if (hours < 8) return str(hours) + "h" + (minutes % 60 ? str(minutes % 60) + "m" : "");
  if (hours < 48) return str(hours) + "h";
  if (hours < 24 * 8) return str(hours / 24) + "d" + (hours % 24 ? str(hours % 24) + "h" : "");
  if (hours < 24 * 365 * 2) return str(hours / 24) + "d";
  auto days = hours / 24;
  if (hours < 24 * 365 * 8)
    return str(days / 365) + "y" + (days % 365 ? str(days % 365) + "d" : "");
  return str(days / 365) + "y";
}

std::optional<std::int64_t> parse_rfc3339(const std::string& time) {
  std::tm tm{};
  const char* end = ::strptime(time.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return std::int64_t(::timegm(&tm));  // fractions and a "Z" suffix do not change the second
}

std::string format_rfc3339(std::int64_t seconds) {
  std::time_t t = seconds;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

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
    for (auto& c : kind.cells(object)) cells.push_back(std::move(c));
  auto created = parse_rfc3339(text(meta.getCreationTimestamp()));
  if (kind.name_and_age)
    cells.push_back(created ? human_duration(now_seconds - *created) : "<unknown>");
  if (kind.wide_cells)
    for (auto& c : kind.wide_cells(object)) cells.push_back(std::move(c));
  return {{"cells", std::move(cells)},
          {"object",
           {{"kind", "PartialObjectMetadata"},
            {"apiVersion", "meta.k8s.io/v1"},
            {"metadata", std::move(metadata)}}}};
}

}  // namespace craton::api
