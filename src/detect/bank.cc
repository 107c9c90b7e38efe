// KR_BANK_ACCOUNT: bank account numbers, only where the text says so.
//
// Candidate: 10–14 digits, written as 1–6 digit groups with one kind of
// separator ('-', '.' or ' ') or as a single run, standing alone. Bank
// numbers have no public check digit, so context decides:
//  * an account keyword or full bank name (계좌, 입금, 예금주, 이체, 송금,
//    은행, 뱅크, 우체국, 농협, 새마을금고, account, bank, …) within 80 bytes
//    before or 32 after on the same line (a grouped value may also sit under
//    a label on the previous line) → 0.85 grouped / 0.7 single run;
//  * only a short bank alias (국민, 신한, 우리, 하나, KB, NH, IBK, …) right
//    next to the value (16 bytes before or 8 after) → 0.75 / 0.6.
// A reference-number keyword (주문번호, 송장, 거래번호, order, tracking, …)
// nearer than the bank context vetoes the value. Shapes owned by other
// identifiers are skipped: 6-7 (RRN/CRN), phone numbers (0XX-XXXX-XXXX and
// valid unseparated national numbers), ISBN-13 (978/979), IPv4 addresses and
// amounts (…원, ₩…, $…). All findings are
// kContextual, so checksum-proven identifiers (RRN, BRN, card) and phones
// win overlaps.

#include "detect/digits.h"
#include "detect/registry.h"
#include "detect/validators.h"

namespace gwanmun::detect {
namespace {

// Digit-run lengths that can start a candidate.
constexpr uint64_t kBankLengths = num::RunLengthRange(1, 14);

bool IsSep(char c) { return c == '-' || c == '.' || c == ' '; }

class BankAccountRecognizer final : public Recognizer {
 public:
  std::string_view name() const override { return "bank"; }

  void Register(LexiconBuilder& lexicon) override {
    ctx_bank_ = lexicon.Category("ctx.bank");
    num::AddKeywords(lexicon, ctx_bank_,
                     {"계좌",    "입금",   "예금주", "예금", "이체",        "송금",    "출금", "은행",  "뱅크",
                      "금고",    "우체국", "농협",   "신협", "수협",        "카뱅",    "토뱅", "케뱅",  "수취",
                      "account", "acct",   "a/c",    "bank", "beneficiary", "deposit", "wire", "remit", "IBAN"});
    ctx_alias_ = lexicon.Category("ctx.bank.alias");
    num::AddKeywords(
        lexicon, ctx_alias_,
        {"국민", "신한", "우리", "하나",   "기업",    "부산",    "대구",  "광주", "전북",     "경남",  "제주", "산업",
         "씨티", "외환", "토스", "카카오", "SC제일",  "KB",      "NH",    "IBK",  "KDB",      "SC",    "MG",   "BNK",
         "DGB",  "KEB",  "iM",   "citi",   "Kookmin", "Shinhan", "Woori", "Hana", "Nonghyup", "Kakao", "Toss"});
    ctx_refno_ = lexicon.Category("ctx.refno");
    num::AddKeywords(lexicon, ctx_refno_,
                     {"주문",     "송장",     "운송장",      "거래번호", "접수번호", "승인번호", "예약번호", "회원번호",
                      "고객번호", "관리번호", "문서번호",    "사번",     "일련번호", "인증번호", "쿠폰",     "상품코드",
                      "모델",     "티켓",     "택배",        "배송",     "영수증",   "참조번호", "계약번호", "order",
                      "tracking", "invoice",  "transaction", "txn",      "ticket",   "coupon",   "serial",   "sku",
                      "member",   "receipt",  "reference",   "ref no",   "OTP"});
  }

  void Scan(const ScanView& view, std::vector<Finding>& out) const override {
    std::string_view t = view.text();
    num::Groups g;
    num::ForEachDigitRun(t, kBankLengths, [&](size_t p, size_t e) {
      if (e - p > 14 || (e - p < 10 && (e >= t.size() || !IsSep(t[e])))) return;
      if (!num::LeftBoundaryOk(t, p) || (p > 0 && t[p - 1] == '+')) return;
      num::ParseGroups(t, p, g);
      int k = Shape(t, g);
      if (k == 0) return;
      size_t start = p;
      size_t end = g.e[k - 1];
      // Amounts: "1250000000원", "₩1250000000", "$1250000000".
      if (t.substr(end, 3) == "원" || (start >= 3 && t.substr(start - 3, 3) == "₩") ||
          (start >= 1 && t[start - 1] == '$')) {
        return;
      }
      // A grouped value may sit under a label on the previous line ("입금
      // 계좌:\n110-…"); a bare digit run needs its context on its own line.
      int lines = k > 1 ? 1 : 0;
      int bank_gap = num::ContextGap(view, ctx_bank_, start, end, 80, 32, lines);
      bool strong = bank_gap >= 0;
      if (!strong) {
        bank_gap = AliasGap(view, start, end);
        if (bank_gap < 0) return;
      }
      int ref_gap = num::ContextGap(view, ctx_refno_, start, end, 80, 16);
      if (ref_gap >= 0 && ref_gap < bank_gap) return;
      float conf = k > 1 ? (strong ? 0.85f : 0.75f) : (strong ? 0.7f : 0.6f);
      out.push_back(Finding{static_cast<uint32_t>(start), static_cast<uint32_t>(end), EntityType::kBankAccount, conf,
                            strong ? "bank.context" : "bank.alias", specificity::kContextual});
    });
  }

  size_t Horizon() const override { return 200; }

 private:
  // Gap to a short bank alias right next to [start, end): at most 16 bytes
  // before or 8 after, with only spaces and punctuation in between ("신한
  // 110-…", "KB: …", "… (우리)"), so that "우리 서버 10.1.2.3" does not count.
  int AliasGap(const ScanView& view, size_t start, size_t end) const {
    std::string_view t = view.text();
    size_t from = start > 16 ? start - 16 : 0;
    for (const Hit& h : view.HitsStartingIn(from, end + 8)) {
      if (h.category != ctx_alias_) continue;
      size_t a, b;
      if (h.end <= start) {
        a = h.end;
        b = start;
      } else if (h.start >= end) {
        a = end;
        b = h.start;
      } else {
        continue;
      }
      bool clean = true;
      for (size_t i = a; i < b; ++i) {
        char c = t[i];
        if (static_cast<unsigned char>(c) >= 0x80 || text::IsAsciiAlnum(c) || c == '\n') {
          clean = false;
          break;
        }
      }
      if (!clean) continue;
      if (text::IsAsciiAlpha(t[h.start]) && h.start > 0 && text::IsAsciiAlnum(t[h.start - 1])) {
        continue;
      }
      return static_cast<int>(b - a);
    }
    return -1;
  }

  // Number of leading groups of `g` forming an account-shaped value, or 0.
  static int Shape(std::string_view t, const num::Groups& g) {
    for (int k = g.n < 6 ? g.n : 6; k >= 1; --k) {
      int digits = g.Digits(0, k);
      if (digits < 10 || digits > 14) continue;
      if (!g.Uniform(0, k) || !num::EndsAfter(t, g, k)) continue;
      if (k == 2 && g.Len(0) == 6 && g.Len(1) == 7) return 0;  // RRN / CRN
      if (k >= 4 && g.sep[0] == '.' && g.Len(0) <= 3 && g.Len(1) <= 3 && g.Len(2) <= 3 && g.Len(3) <= 3) {
        return 0;  // IPv4 address
      }
      if (k > 1 && g.Len(0) > 8) continue;
      char d[16];
      size_t n = num::CollectGroupDigits(t, g, 0, k, d, 16);
      std::string_view digs(d, n);
      if (digs[0] == '0') {
        // Phone-shaped: 0XX-XXXX-XXXX (valid or not, e.g. 080) or a valid
        // unseparated national number.
        if (k == 3 && g.Len(0) >= 2 && g.Len(0) <= 4 && g.Len(1) >= 3 && g.Len(1) <= 4 && g.Len(2) == 4) {
          return 0;
        }
        if (k == 1 && validate::PhoneNationalValid(digs)) return 0;
      }
      if (n == 13 && (k == 1 || (k >= 4 && g.Len(0) == 3)) &&
          (digs.substr(0, 3) == "978" || digs.substr(0, 3) == "979")) {
        return 0;  // ISBN-13
      }
      return k;
    }
    return 0;
  }

  uint16_t ctx_bank_ = 0;
  uint16_t ctx_alias_ = 0;
  uint16_t ctx_refno_ = 0;
};

}  // namespace

std::unique_ptr<Recognizer> NewBankAccountRecognizer() { return std::make_unique<BankAccountRecognizer>(); }

}  // namespace gwanmun::detect
