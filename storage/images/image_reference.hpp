// ImageReference: an image reference as a pod spec or `docker` writes it, normalised as Docker
// does (distribution/reference's ParseNormalizedNamed): "busybox" is
// "docker.io/library/busybox:latest", "team/app:1" is "docker.io/team/app:1", a first
// component with a '.' or ':' or "localhost" is a registry, "name@sha256:<hex>" names a
// manifest by digest. Parsing is strict (lowercase repository, Docker's tag grammar, bounded
// lengths): a bad reference is an error, never guessed at.
#pragma once

#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::images {

struct ImageReference {
  std::string repository;  ///< with its registry: "docker.io/library/busybox"
  std::string tag;         ///< empty only when `digest` is set
  std::string digest;      ///< "sha256:<hex>" or empty

  /// "repository:tag", or "repository@digest" when a digest is given (it wins over a tag).
  std::string canonical() const;
  /// Docker's short form of the repository: "busybox", "team/app", "registry.local/app".
  std::string familiar_repository() const;
};

inline constexpr std::size_t kReferenceBytesMax = 512;
inline constexpr std::size_t kRepositoryBytesMax = 255;  ///< Docker's NameTotalLengthMax
inline constexpr std::size_t kTagBytesMax = 128;

/// Parses and normalises `text`; Error{"invalid_reference", ...} says what is wrong.
Result<ImageReference> parse_image_reference(std::string_view text);

/// True for a valid tag alone ("1.36", "latest"): [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool is_valid_tag(std::string_view tag);

}  // namespace craton::images
