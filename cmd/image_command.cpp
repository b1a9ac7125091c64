// `craton image`: the node's local image store (storage/images/image_store.hpp) from the
// command line, as `docker image` shapes it. Process code: it blocks on the disk.
//
//   craton image import PATH [--name REPO] [--root DIR]   # OCI layout or docker-archive,
//                                                         # a directory or a tar (skopeo's)
//   craton image list [--no-trunc] [--root DIR]           # REPOSITORY TAG IMAGE ID SIZE
//   craton image remove REF [--root DIR]                  # a tag, repo@digest or an image id
//
// --root defaults to craton-data/images, the store `craton up` keeps under its data
// directory. Import and remove need root (layers keep their owners; whiteouts are devices).
// A failure is one line on stderr and exit 1, changing nothing; bad usage exits 2.
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cmd/commands.hpp"
#include "storage/images/image_store.hpp"

namespace craton::cmd {
namespace {

using images::ImageStore;

struct ImageFlags {
  std::string root = ImageStore::default_root("craton-data");
  std::string path;
  std::string name;
  std::string reference;
  bool no_trunc = false;
};

int fail(const char* what, const Error& e) {
  std::cerr << "craton image " << what << ": " << e.message << "\n";
  return 1;
}

// Docker's sizes: decimal units, three significant digits ("4.26MB").
std::string human_size(std::int64_t bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1000 && unit < 4) {
    v /= 1000;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%s", v, kUnits[unit]);
  return buf;
}

int run_import(const ImageFlags& f) {
  ImageStore store(f.root);
  auto report = store.import(f.path, images::ImportOptions{f.name});
  if (!report) return fail("import", report.error());
  for (const auto& image : report->images)
    for (const auto& ref : image.references)
      std::cout << "Loaded image: " << ref << " (" << image.image_id << ")\n";
  std::cout << report->layers_unpacked << " layers unpacked, " << report->layers_reused
            << " already in " << store.root() << "\n";
  return 0;
}

void print_row(const std::string& repository, const std::string& tag, const std::string& id,
               const std::string& size, std::size_t id_width) {
  std::cout << std::left << std::setw(32) << repository << "   " << std::setw(20) << tag << "   "
            << std::setw(static_cast<int>(id_width)) << id << "   " << size << "\n";
}

int run_list(const ImageFlags& f) {
  auto list = ImageStore(f.root).list();
  if (!list) return fail("list", list.error());
  // Docker's short id: the first 12 hex digits of the image id.
  std::size_t id_width = f.no_trunc ? 71 : 12;
  print_row("REPOSITORY", "TAG", "IMAGE ID", "SIZE", id_width);
  for (const auto& image : *list) {
    std::string id = f.no_trunc ? image.image_id : image.image_id.substr(7, 12);
    print_row(image.repository, image.tag, id, human_size(image.size_bytes), id_width);
  }
  return 0;
}

int run_remove(const ImageFlags& f) {
  auto report = ImageStore(f.root).remove(f.reference);
  if (!report) return fail("remove", report.error());
  for (const auto& ref : report->untagged) std::cout << "Untagged: " << ref << "\n";
  std::cout << "Deleted: " << report->layers_deleted << " layers, " << report->blobs_deleted
            << " blobs\n";
  return 0;
}

}  // namespace

void add_image_command(CLI::App& app, int& exit_code) {
  auto* image = app.add_subcommand("image", "The node's local image store: import, list, remove");
  image->require_subcommand(1);
  auto flags = std::make_shared<ImageFlags>();
  auto root = [&](CLI::App* sub) {
    sub->add_option("--root", flags->root, "Image store directory (default craton-data/images)");
  };
  auto* import = image->add_subcommand("import", "Import an OCI image layout or docker-archive");
  import->add_option("path", flags->path, "Directory or tar (as skopeo copy writes them)")
      ->required();
  import->add_option("--name", flags->name,
                     "Repository for images the archive names by tag only or not at all");
  root(import);
  import->callback([flags, &exit_code] { exit_code = run_import(*flags);
});
auto* list = image->add_subcommand("list", "List the images in the store");
list->alias("ls");
list->add_flag("--no-trunc", flags->no_trunc, "Show whole image ids");
root(list);
list->callback([flags, &exit_code] { exit_code = run_list(*flags); });
auto* remove = image->add_subcommand("remove", "Remove an image reference (and unused layers)");
remove->alias("rm");
remove->add_option("reference", flags->reference, "busybox:tag, repo@sha256:..., or an image id")
    ->required();
root(remove);
remove->callback([flags, &exit_code] { exit_code = run_remove(*flags); });
}  // namespace craton::cmd

}  // namespace craton::cmd
