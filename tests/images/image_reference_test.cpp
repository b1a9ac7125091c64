// Image references normalise as Docker's distribution/reference does (ParseNormalizedNamed,
// FamiliarName), and bad ones are refused with invalid_reference.
#define BOOST_TEST_MODULE image_reference
#include <boost/test/unit_test.hpp>

#include <string>

#include "storage/images/image_reference.hpp"

using namespace craton::images;

namespace {

std::string canonical(const std::string& text) {
  auto ref = parse_image_reference(text);
  BOOST_REQUIRE_MESSAGE(ref.ok(), text + ": " + (ref.ok() ? "" : ref.error().message));
  return ref->canonical();
}

std::string error_code(const std::string& text) {
  auto ref = parse_image_reference(text);
  return ref.ok() ? "ok" : ref.error().code;
}

const std::string kDigest = "sha256:" + std::string(64, 'a');

}  // namespace

BOOST_AUTO_TEST_CASE(short_names_live_in_docker_hubs_library) {
  BOOST_TEST(canonical("busybox") == "docker.io/library/busybox:latest");
  BOOST_TEST(canonical("busybox:1.36") == "docker.io/library/busybox:1.36");
  BOOST_TEST(canonical("docker.io/library/busybox:1.36") == "docker.io/library/busybox:1.36");
  BOOST_TEST(canonical("index.docker.io/library/busybox") == "docker.io/library/busybox:latest");
  BOOST_TEST(canonical("team/app:v1") == "docker.io/team/app:v1");
}

BOOST_AUTO_TEST_CASE(a_first_component_with_a_dot_a_port_or_localhost_is_a_registry) {
  BOOST_TEST(canonical("registry.local/team/app") == "registry.local/team/app:latest");
  BOOST_TEST(canonical("host:5000/app:2") == "host:5000/app:2");
  BOOST_TEST(canonical("localhost/app") == "localhost/app:latest");
}

BOOST_AUTO_TEST_CASE(a_digest_names_the_manifest_and_wins_over_a_tag) {
  BOOST_TEST(canonical("busybox@" + kDigest) == "docker.io/library/busybox@" + kDigest);
  auto both = parse_image_reference("busybox:1.36@" + kDigest);
  BOOST_REQUIRE(both.ok());
  BOOST_TEST(both->digest == kDigest);
  BOOST_TEST(both->tag.empty());
}

BOOST_AUTO_TEST_CASE(familiar_names_drop_what_docker_drops) {
  BOOST_TEST(parse_image_reference("busybox")->familiar_repository() == "busybox");
  BOOST_TEST(parse_image_reference("team/app")->familiar_repository() == "team/app");
  BOOST_TEST(parse_image_reference("registry.local/app")->familiar_repository() ==
             "registry.local/app");
}

BOOST_AUTO_TEST_CASE(bad_references_are_refused) {
  BOOST_TEST(error_code("") == "invalid_reference");
  BOOST_TEST(error_code("BusyBox") == "invalid_reference");
  BOOST_TEST(error_code("busybox:") == "invalid_reference");
  BOOST_TEST(error_code("busybox:-bad") == "invalid_reference");
  BOOST_TEST(error_code("busybox@sha256:1234") == "invalid_reference");
  BOOST_TEST(error_code("a//b") == "invalid_reference");
  BOOST_TEST(error_code("busy..box") == "invalid_reference");
  BOOST_TEST(error_code(std::string(600, 'a')) == "invalid_reference");
  BOOST_TEST(error_code("busybox:" + std::string(129, 't')) == "invalid_reference");
}
