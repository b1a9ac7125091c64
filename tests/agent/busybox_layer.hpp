// The Linux driver tests' image: one layer made from Debian's static busybox (/bin/busybox, a
// link per applet, /etc/passwd and /etc/group with root and nobody, the usual empty
// directories) and a resolver that answers "busybox" with it. The image store is another
// part (storage/images); these tests only need a root filesystem to run.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "storage/images/image_types.hpp"

namespace craton::agent::testing {

inline void make_busybox_layer(const std::string& dir) {
  namespace fs = std::filesystem;
  for (const char* sub : {"bin", "etc", "proc", "sys", "dev", "tmp", "root"})
    fs::create_directories(dir + "/" + sub);
  fs::copy_file("/bin/busybox", dir + "/bin/busybox");
  FILE* list = ::popen("/bin/busybox --list", "r");
  char name[256];
  while (list && std::fscanf(list, "%255s", name) == 1) {
    std::error_code ec;
    if (std::string(name) != "busybox") fs::create_symlink("busybox", dir + "/bin/" + name, ec);
  }
  if (list) ::pclose(list);
  std::ofstream(dir + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                        "nobody:x:65534:65534:nobody:/:/bin/sh\n";
  std::ofstream(dir + "/etc/group") << "root:x:0:\nnogroup:x:65534:\n";
}

/// Resolves "busybox" to the layer (entrypoint none, CMD sh, PATH=/bin); anything else is
/// image_not_found.
class BusyboxImages final : public images::ImageResolver {
 public:
  explicit BusyboxImages(std::string layer) : layer_(std::move(layer)) {}
  Result<images::UnpackedImage> resolve(const std::string& reference) override {
    if (reference != "busybox") return Error{"image_not_found", "no image " + reference};
    images::UnpackedImage image;
    image.image_id = "sha256:" + std::string(64, 'b');
    image.layer_dirs = {layer_};
    image.config.cmd = {"sh"};
    image.config.env = {"PATH=/bin"};
    return image;
  }

 private:
  std::string layer_;
};

}  // namespace craton::agent::testing
