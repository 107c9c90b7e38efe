// End-to-end tests of the PERSON_NAME recognizer through Scanner::Scan
// (offsets are checked against the caller's original text). All names and
// sentences are invented for these tests.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "detect/scanner.h"
#include "test_util.h"

namespace gwanmun::detect {
namespace {

using testutil::DefaultScanner;

// The substrings of `text` reported as PERSON_NAME.
std::vector<std::string> Names(std::string_view text) { return testutil::ValuesOfType(text, EntityType::kPersonName); }

using V = std::vector<std::string>;

TEST(NameTest, HonorificsAndParticlesStayOutside) {
  EXPECT_EQ(Names("홍길동님이 요청하신 자료입니다."), V{"홍길동"});
  EXPECT_EQ(Names("김민수 과장에게 전달했습니다."), V{"김민수"});
  EXPECT_EQ(Names("내일 박서준 씨가 방문합니다."), V{"박서준"});
  EXPECT_EQ(Names("최지우 고객님께 안내 문자를 보냈어요."), V{"최지우"});
  EXPECT_EQ(Names("어제 윤하린한테 연락 왔어."), V{"윤하린"});
  EXPECT_EQ(Names("송재민 팀장님께서 승인하셨습니다."), V{"송재민"});
  EXPECT_EQ(Names("이 건은 강도윤 책임이 맡기로 했습니다."), V{"강도윤"});
  EXPECT_EQ(Names("보고서는 임채은에게 넘겨 주세요."), V{"임채은"});
}

TEST(NameTest, TitleGluedToName) {
  EXPECT_EQ(Names("한소희대리님 오늘 휴가세요?"), V{"한소희"});
  EXPECT_EQ(Names("정해인과장 자리 비었나요"), V{"정해인"});
}

TEST(NameTest, CopulaAfterName) {
  EXPECT_EQ(Names("안녕하세요, 총무팀 서지호입니다."), V{"서지호"});
  EXPECT_EQ(Names("제 이름은 문가영이에요."), V{"문가영"});
  EXPECT_EQ(Names("보호자는 오경택이고 연락처는 따로 드릴게요."), V{"오경택"});
}

TEST(NameTest, ContextKeywords) {
  EXPECT_EQ(Names("성명: 백승호"), V{"백승호"});
  EXPECT_EQ(Names("담당자 신예린 (내선 2231)"), V{"신예린"});
  EXPECT_EQ(Names("예금주 권태오"), V{"권태오"});
  EXPECT_EQ(Names("수신: 허준혁 부장"), V{"허준혁"});
  EXPECT_EQ(Names("작성자: 노은결"), V{"노은결"});
  EXPECT_EQ(Names("민원인 표성훈의 요청에 따라 처리함"), V{"표성훈"});
}

TEST(NameTest, TwoSyllableNamesNeedContext) {
  EXPECT_EQ(Names("예금주: 김솔"), V{"김솔"});
  EXPECT_EQ(Names("이훈 대리에게 물어보세요."), V{"이훈"});
  EXPECT_EQ(Names("담당자 최린"), V{"최린"});
}

TEST(NameTest, TwoSyllableSurnames) {
  EXPECT_EQ(Names("남궁지환 님 환영합니다."), V{"남궁지환"});
  EXPECT_EQ(Names("담당: 황보선영 주임"), V{"황보선영"});
  EXPECT_EQ(Names("제갈현우 교수님 강의"), V{"제갈현우"});
  EXPECT_EQ(Names("선우예나에게 전해 줘."), V{"선우예나"});
  EXPECT_EQ(Names("독고준 선생님께"), V{"독고준"});
  EXPECT_EQ(Names("참석자: 사공태민"), V{"사공태민"});
}

TEST(NameTest, JsonCsvAndSignatures) {
  EXPECT_EQ(Names(R"({"name": "방은비", "dept": "재무"})"), V{"방은비"});
  EXPECT_EQ(Names(R"({"customer_name":"염동하"})"), V{"염동하"});
  EXPECT_EQ(Names("성명,부서,연락처\n구자윤,총무팀,010-2222-3333\n석민호,재무팀,010-4444-5555"),
            (V{"구자윤", "석민호"}));
  EXPECT_EQ(Names("| 이름 | 부서 |\n|---|---|\n| 엄태식 | 법무팀 |"), V{"엄태식"});
  EXPECT_EQ(Names("감사합니다.\n\n--\n여수빈 드림"), V{"여수빈"});
  EXPECT_EQ(Names("좋은 하루 되세요.\n표은지 올림"), V{"표은지"});
}

TEST(NameTest, Lists) {
  EXPECT_EQ(Names("참석: 유건희, 변서윤, 탁민재"), (V{"유건희", "변서윤", "탁민재"}));
  EXPECT_EQ(Names("추천인: 편재욱, 곽소연"), (V{"편재욱", "곽소연"}));
}

TEST(NameTest, SpeakerLabelsAndNumberedItems) {
  EXPECT_EQ(Names("[09:12] 위수연: 자료 올렸습니다\n[09:13] 방태준: 확인했어요"), (V{"위수연", "방태준"}));
  EXPECT_EQ(Names("1. 제민석 - 기획 총괄\n2. 국하윤 - 개발"), (V{"제민석", "국하윤"}));
}

TEST(NameTest, MentionsAndTemplateParticles) {
  EXPECT_EQ(Names("@엄지훈 리뷰 부탁해요"), V{"엄지훈"});
  EXPECT_EQ(Names("모재현이(가) 문서를 공유했습니다."), V{"모재현"});
}

TEST(NameTest, RomanizedNames) {
  EXPECT_EQ(Names("Please contact Gildong Hong by Friday."), V{"Gildong Hong"});
  EXPECT_EQ(Names("Passenger: HONG GILDONG"), V{"HONG GILDONG"});
  EXPECT_EQ(Names("Dear Gil-dong Hong,"), V{"Gil-dong Hong"});
  EXPECT_EQ(Names("Hi Sang-min Kim, thanks."), V{"Sang-min Kim"});
  EXPECT_EQ(Names("영문명: Ji-su Ji"), V{"Ji-su Ji"});
  EXPECT_EQ(Names("cardholder: PARK SEOYEON"), V{"PARK SEOYEON"});
}

TEST(NameTest, RomanizedLookAlikesAreNotNames) {
  EXPECT_EQ(Names("Go Home and rest."), V{});
  EXPECT_EQ(Names("We met in Seoul Station."), V{});
  EXPECT_EQ(Names("see https://example.com/Kim Lee"), V{});
}

TEST(NameTest, CommonWordsStartingWithSurnameSyllables) {
  EXPECT_EQ(Names("이번 주에 김치찌개 먹자"), V{});
  EXPECT_EQ(Names("정말 감사합니다. 조금 늦을 것 같아요."), V{});
  EXPECT_EQ(Names("강남역 근처에서 한국 음식 먹었어요."), V{});
  EXPECT_EQ(Names("오늘 신청서 제출하고 확인 부탁드립니다."), V{});
  EXPECT_EQ(Names("주문 정보 변경은 고객센터로 문의해 주세요."), V{});
  EXPECT_EQ(Names("이상 없음. 정상 처리되었습니다."), V{});
  EXPECT_EQ(Names("서울에서 도로 공사 때문에 전화가 안 돼요."), V{});
  EXPECT_EQ(Names("안내 사항: 유의 사항을 확인하세요."), V{});
  EXPECT_EQ(Names("사용자 이름과 비밀번호를 입력하세요."), V{});
  EXPECT_EQ(Names("한도 초과로 결제가 거절되었습니다."), V{});
}

TEST(NameTest, SurnameWithTitleOnlyIsNotAName) {
  EXPECT_EQ(Names("김 대리한테 물어봐."), V{});
  EXPECT_EQ(Names("이 과장님이 오늘 안 계세요."), V{});
  EXPECT_EQ(Names("박부장님께 보고드렸습니다."), V{});
  EXPECT_EQ(Names("이사님 일정 확인 부탁드려요."), V{});
  EXPECT_EQ(Names("참석: 최 팀장, 정 사원"), V{});
}

TEST(NameTest, MaskedNamesAreNotNames) {
  EXPECT_EQ(Names("홍*동 고객님"), V{});
  EXPECT_EQ(Names("김○○ 님의 주문"), V{});
  EXPECT_EQ(Names("이**님 안녕하세요"), V{});
}

TEST(NameTest, PlacesAreNotNames) {
  EXPECT_EQ(Names("서울에서 만나요."), V{});
  EXPECT_EQ(Names("이번엔 강남역 2번 출구."), V{});
  EXPECT_EQ(Names("전주 한옥마을 여행"), V{});
}

TEST(NameTest, OffsetsMapToOriginalText) {
  // A zero-width space inside the honorific and a full-width space before it.
  std::string text = "담당\xE3\x80\x80진서우\xE2\x80\x8B님";
  EXPECT_EQ(Names(text), V{"진서우"});
}

// Names found through context that spans lines (table columns, speaker
// labels, lists) must be reported identically when the text is streamed in
// arbitrary chunks (the recognizer's context stays within its Horizon()).
TEST(NameTest, StreamingEqualsWholeScan) {
  const std::vector<std::string> pieces = {
      "이름,부서,연락처\n",
      "변하람,총무팀,010-2345-6789\n",
      "| 성도윤 | 재무팀 |\n",
      "- 맹지율: 자료 정리\n",
      "[10:02] 추은결: 확인했습니다\n",
      "참석: 국해솔, 명재희, 편소율\n",
      "담당자 탁민혁 과장님께 ",
      "서울 마포구 월드컵로 212, 3층 ",
      "이번 주 김치찌개 정말 ",
      "Dear Min-jun Seo, ",
      "\n",
  };
  std::mt19937 rng(2024);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  for (int iter = 0; iter < 40; ++iter) {
    std::string doc;
    while (doc.size() < 20000) doc += pieces[pick(rng)];
    ScanScratch scratch;
    std::vector<Span> whole;
    ASSERT_TRUE(DefaultScanner().Scan(doc, scratch, &whole).ok());
    size_t names = 0;
    for (const Span& sp : whole) names += sp.type == EntityType::kPersonName ? 1 : 0;
    ASSERT_GT(names, 100u);
    StreamScanner stream(DefaultScanner());
    std::vector<Span> got;
    std::uniform_int_distribution<size_t> len(1, iter % 2 == 0 ? 9 : 700);
    for (size_t pos = 0; pos < doc.size();) {
      size_t n = std::min(len(rng), doc.size() - pos);
      auto part = stream.Feed(std::string_view(doc).substr(pos, n));
      got.insert(got.end(), part.begin(), part.end());
      pos += n;
    }
    auto rest = stream.Finish();
    got.insert(got.end(), rest.begin(), rest.end());
    ASSERT_EQ(got.size(), whole.size()) << "iteration " << iter;
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], whole[i]) << "span " << i;
  }
}

}  // namespace
}  // namespace gwanmun::detect
