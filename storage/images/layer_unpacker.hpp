// Layer unpacking with libarchive: checking a layer blob against its digests, and extracting
// a tar (plain, gzip, zstd, xz: whatever libarchive's filters read) into a new directory.
//
// A layer is extracted for overlayfs, which stacks layers as lowerdirs: OCI whiteouts become
// overlayfs's own form (".wh.NAME" -> a 0/0 character device NAME; ".wh..wh..opq" -> the
// xattr trusted.overlay.opaque=y on its directory), and trusted.overlay.* xattrs a tar carries
// are dropped so a layer cannot forge them. Modes, numeric owners, times, symlinks, hardlinks
// and other xattrs are kept. Absolute paths, ".." components, hardlinks out of the tree and
// writing through a symlink are refused (ARCHIVE_EXTRACT_SECURE_* plus our own path checks).
//
// Extraction goes into `dest`, which must not exist; on any error `dest` is removed, so a
// caller that extracts into a temp directory and renames it into place never shows a half
// layer. Whiteouts and the opaque xattr need root (CAP_MKNOD, CAP_SYS_ADMIN).
#pragma once

#include <cstdint>
#include <string>

#include "runtime/result.hpp"

namespace craton::images {

struct ExtractLimits {
  std::int64_t entries_max = 1 << 20;
  std::size_t path_bytes_max = 4096;
  std::int64_t bytes_max = std::int64_t{64} << 30;  ///< sum of regular files' sizes
};

enum class ExtractMode {
  layer,  ///< an image layer: whiteouts converted for overlayfs
  plain,  ///< an archive holding an image (OCI layout tar, docker-archive): files as they are
};

struct ExtractStats {
  std::int64_t entries = 0;
  std::int64_t bytes = 0;  ///< regular files' sizes
};

/// Reads the whole blob once: its sha256 must be `blob_digest` (skipped when empty) and the
/// sha256 of its decompressed stream `diff_id`. Error{"digest_mismatch"} says which and both
/// values; Error{"io"} / Error{"malformed"} for unreadable or undecodable input.
Status verify_layer_blob(const std::string& blob_path, const std::string& blob_digest,
                         const std::string& diff_id);

/// Extracts the archive at `archive_path` into `dest` (created; must not exist).
Result<ExtractStats> extract_archive(const std::string& archive_path, const std::string& dest,
                                     ExtractMode mode, const ExtractLimits& limits = {});

}  // namespace craton::images
