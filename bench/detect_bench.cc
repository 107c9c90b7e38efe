// Single-thread throughput of the full engine (all types on) on realistic
// mixed Korean text.
//
//   build/release/bench/detect_bench
//   GWANMUN_BENCH_JSONL=../shared/eval/dev.jsonl build/release/bench/detect_bench
//
// The default corpus is bench/corpus.txt (synthetic office text with Korean
// personal data and look-alikes) repeated to about 4 MB. With
// GWANMUN_BENCH_JSONL the "text" fields of a JSONL file are used instead.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "detect/scanner.h"

namespace {

std::string ExtractJsonlTexts(const std::string& path) {
  // Minimal extraction of "text":"…" values (enough for well-formed JSONL);
  // the benchmark must not depend on a JSON library.
  std::ifstream in(path);
  std::string line, out;
  while (std::getline(in, line)) {
    size_t k = line.find("\"text\": \"");
    size_t skip = 9;
    if (k == std::string::npos) {
      k = line.find("\"text\":\"");
      skip = 8;
    }
    if (k == std::string::npos) continue;
    for (size_t i = k + skip; i < line.size(); ++i) {
      char c = line[i];
      if (c == '"') break;
      if (c == '\\' && i + 1 < line.size()) {
        char e = line[++i];
        out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        continue;
      }
      out.push_back(c);
    }
    out.push_back('\n');
  }
  return out;
}

const std::string& Corpus() {
  static const std::string corpus = [] {
    std::string base;
    if (const char* j = std::getenv("GWANMUN_BENCH_JSONL")) {
      base = ExtractJsonlTexts(j);
    } else {
      std::ifstream in(std::string(GWANMUN_BENCH_DIR) + "/corpus.txt");
      std::stringstream ss;
      ss << in.rdbuf();
      base = ss.str();
    }
    if (base.empty()) base = "빈 코퍼스";
    std::string c;
    while (c.size() < (4u << 20)) c += base;
    return c;
  }();
  return corpus;
}

void BM_ScanAllTypes(benchmark::State& state) {
  auto scanner = gwanmun::detect::Scanner::Compile({});
  if (!scanner.ok()) {
    state.SkipWithError(scanner.status().message().c_str());
    return;
  }
  const std::string& text = Corpus();
  gwanmun::detect::ScanScratch scratch;
  std::vector<gwanmun::detect::Span> spans;
  for (auto _ : state) {
    auto st = scanner.value()->Scan(text, scratch, &spans);
    benchmark::DoNotOptimize(spans.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
  state.counters["spans"] = static_cast<double>(spans.size());
}
BENCHMARK(BM_ScanAllTypes)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Many short texts (paragraphs of the corpus), as a gateway sees chat
// messages: measures per-call overhead as well as throughput.
void BM_ScanParagraphs(benchmark::State& state) {
  auto scanner = gwanmun::detect::Scanner::Compile({});
  const std::string& text = Corpus();
  std::vector<std::string_view> paras;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) paras.push_back(std::string_view(text).substr(pos, end - pos));
    pos = end + 2;
  }
  gwanmun::detect::ScanScratch scratch;
  std::vector<gwanmun::detect::Span> spans;
  size_t bytes = 0;
  for (auto _ : state) {
    for (std::string_view p : paras) {
      auto st = scanner.value()->Scan(p, scratch, &spans);
      benchmark::DoNotOptimize(spans.data());
      bytes += p.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["texts"] = static_cast<double>(paras.size());
}
BENCHMARK(BM_ScanParagraphs)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_StreamScan4K(benchmark::State& state) {
  auto scanner = gwanmun::detect::Scanner::Compile({});
  const std::string& text = Corpus();
  for (auto _ : state) {
    gwanmun::detect::StreamScanner stream(*scanner.value());
    size_t n = 0;
    for (size_t i = 0; i < text.size(); i += 4096) n += stream.Feed(text.substr(i, 4096)).size();
    n += stream.Finish().size();
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_StreamScan4K)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
