// End-to-end tests of the SECRET recognizer through Scanner::Scan. All key
// values are invented (random) or documented examples (AWS docs).

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "detect/scanner.h"
#include "test_util.h"

namespace gwanmun::detect {
namespace {

using testutil::DefaultScanner;

std::vector<std::string> Found(std::string_view text) { return testutil::ValuesOfType(text, EntityType::kSecret); }

// The rule of the only SECRET span in `text` ("" if there is not exactly one).
std::string RuleOf(std::string_view text) {
  ScanScratch scratch;
  std::vector<Span> spans;
  EXPECT_TRUE(DefaultScanner().Scan(text, scratch, &spans).ok());
  std::string rule;
  int n = 0;
  for (const Span& s : spans) {
    if (s.type == EntityType::kSecret) {
      rule = s.rule;
      ++n;
    }
  }
  return n == 1 ? rule : "";
}

using V = std::vector<std::string>;

// --- provider keys ------------------------------------------------------------

TEST(SecretTest, OpenAiLegacyKey) {
  const std::string key = "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";
  EXPECT_EQ(Found("-H \"Authorization: Bearer " + key + "\""), V{key});
  EXPECT_EQ(RuleOf("key " + key), "secret.openai");
}

TEST(SecretTest, OpenAiProjectKeyEndingInDash) {
  const std::string key =
      "sk-proj-CfrL1spNxnyVmihA_2O76UMFxFkM_R5Kjp1vRt-1fjORS_6ilI8ihN5KXSc7T3BlbkFJTvo_hBKqFYY_"
      "kv5ZJr3J1TWDtkwtDDb-xHKas1VOqg6YYZYn9ZhyiA4uoRg-";
  EXPECT_EQ(Found("client = OpenAI(api_key=\"" + key + "\")"), V{key});
}

TEST(SecretTest, AwsAccessKeyIds) {
  EXPECT_EQ(Found("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"), V{"AKIAIOSFODNN7EXAMPLE"});
  EXPECT_EQ(Found("공유 드라이브에 AWS 키(AKIAAJGXBENYJQWX6HH7) 노출"), V{"AKIAAJGXBENYJQWX6HH7"});
  EXPECT_EQ(Found("session ASIA566TFJGVQ6KBNXJB expired"), V{"ASIA566TFJGVQ6KBNXJB"});
  EXPECT_EQ(RuleOf("AKIAIOSFODNN7EXAMPLE"), "secret.aws_key_id");
  // Wrong length or glued to a word.
  EXPECT_TRUE(Found("AKIAIOSFODNN7EXAMPL AKIAIOSFODNN7EXAMPLE1 XAKIAIOSFODNN7EXAMPLE").empty());
}

TEST(SecretTest, AwsSecretAccessKeyInAssignment) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  EXPECT_EQ(Found("AWS_SECRET_ACCESS_KEY=" + secret + "\nAWS_REGION=ap-northeast-2"), V{secret});
  EXPECT_EQ(Found("aws_secret_access_key = \"" + secret + "\""), V{secret});
  EXPECT_EQ(Found("\"SecretAccessKey\": \"MlHUvTCQCyEZDz+TddJ8HyS5SUkCnD8zRA9a9Skp\""),
            V{"MlHUvTCQCyEZDz+TddJ8HyS5SUkCnD8zRA9a9Skp"});
  // Credentials CSV: the secret follows the key id.
  EXPECT_EQ(Found("AKIAIOSFODNN7EXAMPLE," + secret), (V{"AKIAIOSFODNN7EXAMPLE", secret}));
  // A 40-character base64 string without that context is not reported.
  EXPECT_TRUE(Found("checksum " + secret + " ok").empty());
}

TEST(SecretTest, GithubTokens) {
  EXPECT_EQ(Found("깃허브 토큰 ghp_6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN 권한"),
            V{"ghp_6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN"});
  EXPECT_EQ(Found("token: gho_0MEQ7wjJJibaZUPgHV7iB3m03nbqnsGpWLuq"), V{"gho_0MEQ7wjJJibaZUPgHV7iB3m03nbqnsGpWLuq"});
  const std::string pat =
      "github_pat_1180IDW3706I8J76B2LAJL_"
      "jENUhJduRHHJEYXg4JdpmrcXgGCJbW56eCuNGMGmSrCGIZEG8pSH4487q7J";
  EXPECT_EQ(Found(pat + "가 발견되어"), V{pat});
  EXPECT_EQ(Found("git remote set-url origin "
                  "https://ghp_6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN@github.com/o/r.git"),
            V{"ghp_6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN"});
  EXPECT_EQ(RuleOf("ghp_6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN"), "secret.github");
}

TEST(SecretTest, SlackTokens) {
  EXPECT_EQ(Found("SLACK_BOT_TOKEN = \"xoxb-372616751361-3412524273167-kQ1okTBGzvAmwufUxbvJDCTb\""),
            V{"xoxb-372616751361-3412524273167-kQ1okTBGzvAmwufUxbvJDCTb"});
  const std::string user = "xoxp-658948113114-402426462889-7514026140141-7283e0ad84173581569969e58b081006";
  EXPECT_EQ(Found("API 키 " + user + "가 발견"), V{user});
  EXPECT_EQ(RuleOf(user), "secret.slack");
}

TEST(SecretTest, GoogleApiKey) {
  EXPECT_EQ(Found("구글 지도 API 키 AIza8F5n3_YNBDRzrZSgqbjG3uhkWKFLf6xuI5a 이거"),
            V{"AIza8F5n3_YNBDRzrZSgqbjG3uhkWKFLf6xuI5a"});
  EXPECT_EQ(RuleOf("AIza8F5n3_YNBDRzrZSgqbjG3uhkWKFLf6xuI5a"), "secret.google");
}

TEST(SecretTest, StripeLiveKeys) {
  EXPECT_EQ(Found("STRIPE_KEY=sk_live_qx9vJupc94tnwlavyfErGPmp"), V{"sk_live_qx9vJupc94tnwlavyfErGPmp"});
  EXPECT_EQ(Found("restricted rk_live_GXafq0fjzLczbttOofL9H2WjQ5TY4MyWuU."),
            V{"rk_live_GXafq0fjzLczbttOofL9H2WjQ5TY4MyWuU"});
  EXPECT_EQ(RuleOf("sk_live_qx9vJupc94tnwlavyfErGPmp"), "secret.stripe");
}

TEST(SecretTest, Jwt) {
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IlRlc3QgVXNlciIsImlh"
      "dCI6MTcwMDAwMDAwMH0._tKsf2rcDkdfrUnW5gcF-Ha6ili8GjHEAD6_Wj9Kfzj";
  EXPECT_EQ(Found("headers = {\"Authorization\": \"Bearer " + jwt + "\"}"), V{jwt});
  EXPECT_EQ(RuleOf(jwt), "secret.jwt");
  // A lone base64 JSON header is not a token.
  EXPECT_TRUE(Found("eyJhbGciOiJIUzI1NiJ9 only").empty());
}

TEST(SecretTest, PlaceholderKeysNotReported) {
  EXPECT_TRUE(Found("OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").empty());
  EXPECT_TRUE(Found("api_key: sk-your-api-key-here").empty());
  EXPECT_TRUE(Found("AKIAXXXXXXXXXXXXXXXX").empty());
  EXPECT_TRUE(Found("{\"api_key\": \"<YOUR_API_KEY>\"}").empty());
  EXPECT_TRUE(Found("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").empty());
  EXPECT_TRUE(Found("risk-management-framework-2024 task-force").empty());
}

// --- PEM ----------------------------------------------------------------------

const char kPemBody[] =
    "sQGMrb9h+ImB+LK777pzNk8cL6j5IXAAjlsHUqJoUD/+Ydua+5ZMs1SWOpQaPRYp\n"
    "zbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK+gqv81RKMGHZEM9YpvujA/C5Q52ryF\n"
    "lwRlOEVHzc0X0AWIRh/JUqBlIFXZ53Ncqe28+ajY==\n";

TEST(SecretTest, PemBlockRaw) {
  std::string block = std::string("-----BEGIN RSA PRIVATE KEY-----\n") + kPemBody + "-----END RSA PRIVATE KEY-----";
  EXPECT_EQ(Found("첨부: 서명용 개인키\n" + block + "\n\n다음 문단"), V{block});
  EXPECT_EQ(RuleOf(block), "secret.pem");
  std::string ec = std::string("-----BEGIN EC PRIVATE KEY-----\n") + kPemBody + "-----END EC PRIVATE KEY-----";
  EXPECT_EQ(Found("PRIVATE_KEY = \"\"\"" + ec + "\"\"\""), V{ec});
}

TEST(SecretTest, PemBlockJsonEscaped) {
  std::string body = kPemBody;
  std::string escaped;
  for (char c : body) {
    if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  std::string block = "-----BEGIN OPENSSH PRIVATE KEY-----\\n" + escaped + "-----END OPENSSH PRIVATE KEY-----";
  EXPECT_EQ(Found("{\"private_key\": \"" + block + "\\n\"}"), V{block});
}

TEST(SecretTest, PemTruncatedBlockCoversBody) {
  std::string text = std::string("-----BEGIN PRIVATE KEY-----\n") + kPemBody + "\n(이하 생략)";
  std::string body = kPemBody;
  body.pop_back();  // the span ends at the last base64 character
  EXPECT_EQ(Found(text), V{"-----BEGIN PRIVATE KEY-----\n" + body});
}

TEST(SecretTest, PemPublicOrPlaceholderNotReported) {
  EXPECT_TRUE(Found(std::string("-----BEGIN PUBLIC KEY-----\n") + kPemBody + "-----END PUBLIC KEY-----").empty());
  EXPECT_TRUE(Found("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----").empty());
}

// --- passwords ------------------------------------------------------------------

TEST(SecretTest, PasswordAssignmentsEnglish) {
  EXPECT_EQ(Found("password=Tr0ub4dor&3"), V{"Tr0ub4dor&3"});
  EXPECT_EQ(Found("DB_PASSWORD=Xk9#mq2L\nDB_HOST=db01"), V{"Xk9#mq2L"});
  EXPECT_EQ(Found("    password: Lucky-river-42\n  jpa:"), V{"Lucky-river-42"});
  EXPECT_EQ(Found("{\"password\": \"S3cure!pass\", \"user\": \"kim\"}"), V{"S3cure!pass"});
  EXPECT_EQ(Found("passwd: 'q1w2e3r4!'"), V{"q1w2e3r4!"});
  EXPECT_EQ(Found("spring.datasource.password=Mz7$kq91"), V{"Mz7$kq91"});
  EXPECT_EQ(Found("ID kim01 / PW bW9es0F6ZLEMRvgy (확인 후 변경)"), V{"bW9es0F6ZLEMRvgy"});
  EXPECT_EQ(Found("pwd = \"Hello#2024\";"), V{"Hello#2024"});
  EXPECT_EQ(Found("Server=db;User Id=sa;Password=Pa55w0rd!;Database=app"), V{"Pa55w0rd!"});
  EXPECT_EQ(Found("<password>Qz8!kLm2</password>"), V{"Qz8!kLm2"});
  EXPECT_EQ(RuleOf("password=Tr0ub4dor&3"), "secret.password");
}

TEST(SecretTest, PasswordAssignmentsKorean) {
  EXPECT_EQ(Found("비밀번호: Qwer1234!!"), V{"Qwer1234!!"});
  EXPECT_EQ(Found("스테이징 DB 비밀번호 Tiger6679$로 변경 완료"), V{"Tiger6679$"});
  EXPECT_EQ(Found("비밀번호는 abcd1234!이고 아이디는 따로"), V{"abcd1234!"});
  EXPECT_EQ(Found("초기 비밀번호 zxcv0453%& 포함해서."), V{"zxcv0453%&"});
  EXPECT_EQ(Found("비번 Admin-seoul-10으로 바꿨어"), V{"Admin-seoul-10"});
  EXPECT_EQ(Found("패스워드: \"Sky56$moon\""), V{"Sky56$moon"});
  EXPECT_EQ(Found("암호 = p@ss9word"), V{"p@ss9word"});
}

TEST(SecretTest, PasswordTablesPairsAndFillerWords) {
  EXPECT_EQ(Found("| 계정 | admin |\n| 비밀번호 | Abc123!! |"), V{"Abc123!!"});
  EXPECT_EQ(Found("로그인 정보 (ID/PW): kim01 / Kim#0101"), V{"Kim#0101"});
  EXPECT_EQ(Found("아이디/비밀번호: hong / Gil!dong99"), V{"Gil!dong99"});
  EXPECT_EQ(Found("비밀번호 알려드립니다: Hello#World1"), V{"Hello#World1"});
  EXPECT_EQ(Found("Password for the admin account: Adm1n!2024"), V{"Adm1n!2024"});
  EXPECT_EQ(Found("Password - Qaz!2wsx"), V{"Qaz!2wsx"});
  EXPECT_EQ(Found("비번 알려줄게 qwer1234!"), V{"qwer1234!"});
  EXPECT_EQ(Found("비밀번호: [Qwer1234!] 입니다"), V{"Qwer1234!"});
  EXPECT_TRUE(Found("비밀번호: [REDACTED]").empty());
  // Other words before the colon: not the password.
  EXPECT_TRUE(Found("비밀번호 재설정 인증번호: 482913").empty());
  EXPECT_TRUE(Found("Password reset code: 482913").empty());
}

TEST(SecretTest, PasswordsInCodeAndCommands) {
  EXPECT_EQ(Found("body = \"{\\\"user\\\": \\\"kim\\\", \\\"password\\\": \\\"Abc!1234\\\"}\""), V{"Abc!1234"});
  EXPECT_EQ(Found("<add key=\"Password\" value=\"Xyz!2345\"/>"), V{"Xyz!2345"});
  EXPECT_EQ(Found("CREATE USER 'app'@'%' IDENTIFIED BY 'Mysql#Pass5';"), V{"Mysql#Pass5"});
  EXPECT_EQ(Found("curl -u admin:Adm!n2024 https://api.example.com"), V{"Adm!n2024"});
  EXPECT_EQ(Found("mysql -u root -pS3cretPw! -h db01"), V{"S3cretPw!"});
  EXPECT_EQ(Found("sshpass -p 'SshPa$$1' ssh deploy@bastion"), V{"SshPa$$1"});
  EXPECT_EQ(Found("login(username=\"kim\", password=\"Kim!2024pw\")"), V{"Kim!2024pw"});
  // Ports, paths and user ids are not passwords.
  EXPECT_TRUE(Found("ssh -p 2222 deploy@bastion; mkdir -p /tmp/x; docker run -p 8080:80").empty());
  EXPECT_TRUE(Found("<input type=\"password\" name=\"password\">").empty());
  EXPECT_TRUE(Found("password: z.string().min(8),").empty());
  EXPECT_TRUE(Found("$password = $_POST['password'];").empty());
  EXPECT_TRUE(Found("password: !vault |").empty());
}

TEST(SecretTest, UrlPassword) {
  EXPECT_EQ(Found("DATABASE_URL = \"postgresql://etl:dkssud847**@db.internal:5432/app\""), V{"dkssud847**"});
  EXPECT_EQ(Found("redis://:R3d!sPass@cache01:6379/0"), V{"R3d!sPass"});
  EXPECT_EQ(Found("amqp://svc:Sky-winter-13@mq-prod.svc.cluster.local:5672"), V{"Sky-winter-13"});
  EXPECT_EQ(RuleOf("mysql://root:Mysql#2024@10.0.0.5/db"), "secret.url_password");
  EXPECT_TRUE(Found("postgresql://etl:${DB_PASSWORD}@db:5432/app").empty());
  EXPECT_TRUE(Found("https://user@example.com/path http://host:8080/x").empty());
}

TEST(SecretTest, PlaceholdersNotReported) {
  EXPECT_TRUE(Found("password=${DB_PASSWORD}").empty());
  EXPECT_TRUE(Found("DB_PASSWORD=$DB_PASS").empty());
  EXPECT_TRUE(Found("password: <YOUR_PASSWORD>").empty());
  EXPECT_TRUE(Found("password: \"****\"").empty());
  EXPECT_TRUE(Found("password: xxxxxxxx").empty());
  EXPECT_TRUE(Found("password: {{ db_password }}").empty());
  EXPECT_TRUE(Found("password = os.environ[\"DB_PASSWORD\"]").empty());
  EXPECT_TRUE(Found("password: process.env.DB_PASSWORD").empty());
  EXPECT_TRUE(Found("password = os.getenv('DB_PASSWORD')").empty());
  EXPECT_TRUE(Found("\"password\": \"changeme\"").empty());
  EXPECT_TRUE(Found("password: %DB_PASSWORD%").empty());
  EXPECT_TRUE(Found("비밀번호: ●●●●●●").empty());
  EXPECT_TRUE(Found("password: YOUR_PASSWORD_HERE").empty());
}

TEST(SecretTest, PasswordLookAlikesNotReported) {
  EXPECT_TRUE(Found("비밀번호 변경 부탁드립니다").empty());
  EXPECT_TRUE(Found("비밀번호 8자리 이상, 90일마다 변경").empty());
  EXPECT_TRUE(Found("비밀번호를 5회 이상 틀리면 잠깁니다").empty());
  EXPECT_TRUE(Found("암호화 방식은 AES256-GCM 입니다").empty());
  EXPECT_TRUE(Found("Click the password reset link.").empty());
  EXPECT_TRUE(Found("password_hash = bcrypt(pw2)").empty());
  EXPECT_TRUE(Found("if (password == confirm_password) {").empty());
  EXPECT_TRUE(Found("def login(user, password: str) -> bool:").empty());
  EXPECT_TRUE(Found("여권(passport) 번호 M12345678").empty());
  EXPECT_TRUE(Found("All 3 tests pass v1.2.3 build").empty());
  EXPECT_TRUE(Found("password-protected zip").empty());
}

TEST(SecretTest, SpecificityAndConfidence) {
  ScanScratch scratch;
  std::vector<Span> spans;
  ASSERT_TRUE(DefaultScanner().Scan("password=Tr0ub4dor&3 key=AKIAIOSFODNN7EXAMPLE", scratch, &spans).ok());
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].specificity, specificity::kSecretValue);
  EXPECT_EQ(spans[1].specificity, specificity::kProviderKey);
  EXPECT_GE(spans[0].confidence, 0.5f);
}

// Streaming must report exactly what a whole-text scan reports, also for
// multi-kilobyte PEM blocks and values whose label is in an earlier chunk.
TEST(SecretTest, StreamingEqualsWholeScan) {
  std::string pem = std::string("-----BEGIN PRIVATE KEY-----\n");
  for (int i = 0; i < 40; ++i) pem += std::string(kPemBody).substr(0, 65);
  pem += "-----END PRIVATE KEY-----\n";
  const std::vector<std::string> pieces = {
      "첨부 개인키\n" + pem,       "비밀번호: Qwer1234!! 확인 ",
      "DB_PASSWORD=Xk9#mq2L\n",    "postgresql://etl:dkssud847**@db.internal:5432/app ",
      "key AKIAIOSFODNN7EXAMPLE ", "메일 hong@example.co.kr로 ",
      "IP는 192.168.10.24로 ",     "IPv6 2001:db8::7334 ",
      "버전 2.14.3.1.5 ",          "본 문서는 대외비이며 ",
      "그냥 평범한 문장입니다. ",
  };
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::string doc;
  while (doc.size() < 200 * 1024) doc += pieces[pick(rng)];
  ScanScratch scratch;
  std::vector<Span> whole;
  ASSERT_TRUE(DefaultScanner().Scan(doc, scratch, &whole).ok());
  ASSERT_GT(whole.size(), 100u);
  for (size_t max_chunk : {size_t{5}, size_t{333}, size_t{40000}}) {
    StreamScanner stream(DefaultScanner());
    std::uniform_int_distribution<size_t> len(1, max_chunk);
    std::vector<Span> got;
    for (size_t pos = 0; pos < doc.size();) {
      size_t n = std::min(len(rng), doc.size() - pos);
      auto part = stream.Feed(std::string_view(doc).substr(pos, n));
      got.insert(got.end(), part.begin(), part.end());
      pos += n;
    }
    auto rest = stream.Finish();
    got.insert(got.end(), rest.begin(), rest.end());
    ASSERT_EQ(got.size(), whole.size()) << "max_chunk " << max_chunk;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], whole[i]) << i;
  }
}

}  // namespace
}  // namespace gwanmun::detect
