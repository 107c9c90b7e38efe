#include "store/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>

namespace gwanmun::store {

Status EnsureCryptoInit() {
  // sodium_init() is thread-safe and returns 1 when already initialised.
  if (sodium_init() < 0) return Status::Error("libsodium initialisation failed");
  return Status::Ok();
}

Sha256Digest Sha256(std::string_view data) { return Sha256(data, {}); }

namespace {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where present (about 3x
// libsodium's portable code on a 200-byte audit record). The algorithm is
// fetched once: an implicit fetch per call costs as much as the hash.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Hashes with libsodium if OpenSSL cannot (no provider): same digest.
Sha256Digest SodiumSha256(std::string_view a, std::string_view b) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(a.data()), a.size());
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(b.data()), b.size());
  Sha256Digest out;
  crypto_hash_sha256_final(&st, out.data());
  return out;
}

}  // namespace

Sha256Digest Sha256(std::string_view a, std::string_view b) {
  const EVP_MD* md = Sha256Md();
  // One context per thread, re-initialised for every digest: a fresh one
  // costs two allocations, as much as hashing an audit record.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(md != nullptr ? EVP_MD_CTX_new() : nullptr);
  Sha256Digest out;
  unsigned int n = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 || EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out.data(), &n) != 1 ||
      n != out.size()) {
    return SodiumSha256(a, b);
  }
  return out;
}

std::string HexEncode(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string Base64UrlEncode(std::string_view data) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(data.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(), kVariant);
  out.resize(out.find('\0'));  // the encoded length includes the terminator
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gwanmun::store
