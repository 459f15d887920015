// PEM certificate and key checks with OpenSSL, on the bytes read through read_whole_file.
#include "rest-api/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>

#include "common/whole_file.h"

namespace sentinel::connect {
namespace {

constexpr const char* kCertKey = "listeners.https.ssl.certificate.location";
constexpr const char* kKeyKey = "listeners.https.ssl.key.location";

// OpenSSL's reason for the last failure, or `fallback` when it left none.
std::string openssl_reason(const char* fallback) {
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  const char* reason = ERR_reason_error_string(e);
  return reason ? reason : fallback;
}

// A key protected by a passphrase is refused instead of prompting on a terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

}  // namespace

bool check_tls_files(const std::string& certificate, const std::string& private_key,
                     std::string* error) {
  std::string why;
  std::optional<std::string> cert_text = read_whole_file(certificate, &why);
  if (!cert_text) {
    *error = std::string(kCertKey) + " " + certificate + ": cannot read: " + why;
    return false;
  }
  std::optional<std::string> key_text = read_whole_file(private_key, &why);
  if (!key_text) {
    *error = std::string(kKeyKey) + " " + private_key + ": cannot read: " + why;
    return false;
  }
  ERR_clear_error();
  auto cert_bio = memory_bio(*cert_text);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr));
  if (!cert) {
    *error = std::string(kCertKey) + " " + certificate +
             ": expected a PEM certificate (BEGIN CERTIFICATE): " +
             openssl_reason("no certificate found");
    return false;
  }
  auto key_bio = memory_bio(*key_text);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    *error = std::string(kKeyKey) + " " + private_key +
             ": expected an unencrypted PEM private key (BEGIN PRIVATE KEY): " +
             openssl_reason("no key found");
    return false;
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    *error = std::string(kKeyKey) + " " + private_key + ": does not match the certificate " +
             certificate;
    return false;
  }
  return true;
}

}  // namespace sentinel::connect
