// StoreLayout: paths under the root, the temp sweep and garbage collection.
#include "storage/images/store_layout.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>
#include <set>

#include "storage/images/sha256_digest.hpp"

namespace craton::images {
namespace {

namespace fs = std::filesystem;

// The pid a temp entry's name starts with, or 0.
pid_t owner_pid(const std::string& name) {
  pid_t pid = 0;
  for (char c : name) {
    if (c < '0' || c > '9') break;
    pid = pid * 10 + (c - '0');
    if (pid > 1 << 24) return 0;
  }
  return pid;
}

bool process_alive(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace

std::string StoreLayout::blob_path(const std::string& digest) const {
  return blobs_dir() + "/" + std::string(digest_hex(digest));
}

std::string StoreLayout::layer_dir(const std::string& diff_id) const {
  return layers_dir() + "/" + std::string(digest_hex(diff_id));
}

Status StoreLayout::create() const {
  std::error_code ec;
  for (const auto& dir : {blobs_dir(), layers_dir(), tmp_dir()}) {
    fs::create_directories(dir, ec);
    if (ec) return Error{"io", "cannot create " + dir + ": " + ec.message()};
  }
  return Ok{};
}

std::string StoreLayout::new_temp_path(const std::string& kind) const {
  std::random_device rd;
  return tmp_dir() + "/" + std::to_string(::getpid()) + "-" + kind + "-" + std::to_string(rd());
}

void StoreLayout::sweep_dead_temps() const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmp_dir(), ec)) {
    pid_t pid = owner_pid(entry.path().filename().string());
    if (pid <= 0 || !process_alive(pid)) fs::remove_all(entry.path(), ec);
  }
}

void StoreLayout::delete_tree(const std::string& path) const {
  std::error_code ec;
  std::string trash = new_temp_path("trash");
  if (fs::rename(path, trash, ec); ec) {
    fs::remove_all(path, ec);
    return;
  }
  fs::remove_all(trash, ec);
}

StoreLayout::Collected StoreLayout::collect_garbage(const ImageIndex& index) const {
  std::set<std::string> blobs, layers;
  for (const auto& [_, image] : index.images) {
    blobs.insert(std::string(digest_hex(image.manifest_digest)));
    blobs.insert(std::string(digest_hex(image.config_digest)));
    for (const auto& l : image.layers) layers.insert(std::string(digest_hex(l)));
  }
  Collected out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(blobs_dir(), ec))
    if (!blobs.contains(entry.path().filename().string()) && fs::remove(entry.path(), ec))
      ++out.blobs;
  for (const auto& entry : fs::directory_iterator(layers_dir(), ec))
    if (!layers.contains(entry.path().filename().string())) {
      delete_tree(entry.path().string());
      ++out.layers;
    }
  return out;
}

}  // namespace craton::images
