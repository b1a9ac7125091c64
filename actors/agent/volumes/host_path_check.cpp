// check_host_path(): stat(2) against the hostPath type, creating the *OrCreate kinds.
#include "actors/agent/volumes/host_path_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace craton::agent::volumes {
namespace {

Error type_error(const std::string& path, const char* what) {
  return Error{"host_path_type", "hostPath type check failed: " + path + " is not " + what};
}

}  // namespace

Status check_host_path(const std::string& path, const std::string& type) {
  if (path.empty() || path[0] != '/')
    return Error{"invalid_volume", "hostPath " + path + " is not absolute"};
  if (type.empty()) return Ok{};
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT)
    return Error{"host_path_type", "stat " + path + ": " + std::strerror(errno)};
  if (type == "DirectoryOrCreate" && !exists) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Error{"host_path_type", "mkdir " + path + ": " + ec.message()};
    if (::chmod(path.c_str(), 0755) != 0)
      return Error{"host_path_type", "chmod " + path + ": " + std::strerror(errno)};
    return Ok{};
  }
  if (type == "FileOrCreate" && !exists) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Error{"host_path_type", "create " + path + ": " + std::strerror(errno)};
    ::fchmod(fd, 0644);
    ::close(fd);
    return Ok{};
  }
  if (type == "DirectoryOrCreate" || type == "Directory") {
    if (!exists || !S_ISDIR(st.st_mode)) return type_error(path, "a directory");
  } else if (type == "FileOrCreate" || type == "File") {
    if (!exists || !S_ISREG(st.st_mode)) return type_error(path, "a file");
  } else if (type == "Socket") {
    if (!exists || !S_ISSOCK(st.st_mode)) return type_error(path, "a socket file");
  } else if (type == "CharDevice") {
    if (!exists || !S_ISCHR(st.st_mode)) return type_error(path, "a character device");
  } else if (type == "BlockDevice") {
    if (!exists || !S_ISBLK(st.st_mode)) return type_error(path, "a block device");
  } else {
    return Error{"invalid_volume", "unknown hostPath type \"" + type + "\""};
  }
  return Ok{};
}

}  // namespace craton::agent::volumes
