// The image store's file primitives: bounded reads of small files, durable atomic writes
// (temp file, fsync, rename, fsync of the directory: a crash leaves the old or the new file,
// never a torn one), and an flock(2) lock shared between processes (`craton image import` in
// one, the agent resolving in another). Errors are values with the path in the message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace craton::images {

/// The whole file, or Error{"too_large"} past `bytes_max`, Error{"not_found"} when absent.
Result<std::string> read_small_file(const std::string& path, std::size_t bytes_max);

/// Replaces `path` with `bytes` atomically and durably.
Status write_file_atomically(const std::string& path, std::string_view bytes);

/// fsync of a directory, so that renames and unlinks in it survive a crash.
Status sync_directory(const std::string& dir);

/// An exclusive or shared flock on a lock file, held for the object's lifetime. Locks taken
/// through different FileLock objects exclude each other, in one process or several.
class FileLock {
 public:
  enum class Mode { shared, exclusive };
  /// Creates the lock file if needed and blocks until the lock is held.
  static Result<FileLock> acquire(const std::string& path, Mode mode);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace craton::images
