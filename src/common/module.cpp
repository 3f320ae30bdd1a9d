#include "common/module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#ifndef OSAPI_MODULE_BUILD_DIR
#define OSAPI_MODULE_BUILD_DIR ""
#endif

namespace osapi {

namespace {

std::string executable_dir() {
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "";
  buf.resize(static_cast<size_t>(n));
  const auto slash = buf.rfind('/');
  return slash == std::string::npos ? "" : buf.substr(0, slash);
}

std::vector<std::string> search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("OSAPI_MODULE_DIR"); env != nullptr && *env != '\0')
    dirs.emplace_back(env);
  if (const std::string exe = executable_dir(); !exe.empty()) {
    dirs.push_back(exe);
    dirs.push_back(exe + "/../lib/osapi");
  }
  if (const std::string build = OSAPI_MODULE_BUILD_DIR; !build.empty()) dirs.push_back(build);
  return dirs;
}

struct Loaded {
  void* handle = nullptr;
  std::string error;
};

const Loaded& load(const std::string& file) {
  static std::mutex mu;
  static std::map<std::string, Loaded> cache;
  std::lock_guard<std::mutex> lk(mu);
  auto it = cache.find(file);
  if (it != cache.end()) return it->second;
  Loaded out;
  std::string tried;
  for (const auto& dir : search_dirs()) {
    const std::string path = dir + "/" + file;
    if (::access(path.c_str(), F_OK) != 0) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    out.handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (out.handle != nullptr) break;
    const char* why = ::dlerror();
    out.error = "cannot load " + path + ": " + (why ? why : "unknown error");
    break;
  }
  if (out.handle == nullptr && out.error.empty())
    out.error = "module " + file + " not found (tried " + tried +
                "; set OSAPI_MODULE_DIR to the directory holding it)";
  return cache.emplace(file, std::move(out)).first->second;
}

}  // namespace

Result<void*> module_symbol(const std::string& file, const char* symbol) {
  const Loaded& m = load(file);
  if (m.handle == nullptr) return make_error(ErrorCode::kUnavailable, m.error);
  void* sym = ::dlsym(m.handle, symbol);
  if (sym == nullptr)
    return make_error(ErrorCode::kUnavailable,
                      "module " + file + " has no symbol " + std::string(symbol));
  return sym;
}

}  // namespace osapi
