// The pieces kube-apiserver's table printers (pkg/printers/internalversion) build cells from,
// shared by the kinds whose tables show labels, selectors or a pod template's containers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "schemas/api_pod.capnp.h"

namespace craton::api {

/// A cell's value, or "<none>" when it is empty (kube's printers' convention).
std::string or_none(const std::string& cell);
/// `parts` joined with `separator` (kube's printers join lists with ',').
std::string join(const std::vector<std::string>& parts, const std::string& separator = ",");

/// labels.FormatLabels: "a=1,b=2", sorted by key; "<none>" when empty.
std::string format_labels(const std::map<std::string, std::string>& labels);

/// metav1.FormatLabelSelector: the selector's string form ("app=web,tier in (a,b)"), "<none>"
/// when it selects everything, "<error>" when it is malformed.
std::string format_label_selector(schema::k8s::LabelSelector::Reader selector);

/// layoutContainerCells: the containers' names and images, each joined with ','.
struct ContainerCells {
  std::string names;
  std::string images;
};
ContainerCells container_cells(schema::k8s::PodSpec::Reader spec);

}  // namespace craton::api
