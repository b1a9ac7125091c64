// What a container runtime needs from an image once it is in the local store: the unpacked
// layer directories it stacks with overlayfs and the image configuration it runs with. The
// store (image_store.hpp) resolves references to these; tests may resolve them from a plain
// directory. Nothing here touches the disk.
#pragma once

#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::images {

/// The parts of an OCI image configuration (`config` of application/vnd.oci.image.config.v1+json,
/// the same fields in Docker's) that decide how a container starts.
struct ImageConfig {
  std::vector<std::string> entrypoint;  ///< ENTRYPOINT
  std::vector<std::string> cmd;         ///< CMD
  std::vector<std::string> env;         ///< "NAME=value", in image order
  std::string working_dir;              ///< empty = "/"
  std::string user;                     ///< "uid", "uid:gid", "name" or "name:group"; empty = root
};

/// An image ready to be stacked: its id (the sha256 digest of its config, as `docker images
/// --no-trunc` and kube's `imageID` show it) and its unpacked layers, lowest first. Each layer
/// directory is shared read-only by every container of the image; nobody writes into it.
struct UnpackedImage {
  std::string image_id;                 ///< "sha256:<64 hex>"
  std::vector<std::string> layer_dirs;  ///< absolute paths, base layer first
  ImageConfig config;
};

/// Resolves an image reference as a pod spec writes it ("busybox", "busybox:1.36",
/// "registry.local/team/app@sha256:...") to an unpacked image already in the local store.
/// Never pulls: an image not present is Error{"image_not_found", ...}.
class ImageResolver {
 public:
  virtual ~ImageResolver() = default;
  virtual Result<UnpackedImage> resolve(const std::string& reference) = 0;
};

}  // namespace craton::images
