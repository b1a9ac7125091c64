// The pieces every kind's validation is made of, worded as Kubernetes words them
// (apimachinery's field.Error): each appends a StatusCause naming the field's path, so a 422
// Invalid lists every problem at once ("spec.containers[0].image: Required value").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "actors/api/meta/label_selector.hpp"
#include "actors/api/registry/object_meta.hpp"
#include "runtime/result.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::api {

using Causes = std::vector<StatusCause>;

void cause(Causes& causes, const std::string& reason, const std::string& field,
           const std::string& message);
/// FieldValueInvalid: `Invalid value: "<value>": <why>`.
void invalid(Causes& causes, const std::string& field, const std::string& value,
             const std::string& why);
void invalid(Causes& causes, const std::string& field, std::int64_t value, const std::string& why);
/// FieldValueInvalid with a value that is not a string, printed unquoted as Go's %#v prints it
/// (`map[string]string{"app":"web"}`, `v1.LabelSelector{...}`; the go_* functions below).
void invalid_go(Causes& causes, const std::string& field, const std::string& go_value,
                const std::string& why);
/// FieldValueForbidden: `Forbidden: <why>`.
void forbidden(Causes& causes, const std::string& field, const std::string& why);
/// FieldValueRequired: `Required value[: <why>]`.
void required(Causes& causes, const std::string& field, const std::string& why = "");
/// FieldValueNotSupported: `Unsupported value: "<value>": supported values: "a", "b"`.
void not_supported(Causes& causes, const std::string& field, const std::string& value,
                   const std::vector<std::string>& supported);
/// FieldValueDuplicate: `Duplicate value: "<value>"`.
void duplicate(Causes& causes, const std::string& field, const std::string& value);
/// FieldValueNotFound: `Not found: "<value>"`.
void not_found(Causes& causes, const std::string& field, const std::string& value);

/// `value` must be one of `supported` (checked only when non-empty unless `required_value`).
void check_enum(Causes& causes, const std::string& field, const std::string& value,
                const std::vector<std::string>& supported, bool required_value = false);
void check_dns_label(Causes& causes, const std::string& field, const std::string& value);
void check_dns_subdomain(Causes& causes, const std::string& field, const std::string& value);
void check_non_negative(Causes& causes, const std::string& field, std::int64_t value);
/// Label maps (labels, nodeSelector, selectors): qualified keys, label values.
void check_label_map(Causes& causes, const std::string& field,
                     const std::map<std::string, std::string>& labels);
/// A quantity's syntax; `non_negative` as resources need.
void check_quantity(Causes& causes, const std::string& field, const std::string& value,
                    bool non_negative = true);
/// requests/limits/capacity: resource names are qualified names (standard or extended), values
/// non-negative quantities.
void check_resource_list(Causes& causes, const std::string& field,
                         schema::k8s::ResourceList::Reader list);
/// A metav1.LabelSelector's syntax.
void check_label_selector(Causes& causes, const std::string& field,
                          schema::k8s::LabelSelector::Reader selector);
/// An IntOrString that is a non-negative integer or a percentage ("25%").
void check_int_or_percent(Causes& causes, const std::string& field,
                          schema::k8s::IntOrString::Reader value);
/// A port number 1..65535.
void check_port(Causes& causes, const std::string& field, std::int64_t port);
/// An IANA service name (port names): <= 15 characters, lowercase alphanumerics and '-', at
/// least one letter, no "--", no leading or trailing '-'.
void check_port_name(Causes& causes, const std::string& field, const std::string& name);
void check_ip(Causes& causes, const std::string& field, const std::string& ip);

/// A metav1.LabelSelector as a selector (nullopt-equivalent: an error when it is malformed).
Result<LabelSelector> selector_of(schema::k8s::LabelSelector::Reader selector);

/// Writes every quantity in its canonical form ("1000m" -> "1"); malformed ones are left for
/// validation to report.
void canonicalize(schema::k8s::ResourceList::Builder list);

/// Values as Go's %#v prints them, for the messages Kubernetes words with them:
/// `map[string]string{"a":"1", "b":"2"}` (`map[string]string(nil)` when empty),
/// `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`,
/// `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`.
std::string go_string_map(const std::map<std::string, std::string>& map);
std::string go_label_selector(schema::k8s::LabelSelector::Reader selector);
std::string go_int_or_string(schema::k8s::IntOrString::Reader value);

/// "[3]" appended to a path.
std::string at(const std::string& field, std::size_t index);

}  // namespace craton::api
