#include "actors/agent/linux/ipam.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

namespace craton::agent {
namespace {

std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

Status check_pod_uid(const std::string& pod_uid) {
  if (pod_uid.empty() || pod_uid.size() > Ipam::pod_uid_bytes_max)
    return Error{ipam_error::invalid, "a pod uid must have 1 to " +
                                          std::to_string(Ipam::pod_uid_bytes_max) +
                                          " characters, got " + std::to_string(pod_uid.size())};
  return Ok{};
}

// Writes all of `data` to a new file at `tmp`, then renames it over `path`, so the agent dying
// midway leaves either the old state or the new one, never half a file. No fsync (there were
// two per pod start and two per removal): an allocation names a veth in a network namespace,
// and a machine crash ends both, so after a reboot every allocation is stale whether it
// reached the disk or not (sweep() releases those of pods that are not live).
Status write_atomically(const std::filesystem::path& path, const std::string& data) {
  auto tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error{ipam_error::io, "cannot create " + tmp + ": " + errno_text()};
  bool ok = true;
  for (std::size_t done = 0; ok && done < data.size();) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    ok = n > 0;
    if (ok) done += std::size_t(n);
  }
  std::string why = ok ? "" : errno_text();
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    why = errno_text();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return Error{ipam_error::io, "cannot write " + path.string() + ": " + why};
  }
  return Ok{};
}

Error corrupt(const std::filesystem::path& file, const std::string& why) {
  return Error{ipam_error::corrupt_state, file.string() + ": " + why};
}

}  // namespace

Result<Ipam> Ipam::open(const std::string& cidr, const std::filesystem::path& state_dir) {
  auto range = api::Ipv4Range::parse(cidr);
  if (!range) return Error{ipam_error::invalid, "pod CIDR: " + range.error().message};
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec)
    return Error{ipam_error::io, "cannot create the IPAM state directory " + state_dir.string() +
                                     ": " + ec.message()};
  Ipam ipam(std::move(range.value()), state_dir / state_file_name);
  if (auto loaded = ipam.load(); !loaded) return loaded.error();
  return ipam;
}

int Ipam::prefix_length() const {
  std::uint32_t size = range_.usable() + 2;
  return 32 - std::countr_zero(size);
}

Status Ipam::load() {
  std::error_code ec;
  if (!std::filesystem::exists(state_file_, ec)) return Ok{};
  auto bytes = std::filesystem::file_size(state_file_, ec);
  if (ec || bytes > state_file_bytes_max)
    return corrupt(state_file_,
                   "unreadable or larger than " + std::to_string(state_file_bytes_max) + " bytes");
  std::ifstream in(state_file_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != 1 ||
      !doc.contains("cidr") || !doc["cidr"].is_string() || !doc.contains("pods") ||
      !doc["pods"].is_object())
    return corrupt(state_file_, "not a version 1 IPAM state");
  auto stored = api::Ipv4Range::parse(doc["cidr"].get<std::string>());
  if (!stored) return corrupt(state_file_, stored.error().message);
  bool same = stored->at(0) == range_.at(0) && stored->usable() == range_.usable();
  if (!same) {
    if (doc["pods"].empty()) return Ok{};  // nothing held: the new CIDR simply replaces it
    return Error{ipam_error::cidr_changed,
                 "the pod CIDR changed from " + stored->cidr() + " to " + range_.cidr() +
                     " while " + std::to_string(doc["pods"].size()) +
                     " pods hold addresses in the old one; remove them first"};
  }
  for (const auto& [uid, ip] : doc["pods"].items()) {
    auto index = ip.is_string() ? range_.index_of(ip.get<std::string>()) : std::nullopt;
    if (!check_pod_uid(uid) || !index || *index == 0 || by_index_.count(*index))
      return corrupt(state_file_, "bad or duplicate allocation for pod \"" + uid + "\"");
    by_pod_[uid] = ip.get<std::string>();
    by_index_[*index] = uid;
  }
  if (doc.contains("last") && doc["last"].is_string())
    last_index_ = range_.index_of(doc["last"].get<std::string>()).value_or(0);
  return Ok{};
}

Status Ipam::persist() const {
  nlohmann::json doc{{"version", 1}, {"cidr", range_.cidr()}};
  doc["last"] = last_index_ == 0 ? std::string() : range_.at(last_index_);
  doc["pods"] = nlohmann::json::object();
  for (const auto& [uid, ip] : by_pod_) doc["pods"][uid] = ip;
  return write_atomically(state_file_, doc.dump(1) + "\n");
}

std::optional<std::uint32_t> Ipam::next_free() const {
  const std::uint32_t count = capacity();  // indexes 1..count; 0 is the gateway
  for (std::uint32_t step = 1; step <= count; ++step) {
    std::uint32_t index = (last_index_ + step - 1) % count + 1;
    if (!by_index_.count(index)) return index;
  }
  return std::nullopt;
}

Result<std::string> Ipam::allocate(const std::string& pod_uid) {
  if (auto valid = check_pod_uid(pod_uid); !valid) return valid.error();
  if (auto held = address_of(pod_uid)) return *held;
  auto index = next_free();
  if (!index)
    return Error{ipam_error::exhausted, "every one of the " + std::to_string(capacity()) +
                                            " pod addresses of " + range_.cidr() +
                                            " is held; no address for pod " + pod_uid};
  const std::uint32_t previous_last = last_index_;
  std::string ip = range_.at(*index);
  by_pod_[pod_uid] = ip;
  by_index_[*index] = pod_uid;
  last_index_ = *index;
  if (auto saved = persist(); !saved) {
    by_pod_.erase(pod_uid);
    by_index_.erase(*index);
    last_index_ = previous_last;
    return saved.error();
  }
  return ip;
}

Status Ipam::release(const std::string& pod_uid) {
  auto it = by_pod_.find(pod_uid);
  if (it == by_pod_.end()) return Ok{};
  std::string ip = it->second;
  std::uint32_t index = *range_.index_of(ip);
  by_pod_.erase(it);
  by_index_.erase(index);
  if (auto saved = persist(); !saved) {
    by_pod_[pod_uid] = ip;
    by_index_[index] = pod_uid;
    return saved.error();
  }
  return Ok{};
}

std::optional<std::string> Ipam::address_of(const std::string& pod_uid) const {
  auto it = by_pod_.find(pod_uid);
  if (it == by_pod_.end()) return std::nullopt;
  return it->second;
}

}  // namespace craton::agent
