// ImageSource: the OCI image layout and docker-archive readers.
#include "storage/images/image_source.hpp"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "storage/images/image_reference.hpp"
#include "storage/images/sha256_digest.hpp"
#include "storage/images/store_files.hpp"

namespace craton::images {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";

Error malformed(const std::string& what) {
  return Error{"malformed", what};
}

Result<json> read_json(const std::string& path, const SourceLimits& limits) {
  auto bytes = read_small_file(path, limits.json_bytes_max);
  if (!bytes) return bytes.error();
  json j = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return malformed(path + " is not valid JSON");
  return j;
}

// A string field, or "" when absent or not a string.
std::string string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* array_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? &*it : nullptr;
}

// A file named by the archive, which must stay inside `dir` once symlinks are resolved
// (docker-archive's <id>/layer.tar is a symlink to ../<digest>.tar).
Result<std::string> path_inside(const std::string& dir, const std::string& rel) {
  if (rel.empty() || rel.front() == '/') return malformed("bad path \"" + rel + "\" in archive");
  std::error_code ec;
  fs::path base = fs::canonical(dir, ec);
  fs::path full = fs::canonical(fs::path(dir) / rel, ec);
  if (ec) return malformed("archive names \"" + rel + "\", which it does not hold");
  auto [end, _] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (end != base.end()) return malformed("path \"" + rel + "\" leaves the archive");
  if (!fs::is_regular_file(full)) return malformed("\"" + rel + "\" is not a file");
  return full.string();
}

Result<std::string> read_verified_blob(const std::string& dir, const std::string& digest,
                                       const SourceLimits& limits) {
  if (!is_sha256_digest(digest)) return malformed("bad digest \"" + digest + "\"");
  std::string path = dir + "/blobs/sha256/" + std::string(digest_hex(digest));
  auto bytes = read_small_file(path, limits.json_bytes_max);
  if (!bytes) return bytes.error();
  std::string actual = sha256_of(*bytes);
  if (actual != digest)
    return Error{"digest_mismatch",
                 "blob " + path + " has digest " + actual + ", expected " + digest};
  return bytes;
}

Result<std::vector<std::string>> diff_ids_of(const std::string& config_bytes,
                                             const SourceLimits& limits) {
  json config = json::parse(config_bytes, nullptr, false);
  if (config.is_discarded() || !config.is_object()) return malformed("image config is not JSON");
  auto rootfs = config.find("rootfs");
  const json* ids =
      rootfs != config.end() && rootfs->is_object() ? array_at(*rootfs, "diff_ids") : nullptr;
  if (ids == nullptr) return malformed("image config has no rootfs.diff_ids");
  if (ids->size() > limits.layers_max)
    return malformed("image has more than " + std::to_string(limits.layers_max) + " layers");
  std::vector<std::string> out;
  for (const json& id : *ids) {
    if (!id.is_string() || !is_sha256_digest(id.get<std::string>()))
      return malformed("image config has a bad diff_id");
    out.push_back(id.get<std::string>());
  }
  return out;
}

// A name from the archive, completed with `name` when it is only a tag.
Result<std::string> reference_from(const std::string& given, const std::string& name) {
  bool only_tag = given.find_first_of(":/@") == std::string::npos;
  if (given.empty() || only_tag) {
    if (name.empty())
      return Error{"no_name", given.empty() ? "the image carries no name; give one (--name)"
                                            : "the image names only the tag \"" + given +
                                                  "\"; give its repository (--name)"};
    auto base = parse_image_reference(name);
    if (!base) return base.error();
    if (given.empty()) return base->canonical();
    if (!is_valid_tag(given)) return malformed("bad tag \"" + given + "\"");
    return base->repository + ":" + given;
  }
  auto ref = parse_image_reference(given);
  if (!ref) return ref.error();
  if (!ref->digest.empty()) return malformed("an image name with a digest: " + given);
  return ref->canonical();
}

// ---- OCI image layout --------------------------------------------------------------------

Status check_layer_media_type(const std::string& type) {
  static const char* const kKnown[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar",
  };
  for (const char* known : kKnown)
    if (type == known) return Ok{};
  return Error{"unsupported", "layer media type \"" + type + "\" is not supported"};
}

Status read_oci_manifest(const std::string& dir, SourceImage& image, const SourceLimits& limits) {
  auto bytes = read_verified_blob(dir, image.manifest_digest, limits);
  if (!bytes) return bytes.error();
  image.manifest = std::move(*bytes);
  json m = json::parse(image.manifest, nullptr, false);
  if (m.is_discarded() || !m.is_object() || !m.contains("config") || !m["config"].is_object())
    return malformed("manifest " + image.manifest_digest + " has no config");
  image.config_digest = string_at(m["config"], "digest");
  auto config = read_verified_blob(dir, image.config_digest, limits);
  if (!config) return config.error();
  image.config = std::move(*config);
  auto diff_ids = diff_ids_of(image.config, limits);
  if (!diff_ids) return diff_ids.error();
  const json* layers = array_at(m, "layers");
  if (layers == nullptr || layers->size() != diff_ids->size())
    return malformed("manifest " + image.manifest_digest + " and its config disagree on layers");
  for (std::size_t i = 0; i < layers->size(); ++i) {
    const json& l = (*layers)[i];
    if (!l.is_object()) return malformed("bad layer descriptor");
    if (Status s = check_layer_media_type(string_at(l, "mediaType")); !s) return s;
    std::string digest = string_at(l, "digest");
    if (!is_sha256_digest(digest)) return malformed("bad layer digest \"" + digest + "\"");
    image.layers.push_back(
        {dir + "/blobs/sha256/" + std::string(digest_hex(digest)), digest, (*diff_ids)[i]});
  }
  return Ok{};
}

std::string oci_name(const json& descriptor) {
  auto it = descriptor.find("annotations");
  if (it == descriptor.end() || !it->is_object()) return "";
  std::string full = string_at(*it, "io.containerd.image.name");
  return full.empty() ? string_at(*it, "org.opencontainers.image.ref.name") : full;
}

Result<std::vector<SourceImage>> read_oci_layout(const std::string& dir, const std::string& name,
                                                 const SourceLimits& limits) {
  auto index = read_json(dir + "/index.json", limits);
  if (!index) return index.error();
  const json* manifests = index->is_object() ? array_at(*index, "manifests") : nullptr;
  if (manifests == nullptr) return malformed(dir + "/index.json has no manifests");
  if (manifests->size() > limits.images_max) return malformed("too many images in the archive");
  std::map<std::string, SourceImage> by_digest;  // one image however many names point at it
  std::vector<std::string> order;
  for (const json& d : *manifests) {
    if (!d.is_object()) return malformed("bad descriptor in index.json");
    std::string type = string_at(d, "mediaType");
    if (type == kOciIndex || type == kDockerList)
      return Error{"unsupported", "multi-platform image indexes are not supported yet"};
    if (type != kOciManifest && type != kDockerManifest)
      return Error{"unsupported", "manifest media type \"" + type + "\" is not supported"};
    auto ref = reference_from(oci_name(d), name);
    if (!ref) return ref.error();
    std::string digest = string_at(d, "digest");
    auto [it, fresh] = by_digest.try_emplace(digest);
    if (fresh) {
      order.push_back(digest);
      it->second.manifest_digest = digest;
      if (Status s = read_oci_manifest(dir, it->second, limits); !s) return s.error();
    }
    it->second.references.push_back(*ref);
  }
  std::vector<SourceImage> out;
  for (const auto& digest : order) out.push_back(std::move(by_digest[digest]));
  return out;
}

// ---- docker-archive ----------------------------------------------------------------------

// docker-archive has no manifest: this one (layers named by diff_id, as uncompressed tars)
// gives the image a stable manifest digest in the store.
std::string synthesised_manifest(const SourceImage& image) {
  json layers = json::array();
  for (const auto& l : image.layers)
    layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                      {"digest", l.diff_id},
                      {"size", static_cast<std::int64_t>(fs::file_size(l.path))}});
  json m = {{"schemaVersion", 2},
            {"mediaType", kOciManifest},
            {"config",
             {{"mediaType", "application/vnd.oci.image.config.v1+json"},
              {"digest", image.config_digest},
              {"size", image.config.size()}}},
            {"layers", layers}};
  return m.dump();
}

Result<SourceImage> read_docker_entry(const std::string& dir, const json& e,
                                      const std::string& name, const SourceLimits& limits) {
  if (!e.is_object()) return malformed("bad entry in manifest.json");
  SourceImage image;
  auto config_path = path_inside(dir, string_at(e, "Config"));
  if (!config_path) return config_path.error();
  auto config = read_small_file(*config_path, limits.json_bytes_max);
  if (!config) return config.error();
  image.config = std::move(*config);
  image.config_digest = sha256_of(image.config);
  auto diff_ids = diff_ids_of(image.config, limits);
  if (!diff_ids) return diff_ids.error();
  const json* layers = array_at(e, "Layers");
  if (layers == nullptr || layers->size() != diff_ids->size())
    return malformed("manifest.json and the image config disagree on layers");
  for (std::size_t i = 0; i < layers->size(); ++i) {
    auto path = path_inside(dir, (*layers)[i].is_string() ? (*layers)[i].get<std::string>() : "");
    if (!path) return path.error();
    image.layers.push_back({*path, "", (*diff_ids)[i]});
  }
  const json* tags = array_at(e, "RepoTags");
  if (tags == nullptr || tags->empty()) {
    auto ref = reference_from("", name);
    if (!ref) return ref.error();
    image.references.push_back(*ref);
  }
  for (const json& t : tags ? *tags : json::array()) {
    auto ref = reference_from(t.is_string() ? t.get<std::string>() : "", name);
    if (!ref) return ref.error();
    image.references.push_back(*ref);
  }
  image.manifest = synthesised_manifest(image);
  image.manifest_digest = sha256_of(image.manifest);
  return image;
}

Result<std::vector<SourceImage>> read_docker_archive(const std::string& dir,
                                                     const std::string& name,
                                                     const SourceLimits& limits) {
  auto manifest = read_json(dir + "/manifest.json", limits);
  if (!manifest) return manifest.error();
  if (!manifest->is_array() || manifest->empty())
    return malformed(dir + "/manifest.json is not a list of images");
  if (manifest->size() > limits.images_max) return malformed("too many images in the archive");
  std::vector<SourceImage> out;
  for (const json& e : *manifest) {
    auto image = read_docker_entry(dir, e, name, limits);
    if (!image) return image.error();
    out.push_back(std::move(*image));
  }
  return out;
}

}  // namespace

Result<std::vector<SourceImage>> read_image_source(const std::string& dir, const std::string& name,
                                                   const SourceLimits& limits) {
  std::error_code ec;
  if (fs::exists(dir + "/index.json", ec) && fs::exists(dir + "/oci-layout", ec))
    return read_oci_layout(dir, name, limits);
  if (fs::exists(dir + "/manifest.json", ec)) return read_docker_archive(dir, name, limits);
  return Error{"unsupported", dir +
                                  " is neither an OCI image layout (index.json, oci-layout) nor a "
                                  "docker-archive (manifest.json)"};
}

}  // namespace craton::images
