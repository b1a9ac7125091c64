// The image store (storage/images/image_store.hpp) on real files, as root: the busybox test
// images that tests/images/build-busybox-image.sh builds are imported in both formats,
// resolved, stacked with overlayfs (whiteouts), removed; bad archives (digest mismatch, path
// traversal) are refused leaving nothing behind; a corrupt index is an error. Each case
// works in its own temp directory, removed (and unmounted) even when the case fails.
#define BOOST_TEST_MODULE image_store
#include <boost/test/unit_test.hpp>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/images/image_store.hpp"
#include "storage/images/layer_unpacker.hpp"

namespace fs = std::filesystem;
using namespace craton::images;

namespace {

const std::string kScripts = std::string(CRATON_SOURCE_DIR) + "/tests/images";

// A fresh directory under /tmp, removed with everything in it at the end of the case.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "craton-images-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& rel) const { return (path / rel).string(); }
};

void run(const std::string& command) {
  BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "failed: " + command);
}

void require_root() {
  BOOST_REQUIRE_MESSAGE(::geteuid() == 0, "the image store tests need root");
}

// The test images in dir/src: oci/, busybox-oci.tar, busybox-docker.tar.
std::string build_images(const TempDir& dir) {
  require_root();
  run(kScripts + "/build-busybox-image.sh " + dir / "src" + " >/dev/null");
  return dir / "src";
}

template <class T>
T must(craton::Result<T> r, const std::string& what) {
  BOOST_REQUIRE_MESSAGE(r.ok(),
                        what + ": " + (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return std::move(r).value();
}

std::string error_of(const auto& result) {
  return result.ok() ? "ok" : result.error().code;
}

std::size_t entries_in(const std::string& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

bool has(fs::perms perms, fs::perms bit) {
  return (perms & bit) != fs::perms::none;
}

bool is_whiteout(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

std::string xattr(const std::string& path, const char* name) {
  char buf[64] = {};
  ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, static_cast<std::size_t>(n));
}

// An overlayfs mount of `lowers` (top first), unmounted when the case ends.
struct OverlayMount {
  std::string target;
  OverlayMount(const std::string& where, const std::vector<std::string>& lowers) : target(where) {
    fs::create_directories(target);
    std::string options = "lowerdir=";
    for (std::size_t i = 0; i < lowers.size(); ++i) options += (i ? ":" : "") + lowers[i];
    BOOST_REQUIRE_MESSAGE(
        ::mount("overlay", target.c_str(), "overlay", MS_RDONLY, options.c_str()) == 0,
        "mount overlay " + options);
  }
  ~OverlayMount() { ::umount2(target.c_str(), MNT_DETACH); }
};

// A tar with a harmless file and then one escaping entry of `kind`, written by python3.
void write_evil_tar(const std::string& out, const std::string& kind, const std::string& outside) {
  std::string script = R"(
import io, os, sys, tarfile
kind, out, outside = sys.argv[1:4]
with tarfile.open(out, "w") as t:
    def add(name, data=b"pwned", type=tarfile.REGTYPE, link=""):
        i = tarfile.TarInfo(name); i.type = type; i.linkname = link
        i.size = len(data) if type == tarfile.REGTYPE else 0
        t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
    add("ok.txt", b"fine")
    if kind == "dotdot": add("a/../../outside/escaped")
    if kind == "absolute": add(outside + "/escaped")
    if kind == "symlink":
        add("link", type=tarfile.SYMTYPE, link=outside)
        add("link/escaped")
    if kind == "hardlink": add("hard", type=tarfile.LNKTYPE, link="../outside/target")
    if kind == "whiteout":
        add("link", type=tarfile.SYMTYPE, link=outside)
        add("link/.wh.target")
)";
  std::string file = out + ".py";
  std::ofstream(file) << script;
  run("python3 " + file + " " + kind + " " + out + " " + outside);
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_oci_layout_imports_both_tags_and_they_share_the_base_layer) {
  TempDir dir;
  std::string src = build_images(dir);
  ImageStore store(dir / "store");
  ImportReport report = must(store.import(src + "/oci"), "import");
  BOOST_TEST(report.images.size() == 2u);
  BOOST_TEST(report.layers_unpacked == 2);  // base once, the whiteout layer once
  BOOST_TEST(entries_in(dir / "store/layers/sha256") == 2u);

  auto images = must(store.list(), "list");
  BOOST_REQUIRE(images.size() == 2u);
  BOOST_TEST(images[0].reference == "docker.io/library/busybox:craton");
  BOOST_TEST(images[0].repository == "busybox");
  BOOST_TEST(images[0].tag == "craton");
  BOOST_TEST(images[0].size_bytes > 1000000);
  BOOST_TEST(images[1].tag == "craton-whiteout");

  UnpackedImage image = must(store.resolve("busybox:craton"), "resolve");
  BOOST_REQUIRE(image.layer_dirs.size() == 1u);
  std::string rootfs = image.layer_dirs[0];
  BOOST_TEST(fs::is_regular_file(rootfs + "/bin/busybox"));
  BOOST_TEST(has(fs::status(rootfs + "/bin/busybox").permissions(), fs::perms::owner_exec));
  BOOST_TEST(fs::read_symlink(rootfs + "/bin/sh") == "busybox");
  BOOST_TEST(has(fs::status(rootfs + "/tmp").permissions(), fs::perms::sticky_bit));
  BOOST_TEST(image.config.cmd == std::vector<std::string>{"sh"});
  BOOST_REQUIRE(image.config.env.size() == 1u);
  BOOST_TEST(image.config.env[0].starts_with("PATH="));
  BOOST_TEST(image.image_id == images[0].image_id);

  // The same image by its full name, by manifest digest and by image id.
  BOOST_TEST(must(store.resolve("docker.io/library/busybox:craton"), "full").image_id ==
             image.image_id);
  BOOST_TEST(must(store.resolve("busybox@" + images[0].manifest_digest), "digest").image_id ==
             image.image_id);
  BOOST_TEST(must(store.resolve(image.image_id), "id").layer_dirs == image.layer_dirs);
  BOOST_TEST(error_of(store.resolve("busybox:other")) == "image_not_found");
  BOOST_TEST(error_of(store.resolve("busybox")) == "image_not_found");  // :latest

  UnpackedImage two = must(store.resolve("busybox:craton-whiteout"), "resolve whiteout");
  BOOST_REQUIRE(two.layer_dirs.size() == 2u);
  BOOST_TEST(two.layer_dirs[0] == rootfs);  // shared, not unpacked twice
}

BOOST_AUTO_TEST_CASE(a_docker_archive_and_an_oci_tar_give_the_same_image_and_share_layers) {
  TempDir dir;
  std::string src = build_images(dir);
  ImageStore store(dir / "store");
  ImportReport docker = must(store.import(src + "/busybox-docker.tar"), "docker-archive");
  BOOST_REQUIRE(docker.images.size() == 1u);
  BOOST_TEST(docker.images[0].references ==
             std::vector<std::string>{"docker.io/library/busybox:craton"});
  BOOST_TEST(docker.layers_unpacked == 1);
  std::string id = must(store.resolve("busybox:craton"), "resolve").image_id;

  // The OCI tar holds the same base layer gzip-compressed: same diff_id, so it is reused.
  ImportReport oci = must(store.import(src + "/busybox-oci.tar"), "oci tar");
  BOOST_TEST(oci.layers_reused == 1);
  BOOST_TEST(oci.layers_unpacked == 1);
  BOOST_TEST(must(store.resolve("busybox:craton"), "resolve").image_id == id);
  BOOST_TEST(entries_in(dir / "store/layers/sha256") == 2u);
  BOOST_TEST(entries_in(dir / "store/tmp") == 0u);  // staging removed
  // The docker-archive's synthesised manifest was replaced by the OCI one: its blob is gone.
  BOOST_TEST(entries_in(dir / "store/blobs/sha256") == 4u);  // 2 manifests + 2 configs
}

BOOST_AUTO_TEST_CASE(whiteouts_hide_lower_files_when_the_layers_are_stacked_with_overlayfs) {
  TempDir dir;
  std::string src = build_images(dir);
  ImageStore store(dir / "store");
  must(store.import(src + "/oci"), "import");
  UnpackedImage image = must(store.resolve("busybox:craton-whiteout"), "resolve");
  BOOST_REQUIRE(image.layer_dirs.size() == 2u);
  const std::string& upper = image.layer_dirs[1];
  BOOST_TEST(is_whiteout(upper + "/etc/craton-release"));
  BOOST_TEST(!fs::exists(upper + "/etc/.wh.craton-release"));
  BOOST_TEST(xattr(upper + "/opt/lower", "trusted.overlay.opaque") == "y");
  BOOST_TEST(!fs::exists(upper + "/opt/lower/.wh..wh..opq"));

  OverlayMount mnt(dir / "mnt", {upper, image.layer_dirs[0]});
  BOOST_TEST(fs::is_regular_file(mnt.target + "/bin/busybox"));
  BOOST_TEST(!fs::exists(mnt.target + "/etc/craton-release"));
  BOOST_TEST(fs::exists(mnt.target + "/etc/passwd"));
  BOOST_TEST(fs::exists(mnt.target + "/etc/upper.txt"));
  BOOST_TEST(!fs::exists(mnt.target + "/opt/lower/lower.txt"));  // the opaque dir hides it
  BOOST_TEST(fs::exists(mnt.target + "/opt/lower/upper.txt"));
}

BOOST_AUTO_TEST_CASE(a_blob_whose_digest_does_not_match_is_refused_and_nothing_is_named) {
  TempDir dir;
  std::string src = build_images(dir);
  // Change one byte of the uncompressed upper layer's file content: still a valid tar.
  std::string layer;
  for (const auto& e : fs::directory_iterator(src + "/oci/blobs/sha256"))
    if (fs::file_size(e.path()) == 10240) layer = e.path().string();
  BOOST_REQUIRE(!layer.empty());
  run("sed -i 's/from the upper layer/from the evil! layer/' " + layer);
  ImageStore store(dir / "store");
  auto r = store.import(src + "/oci");
  BOOST_TEST(error_of(r) == "digest_mismatch");
  BOOST_TEST(r.error().message.find("digest") != std::string::npos);
  BOOST_TEST(must(store.list(), "list").empty());
  BOOST_TEST(entries_in(dir / "store/layers/sha256") == 0u);
  BOOST_TEST(entries_in(dir / "store/tmp") == 0u);

  // A damaged manifest blob is refused the same way.
  TempDir again;
  std::string src2 = build_images(again);
  std::string index = src2 + "/oci/index.json";
  std::ifstream in(index);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::string digest = text.substr(text.find("sha256:") + 7, 64);
  std::ofstream(src2 + "/oci/blobs/sha256/" + digest, std::ios::app) << " ";
  BOOST_TEST(error_of(ImageStore(again / "store").import(src2 + "/oci")) == "digest_mismatch");
}

BOOST_AUTO_TEST_CASE(archives_that_escape_their_directory_are_refused_leaving_nothing) {
  require_root();
  TempDir dir;
  fs::create_directories(dir / "outside");
  std::ofstream(dir / "outside/target") << "host file";
  for (std::string kind : {"dotdot", "absolute", "symlink", "hardlink", "whiteout"}) {
    BOOST_TEST_CONTEXT(kind) {
      std::string tar = dir / (kind + ".tar");
      write_evil_tar(tar, kind, dir / "outside");
      for (ExtractMode mode : {ExtractMode::layer, ExtractMode::plain}) {
        auto r = extract_archive(tar, dir / "dest", mode);
        BOOST_TEST(!r.ok());
        BOOST_TEST(!fs::exists(dir / "dest"));
        BOOST_TEST(!fs::exists(dir / "outside/escaped"));
        BOOST_TEST(fs::is_regular_file(dir / "outside/target"));
      }
    }
  }
  // Through the store: the layer is refused, the store names nothing and keeps no layer.
  run(kScripts + "/make_oci_layout.py " + dir / "evil" + " evil:1 " + dir / "symlink.tar");
  ImageStore store(dir / "store");
  BOOST_TEST(!store.import(dir / "evil").ok());
  BOOST_TEST(must(store.list(), "list").empty());
  BOOST_TEST(entries_in(dir / "store/layers/sha256") == 0u);
  BOOST_TEST(entries_in(dir / "store/tmp") == 0u);
  BOOST_TEST(!fs::exists(dir / "outside/escaped"));
  BOOST_TEST(fs::hard_link_count(dir / "outside/target") == 1u);
}

BOOST_AUTO_TEST_CASE(remove_deletes_only_the_layers_and_blobs_no_other_image_uses) {
  TempDir dir;
  std::string src = build_images(dir);
  ImageStore store(dir / "store");
  must(store.import(src + "/oci"), "import");
  std::string base = must(store.resolve("busybox:craton"), "resolve").layer_dirs[0];

  RemoveReport first = must(store.remove("busybox:craton-whiteout"), "remove whiteout");
  BOOST_TEST(first.untagged ==
             std::vector<std::string>{"docker.io/library/busybox:craton-whiteout"});
  BOOST_TEST(first.layers_deleted == 1);  // the upper layer; the base stays
  BOOST_TEST(first.blobs_deleted == 2);
  BOOST_TEST(fs::is_regular_file(base + "/bin/busybox"));
  BOOST_TEST(must(store.resolve("busybox:craton"), "still there").layer_dirs[0] == base);
  BOOST_TEST(error_of(store.resolve("busybox:craton-whiteout")) == "image_not_found");

  BOOST_TEST(error_of(store.remove("busybox:nothing")) == "image_not_found");
  RemoveReport last = must(store.remove("docker.io/library/busybox:craton"), "remove last");
  BOOST_TEST(last.layers_deleted == 1);
  BOOST_TEST(entries_in(dir / "store/layers/sha256") == 0u);
  BOOST_TEST(entries_in(dir / "store/blobs/sha256") == 0u);
  BOOST_TEST(entries_in(dir / "store/tmp") == 0u);
  BOOST_TEST(must(store.list(), "list").empty());
}

BOOST_AUTO_TEST_CASE(removing_by_image_id_removes_every_tag_of_it) {
  TempDir dir;
  std::string src = build_images(dir);
  ImageStore store(dir / "store");
  must(store.import(src + "/busybox-docker.tar"), "import");
  must(store.import(src + "/busybox-docker.tar", ImportOptions{}), "import again");  // idempotent
  std::string id = must(store.resolve("busybox:craton"), "resolve").image_id;
  RemoveReport r = must(store.remove(id), "remove by id");
  BOOST_TEST(r.untagged.size() == 1u);
  BOOST_TEST(must(store.list(), "list").empty());
}

BOOST_AUTO_TEST_CASE(a_layout_that_names_only_a_tag_needs_a_repository) {
  require_root();
  TempDir dir;
  run("mkdir -p " + dir / "rootfs/etc && echo hi > " + dir / "rootfs/etc/hello && tar -C " +
      dir / "rootfs" + " -cf " + dir / "layer.tar etc");
  run(kScripts + "/make_oci_layout.py " + dir / "tagonly" + " 1.36 " + dir / "layer.tar");
  run(kScripts + "/make_oci_layout.py " + dir / "noname" + " - " + dir / "layer.tar");
  ImageStore store(dir / "store");
  BOOST_TEST(error_of(store.import(dir / "tagonly")) == "no_name");
  BOOST_TEST(error_of(store.import(dir / "noname")) == "no_name");
  auto named = must(store.import(dir / "tagonly", ImportOptions{"registry.local/hello"}), "tag");
  BOOST_TEST(named.images[0].references == std::vector<std::string>{"registry.local/hello:1.36"});
  auto whole = must(store.import(dir / "noname", ImportOptions{"hello"}), "name");
  BOOST_TEST(whole.images[0].references ==
             std::vector<std::string>{"docker.io/library/hello:latest"});
  BOOST_TEST(whole.layers_reused == 1);
  BOOST_TEST(fs::exists(must(store.resolve("hello"), "resolve").layer_dirs[0] + "/etc/hello"));
}

BOOST_AUTO_TEST_CASE(a_corrupt_index_is_an_error_not_a_crash) {
  TempDir dir;
  std::string src = build_images(dir);
  ImageStore store(dir / "store");
  must(store.import(src + "/oci"), "import");
  for (std::string garbage : {"{not json", "[]", R"({"version":1,"images":{"busybox":{}}})",
                              R"({"version":7,"images":{}})"}) {
    BOOST_TEST_CONTEXT(garbage) {
      std::ofstream(dir / "store/index.json", std::ios::trunc) << garbage;
      BOOST_TEST(error_of(store.list()) == "corrupt_index");
      BOOST_TEST(error_of(store.resolve("busybox:craton")) == "corrupt_index");
      BOOST_TEST(error_of(store.remove("busybox:craton")) == "corrupt_index");
      BOOST_TEST(error_of(store.import(src + "/oci")) == "corrupt_index");
      // Nothing was deleted on the strength of a broken index.
      BOOST_TEST(entries_in(dir / "store/layers/sha256") == 2u);
    }
  }
}

BOOST_AUTO_TEST_CASE(imports_and_resolves_in_parallel_leave_one_consistent_store) {
  TempDir dir;
  std::string src = build_images(dir);
  std::atomic<int> imports_left{3};
  std::atomic<int> import_failures{0}, resolve_failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      ImageStore store(dir / "store");
      auto r = store.import(i % 2 ? src + "/busybox-oci.tar" : src + "/oci");
      if (!r.ok()) ++import_failures;
      --imports_left;
    });
  threads.emplace_back([&] {
    ImageStore store(dir / "store");
    while (imports_left > 0) {
      auto r = store.resolve("busybox:craton-whiteout");
      if (!r.ok() && r.error().code != "image_not_found") ++resolve_failures;
      if (r.ok() && !fs::exists(r->layer_dirs[1] + "/etc/upper.txt")) ++resolve_failures;
    }
  });
  for (auto& t : threads) t.join();
  BOOST_TEST(import_failures == 0);
  BOOST_TEST(resolve_failures == 0);
  ImageStore store(dir / "store");
  BOOST_TEST(must(store.list(), "list").size() == 2u);
  BOOST_TEST(entries_in(dir / "store/layers/sha256") == 2u);
  BOOST_TEST(entries_in(dir / "store/tmp") == 0u);
}
