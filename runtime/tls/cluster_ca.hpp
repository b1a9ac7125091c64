// ClusterCa: the cluster's certificate authority on disk, and the node certificates it issues
// (kubeadm's layout: one directory, `ca.crt` and `ca.key`, then `<name>.crt` and `<name>.key`
// per node). Links authenticate both ends with these (mutual TLS): a node's certificate names
// it (subject CN and a DNS subjectAltName equal to the node id), so a process cannot pose as
// another node.
//
// Keys are ECDSA P-256 (fast handshakes), certificates X.509 v3 signed with SHA-256, with a
// 128-bit random serial. Private keys are written with mode 0600, certificates 0644, each
// through a temporary file renamed into place, so a crash never leaves half a file. Nothing is
// ever overwritten: an existing CA or node certificate is an error that changes nothing.
// Process code over OpenSSL 3 (no CAF, no actors).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "runtime/result.hpp"

namespace craton::tls {

struct CaOptions {
  std::string common_name = "craton-ca";
  std::int64_t validity_days = 3650;
};

struct NodeCertOptions {
  std::int64_t validity_days = 365;
};

/// Bound on validity periods (days): 100 years.
inline constexpr std::int64_t kValidityDaysMax = 36500;

/// Paths of the files in a certificate directory.
struct CertFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};
CertFiles ca_files(const std::filesystem::path& dir);
CertFiles node_files(const std::filesystem::path& dir, const std::string& name);

/// Creates the directory (0700) if needed and a new CA in it. Error if a CA is already there.
Status init_ca(const std::filesystem::path& dir, const CaOptions& options = {});

/// Issues a certificate for node `name` (a node id: 1..64 of [A-Za-z0-9._-]), signed by the
/// directory's CA, usable for both ends of a link (serverAuth and clientAuth). Error if the
/// CA is missing or unreadable, the name is bad, or the node already has a certificate.
Status issue_node_cert(const std::filesystem::path& dir, const std::string& name,
                       const NodeCertOptions& options = {});

/// DIR/ca.crl: the certificates revoked so far (links refuse them; link_tls.hpp).
std::filesystem::path crl_file(const std::filesystem::path& dir);

/// Adds node `name`'s certificate (DIR/<name>.crt) to DIR/ca.crl, signed by the CA. Running
/// roles refuse it on their next handshake after a reload (SIGHUP). Error, nothing changed,
/// if the CA or the certificate is missing or it is revoked already.
Status revoke_node_cert(const std::filesystem::path& dir, const std::string& name);

/// What a certificate says, for `craton certs show` and tests.
struct CertInfo {
  std::string subject_cn;
  std::string issuer_cn;
  std::string dns_name;  ///< the first DNS subjectAltName ("" if none)
  bool is_ca = false;
  std::int64_t not_after_unix = 0;
};
Result<CertInfo> read_cert_info(const std::filesystem::path& cert);

/// Checks `cert` against the CA certificate `ca` (chain, validity period, purpose): Ok, or
/// an error saying why not, in OpenSSL's words.
Status verify_cert(const std::filesystem::path& ca, const std::filesystem::path& cert);

}  // namespace craton::tls
