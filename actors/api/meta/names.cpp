// Kubernetes' name syntax; the messages follow apimachinery's validation package word for
// word where kubectl users will see them.
#include "actors/api/meta/names.hpp"

namespace craton::api {
namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool alnum(char c) {
  return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool is_dns_label(std::string_view s) {
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (char c : s)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool is_qualified_part(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string too_long(std::size_t max) {
  return "must be no more than " + std::to_string(max) + " characters";
}

}  // namespace

std::vector<std::string> check_dns1123_label(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > kDns1123LabelMax) out.push_back(too_long(kDns1123LabelMax));
  if (!is_dns_label(value))
    out.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or "
        "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  return out;
}

std::vector<std::string> check_dns1123_subdomain(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > kDns1123SubdomainMax) out.push_back(too_long(kDns1123SubdomainMax));
  bool ok = !value.empty();
  for (std::size_t start = 0; ok && start <= value.size();) {
    auto dot = value.find('.', start);
    auto part = value.substr(start, dot == std::string_view::npos ? value.npos : dot - start);
    ok = is_dns_label(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!ok)
    out.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
        "'-' or '.', and must start and end with an alphanumeric character (e.g. "
        "'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  return out;
}

std::vector<std::string> check_qualified_name(std::string_view value) {
  std::vector<std::string> out;
  auto slash = value.find('/');
  auto name = value;
  if (slash != std::string_view::npos) {
    auto prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      out.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : check_dns1123_subdomain(prefix)) out.push_back("prefix part " + m);
    }
  }
  if (name.empty()) {
    out.push_back("name part must be non-empty");
    return out;
  }
  if (name.size() > kQualifiedNameMax) out.push_back("name part " + too_long(kQualifiedNameMax));
  if (!is_qualified_part(name))
    out.push_back(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
        "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  return out;
}

std::vector<std::string> check_label_value(std::string_view value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  if (value.size() > kLabelValueMax) out.push_back(too_long(kLabelValueMax));
  if (!is_qualified_part(value))
    out.push_back(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', "
        "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
        "or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  return out;
}

std::vector<std::string> check_labels(const std::map<std::string, std::string>& labels) {
  std::vector<std::string> out;
  for (const auto& [key, value] : labels) {
    for (auto& m : check_qualified_name(key)) out.push_back(key + ": " + m);
    for (auto& m : check_label_value(value)) out.push_back(key + ": " + m);
  }
  return out;
}

std::vector<std::string> check_annotations(const std::map<std::string, std::string>& annotations) {
  std::vector<std::string> out;
  std::size_t total = 0;
  for (const auto& [key, value] : annotations) {
    for (auto& m : check_qualified_name(key)) out.push_back(key + ": " + m);
    total += key.size() + value.size();
  }
  if (total > kAnnotationsBytesMax)
    out.push_back("may not be more than " + std::to_string(kAnnotationsBytesMax) +
                  " bytes (total length of keys and values: " + std::to_string(total) + ")");
  return out;
}

std::string random_uid(const std::function<std::uint64_t()>& next) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[next() % 16];
  }
  out[14] = '4';  // version 4
  return out;
}

std::string random_name_suffix(const std::function<std::uint64_t()>& next) {
  static const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";  // Kubernetes' rand.String
  std::string out;
  for (int i = 0; i < 5; ++i) out += alphabet[next() % 27];
  return out;
}

}  // namespace craton::api
