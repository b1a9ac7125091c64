// ClusterCa: key generation, certificate signing, files and checks, on OpenSSL 3.
#include "runtime/tls/cluster_ca.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <system_error>

#include "runtime/address.hpp"

namespace craton::tls {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;

constexpr std::int64_t kSecondsPerDay = 24 * 3600;
// notBefore an hour back: a peer whose clock is a little behind still accepts a fresh cert.
constexpr long kBackdateSeconds = 3600;

// OpenSSL's error queue as one line, emptied.
std::string openssl_error(const std::string& what) {
  std::string out = what;
  while (auto code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    out += std::string(": ") + text;
  }
  return out;
}

Error failed(const std::string& what) {
  return Error{"tls", openssl_error(what)};
}

Result<Key> new_key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return failed("cannot generate a P-256 key");
  return key;
}

Status check_validity(std::int64_t days) {
  if (days < 1 || days > kValidityDaysMax)
    return Error{"invalid", "validity must be 1.." + std::to_string(kValidityDaysMax) +
                                " days, not " + std::to_string(days)};
  return Ok{};
}

// Adds one X.509v3 extension in OpenSSL's config syntax, e.g. "critical,CA:TRUE".
Status add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return failed(std::string("bad extension ") + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return failed("cannot add an extension");
  return Ok{};
}

// A certificate for `key` named `cn`, valid for `days`, not yet signed.
Result<Cert> new_cert(EVP_PKEY* key, const std::string& cn, std::int64_t days) {
  Cert cert(X509_new());
  Bignum serial(BN_new());
  if (!cert || !serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(days * kSecondsPerDay)) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1)
    return failed("cannot build a certificate");
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("craton"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1)
    return failed("cannot name the certificate");
  return cert;
}

// Writes `data` to `path` through a temporary file created with `mode` and renamed into
// place; refuses to replace an existing file.
Status write_new_file(const std::filesystem::path& path, const std::string& data, mode_t mode,
                      bool replace = false) {
  std::error_code ec;
  if (!replace && std::filesystem::exists(path, ec))
    return Error{"exists", path.string() + " already exists: nothing was changed"};
  auto tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return Error{"io", "cannot create " + tmp + ": " +
                           std::error_code(errno, std::generic_category()).message()};
  bool ok = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; ok && done < data.size();) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    ok = n > 0;
    if (ok) done += std::size_t(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Error{"io", "cannot write " + path.string()};
  }
  return Ok{};
}

template <class Write>
Result<std::string> pem(Write write) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return failed("cannot encode PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, std::size_t(n));
}

// Writes the key (0600) first, then the certificate (0644): a certificate on disk always has
// its key beside it.
Status write_pair(const CertFiles& files, EVP_PKEY* key, X509* cert) {
  auto key_pem = pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!key_pem) return key_pem.error();
  auto cert_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, cert); });
  if (!cert_pem) return cert_pem.error();
  if (auto s = write_new_file(files.key, *key_pem, 0600); !s) return s;
  if (auto s = write_new_file(files.cert, *cert_pem, 0644); !s) {
    std::filesystem::remove(files.key);  // no key without its certificate either
    return s;
  }
  return Ok{};
}

Result<Cert> read_cert(const std::filesystem::path& path) {
  Bio bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Error{"not_found", "cannot read certificate " + path.string()};
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return failed(path.string() + " is not a PEM certificate");
  return cert;
}

Result<Key> read_key(const std::filesystem::path& path) {
  Bio bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Error{"not_found", "cannot read key " + path.string()};
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return failed(path.string() + " is not a PEM private key");
  return key;
}

std::string common_name(X509_NAME* name) {
  char text[256] = {};
  if (X509_NAME_get_text_by_NID(name, NID_commonName, text, sizeof(text)) < 0) return "";
  return text;
}

}  // namespace

CertFiles ca_files(const std::filesystem::path& dir) {
  return {dir / "ca.crt", dir / "ca.key"};
}

CertFiles node_files(const std::filesystem::path& dir, const std::string& name) {
  return {dir / (name + ".crt"), dir / (name + ".key")};
}

Status init_ca(const std::filesystem::path& dir, const CaOptions& options) {
  if (auto s = check_validity(options.validity_days); !s) return s;
  if (options.common_name.empty() || options.common_name.size() > 64)
    return Error{"invalid", "the CA's name must be 1..64 bytes"};
  auto files = ca_files(dir);
  std::error_code ec;
  if (std::filesystem::exists(files.key, ec) || std::filesystem::exists(files.cert, ec))
    return Error{"exists", "a CA already exists in " + dir.string() + ": nothing was changed"};
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (!ec)  // only the owner may list the keys of a directory this made
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
  }
  if (ec) return Error{"io", "cannot create " + dir.string() + ": " + ec.message()};
  auto key = new_key();
  if (!key) return key.error();
  auto cert = new_cert(key->get(), options.common_name, options.validity_days);
  if (!cert) return cert.error();
  X509_set_issuer_name(cert->get(), X509_get_subject_name(cert->get()));
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"}})
    if (auto s = add_extension(cert->get(), cert->get(), nid, value); !s) return s;
  if (X509_sign(cert->get(), key->get(), EVP_sha256()) == 0) return failed("cannot sign the CA");
  return write_pair(files, key->get(), cert->get());
}

Status issue_node_cert(const std::filesystem::path& dir, const std::string& name,
                       const NodeCertOptions& options) {
  if (auto s = validate_name(name); !s)
    return Error{"invalid", "node name '" + name + "': " + s.error().message};
  if (name == "ca") return Error{"invalid", "'ca' names the CA's own files"};
  if (auto s = check_validity(options.validity_days); !s) return s;
  auto ca = ca_files(dir);
  auto ca_cert = read_cert(ca.cert);
  if (!ca_cert)
    return Error{ca_cert.error().code,
                 ca_cert.error().message + " (run `craton certs init` first)"};
  auto ca_key = read_key(ca.key);
  if (!ca_key) return ca_key.error();
  auto files = node_files(dir, name);
  std::error_code ec;
  if (std::filesystem::exists(files.key, ec) || std::filesystem::exists(files.cert, ec))
    return Error{"exists", "node " + name + " already has a certificate in " + dir.string() +
                               ": nothing was changed"};
  auto key = new_key();
  if (!key) return key.error();
  auto cert = new_cert(key->get(), name, options.validity_days);
  if (!cert) return cert.error();
  X509_set_issuer_name(cert->get(), X509_get_subject_name(ca_cert->get()));
  const std::string san = "DNS:" + name;
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
        std::pair{NID_key_usage, "critical,digitalSignature"},
        std::pair{NID_ext_key_usage, "serverAuth,clientAuth"},
        std::pair{NID_subject_alt_name, san.c_str()}, std::pair{NID_subject_key_identifier, "hash"},
        std::pair{NID_authority_key_identifier, "keyid:always"}})
    if (auto s = add_extension(cert->get(), ca_cert->get(), nid, value); !s) return s;
  if (X509_sign(cert->get(), ca_key->get(), EVP_sha256()) == 0)
    return failed("cannot sign the certificate");
  return write_pair(files, key->get(), cert->get());
}

std::filesystem::path crl_file(const std::filesystem::path& dir) {
  return dir / "ca.crl";
}

// The CRL is rewritten whole: every serial revoked so far plus the new one, signed by the CA,
// valid until the CA itself expires (OpenSSL refuses a CRL past its nextUpdate).
Status revoke_node_cert(const std::filesystem::path& dir, const std::string& name) {
  if (auto s = validate_name(name); !s)
    return Error{"invalid", "node name '" + name + "': " + s.error().message};
  auto ca = ca_files(dir);
  auto ca_cert = read_cert(ca.cert);
  if (!ca_cert) return ca_cert.error();
  auto ca_key = read_key(ca.key);
  if (!ca_key) return ca_key.error();
  auto cert = read_cert(node_files(dir, name).cert);
  if (!cert) return cert.error();
  Crl crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert->get())) != 1)
    return failed("cannot build the revocation list");
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert->get());
  std::error_code ec;
  if (std::filesystem::exists(crl_file(dir), ec)) {
    Bio bio(BIO_new_file(crl_file(dir).c_str(), "r"));
    Crl old(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!old) return failed(crl_file(dir).string() + " is not a PEM revocation list");
    auto* revoked = X509_CRL_get_REVOKED(old.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      auto* r = sk_X509_REVOKED_value(revoked, i);
      if (ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(r), serial) == 0)
        return Error{"exists", name + "'s certificate is already revoked: nothing was changed"};
      if (X509_CRL_add0_revoked(crl.get(), X509_REVOKED_dup(r)) != 1)
        return failed("cannot copy the revocation list");
    }
  }
  X509_REVOKED* entry = X509_REVOKED_new();
  std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>> now(X509_gmtime_adj(nullptr, 0));
  if (!entry || !now ||
      X509_REVOKED_set_serialNumber(entry, const_cast<ASN1_INTEGER*>(serial)) != 1 ||
      X509_REVOKED_set_revocationDate(entry, now.get()) != 1 ||
      X509_CRL_add0_revoked(crl.get(), entry) != 1) {
    X509_REVOKED_free(entry);
    return failed("cannot add the revocation");
  }
  if (X509_CRL_set1_lastUpdate(crl.get(), now.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), X509_get0_notAfter(ca_cert->get())) != 1 ||
      X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), ca_key->get(), EVP_sha256()) == 0)
    return failed("cannot sign the revocation list");
  auto text = pem([&](BIO* b) { return PEM_write_bio_X509_CRL(b, crl.get()); });
  if (!text) return text.error();
  return write_new_file(crl_file(dir), *text, 0644, true);
}

Result<CertInfo> read_cert_info(const std::filesystem::path& path) {
  auto cert = read_cert(path);
  if (!cert) return cert.error();
  CertInfo info;
  info.subject_cn = common_name(X509_get_subject_name(cert->get()));
  info.issuer_cn = common_name(X509_get_issuer_name(cert->get()));
  info.is_ca = X509_check_ca(cert->get()) != 0;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && info.dns_name.empty(); ++i) {
    auto* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS)
      info.dns_name.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                           std::size_t(ASN1_STRING_length(n->d.dNSName)));
  }
  GENERAL_NAMES_free(names);
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert->get()), &tm) == 1)
    info.not_after_unix = std::int64_t(timegm(&tm));
  return info;
}

Status verify_cert(const std::filesystem::path& ca, const std::filesystem::path& path) {
  auto ca_cert = read_cert(ca);
  if (!ca_cert) return ca_cert.error();
  auto cert = read_cert(path);
  if (!cert) return cert.error();
  Store store(X509_STORE_new());
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca_cert->get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1)
    return failed("cannot set up the verification");
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1)
    return Error{
        "untrusted",
        path.string() + ": " + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
  return Ok{};
}

}  // namespace craton::tls
