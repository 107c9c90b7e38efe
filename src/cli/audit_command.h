// `gwanmun audit verify|tail|export`: the chained audit log (one record per
// request, no content).
//
// Exit codes: 0 success (verify: the chain is intact); 1 verify found broken
// records (each named in the report); 2 errors (bad arguments, store
// unreadable, output file unwritable).

#ifndef GWANMUN_CLI_AUDIT_COMMAND_H_
#define GWANMUN_CLI_AUDIT_COMMAND_H_

#include <cstdint>
#include <iosfwd>
#include <string>

#include "cli/store_command.h"

namespace gwanmun::cli {

struct AuditVerifyOptions {
  StoreCommandOptions store;
  bool json = false;  // one JSON object {ok, records, head_seq, head_hash, problems}
};

struct AuditTailOptions {
  StoreCommandOptions store;
  int64_t lines = 10;           // the last N records (then new ones with follow)
  bool follow = false;          // keep printing records as they are appended
  int interval_ms = 500;        // polling interval with follow
  std::string format = "text";  // "text" or "jsonl"
};

struct AuditExportOptions {
  StoreCommandOptions store;
  std::string format = "jsonl";  // "jsonl" or "csv"
  std::string output;            // file; "" or "-" = stdout
  int64_t after_seq = 0;         // only records with seq > after_seq
};

int RunAuditVerify(const AuditVerifyOptions& options, std::ostream& out, std::ostream& err);
int RunAuditTail(const AuditTailOptions& options, std::ostream& out, std::ostream& err);
// Every field of every record, including prev_hash and hash, so an export can
// be re-verified elsewhere (see store/audit_chain.h for the canonical form).
int RunAuditExport(const AuditExportOptions& options, std::ostream& out, std::ostream& err);

// Registers `audit` and its subcommands on `app`; after parsing, Run() runs
// the one that was given. Must outlive parsing (CLI11 writes into it).
class AuditCommand {
 public:
  explicit AuditCommand(CLI::App& app);
  AuditCommand(const AuditCommand&) = delete;
  AuditCommand& operator=(const AuditCommand&) = delete;

  bool parsed() const;
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* audit_ = nullptr;
  CLI::App* verify_ = nullptr;
  CLI::App* tail_ = nullptr;
  CLI::App* export_ = nullptr;
  AuditVerifyOptions verify_options_;
  AuditTailOptions tail_options_;
  AuditExportOptions export_options_;
};

}  // namespace gwanmun::cli

#endif  // GWANMUN_CLI_AUDIT_COMMAND_H_
