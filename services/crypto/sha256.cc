#include "services/crypto/sha256.h"

#include <openssl/evp.h>

#include "services/crypto/encoding.h"
#include "services/crypto/openssl_util.h"

namespace caregate {
namespace {

using crypto_internal::EvpMdCtxPtr;
using crypto_internal::FatalOpenSslError;

// Fetched once: an implicit fetch on every call costs a provider lookup.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) FatalOpenSslError("fetching SHA256");
    return fetched;
  }();
  return md;
}

EVP_MD_CTX* NewInitializedCtx() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1) {
    FatalOpenSslError("SHA-256 init");
  }
  return ctx;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  // One context per thread, reset per call: no allocation per hash.
  thread_local EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  Sha256Digest digest;
  if (ctx == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), nullptr) != 1) {
    FatalOpenSslError("SHA-256");
  }
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  const Sha256Digest digest = Sha256(data);
  return HexEncode(std::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

struct Sha256Hasher::Impl {
  EvpMdCtxPtr ctx{NewInitializedCtx()};
};

Sha256Hasher::Sha256Hasher() : impl_(new Impl) {}

Sha256Hasher::~Sha256Hasher() { delete impl_; }

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    FatalOpenSslError("SHA-256 update");
  }
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest digest;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), digest.data(), nullptr) != 1) {
    FatalOpenSslError("SHA-256 final");
  }
  return digest;
}

}  // namespace caregate
