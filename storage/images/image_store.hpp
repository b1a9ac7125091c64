// ImageStore: the node's local, content-addressed image store. Images come in as OCI image
// layouts or docker-archives (a directory or a tar, as `skopeo copy` writes them); each layer
// is verified (blob digest and diff_id) and unpacked once, for overlayfs, then shared
// read-only by every image and container that uses it. On disk, under `root`:
//
//   index.json                      references -> images (image_index.hpp); the only file
//                                   that changes in place, atomically, under `lock`
//   lock                            flock: exclusive to change the store, shared to read it
//   blobs/sha256/<hex>              manifests and configs, named by their verified digest
//   layers/sha256/<diff_id hex>/    one unpacked layer: rootfs/ (the tree overlayfs stacks)
//                                   and layer.json (its size); appears by an atomic rename
//   tmp/<pid>-...                   imports and removals in progress; a dead pid's are swept
//
// Nothing is deleted while named: removing a reference deletes the blobs and layers no other
// image uses. Nothing in `root` is trusted more than the archive was: reads are bounded and
// check what they read. Every method may be called from any thread and from several
// processes at once; each takes the lock itself. Several methods need root (see
// layer_unpacker.hpp). Never pulls from a registry (the registry issue will).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"
#include "storage/images/image_types.hpp"

namespace craton::images {

struct ImportOptions {
  /// Names images the archive leaves unnamed or names by tag only (image_source.hpp).
  std::string name;
};

struct ImportedImage {
  std::vector<std::string> references;  ///< canonical "repository:tag"
  std::string image_id;                 ///< "sha256:..." (the config's digest)
  std::string manifest_digest;
};

struct ImportReport {
  std::vector<ImportedImage> images;
  int layers_unpacked = 0;  ///< new to the store
  int layers_reused = 0;    ///< already there, shared
};

/// One reference in the store, as `craton image list` shows it.
struct ImageSummary {
  std::string reference;   ///< canonical: "docker.io/library/busybox:craton"
  std::string repository;  ///< Docker's short form: "busybox"
  std::string tag;
  std::string image_id;  ///< "sha256:..."
  std::string manifest_digest;
  std::int64_t size_bytes = 0;  ///< unpacked size of its layers
};

struct RemoveReport {
  std::vector<std::string> untagged;  ///< canonical references removed
  int layers_deleted = 0;
  int blobs_deleted = 0;
};

class ImageStore : public ImageResolver {
 public:
  /// A store over `root` (made absolute; created on the first import). Touches nothing yet.
  explicit ImageStore(std::string root);

  /// Where the agent keeps its store: `data_dir` + "/images".
  static std::string default_root(const std::string& data_dir);

  const std::string& root() const { return root_; }

  /// Imports every image in the OCI layout or docker-archive at `path` (directory or tar,
  /// plain or gzip). All or nothing for the index: on error no reference changes (layers
  /// already unpacked stay for a retry only until the next sweep).
  Result<ImportReport> import(const std::string& path, const ImportOptions& options = {});

  /// Every reference in the store, sorted.
  Result<std::vector<ImageSummary>> list();

  /// Removes `reference` (a tag; "repo@sha256:<manifest>" or an image id "sha256:<hex>"
  /// removes every tag of that image), then every layer and blob no remaining image uses.
  /// Error{"image_not_found"} when nothing matches.
  Result<RemoveReport> remove(const std::string& reference);

  /// The image's unpacked layers and config (ImageResolver). Error{"image_not_found", ...}
  /// when the store lacks it; Error{"corrupt_index"} and others when the store is damaged.
  Result<UnpackedImage> resolve(const std::string& reference) override;

 private:
  std::string root_;
};

}  // namespace craton::images
