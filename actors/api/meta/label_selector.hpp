// LabelSelector: Kubernetes' label selector in its string form (`kubectl get -l`, the
// `labelSelector` query parameter), parsed and matched as apimachinery's labels.Parse does:
//
//   env=prod, tier==web       equality: the label exists with that value ("a=" means "")
//   env!=prod                 inequality: the label is absent or has another value
//   env in (prod, qa)         set: the label exists with one of the values
//   env notin (prod)          the label is absent or has none of the values
//   env                       the label exists
//   !env                      the label does not exist
//   replicas>3, replicas<10   the label exists and, read as an integer, compares so
//
// Requirements are ANDed; the empty selector matches everything. Keys must be qualified names
// and values label values (names.hpp). Bounded: at most 16 KiB of text and 256 requirements;
// anything else is an error saying where.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace craton::api {

using Labels = std::map<std::string, std::string>;

enum class SelectorOp { equals, not_equals, in, not_in, exists, does_not_exist, greater, less };

struct Requirement {
  std::string key;
  SelectorOp op = SelectorOp::exists;
  std::vector<std::string> values;  ///< sorted; one for equals/not_equals/greater/less

  bool matches(const Labels& labels) const;
  bool operator==(const Requirement&) const = default;
};

inline constexpr std::size_t kSelectorBytesMax = 16 * 1024;
inline constexpr std::size_t kSelectorRequirementsMax = 256;

class LabelSelector {
 public:
  static Result<LabelSelector> parse(std::string_view text);
  /// matchLabels and matchExpressions of a metav1.LabelSelector, already checked.
  static LabelSelector from_requirements(std::vector<Requirement> requirements);

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  /// The canonical string form (requirements sorted by key, as Kubernetes prints them).
  std::string to_string() const;

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace craton::api
