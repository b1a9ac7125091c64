// ImageReference: parsing and Docker's normalisation.
#include "storage/images/image_reference.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "storage/images/sha256_digest.hpp"

namespace craton::images {
namespace {

constexpr std::string_view kDefaultRegistry = "docker.io";

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// path-component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool is_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && !is_lower_alnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// A registry host[:port]: letters, digits, '.', '-', one optional ':port'.
bool is_registry(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':')
      return false;
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

Error invalid(std::string_view text, const std::string& why) {
  return Error{"invalid_reference",
               "invalid image reference \"" + std::string(text) + "\": " + why};
}

// The repository part ("busybox", "team/app", "host:5000/app") to its full form.
Result<std::string> normalise_repository(std::string_view text, std::string_view name) {
  std::string registry(kDefaultRegistry);
  std::string_view path = name;
  std::size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    bool lower = std::none_of(first.begin(), first.end(),
                              [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || !lower) {
      if (!is_registry(first)) return invalid(text, "bad registry \"" + std::string(first) + "\"");
      registry = first;
      path = name.substr(slash + 1);
    }
  }
  if (registry == "index.docker.io") registry = kDefaultRegistry;
  for (std::string_view component : split(path, '/'))
    if (!is_path_component(component))
      return invalid(text, "repository must be lowercase letters, digits and separators");
  std::string full = registry + "/";
  if (registry == kDefaultRegistry && path.find('/') == std::string_view::npos) full += "library/";
  full += path;
  if (full.size() > kRepositoryBytesMax) return invalid(text, "repository name too long");
  return full;
}

}  // namespace

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kTagBytesMax) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(tag.front())) return false;
  for (char c : tag)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

Result<ImageReference> parse_image_reference(std::string_view text) {
  if (text.empty()) return invalid(text, "empty");
  if (text.size() > kReferenceBytesMax) return invalid(text.substr(0, 64), "too long");
  ImageReference ref;
  std::string_view rest = text;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = rest.substr(at + 1);
    if (!is_sha256_digest(ref.digest)) return invalid(text, "digest must be sha256:<64 hex>");
    rest = rest.substr(0, at);
  }
  std::size_t colon = rest.rfind(':');
  std::size_t slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!is_valid_tag(tag)) return invalid(text, "bad tag \"" + std::string(tag) + "\"");
    if (ref.digest.empty()) ref.tag = tag;
    rest = rest.substr(0, colon);
  }
  auto repository = normalise_repository(text, rest);
  if (!repository) return repository.error();
  ref.repository = std::move(repository.value());
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string ImageReference::canonical() const {
  return digest.empty() ? repository + ":" + tag : repository + "@" + digest;
}

std::string ImageReference::familiar_repository() const {
  std::string_view r = repository;
  constexpr std::string_view library = "docker.io/library/";
  constexpr std::string_view hub = "docker.io/";
  if (r.starts_with(library)) return std::string(r.substr(library.size()));
  if (r.starts_with(hub)) return std::string(r.substr(hub.size()));
  return repository;
}

}  // namespace craton::images
