// The regression mode of a fuzz target: a plain main() that runs every file of
// the given corpus directories (or single files) through
// LLVMFuzzerTestOneInput once, in name order, so the seed corpora and saved
// crash reproducers run in every ctest, with any compiler.
//
// Usage: <target>_fuzz_regression [-optional_dir=DIR]... DIR_OR_FILE...
// Exits 0 after running at least one input; 1 when an argument cannot be
// read or no input was found. An -optional_dir that does not exist is
// skipped (the saved crash reproducers of a target, once there are any). A
// failing input aborts (the targets trap), so ctest reports the test as failed
// and the last "running" line names it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The regular files named by `arg`: itself, or a directory's files (not
// recursive, hidden files skipped), sorted. False when it cannot be read.
bool CollectInputs(const fs::path& arg, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    out.push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, ec)) return false;
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(arg, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !name.empty() && name[0] != '.') {
      files.push_back(entry.path());
    }
  }
  if (ec) return false;
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
  return true;
}

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in),
             std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  constexpr std::string_view kOptional = "-optional_dir=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, kOptional.size()) == kOptional) {
      arg.remove_prefix(kOptional.size());
      std::error_code ec;
      if (!fs::exists(arg, ec)) continue;
    }
    if (!CollectInputs(fs::path(arg), inputs)) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 1;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "no inputs (usage: %s DIR_OR_FILE...)\n", argv[0]);
    return 1;
  }
  for (const fs::path& path : inputs) {
    std::string data;
    if (!ReadFile(path, data)) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 1;
    }
    std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), data.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()),
                           data.size());
  }
  std::printf("ran %zu inputs\n", inputs.size());
  return 0;
}
