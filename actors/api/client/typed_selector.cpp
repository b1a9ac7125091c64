// Matching a typed metav1.LabelSelector against a typed label map.
#include "actors/api/client/typed_selector.hpp"

namespace craton::api {

const char* label_value(schema::k8s::StringMap::Reader labels, kj::StringPtr key) {
  for (auto entry : labels.getEntries())
    if (entry.getKey() == key) return entry.getValue().cStr();
  return nullptr;
}

bool labels_contain(schema::k8s::StringMap::Reader labels, schema::k8s::StringMap::Reader subset) {
  for (auto entry : subset.getEntries()) {
    auto value = label_value(labels, entry.getKey());
    if (value == nullptr || entry.getValue() != value) return false;
  }
  return true;
}

bool selector_matches(schema::k8s::LabelSelector::Reader selector,
                      schema::k8s::StringMap::Reader labels) {
  if (!labels_contain(labels, selector.getMatchLabels())) return false;
  for (auto requirement : selector.getMatchExpressions()) {
    auto value = label_value(labels, requirement.getKey());
    auto op = requirement.getOperator();
    bool listed = false;
    if (value != nullptr)
      for (auto v : requirement.getValues())
        if (v == value) listed = true;
    if (op == "In") {
      if (!listed) return false;
    } else if (op == "NotIn") {
      if (listed) return false;
    } else if (op == "Exists") {
      if (value == nullptr) return false;
    } else if (op == "DoesNotExist") {
      if (value != nullptr) return false;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace craton::api
