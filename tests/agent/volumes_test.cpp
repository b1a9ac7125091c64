// A pod's volumes on the host (actors/agent/volumes/): the atomic writer's layout and updates,
// configMap and secret payloads (items, modes, optional, kube's messages), emptyDir with a
// tmpfs and its size, hostPath type checks, removal that unmounts first, and the ConfigMap /
// Secret decoding. Needs root for the tmpfs mounts; every case works in its own temp dir and
// unmounts and deletes it even when it fails.
#define BOOST_TEST_MODULE agent_volumes
#include <boost/test/unit_test.hpp>

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "actors/agent/volumes/atomic_writer.hpp"
#include "actors/agent/volumes/host_path_check.hpp"
#include "actors/agent/volumes/informer_sources.hpp"
#include "actors/agent/volumes/pod_volumes.hpp"
#include "actors/agent/volumes/source_objects.hpp"
#include "actors/agent/volumes/volume_setup.hpp"
#include "actors/api/convert/kube_json.hpp"

using namespace craton;
using namespace craton::agent;
using namespace craton::agent::volumes;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string link_of(const std::string& path) {
  std::error_code ec;
  return fs::read_symlink(path, ec).string();
}

int mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

/// A temp dir standing for the volume root; unmounted and removed whatever happens.
struct TempRoot {
  std::string path;
  TempRoot() {
    char tmpl[] = "/tmp/craton-volumes-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempRoot() {
    for (const auto& m : mounts_under(path)) ::umount2(m.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

VolumePlan projected_plan(const TempRoot& root, VolumePlan::Kind kind, const std::string& source) {
  VolumePlan v;
  v.name = "vol";
  v.kind = kind;
  v.host_path = root.path + "/uid-1/volumes/vol";
  v.source_name = source;
  v.source_namespace = "default";
  return v;
}

std::shared_ptr<MapVolumeSources> sources_with_app_conf() {
  auto s = std::make_shared<MapVolumeSources>();
  SourceObject cm;
  cm.data = {{"app.properties", "color=blue\n"}, {"mode", "prod"}};
  cm.binary_data = {{"logo.bin", std::string("\x00\x01\x02", 3)}};
  s->put_config_map("default", "app-conf", cm);
  SourceObject secret;
  secret.data = {{"password", "s3cr3t"}};
  s->put_secret("default", "db", secret);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_atomic_writer_links_user_names_through_a_swapped_data_link) {
  TempRoot root;
  std::string dir = root.path + "/v";
  Payload first{{"a", {"one", 0644}}, {"sub/b", {"two", 0600}}};
  BOOST_REQUIRE(write_atomic(dir, first).ok());
  BOOST_TEST(slurp(dir + "/a") == "one");
  BOOST_TEST(slurp(dir + "/sub/b") == "two");
  BOOST_TEST(link_of(dir + "/a") == "..data/a");
  BOOST_TEST(link_of(dir + "/sub") == "..data/sub");
  std::string data_dir = link_of(dir + "/..data");
  BOOST_TEST(data_dir.rfind("..", 0) == 0u);
  BOOST_TEST(mode_of(dir + "/a") == 0644);
  BOOST_TEST(mode_of(dir + "/sub/b") == 0600);

  // The same payload changes nothing: the data link keeps its target.
  BOOST_REQUIRE(write_atomic(dir, first).ok());
  BOOST_TEST(link_of(dir + "/..data") == data_dir);

  // An update: a new directory, "a" changed, "sub" gone, "c" new, the old directory deleted.
  Payload second{{"a", {"uno", 0644}}, {"c", {"three", 0400}}};
  BOOST_REQUIRE(write_atomic(dir, second).ok());
  BOOST_TEST(link_of(dir + "/..data") != data_dir);
  BOOST_TEST(!fs::exists(dir + "/" + data_dir));
  BOOST_TEST(slurp(dir + "/a") == "uno");
  BOOST_TEST(slurp(dir + "/c") == "three");
  BOOST_TEST(mode_of(dir + "/c") == 0400);
  BOOST_TEST(!fs::exists(fs::symlink_status(dir + "/sub")));
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.path().filename() != "";
  BOOST_TEST(entries == 4);  // ..data, its directory, a, c
}

BOOST_AUTO_TEST_CASE(the_atomic_writer_refuses_bad_paths_and_modes_before_writing) {
  TempRoot root;
  std::string dir = root.path + "/v";
  BOOST_REQUIRE(write_atomic(dir, Payload{{"a", {"one", 0644}}}).ok());
  std::string data_dir = link_of(dir + "/..data");
  for (const char* bad : {"../escape", "/abs", "..data", "a/../../b", "", "x//y", "./."}) {
    auto s = write_atomic(dir, Payload{{bad, {"x", 0644}}});
    BOOST_TEST(!s.ok(), bad);
  }
  BOOST_TEST(!write_atomic(dir, Payload{{"a", {"x", 01777}}}).ok());
  BOOST_TEST(!write_atomic(dir, Payload{{"a", {"x", 0644}}, {"a/b", {"y", 0644}}}).ok());
  WriterLimits small;
  small.bytes_max = 3;
  BOOST_TEST(!write_atomic(dir, Payload{{"a", {"four", 0644}}}, small).ok());
  BOOST_TEST(link_of(dir + "/..data") == data_dir);  // nothing changed
  BOOST_TEST(slurp(dir + "/a") == "one");
  BOOST_TEST(!fs::exists(root.path + "/escape"));
}

BOOST_AUTO_TEST_CASE(config_map_payloads_follow_items_modes_and_optional) {
  TempRoot root;
  auto sources = sources_with_app_conf();
  VolumePlan v = projected_plan(root, VolumePlan::Kind::config_map, "app-conf");
  auto all = projected_payload(v, *sources);
  BOOST_REQUIRE(all.ok());
  BOOST_TEST(all->size() == 3u);  // data and binaryData
  BOOST_TEST(all->at("logo.bin").data == std::string("\x00\x01\x02", 3));
  BOOST_TEST(all->at("mode").mode == 0644);

  v.default_mode = 0440;
  v.items = {{"mode", "conf/mode.txt", std::nullopt}, {"app.properties", "p", 0600}};
  auto some = projected_payload(v, *sources);
  BOOST_REQUIRE(some.ok());
  BOOST_TEST(some->size() == 2u);
  BOOST_TEST(some->at("conf/mode.txt").data == "prod");
  BOOST_TEST(some->at("conf/mode.txt").mode == 0440);
  BOOST_TEST(some->at("p").mode == 0600);

  v.items.push_back({"nope", "n", std::nullopt});
  auto missing_key = projected_payload(v, *sources);
  BOOST_REQUIRE(!missing_key.ok());
  BOOST_TEST(missing_key.error().message == "configmap references non-existent config key: nope");
  v.optional = true;
  BOOST_TEST(projected_payload(v, *sources)->size() == 2u);

  VolumePlan gone = projected_plan(root, VolumePlan::Kind::config_map, "gone");
  auto absent = projected_payload(gone, *sources);
  BOOST_REQUIRE(!absent.ok());
  BOOST_TEST(absent.error().message == "configmap \"gone\" not found");
  gone.optional = true;
  BOOST_TEST(projected_payload(gone, *sources)->empty());
  VolumePlan no_secret = projected_plan(root, VolumePlan::Kind::secret, "gone");
  BOOST_TEST(projected_payload(no_secret, *sources).error().message == "secret \"gone\" not found");
}

BOOST_AUTO_TEST_CASE(a_config_map_volume_is_written_and_an_update_is_seen_whole) {
  TempRoot root;
  auto sources = sources_with_app_conf();
  VolumePlan v = projected_plan(root, VolumePlan::Kind::config_map, "app-conf");
  BOOST_REQUIRE(materialize(v, *sources).ok());
  BOOST_TEST(slurp(v.host_path + "/app.properties") == "color=blue\n");
  BOOST_TEST(slurp(v.host_path + "/mode") == "prod");

  SourceObject changed;
  changed.data = {{"app.properties", "color=green\n"}};
  sources->put_config_map("default", "app-conf", changed);
  BOOST_REQUIRE(materialize(v, *sources).ok());
  BOOST_TEST(slurp(v.host_path + "/app.properties") == "color=green\n");
  BOOST_TEST(!fs::exists(fs::symlink_status(v.host_path + "/mode")));

  // The source is deleted: the volume's refresh fails with kube's message, the files stay.
  sources->erase_config_map("default", "app-conf");
  auto s = materialize(v, *sources);
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(s.error().message == "volume \"vol\": configmap \"app-conf\" not found");
  BOOST_TEST(slurp(v.host_path + "/app.properties") == "color=green\n");
}

BOOST_AUTO_TEST_CASE(a_secret_volume_lives_on_a_tmpfs_and_goes_with_the_pod) {
  TempRoot root;
  auto sources = sources_with_app_conf();
  VolumePlan v = projected_plan(root, VolumePlan::Kind::secret, "db");
  v.default_mode = 0400;
  BOOST_REQUIRE(materialize(v, *sources).ok());
  BOOST_TEST(slurp(v.host_path + "/password") == "s3cr3t");
  BOOST_TEST(mode_of(v.host_path + "/password") == 0400);
  struct statfs fs_info {};
  BOOST_REQUIRE(::statfs(v.host_path.c_str(), &fs_info) == 0);
  BOOST_TEST(fs_info.f_type == 0x01021994);      // TMPFS_MAGIC
  BOOST_REQUIRE(materialize(v, *sources).ok());  // again: not mounted twice
  BOOST_TEST(mounts_under(v.host_path).size() == 1u);

  BOOST_REQUIRE(remove_pod_volumes(root.path + "/uid-1").ok());
  BOOST_TEST(mounts_under(root.path).empty());
  BOOST_TEST(!fs::exists(root.path + "/uid-1"));
  BOOST_TEST(remove_pod_volumes(root.path + "/uid-1").ok());  // gone already: fine
}

BOOST_AUTO_TEST_CASE(an_empty_dir_keeps_its_content_and_a_memory_one_has_its_size) {
  TempRoot root;
  MapVolumeSources none;
  VolumePlan disk;
  disk.name = "scratch";
  disk.host_path = root.path + "/uid-1/volumes/scratch";
  BOOST_REQUIRE(materialize(disk, none).ok());
  BOOST_TEST(mode_of(disk.host_path) == 0777);
  std::ofstream(disk.host_path + "/kept") << "x";
  BOOST_REQUIRE(materialize(disk, none).ok());  // a container restart or the agent's own
  BOOST_TEST(slurp(disk.host_path + "/kept") == "x");

  VolumePlan memory = disk;
  memory.name = "cache";
  memory.host_path = root.path + "/uid-1/volumes/cache";
  memory.memory_medium = true;
  memory.size_limit_bytes = 8 * 1024 * 1024;
  BOOST_REQUIRE(materialize(memory, none).ok());
  struct statfs fs_info {};
  BOOST_REQUIRE(::statfs(memory.host_path.c_str(), &fs_info) == 0);
  BOOST_TEST(fs_info.f_type == 0x01021994);
  BOOST_TEST(static_cast<std::int64_t>(fs_info.f_blocks * fs_info.f_bsize) == 8 * 1024 * 1024);
  BOOST_TEST(mode_of(memory.host_path) == 0777);
  std::ofstream(memory.host_path + "/kept") << "y";
  BOOST_REQUIRE(materialize(memory, none).ok());
  BOOST_TEST(slurp(memory.host_path + "/kept") == "y");
  BOOST_TEST(mounts_under(memory.host_path).size() == 1u);

  BOOST_REQUIRE(remove_pod_volumes(root.path + "/uid-1").ok());
  BOOST_TEST(mounts_under(root.path).empty());
  BOOST_TEST(!fs::exists(root.path + "/uid-1"));
  BOOST_TEST(!remove_pod_volumes("relative").ok());
  BOOST_TEST(!remove_pod_volumes("/").ok());
}

BOOST_AUTO_TEST_CASE(host_path_types_are_checked_and_the_or_create_kinds_create) {
  TempRoot root;
  std::string dir = root.path + "/made/deep";
  BOOST_REQUIRE(check_host_path(dir, "DirectoryOrCreate").ok());
  BOOST_TEST(fs::is_directory(dir));
  BOOST_TEST(mode_of(dir) == 0755);
  BOOST_TEST(check_host_path(dir, "Directory").ok());
  std::string file = root.path + "/made/file";
  BOOST_REQUIRE(check_host_path(file, "FileOrCreate").ok());
  BOOST_TEST(fs::is_regular_file(file));
  BOOST_TEST(check_host_path(file, "File").ok());
  // FileOrCreate does not create the parent directory (kube's rule).
  BOOST_TEST(!check_host_path(root.path + "/nodir/file", "FileOrCreate").ok());
  BOOST_TEST(!fs::exists(root.path + "/nodir"));

  auto refused = check_host_path(file, "Directory");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().message ==
             "hostPath type check failed: " + file + " is not a directory");
  BOOST_TEST(check_host_path(dir, "File").error().message ==
             "hostPath type check failed: " + dir + " is not a file");
  BOOST_TEST(check_host_path(dir, "DirectoryOrCreate").ok());    // exists: left as it is
  BOOST_TEST(!check_host_path(file, "DirectoryOrCreate").ok());  // exists, not a directory
  BOOST_TEST(!check_host_path(root.path + "/absent", "Directory").ok());
  BOOST_TEST(check_host_path(root.path + "/absent", "").ok());  // "" checks nothing
  BOOST_TEST(!fs::exists(root.path + "/absent"));

  BOOST_TEST(check_host_path("/dev/null", "CharDevice").ok());
  BOOST_TEST(check_host_path("/dev/null", "BlockDevice").error().message ==
             "hostPath type check failed: /dev/null is not a block device");
  std::string socket_path = root.path + "/s.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  BOOST_TEST(check_host_path(socket_path, "Socket").ok());
  BOOST_TEST(!check_host_path(file, "Socket").ok());
  ::close(fd);
  BOOST_TEST(!check_host_path("relative", "").ok());
}

BOOST_AUTO_TEST_CASE(pod_volumes_prepare_and_remove_only_inside_the_pod_dir) {
  TempRoot root;
  PodVolumes host(root.path, sources_with_app_conf());
  VolumePlan cm = projected_plan(root, VolumePlan::Kind::config_map, "app-conf");
  VolumePlan hp;
  hp.name = "host";
  hp.kind = VolumePlan::Kind::host_path;
  hp.host_path = root.path + "/host-data";
  hp.host_path_type = "DirectoryOrCreate";
  BOOST_REQUIRE(host.prepare("uid-1", {cm, hp}).ok());
  BOOST_TEST(slurp(cm.host_path + "/mode") == "prod");
  BOOST_TEST(fs::is_directory(hp.host_path));

  VolumePlan outside = cm;
  outside.host_path = root.path + "/elsewhere";
  BOOST_TEST(!host.prepare("uid-1", {outside}).ok());
  BOOST_TEST(!fs::exists(outside.host_path));
  BOOST_TEST(!host.prepare("../x", {}).ok());
  BOOST_TEST(!host.remove("..").ok());

  BOOST_REQUIRE(host.remove("uid-1").ok());
  BOOST_TEST(!fs::exists(root.path + "/uid-1"));
  BOOST_TEST(fs::is_directory(hp.host_path));  // a hostPath is the host's, never removed

  // A sweep removes the pods not kept (left by pods deleted while the agent was down).
  VolumePlan mem;
  mem.name = "m";
  mem.memory_medium = true;
  for (const char* uid : {"kept", "stale"}) {
    mem.host_path = root.path + "/" + uid + "/volumes/m";
    BOOST_REQUIRE(host.prepare(uid, {mem}).ok());
  }
  BOOST_REQUIRE(host.sweep({"kept", "host-data"}).ok());
  BOOST_TEST(fs::exists(root.path + "/kept/volumes/m"));
  BOOST_TEST(!fs::exists(root.path + "/stale"));
  BOOST_TEST(mounts_under(root.path + "/stale").empty());
  BOOST_TEST(fs::is_directory(hp.host_path));
  PodVolumes nowhere(root.path + "/absent", nullptr);
  BOOST_TEST(nowhere.sweep({}).ok());
}

BOOST_AUTO_TEST_CASE(config_maps_and_secrets_decode_their_base64) {
  BOOST_TEST(decode_base64("aGVsbG8=").value() == "hello");
  BOOST_TEST(decode_base64("aGk=").value() == "hi");
  BOOST_TEST(decode_base64("YWJj").value() == "abc");
  BOOST_TEST(decode_base64("").value().empty());
  BOOST_TEST(!decode_base64("abc").ok());
  BOOST_TEST(!decode_base64("a*b=").ok());

  api::KubeJson codec;
  auto secret = codec.decode<schema::k8s::Secret>(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"},
          "data":{"password":"czNjcjN0","user":"YWRtaW4="},"stringData":{"user":"root"}})");
  BOOST_REQUIRE_MESSAGE(secret.ok(), (secret.ok() ? "" : secret.error().message));
  auto object = secret_object((*secret)->getRoot<schema::k8s::Secret>().asReader());
  BOOST_REQUIRE(object.ok());
  BOOST_TEST(object->data.at("password") == "s3cr3t");
  BOOST_TEST(object->data.at("user") == "root");  // stringData wins, as the API server's write

  auto cm = codec.decode<schema::k8s::ConfigMap>(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},
          "data":{"k":"v"},"binaryData":{"b":"AAEC"}})");
  BOOST_REQUIRE_MESSAGE(cm.ok(), (cm.ok() ? "" : cm.error().message));
  auto cm_object = config_map_object((*cm)->getRoot<schema::k8s::ConfigMap>().asReader());
  BOOST_REQUIRE(cm_object.ok());
  BOOST_TEST(cm_object->data.at("k") == "v");
  BOOST_TEST(cm_object->binary_data.at("b") == std::string("\x00\x01\x02", 3));
}

BOOST_AUTO_TEST_CASE(informer_sources_decode_objects_and_keep_the_last_good_one) {
  api::KubeJson codec;
  auto object = [&](const std::string& text, capnp::StructSchema schema) {
    auto message = codec.decode(text, schema);
    BOOST_REQUIRE_MESSAGE(message.ok(), (message.ok() ? "" : message.error().message));
    std::shared_ptr<capnp::MallocMessageBuilder> shared(std::move(*message));
    auto made = api::make_informer_object(shared, schema);
    BOOST_REQUIRE(made.ok());
    return *made;
  };
  auto secret_schema = capnp::Schema::from<schema::k8s::Secret>();
  InformerVolumeSources sources;
  BOOST_REQUIRE(sources
                    .upsert_secret(object(R"({"apiVersion":"v1","kind":"Secret",
          "metadata":{"name":"db","namespace":"default","uid":"u1","resourceVersion":"1"},
          "data":{"password":"czNjcjN0"}})",
                                          secret_schema))
                    .ok());
  BOOST_TEST(sources.find_secret("default", "db")->data.at("password") == "s3cr3t");
  BOOST_TEST(!sources.find_secret("other", "db").has_value());
  auto bad = sources.upsert_secret(object(R"({"apiVersion":"v1","kind":"Secret",
          "metadata":{"name":"db","namespace":"default","uid":"u1","resourceVersion":"2"},
          "data":{"password":"***"}})",
                                          secret_schema));
  BOOST_TEST(!bad.ok());
  BOOST_TEST(sources.find_secret("default", "db")->data.at("password") == "s3cr3t");
  BOOST_REQUIRE(sources
                    .upsert_config_map(object(R"({"apiVersion":"v1","kind":"ConfigMap",
          "metadata":{"name":"c","namespace":"default","uid":"u2","resourceVersion":"1"},
          "data":{"k":"v"}})",
                                              capnp::Schema::from<schema::k8s::ConfigMap>()))
                    .ok());
  BOOST_TEST(sources.find_config_map("default", "c")->data.at("k") == "v");
  sources.remove_config_map("default", "c");
  sources.remove_secret("default", "db");
  BOOST_TEST(!sources.find_config_map("default", "c").has_value());
  BOOST_TEST(!sources.find_secret("default", "db").has_value());
}
