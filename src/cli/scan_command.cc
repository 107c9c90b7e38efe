#include "cli/scan_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "detect/scanner.h"
#include "detect/text_util.h"

namespace gwanmun::cli {
namespace {

using detect::Scanner;
using detect::Span;
using detect::Status;

bool ReadAll(std::istream& in, std::string* data) {
  std::ostringstream ss;
  ss << in.rdbuf();
  *data = std::move(ss).str();
  return !in.bad();
}

bool ReadFile(const std::string& path, std::string* data) {
  if (path == "-") return ReadAll(std::cin, data);
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  return ReadAll(in, data);
}

// Shows a value with its middle masked: at most a quarter of its characters
// (and never more than 3) stay visible at each end.
std::string MaskForDisplay(std::string_view v) {
  std::vector<std::string_view> chars;
  for (size_t i = 0; i < v.size();) {
    auto d = detect::text::DecodeAt(v, i);
    chars.push_back(v.substr(i, d.len));
    i += d.len;
  }
  size_t n = chars.size();
  size_t keep = std::min<size_t>(3, n / 4);
  if (n <= 4) keep = 0;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    bool show = i < keep || i + keep >= n;
    if (n <= 4 && i == 0 && n > 1) show = true;  // 홍** style for short values
    if (chars[i] == "\n") {
      out += "\\n";
    } else if (show) {
      out += chars[i];
    } else {
      out += '*';
    }
  }
  return out;
}

// Context line around a span, with the value masked and bracketed.
std::string ContextLine(std::string_view text, const Span& s) {
  size_t ls = text.rfind('\n', s.start == 0 ? 0 : s.start - 1);
  ls = (ls == std::string_view::npos || s.start == 0) ? 0 : ls + 1;
  if (s.start >= 1 && text[s.start - 1] == '\n') ls = s.start;
  size_t le = text.find('\n', s.end);
  if (le == std::string_view::npos) le = text.size();
  // Trim long lines to ~40 bytes of context on each side (on char bounds).
  size_t from = s.start - ls > 60 ? s.start - 60 : ls;
  while (from > ls && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) --from;
  size_t to = le - s.end > 60 ? s.end + 60 : le;
  while (to < le && (static_cast<unsigned char>(text[to]) & 0xC0) == 0x80) ++to;
  std::string out;
  if (from > ls) out += "…";
  out += text.substr(from, s.start - from);
  out += "[";
  out += MaskForDisplay(text.substr(s.start, s.end - s.start));
  out += "]";
  out += text.substr(s.end, to - s.end);
  if (to < le) out += "…";
  for (char& c : out) {
    if (c == '\t' || c == '\r') c = ' ';
  }
  return out;
}

void LineCol(std::string_view text, uint64_t off, size_t* line, size_t* col) {
  *line = 1;
  size_t last_nl = 0;
  bool any = false;
  for (size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      last_nl = i;
      any = true;
    }
  }
  size_t start = any ? last_nl + 1 : 0;
  // Column in characters, 1-based.
  size_t c = 1;
  for (size_t i = start; i < off;) {
    i += detect::text::DecodeAt(text, i).len;
    ++c;
  }
  *col = c;
}

bool LooksBinary(std::string_view data) {
  size_t n = std::min<size_t>(data.size(), 8192);
  return std::string_view(data.data(), n).find('\0') != std::string_view::npos;
}

struct Totals {
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t findings = 0;
  double seconds = 0;  // time inside the engine only
  std::map<std::string, uint64_t> per_type;
  bool error = false;
};

Status ScanTimed(const Scanner& scanner, std::string_view text, detect::ScanScratch& scratch, std::vector<Span>* spans,
                 Totals& t) {
  auto t0 = std::chrono::steady_clock::now();
  auto st = scanner.Scan(text, scratch, spans);
  t.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t.bytes += text.size();
  return st;
}

void RunJsonl(const Scanner& scanner, const std::string& path, std::ostream& out, std::ostream& err, Totals& t) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      err << "gwanmun scan: cannot open " << path << "\n";
      t.error = true;
      return;
    }
    in = &file;
  }
  detect::ScanScratch scratch;
  std::vector<Span> spans;
  std::string line;
  size_t ln = 0;
  while (std::getline(*in, line)) {
    ++ln;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json rec;
    try {
      rec = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      err << path << ":" << ln << ": malformed JSON: " << e.what() << "\n";
      t.error = true;
      continue;
    }
    if (!rec.is_object() || !rec.contains("id") || !rec.contains("text") || !rec["text"].is_string()) {
      err << path << ":" << ln << ": record needs an \"id\" and a string \"text\"\n";
      t.error = true;
      continue;
    }
    const std::string& text = rec["text"].get_ref<const std::string&>();
    auto st = ScanTimed(scanner, text, scratch, &spans, t);
    if (!st.ok()) {
      err << path << ":" << ln << ": scan failed: " << st.message() << "\n";
      t.error = true;
      continue;
    }
    ++t.records;
    nlohmann::json o;
    o["id"] = rec["id"];
    nlohmann::json arr = nlohmann::json::array();
    for (const Span& s : spans) {
      ++t.findings;
      ++t.per_type[std::string(scanner.TypeName(s))];
      arr.push_back({{"start", s.start},
                     {"end", s.end},
                     {"type", scanner.TypeName(s)},
                     {"confidence", std::round(s.confidence * 1000) / 1000.0}});
    }
    o["spans"] = std::move(arr);
    out << o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

void ReportText(const Scanner& scanner, const std::string& name, std::string_view text, detect::ScanScratch& scratch,
                std::ostream& out, std::ostream& err, Totals& t, bool color) {
  std::vector<Span> spans;
  auto st = ScanTimed(scanner, text, scratch, &spans, t);
  ++t.records;
  if (!st.ok()) {
    err << name << ": scan failed: " << st.message() << "\n";
    t.error = true;
    return;
  }
  for (const Span& s : spans) {
    size_t line, col;
    LineCol(text, s.start, &line, &col);
    ++t.findings;
    ++t.per_type[std::string(scanner.TypeName(s))];
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", s.confidence);
    if (color) out << "\033[1m";
    out << name << ":" << line << ":" << col << ": " << scanner.TypeName(s) << " (" << conf << ", " << s.rule << ")";
    if (color) out << "\033[0m";
    out << "\n    " << ContextLine(text, s) << "\n";
  }
}

}  // namespace

int RunScan(const ScanCommandOptions& o, std::ostream& out, std::ostream& err) {
  detect::ScannerOptions so;
  so.min_confidence = o.min_confidence;
  so.markings = o.markings;
  if (!o.types.empty()) {
    so.types.reset();
    for (const std::string& name : o.types) {
      auto t = detect::ParseEntityType(name);
      if (!t) {
        err << "gwanmun scan: unknown type " << name << " (known:";
        for (int i = 0; i < detect::kNumEntityTypes; ++i) {
          err << " " << detect::EntityTypeName(static_cast<detect::EntityType>(i));
        }
        err << ")\n";
        return 2;
      }
      so.types.set(static_cast<size_t>(*t));
    }
  }
  for (const std::string& path : o.dicts) {
    auto d = detect::LoadDictionaryFile(path);
    if (!d.ok()) {
      err << "gwanmun scan: " << d.status().message() << "\n";
      return 2;
    }
    so.dictionaries.push_back(std::move(d).value());
  }
  if (!o.dicts.empty() && !o.types.empty()) so.types.set(static_cast<size_t>(detect::EntityType::kCustom));
  auto compiled = Scanner::Compile(so);
  if (!compiled.ok()) {
    err << "gwanmun scan: " << compiled.status().message() << "\n";
    return 2;
  }
  const Scanner& scanner = *compiled.value();
  auto wall_start = std::chrono::steady_clock::now();
  Totals t;
  std::vector<std::string> paths = o.paths;
  if (paths.empty()) paths.push_back("-");

  if (o.format == "jsonl") {
    for (const std::string& p : paths) RunJsonl(scanner, p, out, err, t);
  } else if (o.format == "text") {
    detect::ScanScratch scratch;
    for (const std::string& p : paths) {
      std::error_code ec;
      if (p != "-" && std::filesystem::is_directory(p, ec)) {
        std::vector<std::string> files;
        auto it = std::filesystem::recursive_directory_iterator(
            p, std::filesystem::directory_options::skip_permission_denied, ec);
        for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
          const auto& entry = *it;
          std::string fname = entry.path().filename().string();
          if (entry.is_directory(ec) && !fname.empty() && fname[0] == '.') {
            it.disable_recursion_pending();
            continue;
          }
          if (entry.is_regular_file(ec)) files.push_back(entry.path().string());
        }
        std::sort(files.begin(), files.end());
        for (const std::string& f : files) {
          std::string data;
          if (!ReadFile(f, &data)) {
            err << "gwanmun scan: cannot read " << f << "\n";
            t.error = true;
            continue;
          }
          if (LooksBinary(data)) continue;
          ReportText(scanner, f, data, scratch, out, err, t, o.color);
        }
      } else {
        std::string data;
        if (!ReadFile(p, &data)) {
          err << "gwanmun scan: cannot read " << p << "\n";
          t.error = true;
          continue;
        }
        ReportText(scanner, p == "-" ? "<stdin>" : p, data, scratch, out, err, t, o.color);
      }
    }
    out << "\n" << t.findings << " finding(s) in " << t.records << " file(s)\n";
    if (!t.per_type.empty()) {
      out << "  type                      count\n";
      for (const auto& [type, n] : t.per_type) {
        char row[96];
        std::snprintf(row, sizeof row, "  %-24s %6llu\n", type.c_str(), static_cast<unsigned long long>(n));
        out << row;
      }
    }
  } else {
    err << "gwanmun scan: unknown --format " << o.format << " (text or jsonl)\n";
    return 2;
  }
  if (o.stats) {
    char line[320];
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    double mbs = t.seconds > 0 ? static_cast<double>(t.bytes) / 1e6 / t.seconds : 0;
    double wall_mbs = wall > 0 ? static_cast<double>(t.bytes) / 1e6 / wall : 0;
    std::snprintf(line, sizeof line,
                  "stats: %llu bytes, %llu record(s), %llu finding(s); engine %.3f s = %.1f MB/s; "
                  "whole run %.3f s = %.1f MB/s\n",
                  static_cast<unsigned long long>(t.bytes), static_cast<unsigned long long>(t.records),
                  static_cast<unsigned long long>(t.findings), t.seconds, mbs, wall, wall_mbs);
    err << line;
  }
  if (t.error) return 2;
  if (o.exit_code && t.findings > 0) return 1;
  return 0;
}

}  // namespace gwanmun::cli
