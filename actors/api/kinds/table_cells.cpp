#include "actors/api/kinds/table_cells.hpp"

#include "actors/api/convert/string_map.hpp"
#include "actors/api/kinds/checks.hpp"

namespace craton::api {

std::string or_none(const std::string& cell) {
  return cell.empty() ? "<none>" : cell;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string format_labels(const std::map<std::string, std::string>& labels) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : labels) parts.push_back(key + "=" + value);
  return or_none(join(parts));
}

std::string format_label_selector(schema::k8s::LabelSelector::Reader selector) {
  auto parsed = selector_of(selector);
  return parsed ? or_none(parsed->to_string()) : "<error>";
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
