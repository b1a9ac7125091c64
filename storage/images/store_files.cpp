// The image store's file primitives: bounded reads, atomic writes, flock.
#include "storage/images/store_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace craton::images {
namespace {

Error io_error(const std::string& what, const std::string& path) {
  return Error{"io", what + " " + path + ": " + std::strerror(errno)};
}

// A name nobody else picks in the same directory: pid plus a random word (the store may be
// written by several processes; the randomness is per call, not global state).
std::string temp_name(const std::string& path) {
  std::random_device rd;
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", path);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok{};
}

}  // namespace

Result<std::string> read_small_file(const std::string& path, std::size_t bytes_max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return Error{"not_found", path + " does not exist"};
  if (fd < 0) return io_error("cannot open", path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = io_error("cannot read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > bytes_max) {
      ::close(fd);
      return Error{"too_large", path + " is larger than " + std::to_string(bytes_max) + " bytes"};
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Status sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync", dir);
  return Ok{};
}

Status write_file_atomically(const std::string& path, std::string_view bytes) {
  std::string tmp = temp_name(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  Status written = write_all(fd, bytes, tmp);
  if (written && ::fsync(fd) != 0) written = io_error("cannot fsync", tmp);
  ::close(fd);
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0)
    written = io_error("cannot rename to", path);
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  return sync_directory(std::filesystem::path(path).parent_path().string());
}

Result<FileLock> FileLock::acquire(const std::string& path, Mode mode) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open lock file", path);
  int op = mode == Mode::exclusive ? LOCK_EX : LOCK_SH;
  while (::flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    Error e = io_error("cannot lock", path);
    ::close(fd);
    return e;
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace craton::images
