// StoreLayout: where each thing lives under an image store's root (image_store.hpp draws the
// tree) and the housekeeping that keeps it tidy: the sweep of dead imports' temp directories
// and the garbage collection of blobs and layers no reference names. Both run under the
// store's exclusive lock, where "not in the index" means garbage: an import renames its
// layers into place and writes the index in one hold of that lock.
#pragma once

#include <string>

#include "runtime/result.hpp"
#include "storage/images/image_index.hpp"

namespace craton::images {

class StoreLayout {
 public:
  explicit StoreLayout(std::string root) : root_(std::move(root)) {}

  std::string index_path() const { return root_ + "/index.json"; }
  std::string lock_path() const { return root_ + "/lock"; }
  std::string blobs_dir() const { return root_ + "/blobs/sha256"; }
  std::string layers_dir() const { return root_ + "/layers/sha256"; }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  /// Precondition for these three: a valid sha256 digest.
  std::string blob_path(const std::string& digest) const;
  std::string layer_dir(const std::string& diff_id) const;
  std::string layer_rootfs(const std::string& diff_id) const {
    return layer_dir(diff_id) + "/rootfs";
  }

  /// Creates the root and its folders (idempotent).
  Status create() const;
  /// A fresh path under tmp/ ("<pid>-<kind>-<random>"), not created.
  std::string new_temp_path(const std::string& kind) const;
  /// Removes tmp/ entries whose process is gone (a crashed import's half-unpacked layers).
  void sweep_dead_temps() const;
  /// Deletes blobs and layers that no image in `index` names; counts what went.
  struct Collected {
    int blobs = 0;
    int layers = 0;
  };
  Collected collect_garbage(const ImageIndex& index) const;
  /// Renames `path` into tmp/ (it disappears at once) and deletes it there.
  void delete_tree(const std::string& path) const;

 private:
  std::string root_;
};

}  // namespace craton::images
