// The cluster CA and node certificates (runtime/tls/cluster_ca.hpp): what they say, that they
// chain, file modes, and that every refusal changes nothing.
#define BOOST_TEST_MODULE runtime_cluster_ca
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "runtime/tls/cluster_ca.hpp"
#include "tests/storage/temp_dir.hpp"

using namespace craton;
using craton::storage::test::TempDir;

namespace {

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string contents(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_node_certificate_names_its_node_and_chains_to_the_ca) {
  TempDir tmp;
  std::filesystem::path dir = tmp.sub("pki");
  BOOST_REQUIRE(tls::init_ca(dir).ok());
  BOOST_REQUIRE(tls::issue_node_cert(dir, "store-1").ok());
  auto ca = tls::ca_files(dir), node = tls::node_files(dir, "store-1");
  BOOST_TEST(mode_of(dir) == 0700u);
  BOOST_TEST(mode_of(ca.key) == 0600u);
  BOOST_TEST(mode_of(node.key) == 0600u);
  BOOST_TEST(mode_of(node.cert) == 0644u);
  auto info = tls::read_cert_info(node.cert);
  BOOST_REQUIRE(info.ok());
  BOOST_TEST(info->subject_cn == "store-1");
  BOOST_TEST(info->dns_name == "store-1");
  BOOST_TEST(info->issuer_cn == "craton-ca");
  BOOST_TEST(!info->is_ca);
  auto ca_info = tls::read_cert_info(ca.cert);
  BOOST_REQUIRE(ca_info.ok());
  BOOST_TEST(ca_info->is_ca);
  auto days = (info->not_after_unix - std::time(nullptr)) / 86400;
  BOOST_TEST((days >= 364 && days <= 365));
  auto verified = tls::verify_cert(ca.cert, node.cert);
  BOOST_TEST(verified.ok(), (verified ? "" : verified.error().message));
}

BOOST_AUTO_TEST_CASE(a_certificate_from_another_ca_does_not_verify) {
  TempDir tmp;
  std::filesystem::path a = tmp.sub("a"), b = tmp.sub("b");
  BOOST_REQUIRE(tls::init_ca(a).ok());
  BOOST_REQUIRE(tls::init_ca(b).ok());
  BOOST_REQUIRE(tls::issue_node_cert(b, "n1").ok());
  auto s = tls::verify_cert(tls::ca_files(a).cert, tls::node_files(b, "n1").cert);
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.error().code == "untrusted");
}

BOOST_AUTO_TEST_CASE(refusals_change_nothing) {
  TempDir tmp;
  std::filesystem::path dir = tmp.sub("pki");
  auto missing = tls::issue_node_cert(dir, "n1");  // no CA yet
  BOOST_TEST(!missing.ok());
  BOOST_TEST(missing.error().message.find("craton certs init") != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(tls::node_files(dir, "n1").key));
  BOOST_REQUIRE(tls::init_ca(dir).ok());
  BOOST_REQUIRE(tls::issue_node_cert(dir, "n1").ok());
  auto ca_before = contents(tls::ca_files(dir).key);
  auto node_before = contents(tls::node_files(dir, "n1").cert);
  BOOST_TEST(tls::init_ca(dir).error().code == "exists");
  BOOST_TEST(tls::issue_node_cert(dir, "n1").error().code == "exists");
  BOOST_TEST(contents(tls::ca_files(dir).key) == ca_before);
  BOOST_TEST(contents(tls::node_files(dir, "n1").cert) == node_before);
  for (const auto& bad : std::vector<std::string>{"", "a/b", "ca", std::string(65, 'x'), "sp ace"})
    BOOST_TEST(tls::issue_node_cert(dir, bad).error().code == "invalid", "name '" << bad << "'");
  BOOST_TEST(tls::issue_node_cert(dir, "n2", {0}).error().code == "invalid");
  BOOST_TEST(!std::filesystem::exists(tls::node_files(dir, "n2").key));
  BOOST_TEST(tls::init_ca(tmp.sub("x"), {"craton-ca", 36501}).error().code == "invalid");
  BOOST_TEST(!std::filesystem::exists(tmp.sub("x")));
}

BOOST_AUTO_TEST_CASE(garbage_is_not_a_certificate) {
  TempDir tmp;
  std::filesystem::path junk = tmp.sub("junk.crt");
  std::ofstream(junk) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  BOOST_TEST(!tls::read_cert_info(junk).ok());
  BOOST_TEST(!tls::read_cert_info(tmp.sub("absent.crt")).ok());
}
