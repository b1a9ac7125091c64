// ImageIndex: the store's one mutable file, references -> images. Everything else in the store
// is content-addressed and immutable; this file says which content is named. It is JSON
// ({"version":1,"images":{"docker.io/library/busybox:craton":{...}}}), replaced atomically
// (store_files.hpp) under the store's lock. A file that does not parse or breaks the shape
// below is Error{"corrupt_index"}, never a crash and never silently emptied.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::images {

struct IndexedImage {
  std::string manifest_digest;
  std::string config_digest;        ///< the image id
  std::vector<std::string> layers;  ///< diff_ids, base first
  std::int64_t size_bytes = 0;      ///< unpacked size of all its layers
};

struct ImageIndex {
  std::map<std::string, IndexedImage> images;  ///< canonical "repository:tag" -> image
};

inline constexpr std::size_t kIndexBytesMax = 64 << 20;

/// The index at `path`; an absent file is an empty index (a new store).
Result<ImageIndex> load_image_index(const std::string& path);

/// Replaces the index at `path` atomically and durably.
Status save_image_index(const std::string& path, const ImageIndex& index);

}  // namespace craton::images
