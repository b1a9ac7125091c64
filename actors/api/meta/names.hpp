// Kubernetes' name and metadata syntax (k8s.io/apimachinery/pkg/util/validation), as the API
// server's admission checks it. Pure functions; each returns the messages Kubernetes gives
// (empty: valid), so that a 422 Invalid Status can list them per field.
//
//   DNS-1123 subdomain  object names of most kinds: <= 253, [a-z0-9]([-a-z0-9]*[a-z0-9])? parts
//                       separated by '.'
//   DNS-1123 label      namespace names, Service names: <= 63, [a-z0-9]([-a-z0-9]*[a-z0-9])?
//   qualified name      label and annotation keys: [prefix/]name, prefix a DNS-1123 subdomain,
//                       name <= 63, ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
//   label value         <= 63, empty or ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
//   annotations         keys qualified names, keys and values together <= 256 KiB
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace craton::api {

inline constexpr std::size_t kDns1123SubdomainMax = 253;
inline constexpr std::size_t kDns1123LabelMax = 63;
inline constexpr std::size_t kQualifiedNameMax = 63;
inline constexpr std::size_t kLabelValueMax = 63;
inline constexpr std::size_t kAnnotationsBytesMax = 256 * 1024;

std::vector<std::string> check_dns1123_subdomain(std::string_view value);
std::vector<std::string> check_dns1123_label(std::string_view value);
std::vector<std::string> check_qualified_name(std::string_view value);
std::vector<std::string> check_label_value(std::string_view value);

/// Every problem of a label map, each prefixed by the key it concerns.
std::vector<std::string> check_labels(const std::map<std::string, std::string>& labels);
/// Keys must be qualified names; keys and values together at most 256 KiB.
std::vector<std::string> check_annotations(const std::map<std::string, std::string>& annotations);

/// A version-4 UUID's text, from a source of random 64-bit numbers.
std::string random_uid(const std::function<std::uint64_t()>& next);
/// A generateName suffix: 5 characters of Kubernetes' rand.String alphabet.
std::string random_name_suffix(const std::function<std::uint64_t()>& next);

}  // namespace craton::api
