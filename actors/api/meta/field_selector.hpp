// FieldSelector: Kubernetes' field selector (`kubectl get --field-selector`, the
// `fieldSelector` query parameter) as apimachinery's fields.ParseSelector reads it:
//
//   metadata.name=web-0, spec.nodeName!=node-3, status.phase==Running
//
// Operators =, == and !=; requirements ANDed; a value may hold '\,' '\=' '\\' escapes. Which
// fields a resource supports is the resource's business (metadata.name and metadata.namespace
// always; pods add spec.nodeName, status.phase, ...): supported_by() says which one is not,
// in kube-apiserver's words. Bounded like label selectors (16 KiB, 256 requirements).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace craton::api {

struct FieldRequirement {
  std::string field;
  bool equals = true;  ///< false: !=
  std::string value;
  bool operator==(const FieldRequirement&) const = default;
};

class FieldSelector {
 public:
  static Result<FieldSelector> parse(std::string_view text);

  /// Ok, or `field label not supported: X` (a 400 Bad Request) for the first unknown field.
  Status supported_by(const std::set<std::string>& fields) const;
  /// `value_of(field)` gives an object's value of a field (nullopt: the field is empty).
  bool matches(const std::function<std::optional<std::string>(const std::string&)>& value_of) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<FieldRequirement> requirements_;
};

}  // namespace craton::api
