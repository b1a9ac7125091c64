// Layer unpacking: the verify pass (both digests in one read) and the extracting pass.
#include "storage/images/layer_unpacker.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/images/sha256_digest.hpp"

namespace craton::images {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::string_view kOverlayXattrPrefix = "trusted.overlay.";

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ReadArchive = std::unique_ptr<archive, ReadDeleter>;
using WriteArchive = std::unique_ptr<archive, WriteDeleter>;

Error archive_error(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return Error{"malformed", what + ": " + (msg ? msg : "unknown libarchive error")};
}

// ---- verify pass -------------------------------------------------------------------------

// Feeds libarchive from a file descriptor and hashes every raw (compressed) byte it hands over.
struct HashingSource {
  int fd = -1;
  Sha256Hasher raw;
  std::vector<char> buf = std::vector<char>(1 << 16);
};

la_ssize_t read_and_hash(archive*, void* data, const void** out) {
  auto* src = static_cast<HashingSource*>(data);
  ssize_t n;
  do n = ::read(src->fd, src->buf.data(), src->buf.size());
  while (n < 0 && errno == EINTR);
  if (n > 0) src->raw.update(src->buf.data(), static_cast<std::size_t>(n));
  *out = src->buf.data();
  return n;
}

// Hashes whatever libarchive left unread (a decompressor may stop before the end of file).
Status drain(HashingSource& src, const std::string& path) {
  for (;;) {
    ssize_t n = ::read(src.fd, src.buf.data(), src.buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{"io", "cannot read " + path + ": " + std::strerror(errno)};
    if (n == 0) return Ok{};
    src.raw.update(src.buf.data(), static_cast<std::size_t>(n));
  }
}

Result<std::string> hash_decompressed(HashingSource& src, const std::string& path) {
  ReadArchive a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open(a.get(), &src, nullptr, read_and_hash, nullptr) != ARCHIVE_OK)
    return archive_error(a.get(), "cannot decode layer " + path);
  Sha256Hasher uncompressed;
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(a.get(), &entry);
  if (rc == ARCHIVE_EOF) return uncompressed.finish();  // an empty blob
  if (rc != ARCHIVE_OK) return archive_error(a.get(), "cannot decode layer " + path);
  std::vector<char> buf(1 << 16);
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0) return archive_error(a.get(), "cannot decompress layer " + path);
    if (n == 0) break;
    uncompressed.update(buf.data(), static_cast<std::size_t>(n));
  }
  return uncompressed.finish();
}

// ---- extracting pass ---------------------------------------------------------------------

// The entry's path relative to the extraction root, or an error for anything that could
// leave it. "./a/b" -> "a/b"; "." and "./" -> "" (the root itself).
Result<std::string> relative_path(std::string_view path, const ExtractLimits& limits) {
  if (path.size() > limits.path_bytes_max)
    return Error{"unsafe_path", "path longer than " + std::to_string(limits.path_bytes_max)};
  if (path.starts_with("/"))
    return Error{"unsafe_path", "absolute path \"" + std::string(path) + "\" in archive"};
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..")
      return Error{"unsafe_path", "path \"" + std::string(path) + "\" leaves the archive (..)"};
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    start = end + 1;
  }
  return out;
}

// True when every component of `rel` below `root` that exists is a real directory (so a
// whiteout cannot be planted through a symlink the same layer made).
bool parents_are_directories(const std::string& root, const std::string& rel) {
  fs::path p = root;
  for (const auto& part : fs::path(rel)) {
    p /= part;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return errno == ENOENT;
    if (!S_ISDIR(st.st_mode)) return false;
  }
  return true;
}

Status make_parent(const std::string& root, const std::string& rel_dir) {
  if (!parents_are_directories(root, rel_dir))
    return Error{"unsafe_path", "whiteout under \"" + rel_dir + "\", which is not a directory"};
  std::error_code ec;
  fs::create_directories(fs::path(root) / rel_dir, ec);
  if (ec) return Error{"io", "cannot create " + rel_dir + ": " + ec.message()};
  return Ok{};
}

// ".wh.NAME" -> a 0/0 character device NAME, overlayfs's whiteout.
Status write_whiteout(const std::string& root, const std::string& rel_dir, std::string_view name) {
  if (name.empty() || name == "." || name == "..")
    return Error{"unsafe_path", "bad whiteout name in " + rel_dir};
  if (Status s = make_parent(root, rel_dir); !s) return s;
  fs::path target = fs::path(root) / rel_dir / std::string(name);
  std::error_code ec;
  fs::remove_all(target, ec);
  if (::mknod(target.c_str(), S_IFCHR | 0000, ::makedev(0, 0)) != 0)
    return Error{"io", "cannot create whiteout " + target.string() + ": " + std::strerror(errno) +
                           " (whiteouts need root)"};
  return Ok{};
}

// ".wh..wh..opq" -> trusted.overlay.opaque=y on its directory.
Status mark_opaque(const std::string& root, const std::string& rel_dir) {
  if (Status s = make_parent(root, rel_dir); !s) return s;
  fs::path dir = fs::path(root) / rel_dir;
  if (::lsetxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0)
    return Error{
        "io", "cannot mark " + dir.string() + " opaque: " + std::strerror(errno) + " (needs root)"};
  return Ok{};
}

// Drops trusted.overlay.* xattrs: only our own whiteout conversion may set them.
void strip_overlay_xattrs(archive_entry* entry) {
  struct Kept {
    std::string name;
    std::string value;
  };
  std::vector<Kept> kept;
  bool dropped = false;
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    if (std::string_view(name).starts_with(kOverlayXattrPrefix)) {
      dropped = true;
      continue;
    }
    kept.push_back({name, std::string(static_cast<const char*>(value), size)});
  }
  if (!dropped) return;
  archive_entry_xattr_clear(entry);
  for (const auto& k : kept)
    archive_entry_xattr_add_entry(entry, k.name.c_str(), k.value.data(), k.value.size());
}

Status copy_data(archive* in, archive* out, const std::string& rel) {
  const void* block = nullptr;
  std::size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int rc = archive_read_data_block(in, &block, &size, &offset);
    if (rc == ARCHIVE_EOF) return Ok{};
    if (rc < ARCHIVE_WARN) return archive_error(in, "cannot read " + rel);
    if (archive_write_data_block(out, block, size, offset) < ARCHIVE_WARN)
      return archive_error(out, "cannot write " + rel);
  }
}

struct Extraction {
  archive* in;
  archive* out;
  std::string root;  // canonical, no symlinks in it
  ExtractMode mode;
  const ExtractLimits& limits;
  ExtractStats stats;
};

// A layer's whiteout entry becomes overlayfs's form; returns true when `rel` was one.
Result<bool> convert_whiteout(Extraction& x, const std::string& rel) {
  if (x.mode != ExtractMode::layer) return false;
  fs::path p(rel);
  std::string base = p.filename().string();
  if (!base.starts_with(kWhiteoutPrefix)) return false;
  std::string dir = p.parent_path().string();
  Status s =
      base == kOpaqueMarker ? mark_opaque(x.root, dir)
      : base.starts_with(".wh..wh.")
          ? Status(Ok{})  // aufs bookkeeping (.wh..wh.plnk): meaningless to overlayfs
          : write_whiteout(x.root, dir, std::string_view(base).substr(kWhiteoutPrefix.size()));
  if (!s) return s.error();
  return true;
}

Status extract_entry(Extraction& x, archive_entry* entry) {
  auto rel = relative_path(archive_entry_pathname(entry), x.limits);
  if (!rel) return rel.error();
  if (rel->empty()) return Ok{};  // the root directory: ours, 0755
  auto whiteout = convert_whiteout(x, *rel);
  if (!whiteout) return whiteout.error();
  if (*whiteout) return Ok{};
  if (const char* link = archive_entry_hardlink(entry)) {
    auto target = relative_path(link, x.limits);
    if (!target) return target.error();
    if (target->empty()) return Error{"unsafe_path", "hardlink to the root in " + *rel};
    archive_entry_set_hardlink(entry, (x.root + "/" + *target).c_str());
  }
  if (archive_entry_filetype(entry) == AE_IFREG) {
    x.stats.bytes += archive_entry_size(entry);
    if (x.stats.bytes > x.limits.bytes_max)
      return Error{"too_large",
                   "archive holds more than " + std::to_string(x.limits.bytes_max) + " bytes"};
  }
  strip_overlay_xattrs(entry);
  archive_entry_set_pathname(entry, (x.root + "/" + *rel).c_str());
  if (archive_write_header(x.out, entry) < ARCHIVE_WARN)
    return archive_error(x.out, "cannot extract " + *rel);
  if (archive_entry_size(entry) > 0)
    if (Status s = copy_data(x.in, x.out, *rel); !s) return s;
  if (archive_write_finish_entry(x.out) < ARCHIVE_WARN)
    return archive_error(x.out, "cannot finish " + *rel);
  return Ok{};
}

Status extract_all(Extraction& x) {
  archive_entry* entry = nullptr;
  for (;;) {
    int rc = archive_read_next_header(x.in, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return archive_error(x.in, "cannot read archive");
    if (++x.stats.entries > x.limits.entries_max)
      return Error{"too_large",
                   "archive holds more than " + std::to_string(x.limits.entries_max) + " entries"};
    if (Status s = extract_entry(x, entry); !s) return s;
  }
  // Directories' modes and times are set here, after their contents (libarchive defers them).
  if (archive_write_close(x.out) < ARCHIVE_WARN) return archive_error(x.out, "cannot finish");
  return Ok{};
}

constexpr int kExtractFlags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                              ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                              ARCHIVE_EXTRACT_SECURE_SYMLINKS;

Result<ExtractStats> extract_into(const std::string& archive_path, const std::string& root,
                                  ExtractMode mode, const ExtractLimits& limits) {
  ReadArchive in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_filename(in.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK)
    return archive_error(in.get(), "cannot open " + archive_path);
  WriteArchive out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), kExtractFlags);
  // No archive_write_disk_set_standard_lookup: owners stay numeric, as in the image, not
  // remapped through this host's /etc/passwd.
  Extraction x{in.get(), out.get(), root, mode, limits, {}};
  if (Status s = extract_all(x); !s) {
    Error e = s.error();
    e.message = archive_path + ": " + e.message;
    return e;
  }
  return x.stats;
}

}  // namespace

Status verify_layer_blob(const std::string& blob_path, const std::string& blob_digest,
                         const std::string& diff_id) {
  HashingSource src;
  src.fd = ::open(blob_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src.fd < 0) return Error{"io", "cannot open " + blob_path + ": " + std::strerror(errno)};
  auto uncompressed = hash_decompressed(src, blob_path);
  Status drained = uncompressed ? drain(src, blob_path) : Status(uncompressed.error());
  ::close(src.fd);
  if (!drained) return drained;
  std::string raw = src.raw.finish();
  if (!blob_digest.empty() && raw != blob_digest)
    return Error{"digest_mismatch", "layer " + blob_path + " has digest " + raw +
                                        ", the manifest says " + blob_digest};
  if (*uncompressed != diff_id)
    return Error{"digest_mismatch", "layer " + blob_path + " decompresses to " + *uncompressed +
                                        ", the image config says " + diff_id};
  return Ok{};
}

Result<ExtractStats> extract_archive(const std::string& archive_path, const std::string& dest,
                                     ExtractMode mode, const ExtractLimits& limits) {
  std::error_code ec;
  if (fs::exists(dest, ec)) return Error{"exists", dest + " already exists"};
  if (!fs::create_directory(dest, ec) || ec)
    return Error{"io", "cannot create " + dest + ": " + ec.message()};
  fs::path root = fs::canonical(dest, ec);
  Result<ExtractStats> r = ec ? Result<ExtractStats>(Error{"io", "cannot resolve " + dest})
                              : extract_into(archive_path, root.string(), mode, limits);
  if (!r) fs::remove_all(dest, ec);  // nothing half-extracted stays behind
  return r;
}

}  // namespace craton::images
