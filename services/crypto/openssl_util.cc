#include "services/crypto/openssl_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace caregate::crypto_internal {
namespace {

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

absl::Status FileError(int err, const std::string& path,
                       std::string_view what) {
  const std::string message =
      absl::StrCat("cannot read ", absl::string_view(what.data(), what.size()),
                   " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  return absl::FailedPreconditionError(message);
}

}  // namespace

std::shared_ptr<EVP_PKEY> WrapPkey(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path,
                                          std::string_view what,
                                          size_t max_bytes) {
  std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return FileError(errno, path, what);
  std::string contents(max_bytes + 1, '\0');
  const size_t n = std::fread(contents.data(), 1, contents.size(), file.get());
  if (std::ferror(file.get())) {
    Wipe(contents);
    return FileError(errno, path, what);
  }
  if (n > max_bytes) {
    Wipe(contents);
    return absl::FailedPreconditionError(
        absl::StrCat(absl::string_view(what.data(), what.size()), " ", path,
                     ": larger than ", max_bytes, " bytes"));
  }
  contents.resize(n);
  return contents;
}

void Wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

void FatalOpenSslError(const char* what) {
  char buf[256];
  ERR_error_string_n(ERR_peek_last_error(), buf, sizeof(buf));
  std::fprintf(stderr, "caregate crypto: %s: %s\n", what, buf);
  std::abort();
}

}  // namespace caregate::crypto_internal
