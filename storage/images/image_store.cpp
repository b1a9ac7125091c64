// ImageStore: import (unpack outside the lock, commit under it), list, remove and resolve.
#include "storage/images/image_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/images/image_config.hpp"
#include "storage/images/image_index.hpp"
#include "storage/images/image_reference.hpp"
#include "storage/images/image_source.hpp"
#include "storage/images/layer_unpacker.hpp"
#include "storage/images/sha256_digest.hpp"
#include "storage/images/store_files.hpp"
#include "storage/images/store_layout.hpp"

namespace craton::images {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kConfigBytesMax = 4 << 20;

// Temp directories of one import, removed when it ends however it ends (a renamed one is
// gone from tmp/ already, so removing it is a no-op).
class TempTrees {
 public:
  explicit TempTrees(const StoreLayout& layout) : layout_(layout) {}
  TempTrees(const TempTrees&) = delete;
  TempTrees& operator=(const TempTrees&) = delete;
  ~TempTrees() {
    std::error_code ec;
    for (const auto& p : paths_) fs::remove_all(p, ec);
  }
  std::string make(const std::string& kind) {
    paths_.push_back(layout_.new_temp_path(kind));
    return paths_.back();
  }

 private:
  const StoreLayout& layout_;
  std::vector<std::string> paths_;
};

struct PreparedLayer {
  std::string dir;  ///< tmp/<...>: rootfs/ and layer.json, ready to be renamed into place
  std::int64_t size_bytes = 0;
};

Result<PreparedLayer> prepare_layer(const SourceLayer& layer, TempTrees& temps) {
  if (Status s = verify_layer_blob(layer.path, layer.blob_digest, layer.diff_id); !s)
    return s.error();
  PreparedLayer out{temps.make("layer"), 0};
  std::error_code ec;
  if (!fs::create_directory(out.dir, ec)) return Error{"io", "cannot create " + out.dir};
  auto stats = extract_archive(layer.path, out.dir + "/rootfs", ExtractMode::layer);
  if (!stats) return stats.error();
  out.size_bytes = stats->bytes;
  json meta = {{"diff_id", layer.diff_id}, {"size", out.size_bytes}};
  if (Status s = write_file_atomically(out.dir + "/layer.json", meta.dump() + "\n"); !s)
    return s.error();
  return out;
}

Result<std::int64_t> layer_size(const StoreLayout& layout, const std::string& diff_id) {
  auto bytes = read_small_file(layout.layer_dir(diff_id) + "/layer.json", 4096);
  if (!bytes) return bytes.error();
  json j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("size") || !j["size"].is_number_integer())
    return Error{"corrupt_store", "layer " + diff_id + " has a damaged layer.json"};
  return j["size"].get<std::int64_t>();
}

// Flushes every prepared layer's files before they are renamed into place, so a crash cannot
// leave a layer that looks complete with its data lost.
Status sync_filesystem(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{"io", "cannot open " + dir};
  int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return Error{"io", "syncfs failed on " + dir};
  return Ok{};
}

struct Commit {
  const StoreLayout& layout;
  std::map<std::string, PreparedLayer>& prepared;
  TempTrees& temps;
  ImportReport& report;
  std::set<std::string> counted;
};

// Puts one layer in place under the lock; its size.
Result<std::int64_t> commit_layer(Commit& c, const SourceLayer& layer) {
  std::string dest = c.layout.layer_dir(layer.diff_id);
  bool first = c.counted.insert(layer.diff_id).second;
  if (fs::exists(dest)) {
    if (first && !c.prepared.contains(layer.diff_id)) ++c.report.layers_reused;
    return layer_size(c.layout, layer.diff_id);
  }
  auto it = c.prepared.find(layer.diff_id);
  if (it == c.prepared.end()) {  // it was there before the lock, a removal took it since
    auto p = prepare_layer(layer, c.temps);
    if (!p) return p.error();
    if (Status s = sync_filesystem(p->dir); !s) return s.error();
    it = c.prepared.emplace(layer.diff_id, std::move(*p)).first;
  }
  std::error_code ec;
  fs::rename(it->second.dir, dest, ec);
  if (ec) return Error{"io", "cannot move layer into " + dest + ": " + ec.message()};
  if (first) ++c.report.layers_unpacked;
  return it->second.size_bytes;
}

Status write_blob(const StoreLayout& layout, const std::string& digest, const std::string& bytes) {
  std::string path = layout.blob_path(digest);
  if (fs::exists(path)) return Ok{};
  return write_file_atomically(path, bytes);
}

Status commit_image(Commit& c, const SourceImage& image, ImageIndex& index) {
  IndexedImage entry{image.manifest_digest, image.config_digest, {}, 0};
  for (const auto& layer : image.layers) {
    auto size = commit_layer(c, layer);
    if (!size) return size.error();
    entry.layers.push_back(layer.diff_id);
    entry.size_bytes += *size;
  }
  if (Status s = write_blob(c.layout, image.manifest_digest, image.manifest); !s) return s;
  if (Status s = write_blob(c.layout, image.config_digest, image.config); !s) return s;
  for (const auto& ref : image.references) index.images[ref] = entry;
  c.report.images.push_back({image.references, image.config_digest, image.manifest_digest});
  return Ok{};
}

Error not_found(const std::string& reference, const std::string& root) {
  return Error{"image_not_found", "image \"" + reference + "\" is not in the local store " + root +
                                      " (craton image import it first)"};
}

// The index keys `text` names: one tag, or every tag of a manifest digest or image id.
Result<std::vector<std::string>> match(const ImageIndex& index, const std::string& text,
                                       const std::string& root) {
  std::vector<std::string> keys;
  bool bare_hex = text.size() == 64 && is_sha256_digest("sha256:" + text);
  if (is_sha256_digest(text) || bare_hex) {
    std::string id = bare_hex ? "sha256:" + text : text;
    for (const auto& [key, image] : index.images)
      if (image.config_digest == id) keys.push_back(key);
  } else {
    auto ref = parse_image_reference(text);
    if (!ref) return ref.error();
    for (const auto& [key, image] : index.images) {
      bool same_repo = key.starts_with(ref->repository + ":") &&
                       key.find(':', ref->repository.size() + 1) == std::string::npos;
      if (ref->digest.empty() ? key == ref->canonical()
                              : same_repo && image.manifest_digest == ref->digest)
        keys.push_back(key);
    }
  }
  if (keys.empty()) return not_found(text, root);
  return keys;
}

}  // namespace

ImageStore::ImageStore(std::string root) : root_(fs::absolute(root).lexically_normal().string()) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string ImageStore::default_root(const std::string& data_dir) {
  return data_dir + "/images";
}

Result<ImportReport> ImageStore::import(const std::string& path, const ImportOptions& options) {
  StoreLayout layout(root_);
  if (Status s = layout.create(); !s) return s.error();
  std::error_code ec;
  if (!fs::exists(path, ec)) return Error{"not_found", path + " does not exist"};
  TempTrees temps(layout);
  std::string source_dir = path;
  if (!fs::is_directory(path, ec)) {
    source_dir = temps.make("archive");
    if (auto x = extract_archive(path, source_dir, ExtractMode::plain); !x) return x.error();
  }
  auto images = read_image_source(source_dir, options.name);
  if (!images) return images.error();
  // Unpacking is the slow part: done before taking the lock, so resolve is not held up.
  std::map<std::string, PreparedLayer> prepared;
  for (const auto& image : *images)
    for (const auto& layer : image.layers) {
      if (prepared.contains(layer.diff_id) || fs::exists(layout.layer_dir(layer.diff_id))) continue;
      auto p = prepare_layer(layer, temps);
      if (!p) return p.error();
      prepared.emplace(layer.diff_id, std::move(*p));
    }
  if (!prepared.empty())
    if (Status s = sync_filesystem(layout.tmp_dir()); !s) return s.error();
  auto lock = FileLock::acquire(layout.lock_path(), FileLock::Mode::exclusive);
  if (!lock) return lock.error();
  auto index = load_image_index(layout.index_path());
  if (!index) return index.error();
  ImportReport report;
  Commit commit{layout, prepared, temps, report, {}};
  for (const auto& image : *images)
    if (Status s = commit_image(commit, image, *index); !s) return s.error();
  if (Status s = save_image_index(layout.index_path(), *index); !s) return s.error();
  layout.collect_garbage(*index);  // what a re-tag left unnamed
  layout.sweep_dead_temps();
  return report;
}

Result<std::vector<ImageSummary>> ImageStore::list() {
  StoreLayout layout(root_);
  std::vector<ImageSummary> out;
  if (!fs::exists(layout.index_path())) return out;
  auto lock = FileLock::acquire(layout.lock_path(), FileLock::Mode::shared);
  if (!lock) return lock.error();
  auto index = load_image_index(layout.index_path());
  if (!index) return index.error();
  for (const auto& [key, image] : index->images) {
    auto ref = parse_image_reference(key);  // the index checked it parses
    out.push_back({key, ref->familiar_repository(), ref->tag, image.config_digest,
                   image.manifest_digest, image.size_bytes});
  }
  return out;
}

Result<RemoveReport> ImageStore::remove(const std::string& reference) {
  StoreLayout layout(root_);
  if (!fs::exists(layout.index_path())) return not_found(reference, root_);
  auto lock = FileLock::acquire(layout.lock_path(), FileLock::Mode::exclusive);
  if (!lock) return lock.error();
  auto index = load_image_index(layout.index_path());
  if (!index) return index.error();
  auto keys = match(*index, reference, root_);
  if (!keys) return keys.error();
  for (const auto& key : *keys) index->images.erase(key);
  if (Status s = save_image_index(layout.index_path(), *index); !s) return s.error();
  StoreLayout::Collected gone = layout.collect_garbage(*index);
  layout.sweep_dead_temps();
  return RemoveReport{*keys, gone.layers, gone.blobs};
}

Result<UnpackedImage> ImageStore::resolve(const std::string& reference) {
  StoreLayout layout(root_);
  if (!fs::exists(layout.index_path())) return not_found(reference, root_);
  auto lock = FileLock::acquire(layout.lock_path(), FileLock::Mode::shared);
  if (!lock) return lock.error();
  auto index = load_image_index(layout.index_path());
  if (!index) return index.error();
  auto keys = match(*index, reference, root_);
  if (!keys) return keys.error();
  const IndexedImage& image = index->images.at(keys->front());
  auto config = read_small_file(layout.blob_path(image.config_digest), kConfigBytesMax);
  if (!config) return config.error();
  if (sha256_of(*config) != image.config_digest)
    return Error{"corrupt_store", "config blob " + image.config_digest + " is damaged"};
  auto parsed = parse_image_config(*config);
  if (!parsed) return parsed.error();
  UnpackedImage out{image.config_digest, {}, std::move(*parsed)};
  for (const auto& diff_id : image.layers) {
    out.layer_dirs.push_back(layout.layer_rootfs(diff_id));
    if (!fs::is_directory(out.layer_dirs.back()))
      return Error{"corrupt_store", "layer " + diff_id + " of " + reference + " is missing"};
  }
  return out;
}

}  // namespace craton::images
