// ImageSource: reads what an image archive holds, without unpacking a layer. Two formats, both
// as `skopeo copy` (and `docker save`) write them, given as a directory (a tar is extracted
// first by the store):
//   - an OCI image layout: oci-layout, index.json, blobs/sha256/<hex>; names from each
//     manifest's org.opencontainers.image.ref.name (or io.containerd.image.name) annotation;
//   - a docker-archive: manifest.json ([{Config, RepoTags, Layers}]), configs and layer tars
//     by path; its manifest is synthesised (docker-archive has none) so every image has one.
// Every blob read here is checked against its digest; the layers' digests are checked when
// the store unpacks them (verify_layer_blob). Multi-platform indexes are not supported yet.
#pragma once

#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace craton::images {

struct SourceLayer {
  std::string path;         ///< the layer's file inside the source directory
  std::string blob_digest;  ///< its sha256 as the manifest says (empty: docker-archive)
  std::string diff_id;      ///< sha256 of the uncompressed tar, from the image config
};

struct SourceImage {
  std::vector<std::string> references;  ///< canonical "repository:tag", at least one
  std::string manifest_digest;
  std::string manifest;  ///< its bytes (verified against manifest_digest)
  std::string config_digest;
  std::string config;               ///< its bytes (verified)
  std::vector<SourceLayer> layers;  ///< base first
};

struct SourceLimits {
  std::size_t json_bytes_max = 4 << 20;  ///< index.json, manifest.json, manifests, configs
  std::size_t layers_max = 128;          ///< per image (Docker's own limit is 127)
  std::size_t images_max = 1024;         ///< per archive
};

/// Reads the images in `dir`. `name` (may be empty) names images that carry no repository:
/// an OCI ref.name that is only a tag ("1.36", as `skopeo copy ... oci:DIR:1.36` writes)
/// becomes "<name's repository>:1.36"; an image with no name at all becomes `name`.
/// Without it such images are an error, never given a made-up name.
Result<std::vector<SourceImage>> read_image_source(const std::string& dir, const std::string& name,
                                                   const SourceLimits& limits = {});

}  // namespace craton::images
