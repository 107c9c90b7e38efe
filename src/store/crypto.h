// The few cryptographic primitives the store needs, over libsodium (SHA-256
// over OpenSSL, which is faster on CPUs with SHA extensions).
// All functions are thread-safe; EnsureCryptoInit() must have succeeded once
// before any of them is called (OpenSqliteStore does it).

#ifndef GWANMUN_STORE_CRYPTO_H_
#define GWANMUN_STORE_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gwanmun::store {

using Sha256Digest = std::array<uint8_t, 32>;

// Initialises libsodium (idempotent, thread-safe).
Status EnsureCryptoInit();

Sha256Digest Sha256(std::string_view data);
// SHA-256 over the concatenation a || b, without building it.
Sha256Digest Sha256(std::string_view a, std::string_view b);

// Lower-case hex of `data`.
std::string HexEncode(const uint8_t* data, size_t size);
inline std::string HexEncode(const Sha256Digest& d) { return HexEncode(d.data(), d.size()); }
inline std::string HexEncode(std::string_view bytes) {
  return HexEncode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// `n` bytes from the OS CSPRNG (getrandom via libsodium).
std::string RandomBytes(size_t n);

// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(std::string_view data);

// Equality in time that depends only on the sizes, never on the contents.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace gwanmun::store

#endif  // GWANMUN_STORE_CRYPTO_H_
