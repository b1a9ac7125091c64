// The Linux driver's pure helpers, no root needed: Kubernetes' command/args rule, the
// environment merge, USER resolution, PATH lookup, CRI log records, cgroup values, state file
// round trips, and the rotating log writer and its offset-based reader in a temp directory.
#define BOOST_TEST_MODULE agent_linux_driver_helpers
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "actors/agent/linux/cgroup_values.hpp"
#include "actors/agent/linux/container_command.hpp"
#include "actors/agent/linux/container_mounts.hpp"
#include "actors/agent/linux/cri_log.hpp"
#include "actors/agent/linux/log_file.hpp"
#include "actors/agent/linux/state_files.hpp"

using namespace craton::agent;
using namespace craton::agent::linux_driver;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {

craton::images::ImageConfig image(Strings entrypoint, Strings cmd) {
  craton::images::ImageConfig config;
  config.entrypoint = std::move(entrypoint);
  config.cmd = std::move(cmd);
  return config;
}

/// A fresh directory removed at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/craton-ld-helpers-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(command_replaces_entrypoint_and_drops_cmd) {
  auto img = image({"/entry"}, {"default"});
  BOOST_TEST(combine_command(img, {"/bin/sh", "-c"}, {"echo"}) ==
             (Strings{"/bin/sh", "-c", "echo"}));
  BOOST_TEST(combine_command(img, {"/bin/true"}, {}) == (Strings{"/bin/true"}));
}

BOOST_AUTO_TEST_CASE(args_alone_replace_cmd_and_keep_entrypoint) {
  auto img = image({"/entry", "--flag"}, {"default"});
  BOOST_TEST(combine_command(img, {}, {"a", "b"}) == (Strings{"/entry", "--flag", "a", "b"}));
  BOOST_TEST(combine_command(img, {}, {}) == (Strings{"/entry", "--flag", "default"}));
  BOOST_TEST(combine_command(image({}, {}), {}, {}).empty());
}

BOOST_AUTO_TEST_CASE(pod_env_overrides_the_image_in_place_and_path_defaults) {
  auto env = merge_env({"A=1", "B=2"}, {{"B", "pod"}, {"C", "3"}}, "web-0");
  BOOST_TEST(env == (Strings{"A=1", "B=pod",
                             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                             "HOSTNAME=web-0", "C=3"}));
  BOOST_TEST(env_value(merge_env({"PATH=/x"}, {}, "h"), "PATH") == "/x");
}

BOOST_AUTO_TEST_CASE(image_user_resolves_numbers_and_names_and_pod_overrides_win) {
  std::string passwd = "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n";
  std::string group = "root:x:0:\nstaff:x:50:\n";
  BOOST_TEST(resolve_user("", passwd, group, {}, {})->uid == 0);
  auto app = resolve_user("app", passwd, group, {}, {});
  BOOST_TEST(app->uid == 1000);
  BOOST_TEST(app->gid == 1001);
  BOOST_TEST(resolve_user("app:staff", passwd, group, {}, {})->gid == 50);
  BOOST_TEST(resolve_user("7:8", "", "", {}, {})->gid == 8);
  auto overridden = resolve_user("app", passwd, group, 42, 43);
  BOOST_TEST(overridden->uid == 42);
  BOOST_TEST(overridden->gid == 43);
  auto missing = resolve_user("ghost", passwd, group, {}, {});
  BOOST_TEST(!missing.ok());
  BOOST_TEST(missing.error().code == "create_failed");
}

BOOST_AUTO_TEST_CASE(executables_are_looked_up_in_the_containers_path) {
  auto only_bin_sh = [](const std::string& p) { return p == "/bin/sh"; };
  BOOST_TEST(find_executable("sh", "/usr/bin:/bin", only_bin_sh).value() == "/bin/sh");
  BOOST_TEST(find_executable("/opt/x", "/bin", only_bin_sh).value() == "/opt/x");
  auto missing = find_executable("nope", "/usr/bin:/bin", only_bin_sh);
  BOOST_TEST(missing.error().code == "start_failed");
  BOOST_TEST(missing.error().message.find("executable file not found in $PATH") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(cri_records_round_trip_with_nanosecond_stamps) {
  CriLogRecord record{1704207905123456789, "stdout", false, "hello world"};
  std::string line = format_cri_record(record);
  BOOST_TEST(line == "2024-01-02T15:05:05.123456789Z stdout F hello world\n");
  auto parsed = parse_cri_record(line.substr(0, line.size() - 1));
  BOOST_TEST(parsed->time_ns == record.time_ns);
  BOOST_TEST(parsed->content == "hello world");
  BOOST_TEST(!parsed->partial);
  BOOST_TEST(parse_cri_record("2024-01-02T15:05:05Z stderr P x").value().partial);
  BOOST_TEST(!parse_cri_record("garbage").ok());
  BOOST_TEST(!parse_cri_record("2024-01-02T15:05:05Z stdin F x").ok());
}

BOOST_AUTO_TEST_CASE(cgroup_values_follow_the_kubelet_and_runc) {
  BOOST_TEST(cpu_shares_for(0) == 2);
  BOOST_TEST(cpu_shares_for(1) == 2);
  BOOST_TEST(cpu_shares_for(250) == 256);
  BOOST_TEST(cpu_shares_for(1000) == 1024);
  BOOST_TEST(cpu_quota_us_for(0) == -1);
  BOOST_TEST(cpu_quota_us_for(500) == 50000);
  BOOST_TEST(cpu_quota_us_for(2) == 1000);
  BOOST_TEST(cpu_weight_for_shares(2) == 1);
  BOOST_TEST(cpu_weight_for_shares(1024) == 39);
  BOOST_TEST(cpu_weight_for_shares(262144) == 10000);
}

BOOST_AUTO_TEST_CASE(state_files_round_trip_and_reject_garbage) {
  ShimConfig config;
  config.pod_uid = "uid-1";
  config.name = "web";
  config.attempt = 2;
  config.argv = {"sh", "-c", "echo"};
  config.run_as_user = 1000;
  config.mounts = {{"/host", "/data", true}};
  config.cgroup_version = CgroupVersion::v2;
  config.resources.memory_limit_bytes = 1 << 20;
  auto back = decode_shim_config(encode(config));
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(back->argv == config.argv);
  BOOST_TEST(*back->run_as_user == 1000);
  BOOST_TEST(!back->run_as_group.has_value());
  BOOST_TEST(back->mounts.at(0).read_only);
  BOOST_TEST((back->cgroup_version == CgroupVersion::v2));
  BOOST_TEST(back->resources.memory_limit_bytes == 1 << 20);
  BOOST_TEST(decode_container_exit(encode(ContainerExit{137, 5, "OOMKilled"}))->reason ==
             "OOMKilled");
  BOOST_TEST(decode_sandbox_state("{}").error().code == "malformed");
  BOOST_TEST(decode_container_started("not json").error().code == "malformed");
  BOOST_TEST(is_safe_path_component("abc-1.2_x"));
  BOOST_TEST(!is_safe_path_component(".."));
  BOOST_TEST(!is_safe_path_component("a/b"));
}

BOOST_AUTO_TEST_CASE(overlay_options_list_the_top_layer_first) {
  RootfsDirs dirs{"/s/rootfs", "/s/upper", "/s/work"};
  BOOST_TEST(overlay_options({"/l/base", "/l/top"}, dirs).value() ==
             "lowerdir=/l/top:/l/base,upperdir=/s/upper,workdir=/s/work");
  BOOST_TEST(!overlay_options({}, dirs).ok());
  BOOST_TEST(!overlay_options({"/l/a:b"}, dirs).ok());
}

BOOST_AUTO_TEST_CASE(long_lines_become_partial_records_and_the_rest_is_flushed) {
  LogLineSplitter splitter("stderr");
  std::string long_line(kLogLinePieceBytesMax + 10, 'x');
  auto records = splitter.feed(long_line + "\nab", 1);
  BOOST_TEST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[0].partial);
  BOOST_TEST(!records[1].partial);
  BOOST_TEST(records[1].content.size() == 10u);
  auto rest = splitter.finish(2);
  BOOST_TEST_REQUIRE(rest.size() == 1u);
  BOOST_TEST(rest[0].content == "ab");
}

BOOST_AUTO_TEST_CASE(rotation_keeps_max_files_and_offsets_survive_it) {
  TempDir dir;
  auto writer = RotatingLogWriter::open(dir.path, 1000, 2);
  BOOST_REQUIRE(writer.ok());
  for (int i = 0; i < 200; ++i)
    BOOST_REQUIRE(
        writer->append({1'000'000'000LL * i, "stdout", false, "line " + std::to_string(i)}).ok());
  auto segments = list_log_segments(dir.path);
  BOOST_TEST(segments.size() == 3u);  // two rotated and the current one
  for (const auto& s : segments) BOOST_TEST(s.size_bytes <= 1000);

  LogQuery tail;
  tail.tail_lines = 2;
  auto last = read_log_dir(dir.path, tail, true);
  BOOST_TEST(last->data == "line 198\nline 199\n");
  BOOST_TEST(last->finished);

  // An offset from before the rotation resumes at the oldest line still kept.
  LogQuery from_start;
  from_start.limit_bytes = 20;
  auto first = read_log_dir(dir.path, from_start, false);
  BOOST_TEST(first->data.rfind("line ", 0) == 0u);
  BOOST_TEST(first->data != "line 0\n");
  BOOST_TEST(!first->finished);
  LogQuery next = from_start;
  next.from_offset = first->next_offset;
  next.limit_bytes = 1 << 20;
  next.timestamps = true;
  auto rest = read_log_dir(dir.path, next, true);
  BOOST_TEST(rest->data.find("Z line 199\n") != std::string::npos);
  BOOST_TEST(rest->finished);

  LogQuery since;
  since.since_ms = 199'000;
  BOOST_TEST(read_log_dir(dir.path, since, true)->data == "line 199\n");
}
