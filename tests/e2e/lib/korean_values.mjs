// Self-made Korean test values for the guardrail tests: random but valid
// (RRN check digit, Luhn), generated from a seed. Nothing here comes from
// the evaluation data.
//
//   const g = values(seed);
//   g.name(), g.phone(), g.rrn(), g.email(), g.card(), g.awsKey(), g.openaiKey()
//   g.record()  → { text, values: [{type, value}] }   a sentence with several values

// mulberry32: small, fast, deterministic.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Full names the engine recognises in the sentences below.
export const NAMES = [
  '김서연', '이도윤', '박지호', '최하은', '정우진', '강민서', '조예준', '윤지안',
  '장서윤', '임하준', '한지우', '오시우', '서수아', '신건우', '권유나', '황현우',
];

const ROMAN = ['seoyeon', 'doyoon', 'jiho', 'haeun', 'woojin', 'minseo', 'yejun', 'jian', 'hajun', 'jiwoo'];
const DOMAINS = ['example.com', 'example.co.kr', 'test.kr', 'corp.example'];

export function rrnCheck(first12) {
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  let s = 0;
  for (let i = 0; i < 12; i++) s += Number(first12[i]) * w[i];
  return (11 - (s % 11)) % 10;
}

export function luhnCheck(digitsWithoutCheck) {
  let sum = 0;
  // Doubling starts at the rightmost digit once the check digit is appended.
  for (let i = digitsWithoutCheck.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = Number(digitsWithoutCheck[i]);
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export const digitsOnly = (s) => s.replace(/\D/g, '');

export function values(seed) {
  const r = rng(seed);
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = (a) => a[int(0, a.length - 1)];
  const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
  const pad2 = (n) => String(n).padStart(2, '0');
  const g = {
    int, pick,
    name: () => pick(NAMES),
    phone: () => `010-${int(2, 9)}${digits(3)}-${int(1, 9)}${digits(3)}`,
    rrn: () => {
      const first = `${pad2(int(60, 99))}${pad2(int(1, 12))}${pad2(int(1, 28))}`;
      const rest = `${int(1, 2)}${digits(5)}`;
      return `${first}-${rest}${rrnCheck(first + rest)}`;
    },
    email: () => `${pick(ROMAN)}.${pick(ROMAN)}${int(1, 99)}@${pick(DOMAINS)}`,
    card: () => {
      const body = '4' + digits(14);
      const d = body + luhnCheck(body);
      return `${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8, 12)}-${d.slice(12)}`;
    },
    awsKey: () => 'AKIA' + Array.from({ length: 16 }, () => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.split(''))).join(''),
    openaiKey: () => 'sk-proj-' + Array.from({ length: 48 }, () =>
      pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split(''))).join(''),
    record: () => {
      const v = { name: g.name(), phone: g.phone(), rrn: g.rrn(), email: g.email(), card: g.card() };
      const t = int(0, 2);
      let text;
      if (t === 0) {
        text = `${v.name} 고객님의 연락처는 ${v.phone}이고 이메일은 ${v.email}입니다. 주민등록번호 ${v.rrn}, 카드번호 ${v.card} 확인 부탁드립니다.`;
      } else if (t === 1) {
        text = `안녕하세요. 주민등록번호 ${v.rrn} 본인 확인 후 카드번호 ${v.card}로 환불해 주세요. 담당 ${v.name} 대리, 전화 ${v.phone}, 메일 ${v.email}`;
      } else {
        text = `[회의록] 참석: ${v.name} 과장\n연락처: ${v.phone}\n이메일: ${v.email}\n주민등록번호: ${v.rrn}\n법인카드: ${v.card}\n끝.`;
      }
      return {
        text,
        values: [
          { type: 'PERSON_NAME', value: v.name }, { type: 'KR_PHONE', value: v.phone },
          { type: 'EMAIL', value: v.email }, { type: 'KR_RRN', value: v.rrn }, { type: 'CREDIT_CARD', value: v.card },
        ],
      };
    },
  };
  return g;
}
