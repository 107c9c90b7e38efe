// What `gwanmun keys …` and `gwanmun audit …` share: where the data lives.

#ifndef GWANMUN_CLI_STORE_COMMAND_H_
#define GWANMUN_CLI_STORE_COMMAND_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace gwanmun::cli {

struct StoreCommandOptions {
  std::string data_dir;  // --data-dir; "" = not given
  std::string config;    // --config (YAML); "" = not given
};

// Adds --data-dir and --config to `command`, writing into `options`.
void AddStoreOptions(CLI::App& command, StoreCommandOptions& options);

// The data directory, first that applies: --data-dir; data_dir of the
// --config file (which must then load and validate); $GWANMUN_DATA_DIR;
// "./data".
Result<std::string> ResolveDataDir(const StoreCommandOptions& options);

// Opens (creating if needed) the store in the resolved data directory.
Result<std::unique_ptr<store::Store>> OpenStoreForCommand(const StoreCommandOptions& options);

// Terminal columns taken by UTF-8 `text` (Hangul and other East Asian wide
// characters count 2), for aligning tables.
size_t DisplayWidth(std::string_view text);

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_STORE_COMMAND_H_
