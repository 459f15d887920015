// The HTTPS listener's certificate and key, checked before anything binds: each must be a readable
// PEM file (a certificate chain; an unencrypted private key) and the key must belong to the
// certificate. The start and --check-config both run this, so an unusable pair is refused by both
// with the same words instead of cpp-httplib's "cannot load" after the port is taken.
#pragma once

#include <string>

namespace sentinel::connect {

// False with *error such as "listeners.https.ssl.key.location /etc/x/key.pem: does not match the
// certificate /etc/x/cert.pem" (the caller adds where the keys were set).
bool check_tls_files(const std::string& certificate, const std::string& private_key,
                     std::string* error);

}  // namespace sentinel::connect
