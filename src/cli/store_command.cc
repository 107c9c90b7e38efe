#include "cli/store_command.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "config/config.h"

namespace gwanmun::cli {

void AddStoreOptions(CLI::App& command, StoreCommandOptions& options) {
  command.add_option("--data-dir", options.data_dir,
                     "Data directory holding gwanmun.db (default: data_dir of --config, else "
                     "$GWANMUN_DATA_DIR, else ./data)");
  command.add_option("--config", options.config, "Gateway config file (YAML), for its data_dir");
}

Result<std::string> ResolveDataDir(const StoreCommandOptions& options) {
  if (!options.data_dir.empty()) return options.data_dir;
  if (!options.config.empty()) {
    auto config = config::LoadConfigFile(options.config);
    if (!config.ok()) return config.status();
    return config.value().data_dir;
  }
  if (const char* env = std::getenv("GWANMUN_DATA_DIR"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  return std::string("./data");
}

Result<std::unique_ptr<store::Store>> OpenStoreForCommand(const StoreCommandOptions& options) {
  auto dir = ResolveDataDir(options);
  if (!dir.ok()) return dir.status();
  return store::OpenDataDir(dir.value());
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    i += len;
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
  }
  return width;
}

}  // namespace gwanmun::cli
