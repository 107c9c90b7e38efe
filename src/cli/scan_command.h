// `gwanmun scan`: the detection engine on files, directories or JSONL.

#ifndef GWANMUN_CLI_SCAN_COMMAND_H_
#define GWANMUN_CLI_SCAN_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace gwanmun::cli {

struct ScanCommandOptions {
  std::vector<std::string> paths;  // files, directories, or "-" for stdin
  std::string format = "text";     // "text" (human report) or "jsonl"
  std::vector<std::string> types;  // empty = all
  float min_confidence = 0.5f;
  std::vector<std::string> dicts;  // dictionary files
  bool markings = true;            // report classification markings (대외비 …)
  bool exit_code = false;          // exit 1 when anything is found
  bool stats = false;              // print bytes, seconds, MB/s to stderr
  bool color = false;
};

// Runs the command; returns the process exit code: 0 ok (and nothing found
// when exit_code is set), 1 findings with exit_code, 2 errors (bad
// arguments, unreadable files or malformed JSONL lines; the rest is still
// processed).
int RunScan(const ScanCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_SCAN_COMMAND_H_
