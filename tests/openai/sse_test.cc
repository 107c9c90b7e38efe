#include "openai/sse.h"

#include <gtest/gtest.h>

#include <random>

namespace gwanmun::openai {
namespace {

std::vector<SseEvent> ParseInPieces(std::string_view s, const std::vector<size_t>& cuts) {
  SseParser p;
  std::vector<SseEvent> out;
  size_t prev = 0;
  for (size_t c : cuts) {
    p.Feed(s.substr(prev, c - prev), &out);
    prev = c;
  }
  p.Feed(s.substr(prev), &out);
  p.Finish(&out);
  return out;
}

std::string Concat(const std::vector<SseEvent>& evs) {
  std::string s;
  for (const auto& e : evs) AppendSseEvent(e, &s);
  return s;
}

const std::string kStream =
    ": keep-alive\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"안녕\"}}]}\n\n"
    "event: response.output_text.delta\r\ndata: {\"delta\":\"하세요\"}\r\n\r\n"
    "data: line one\rdata: line two\r\r"
    "id: 7\nretry: 1500\ndata:no-space\n\n"
    "data: [DONE]\n\n";

TEST(SseParserTest, ParsesFieldsAndLineEndings) {
  auto evs = ParseInPieces(kStream, {});
  ASSERT_EQ(evs.size(), 6u);
  EXPECT_TRUE(evs[0].comment_only());
  EXPECT_EQ(evs[1].data, "{\"choices\":[{\"delta\":{\"content\":\"안녕\"}}]}");
  EXPECT_EQ(evs[2].event, "response.output_text.delta");
  EXPECT_EQ(evs[2].data, "{\"delta\":\"하세요\"}");
  EXPECT_EQ(evs[3].data, "line one\nline two");
  EXPECT_EQ(evs[4].id, "7");
  EXPECT_EQ(*evs[4].retry, 1500);
  EXPECT_EQ(evs[4].data, "no-space");
  EXPECT_EQ(evs[5].data, "[DONE]");
  EXPECT_EQ(Concat(evs), kStream) << "raw bytes forwarded unchanged";
}

TEST(SseParserTest, EverySplitPointGivesTheSameEvents) {
  auto whole = ParseInPieces(kStream, {});
  for (size_t cut = 0; cut <= kStream.size(); ++cut) {
    auto evs = ParseInPieces(kStream, {cut});
    ASSERT_EQ(evs.size(), whole.size()) << "cut at " << cut;
    for (size_t i = 0; i < evs.size(); ++i) {
      EXPECT_EQ(evs[i].data, whole[i].data) << "cut at " << cut;
      EXPECT_EQ(evs[i].event, whole[i].event) << "cut at " << cut;
    }
    EXPECT_EQ(Concat(evs), kStream) << "cut at " << cut;
  }
}

TEST(SseParserTest, RandomChunkingsAndByteByByte) {
  std::mt19937 rng(42);
  auto whole = ParseInPieces(kStream, {});
  for (int round = 0; round < 300; ++round) {
    std::vector<size_t> cuts;
    for (size_t i = 1; i < kStream.size(); ++i) {
      if (rng() % 4 == 0 || round == 0) cuts.push_back(i);
    }
    auto evs = ParseInPieces(kStream, cuts);
    ASSERT_EQ(evs.size(), whole.size());
    for (size_t i = 0; i < evs.size(); ++i) EXPECT_EQ(evs[i].data, whole[i].data);
    EXPECT_EQ(Concat(evs), kStream);
  }
}

TEST(SseParserTest, FinishDispatchesATrailingEventWithoutBlankLine) {
  auto evs = ParseInPieces("data: a\n\ndata: b", {});
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[1].data, "b");
}

TEST(SseParserTest, BomIsIgnoredOnlyAtTheStart) {
  auto evs = ParseInPieces(
      "\xEF\xBB\xBF"
      "data: x\n\n",
      {1});
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data, "x");
}

TEST(SseWriterTest, SerialisesModifiedEvents) {
  SseEvent e;
  e.event = "message";
  e.data = "a\nb";
  e.has_data = true;
  std::string out;
  AppendSseEvent(e, &out);
  EXPECT_EQ(out, "event: message\ndata: a\ndata: b\n\n");
  auto back = ParseInPieces(out, {});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].data, "a\nb");
}

}  // namespace
}  // namespace gwanmun::openai
