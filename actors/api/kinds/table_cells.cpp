#include "actors/api/kinds/table_cells.hpp"

#include "actors/api/convert/string_map.hpp"
#include "actors/api/kinds/checks.hpp"

namespace craton::api {

std::string format_labels(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [key, value] : labels) out += (out.empty() ? "" : ",") + key + "=" + value;
  return out.empty() ? "<none>" : out;
}

std::string format_label_selector(schema::k8s::LabelSelector::Reader selector) {
  auto parsed = selector_of(selector);
  if (!parsed) return "<error>";
  auto out = parsed->to_string();
  return out.empty() ? "<none>" : out;
}

ContainerCells container_cells(schema::k8s::PodSpec::Reader spec) {
  ContainerCells out;
  auto containers = spec.getContainers();
  for (unsigned i = 0; i < containers.size(); ++i) {
    out.names += std::string(i ? "," : "") + text(containers[i].getName());
    out.images += std::string(i ? "," : "") + text(containers[i].getImage());
  }
  return out;
}

}  // namespace craton::api
