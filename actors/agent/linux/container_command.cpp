// container_command.hpp: Kubernetes' command/args rule, the environment merge, USER parsing.
#include "actors/agent/linux/container_command.hpp"

#include <charconv>
#include <sstream>

namespace craton::agent::linux_driver {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string name_of(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

/// Field `index` (0-based) of the colon-separated line whose first field is `name`.
std::optional<std::string> lookup(const std::string& table, const std::string& name, int index) {
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream parts(line);
    std::string field;
    while (std::getline(parts, field, ':')) fields.push_back(field);
    if (fields.size() > static_cast<std::size_t>(index) && fields[0] == name) return fields[index];
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> combine_command(const images::ImageConfig& image,
                                         const std::vector<std::string>& command,
                                         const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (!command.empty()) {
    argv = command;
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  argv = image.entrypoint;
  const auto& tail = args.empty() ? image.cmd : args;
  argv.insert(argv.end(), tail.begin(), tail.end());
  return argv;
}

std::vector<std::string> merge_env(const std::vector<std::string>& image_env,
                                   const std::vector<std::pair<std::string, std::string>>& pod_env,
                                   const std::string& hostname) {
  std::vector<std::string> env;
  auto set = [&env](const std::string& name, const std::string& value) {
    for (auto& entry : env) {
      if (name_of(entry) == name) {
        entry = name + "=" + value;
        return;
      }
    }
    env.push_back(name + "=" + value);
  };
  for (const auto& entry : image_env) {
    auto eq = entry.find('=');
    if (eq != std::string::npos) set(entry.substr(0, eq), entry.substr(eq + 1));
  }
  if (env_value(env, "PATH").empty()) set("PATH", kDefaultPath);
  set("HOSTNAME", hostname);
  for (const auto& [name, value] : pod_env) set(name, value);
  return env;
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& entry : env) {
    if (name_of(entry) == name && entry.size() > name.size()) return entry.substr(name.size() + 1);
  }
  return "";
}

Result<UserIds> resolve_user(const std::string& image_user, const std::string& passwd_text,
                             const std::string& group_text, std::optional<std::int64_t> run_as_user,
                             std::optional<std::int64_t> run_as_group) {
  UserIds ids;
  auto colon = image_user.find(':');
  std::string user = image_user.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : image_user.substr(colon + 1);
  if (!user.empty()) {
    if (auto id = parse_id(user)) {
      ids.uid = *id;
    } else if (auto uid = lookup(passwd_text, user, 2); uid && parse_id(*uid)) {
      ids.uid = *parse_id(*uid);
      if (auto gid = lookup(passwd_text, user, 3); gid && parse_id(*gid)) ids.gid = *parse_id(*gid);
    } else {
      return Error{"create_failed",
                   "unable to find user " + user + ": no matching entries in passwd file"};
    }
  }
  if (!group.empty()) {
    if (auto id = parse_id(group)) {
      ids.gid = *id;
    } else if (auto gid = lookup(group_text, group, 2); gid && parse_id(*gid)) {
      ids.gid = *parse_id(*gid);
    } else {
      return Error{"create_failed",
                   "unable to find group " + group + ": no matching entries in group file"};
    }
  }
  if (run_as_user) ids.uid = *run_as_user;
  if (run_as_group) ids.gid = *run_as_group;
  return ids;
}

}  // namespace craton::agent::linux_driver
