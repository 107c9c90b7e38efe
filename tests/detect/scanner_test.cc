// Engine-level contract tests: offsets, overlap resolution, bad input and the
// streaming equality property. Recognizer behaviour is tested per family in
// the other *_test.cc files.

#include "detect/scanner.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>

namespace gwanmun::detect {
namespace {

// A recognizer under test control: reports fixed findings at every
// occurrence of a literal.
class LiteralRecognizer final : public Recognizer {
 public:
  struct Rule {
    std::string literal;
    EntityType type;
    float confidence;
    int16_t specificity;
    const char* rule;
  };
  explicit LiteralRecognizer(std::vector<Rule> rules) : rules_(std::move(rules)) {}
  std::string_view name() const override { return "test.literal"; }
  void Register(LexiconBuilder& lex) override {
    for (size_t i = 0; i < rules_.size(); ++i) {
      entries_.push_back(lex.Add(rules_[i].literal, lex.Category("test.literal")));
    }
  }
  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    for (const Hit& h : view.hits()) {
      for (size_t i = 0; i < entries_.size(); ++i) {
        if (h.entry != entries_[i]) continue;
        const Rule& r = rules_[i];
        out.push_back({h.start, h.end, r.type, r.confidence, r.rule, r.specificity});
      }
    }
  }
  size_t Horizon() const override { return 64; }

 private:
  std::vector<Rule> rules_;
  std::vector<uint32_t> entries_;
};

std::unique_ptr<Scanner> CompileWith(std::vector<LiteralRecognizer::Rule> rules, ScannerOptions opts = {}) {
  std::vector<std::unique_ptr<Recognizer>> extra;
  extra.push_back(std::make_unique<LiteralRecognizer>(std::move(rules)));
  auto s = Scanner::Compile(opts, std::move(extra));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return std::move(s).value();
}

std::vector<Span> ScanText(const Scanner& s, std::string_view text) {
  ScanScratch scratch;
  std::vector<Span> spans;
  Status st = s.Scan(text, scratch, &spans);
  EXPECT_TRUE(st.ok()) << st.message();
  return spans;
}

TEST(ScannerTest, EmptyAndBinaryInputDoNotCrash) {
  auto s = Scanner::Compile({});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(ScanText(*s.value(), "").empty());
  std::string junk("\0\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\0\0", 16);
  ScanText(*s.value(), junk);
  std::string nul_mixed = std::string("전화 010-1234-5678") + std::string(1, '\0') + "끝";
  ScanText(*s.value(), nul_mixed);
}

TEST(ScannerTest, OverlapPrefersSpecificityThenLengthThenConfidence) {
  auto s = CompileWith({
      {"ABCDEF", EntityType::kSecret, 0.9f, specificity::kSecretValue, "long.low"},
      {"CDE", EntityType::kEmail, 0.6f, specificity::kStructured, "short.high"},
      {"XYZW", EntityType::kPersonName, 0.6f, specificity::kName, "name.a"},
      {"XYZ", EntityType::kPersonName, 0.9f, specificity::kName, "name.b"},
      {"PQR", EntityType::kAddress, 0.6f, specificity::kAddress, "addr.a"},
      {"PQR", EntityType::kPersonName, 0.9f, specificity::kAddress, "addr.b"},
  });
  auto spans = ScanText(*s, "..ABCDEF..XYZW..PQR..");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_STREQ(spans[0].rule, "short.high");  // higher specificity wins over length
  EXPECT_EQ(spans[0].start, 4u);
  EXPECT_STREQ(spans[1].rule, "name.a");  // same specificity: longer wins
  EXPECT_STREQ(spans[2].rule, "addr.b");  // same length: higher confidence wins
}

TEST(ScannerTest, MinConfidenceAndTypeFilter) {
  ScannerOptions opts;
  opts.min_confidence = 0.7f;
  auto s = CompileWith(
      {{"LOWCONF", EntityType::kSecret, 0.5f, 50, "low"}, {"HIGHCONF", EntityType::kSecret, 0.9f, 50, "high"}}, opts);
  auto spans = ScanText(*s, "LOWCONF HIGHCONF");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_STREQ(spans[0].rule, "high");

  ScannerOptions only_email;
  only_email.types.reset();
  only_email.types.set(static_cast<size_t>(EntityType::kEmail));
  auto s2 = CompileWith({{"HIGHCONF", EntityType::kSecret, 0.9f, 50, "high"}}, only_email);
  EXPECT_TRUE(ScanText(*s2, "HIGHCONF").empty());
}

TEST(ScannerTest, OffsetsMapBackThroughNormalisation) {
  // The literal is matched on normalised text (full-width letters folded)
  // and reported over the original full-width bytes.
  auto s = CompileWith({{"KEY", EntityType::kSecret, 0.9f, 50, "k"}});
  std::string text = "앞 ＫＥＹ 뒤";
  auto spans = ScanText(*s, text);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(text.substr(spans[0].start, spans[0].end - spans[0].start), "ＫＥＹ");
}

TEST(ScannerTest, HugeSingleLine) {
#if defined(__SANITIZE_ADDRESS__)
  const size_t kSize = size_t{8} << 20;
#else
  const size_t kSize = size_t{100} << 20;
#endif
  auto s = Scanner::Compile({});
  ASSERT_TRUE(s.ok());
  std::string text;
  text.reserve(kSize + 64);
  const std::string unit = "가나다라 마바사 0123 abc ";
  while (text.size() < kSize) text += unit;
  std::string tail = " 연락처 010-2345-6789 끝";
  text += tail;
  auto spans = ScanText(*s.value(), text);
  // No crash, and any span reported stays inside the text.
  for (const Span& sp : spans) {
    EXPECT_LE(sp.end, text.size());
    EXPECT_LT(sp.start, sp.end);
  }
}

TEST(ScannerTest, ConcurrentScansWithPerThreadScratchAgree) {
  auto s = Scanner::Compile({});
  ASSERT_TRUE(s.ok());
  const Scanner& scanner = *s.value();
  const std::vector<std::string> texts = {
      "주민등록번호 900101-1234568, 연락처 010-2345-6789로 부탁드립니다.",
      "담당자 홍길동 과장님 (gildong.hong@example.co.kr), 서울특별시 중구 세종대로 110",
      "password=Qwer1234!! AKIAIOSFODNN7EXAMPLE 4111-1111-1111-1111", "아무 개인정보도 없는 평범한 문장입니다."};
  std::vector<std::vector<Span>> expected;
  for (const auto& t : texts) expected.push_back(ScanText(scanner, t));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      ScanScratch scratch;  // one per thread
      std::vector<Span> spans;
      for (int i = 0; i < 300; ++i) {
        size_t k = static_cast<size_t>(i + th) % texts.size();
        if (!scanner.Scan(texts[k], scratch, &spans).ok() || spans != expected[k]) {
          ++mismatches[static_cast<size_t>(th)];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  EXPECT_FALSE(expected[0].empty());
}

// ---- streaming: chunked scans equal the whole-text scan -------------------

std::string RandomDocument(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "안녕하세요. ",
      "고객님, ",
      "주민등록번호는 900101-1234568이고 ",
      "연락처 010-2345-6789로 부탁드립니다. ",
      "휴대폰 ０１０-９８７６-５４３２ ",
      "공일공-일이삼사-오육칠팔로 연락 주세요. ",
      "전화 0 1 0 2 3 4 5 6 7 8 9 ",
      "카드 4111-1111-1111-1111 결제 ",
      "사업자등록번호 116-82-00276 ",
      "법인등록번호 130111-0006246 ",
      "여권번호 M12345678 ",
      "운전면허 11-17-123456-01 ",
      "hong.gildong@example.co.kr ",
      "서버 192.168.10.24 및 2001:db8::7334 ",
      "담당자 홍길동 과장님이 ",
      "서울특별시 강남구 테헤란로 152, 101동 1203호 ",
      "password=Qwer1234!! ",
      "AKIAIOSFODNN7EXAMPLE ",
      "신한은행 110-123-456789 계좌로 입금 ",
      "대외비 문서입니다. ",
      "주문번호 2024081512345 ",
      "\n",
      "\xE2\x80\x8B",
      "\xff",
      "김치찌개 이번 정말 ",
      "Please contact Gildong Hong. ",
  };
  std::string doc;
  std::uniform_int_distribution<size_t> n_pieces(1, 60), pick(0, pieces.size() - 1);
  size_t n = n_pieces(rng);
  for (size_t i = 0; i < n; ++i) doc += pieces[pick(rng)];
  return doc;
}

TEST(StreamScannerTest, RandomChunkingsEqualWholeScan) {
  auto s = Scanner::Compile({});
  ASSERT_TRUE(s.ok());
  const Scanner& scanner = *s.value();
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 200; ++iter) {
    std::string doc = RandomDocument(rng);
    // Make some documents long enough to exercise buffer trimming.
    if (iter % 10 == 0) {
      std::string big;
      while (big.size() < 64 * 1024) big += RandomDocument(rng);
      doc = big;
    }
    auto whole = ScanText(scanner, doc);
    for (int mode = 0; mode < 3; ++mode) {
      StreamScanner stream(scanner);
      std::vector<Span> got;
      size_t pos = 0;
      std::uniform_int_distribution<size_t> small(1, 7), medium(1, 300), large(1, 20000);
      while (pos < doc.size()) {
        size_t len = mode == 0 ? small(rng) : mode == 1 ? medium(rng) : large(rng);
        len = std::min(len, doc.size() - pos);
        auto part = stream.Feed(std::string_view(doc).substr(pos, len));
        got.insert(got.end(), part.begin(), part.end());
        pos += len;
      }
      auto rest = stream.Finish();
      got.insert(got.end(), rest.begin(), rest.end());
      ASSERT_EQ(got.size(), whole.size()) << "iter " << iter << " mode " << mode;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i], whole[i]) << "iter " << iter << " mode " << mode << " span " << i;
      }
    }
  }
}

TEST(StreamScannerTest, SpanStraddlingChunksIsReportedOnce) {
  auto s = CompileWith({{"STRADDLE", EntityType::kSecret, 0.9f, 50, "st"}});
  StreamScanner stream(*s);
  std::string filler(10000, 'x');
  std::vector<Span> got;
  for (std::string_view part :
       {std::string_view(filler), std::string_view("STR"), std::string_view("ADDLE"), std::string_view(filler)}) {
    auto v = stream.Feed(part);
    got.insert(got.end(), v.begin(), v.end());
  }
  auto rest = stream.Finish();
  got.insert(got.end(), rest.begin(), rest.end());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].start, 10000u);
  EXPECT_EQ(got[0].end, 10008u);
}

TEST(DictionaryFileTest, ParsesTypeLineCommentsAndBlanks) {
  std::string path = ::testing::TempDir() + "/project_codes.txt";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("@type PROJECT_CODENAME\n# comment\n\n  한라산  \nORION\r\n", f);
    std::fclose(f);
  }
  auto d = LoadDictionaryFile(path);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d.value().name, "PROJECT_CODENAME");
  ASSERT_EQ(d.value().terms.size(), 2u);
  EXPECT_EQ(d.value().terms[0], "한라산");
  EXPECT_EQ(d.value().terms[1], "ORION");
  EXPECT_FALSE(LoadDictionaryFile("/nonexistent/x.txt").ok());
}

}  // namespace
}  // namespace gwanmun::detect
