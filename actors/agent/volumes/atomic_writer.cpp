// write_atomic(): timestamped directory, `..data` swapped by rename, user links through it.
#include "actors/agent/volumes/atomic_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <vector>

namespace craton::agent::volumes {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataLink = "..data";
constexpr const char* kDataTmpLink = "..data_tmp";

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error{"volume_io", what + " " + path + ": " + std::strerror(err)};
}

/// The first component of a payload path: the name users see at the volume's top.
std::string top_name(const std::string& path) {
  return path.substr(0, path.find('/'));
}

/// "..2026_12_06_07_01_02.XXXXXX": sortable by time for a human, unique by mkdtemp.
std::string timestamp_template() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "..%Y_%m_%d_%H_%M_%S.XXXXXX", &tm);
  return buf;
}

Result<std::string> read_whole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return io_error("open", path, errno);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Status write_file(const std::string& path, const FileContent& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return io_error("create", path, errno);
  std::size_t done = 0;
  while (done < content.data.size()) {
    ssize_t n = ::write(fd, content.data.data() + done, content.data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("write", path, err);
    }
    done += static_cast<std::size_t>(n);
  }
  // fchmod, not the open mode: the process umask must not change what the pod asked for.
  if (::fchmod(fd, static_cast<mode_t>(content.mode)) != 0) {
    int err = errno;
    ::close(fd);
    return io_error("chmod", path, err);
  }
  if (::close(fd) != 0) return io_error("close", path, errno);
  return Ok{};
}

/// Whether the directory `data_dir` holds exactly the payload (content and mode).
bool holds_payload(const std::string& data_dir, const Payload& payload) {
  std::size_t files = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(data_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec)) return false;
    if (!it->is_regular_file(ec)) continue;
    ++files;
    std::string rel = fs::relative(it->path(), data_dir, ec).string();
    auto wanted = payload.find(rel);
    if (wanted == payload.end()) return false;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) return false;
    if (static_cast<int>(st.st_mode & 07777) != wanted->second.mode) return false;
    auto data = read_whole(it->path().string());
    if (!data || *data != wanted->second.data) return false;
  }
  return !ec && files == payload.size();
}

Status make_dirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Error{"volume_io", "mkdir " + path + ": " + ec.message()};
  if (::chmod(path.c_str(), mode) != 0) return io_error("chmod", path, errno);
  return Ok{};
}

/// The user-visible links: one per top-level name, through ..data; stale ones removed.
Status link_user_names(const std::string& dir, const Payload& payload) {
  std::set<std::string> names;
  for (const auto& [path, content] : payload) names.insert(top_name(path));
  for (const auto& name : names) {
    std::string link = dir + "/" + name;
    std::string target = std::string(kDataLink) + "/" + name;
    char buf[4096];
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n >= 0 && std::string(buf, static_cast<std::size_t>(n)) == target) continue;
    if (n < 0 && errno != ENOENT && errno != EINVAL) return io_error("readlink", link, errno);
    if (n >= 0 || errno == EINVAL) {  // a stale link or something else under the name
      std::error_code ec;
      fs::remove_all(link, ec);
      if (ec) return Error{"volume_io", "remove " + link + ": " + ec.message()};
    }
    if (::symlink(target.c_str(), link.c_str()) != 0) return io_error("symlink", link, errno);
  }
  std::error_code ec;
  std::vector<std::string> stale;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("..", 0) == 0 || names.count(name)) continue;
    stale.push_back(entry.path().string());
  }
  if (ec) return Error{"volume_io", "list " + dir + ": " + ec.message()};
  for (const auto& path : stale) {
    fs::remove_all(path, ec);
    if (ec) return Error{"volume_io", "remove " + path + ": " + ec.message()};
  }
  return Ok{};
}

/// Timestamped directories other than `keep` (left by an update that crashed midway).
void remove_old_data_dirs(const std::string& dir, const std::string& keep) {
  std::error_code ec;
  std::vector<fs::path> old;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("..", 0) != 0 || name == kDataLink || name == keep) continue;
    if (entry.is_symlink(ec) || !entry.is_directory(ec)) continue;
    old.push_back(entry.path());
  }
  for (const auto& path : old) fs::remove_all(path, ec);
}

}  // namespace

bool valid_payload_path(const std::string& path) {
  if (path.empty() || path[0] == '/' || path.rfind("..", 0) == 0) return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = path.find('/', start);
    std::string part = path.substr(start, end == std::string::npos ? end : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

Status write_atomic(const std::string& dir, const Payload& payload, const WriterLimits& limits) {
  if (dir.empty() || dir[0] != '/') return Error{"invalid_volume", "not absolute: " + dir};
  if (payload.size() > limits.files_max)
    return Error{"invalid_volume", std::to_string(payload.size()) + " files, more than " +
                                       std::to_string(limits.files_max)};
  std::size_t bytes = 0;
  for (const auto& [path, content] : payload) {
    if (!valid_payload_path(path)) return Error{"invalid_volume", "bad file path \"" + path + "\""};
    if (content.mode < 0 || content.mode > 0777)
      return Error{"invalid_volume", "mode of \"" + path + "\" is beyond 0777"};
    bytes += content.data.size();
  }
  if (bytes > limits.bytes_max)
    return Error{"invalid_volume",
                 std::to_string(bytes) + " bytes, more than " + std::to_string(limits.bytes_max)};
  // A path that is a file and a directory at once ("a" and "a/b") cannot be written.
  for (auto it = payload.begin(); it != payload.end(); ++it) {
    auto next = std::next(it);
    if (next != payload.end() && next->first.rfind(it->first + "/", 0) == 0)
      return Error{"invalid_volume", "\"" + it->first + "\" is a file and a directory"};
  }
  if (auto s = make_dirs(dir, 0755); !s) return s;

  std::string data_link = dir + "/" + kDataLink;
  char buf[4096];
  ssize_t n = ::readlink(data_link.c_str(), buf, sizeof buf - 1);
  std::string old_name = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  if (!old_name.empty() && holds_payload(dir + "/" + old_name, payload))
    return link_user_names(dir, payload);  // unchanged; links repaired if someone broke them

  std::string tmpl = dir + "/" + timestamp_template();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) return io_error("mkdtemp", tmpl, errno);
  std::string new_dir = name.data();
  std::string new_name = fs::path(new_dir).filename().string();
  auto fail = [&](Status s) {
    std::error_code ec;
    fs::remove_all(new_dir, ec);
    return s;
  };
  if (::chmod(new_dir.c_str(), 0755) != 0) return fail(io_error("chmod", new_dir, errno));
  for (const auto& [path, content] : payload) {
    std::string file = new_dir + "/" + path;
    std::string parent = fs::path(file).parent_path().string();
    if (parent != new_dir)
      if (auto s = make_dirs(parent, 0755); !s) return fail(s);
    if (auto s = write_file(file, content); !s) return fail(s);
  }
  // The swap: a new link under a temporary name renamed over ..data (rename is atomic).
  std::string tmp_link = dir + "/" + kDataTmpLink;
  ::unlink(tmp_link.c_str());
  if (::symlink(new_name.c_str(), tmp_link.c_str()) != 0)
    return fail(io_error("symlink", tmp_link, errno));
  if (::rename(tmp_link.c_str(), data_link.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp_link.c_str());
    return fail(io_error("rename", data_link, err));
  }
  auto linked = link_user_names(dir, payload);
  remove_old_data_dirs(dir, new_name);
  return linked;
}

}  // namespace craton::agent::volumes
