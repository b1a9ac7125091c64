// ImageIndex: reading and writing the index file, strictly.
#include "storage/images/image_index.hpp"

#include <nlohmann/json.hpp>

#include "storage/images/image_reference.hpp"
#include "storage/images/sha256_digest.hpp"
#include "storage/images/store_files.hpp"

namespace craton::images {
namespace {

using nlohmann::json;

constexpr int kIndexVersion = 1;

Error corrupt(const std::string& path, const std::string& why) {
  return Error{"corrupt_index", "image index " + path + " is corrupt (" + why +
                                    "); move it away and import the images again"};
}

bool is_digest_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() && is_sha256_digest(it->get<std::string>());
}

Result<IndexedImage> decode_image(const json& j) {
  if (!j.is_object() || !is_digest_field(j, "manifest") || !is_digest_field(j, "config"))
    return Error{"", "an image lacks its manifest or config digest"};
  IndexedImage image{j["manifest"].get<std::string>(), j["config"].get<std::string>(), {}, 0};
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) return Error{"", "an image lacks its layers"};
  for (const json& l : *layers) {
    if (!l.is_string() || !is_sha256_digest(l.get<std::string>()))
      return Error{"", "an image has a bad layer digest"};
    image.layers.push_back(l.get<std::string>());
  }
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer()) return Error{"", "an image lacks its size"};
  image.size_bytes = size->get<std::int64_t>();
  return image;
}

}  // namespace

Result<ImageIndex> load_image_index(const std::string& path) {
  auto bytes = read_small_file(path, kIndexBytesMax);
  if (!bytes && bytes.error().code == "not_found") return ImageIndex{};
  if (!bytes) return bytes.error();
  json j = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt(path, "not a JSON object");
  auto version = j.find("version");
  if (version == j.end() || *version != kIndexVersion) return corrupt(path, "unknown version");
  auto images = j.find("images");
  if (images == j.end() || !images->is_object()) return corrupt(path, "no images");
  ImageIndex index;
  for (const auto& [reference, value] : images->items()) {
    auto ref = parse_image_reference(reference);
    if (!ref || ref->canonical() != reference) return corrupt(path, "bad reference " + reference);
    auto image = decode_image(value);
    if (!image) return corrupt(path, reference + ": " + image.error().message);
    index.images.emplace(reference, std::move(*image));
  }
  return index;
}

Status save_image_index(const std::string& path, const ImageIndex& index) {
  json images = json::object();
  for (const auto& [reference, image] : index.images)
    images[reference] = {{"manifest", image.manifest_digest},
                         {"config", image.config_digest},
                         {"layers", image.layers},
                         {"size", image.size_bytes}};
  json j = {{"version", kIndexVersion}, {"images", images}};
  return write_file_atomically(path, j.dump(2) + "\n");
}

}  // namespace craton::images
