// The guardrails end to end: `gwanmun serve --policy …` between the official
// openai SDK (6.x and 7.x) or raw fetch and a recording mock upstream.
//
// Every value is generated here (lib/korean_values.mjs). The central check
// is assertNoLeak(): none of a request's values — as written, and as digits
// only — may appear anywhere in what the upstream received, neither in the
// raw bytes nor in the unescaped JSON strings (tool-call arguments are
// parsed too). Answers must come back with the original values, exactly.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai7';
import { startMock } from './mock_upstream.mjs';
import { startGateway, request, yamlConfig, auditRecords, auditRecordsWith, cli, createKey } from './lib/harness.mjs';
import { values, digitsOnly, NAMES } from './lib/korean_values.mjs';

let mock, gw;

before(async () => {
  mock = await startMock({ name: 'recorder' });
  gw = await startGateway({ noAuth: true, args: ['--upstream', mock.url, '--policy', 'pseudonymize-all'] });
});

after(async () => {
  await gw?.stop();
  await mock?.close();
});

// ---------------------------------------------------------------- helpers

// Every string inside a JSON value; strings that are themselves JSON
// (tool-call arguments) are opened too.
function allStrings(v, out = []) {
  if (typeof v === 'string') {
    out.push(v);
    const t = v.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        allStrings(JSON.parse(t), out);
      } catch { /* not JSON */ }
    }
  } else if (Array.isArray(v)) {
    for (const e of v) allStrings(e, out);
  } else if (v && typeof v === 'object') {
    for (const [k, e] of Object.entries(v)) {
      out.push(k);
      allStrings(e, out);
    }
  }
  return out;
}

// None of `vals` reached the upstream in `rec` (a mock request record).
function assertNoLeak(rec, vals, what = '') {
  assert.ok(rec, `the upstream was called ${what}`);
  const raw = rec.raw;
  let unescaped = '';
  try {
    unescaped = allStrings(JSON.parse(raw)).join('\n');
  } catch {
    unescaped = raw;
  }
  const squeezed = (raw + '\n' + unescaped).replace(/[-\s.]/g, '');
  for (const v of vals) {
    const value = typeof v === 'string' ? v : v.value;
    assert.ok(!raw.includes(value), `${what}: value ${JSON.stringify(value)} reached the upstream (raw body): ${raw}`);
    assert.ok(!unescaped.includes(value), `${what}: value ${JSON.stringify(value)} reached the upstream (unescaped): ${unescaped}`);
    const d = digitsOnly(value);
    if (d.length >= 8) {
      assert.ok(!squeezed.includes(d), `${what}: digits of ${JSON.stringify(value)} reached the upstream: ${raw}`);
    }
  }
}

const PLACEHOLDER = /\[\[[A-Z_]+_\d+\]\]/g;

// Fetch returning the body decoded strictly as UTF-8 (invalid UTF-8 throws).
async function fetchStrict(url, body, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// SSE text → [{event, data}] ; asserts every data line (except [DONE]) is JSON.
function parseSse(text) {
  const events = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event = null;
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) continue;
    const d = data.join('\n');
    if (d === '[DONE]') {
      events.push({ event, done: true });
      continue;
    }
    let obj;
    try {
      obj = JSON.parse(d);
    } catch (e) {
      assert.fail(`SSE data line is not JSON: ${JSON.stringify(d)} (${e.message})`);
    }
    events.push({ event, data: obj });
  }
  return events;
}

function chatStreamText(events) {
  assert.ok(events.at(-1)?.done, 'chat stream ends with [DONE]');
  let text = '';
  for (const e of events) {
    if (e.done) continue;
    assert.ok(!e.data.error, `in-band error: ${JSON.stringify(e.data)}`);
    text += e.data.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

const chatUrl = () => `${gw.url}/v1/chat/completions`;
const lastReq = () => mock.requests.at(-1);
const SDKS = [['6', OpenAI6], ['7', OpenAI7]];
const client = (OpenAI, g = gw) => new OpenAI({ apiKey: 'unused', baseURL: `${g.url}/v1`, maxRetries: 0 });

// ------------------------------------------------------------ 1. chat

describe('1. pseudonymize-all, non-streaming chat', () => {
  for (const [major, OpenAI] of SDKS) {
    test(`openai ${major}.x: nothing reaches the upstream, the answer is restored exactly`, async () => {
      for (const seed of [11, 12, 13]) {
        const rec = values(seed + Number(major) * 100).record();
        mock.reset();
        const r = await client(OpenAI).chat.completions.create({
          model: 'mock-gpt', messages: [{ role: 'user', content: rec.text }],
        });
        assert.equal(mock.requests.length, 1);
        assertNoLeak(lastReq(), rec.values, `seed ${seed}`);
        // The upstream saw placeholders, one per value.
        const sent = lastReq().body.messages[0].content;
        assert.equal(new Set(sent.match(PLACEHOLDER)).size, rec.values.length, sent);
        assert.equal(r.choices[0].message.content, `Echo: ${rec.text}`);
      }
    });
  }
});

// ---------------------------------------------------------- 2. streaming

describe('2. streaming chat', () => {
  test('random chunk sizes 1..7, several seeds (raw SSE: every data line JSON, exact text)', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const g = values(200 + seed);
      const rec = g.record();
      const chunk = g.int(1, 7);
      mock.reset();
      const r = await fetchStrict(chatUrl(), {
        model: 'mock-gpt', stream: true, metadata: { mock_chunk: String(chunk) },
        messages: [{ role: 'user', content: rec.text }],
      });
      assert.equal(r.status, 200, r.text);
      assertNoLeak(lastReq(), rec.values, `seed ${seed}`);
      const text = chatStreamText(parseSse(r.text));
      assert.equal(text, `Echo: ${rec.text}`, `seed ${seed}, chunk ${chunk}`);
    }
  });

  for (const [major, OpenAI] of SDKS) {
    test(`openai ${major}.x stream, chunk sizes 1..7`, async () => {
      for (let chunk = 1; chunk <= 7; chunk++) {
        const rec = values(300 + chunk + Number(major) * 10).record();
        const stream = await client(OpenAI).chat.completions.create({
          model: 'mock-gpt', stream: true, metadata: { mock_chunk: String(chunk) },
          messages: [{ role: 'user', content: rec.text }],
        });
        let text = '';
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
        assert.equal(text, `Echo: ${rec.text}`, `chunk ${chunk}`);
        assertNoLeak(lastReq(), rec.values, `chunk ${chunk}`);
      }
    });
  }

  for (const split of [1, 2, 3]) {
    test(`upstream bytes written ${split} at a time (UTF-8 split everywhere)`, async () => {
      const g = values(400 + split);
      const phone = g.phone();
      const name = g.name();
      // Short text (the 1-byte case writes every byte separately), Korean around the values.
      const text = `${name}님 번호 ${phone} 맞나요? 한글 뒤에 바로`;
      // Pieces written back to back (the gateway may read several at once),
      // and 1 ms apart (every piece is its own read: checked with strace).
      for (const [chunk, pause] of [[1, '0'], [3, '1']]) {
        mock.reset();
        const r = await fetchStrict(chatUrl(), {
          model: 'mock-gpt', stream: true,
          metadata: { mock_chunk: String(chunk), mock_byte_split: String(split), mock_byte_delay_ms: pause },
          messages: [{ role: 'user', content: text }],
        });
        assert.equal(r.status, 200, r.text);
        assertNoLeak(lastReq(), [name, phone], `split ${split}`);
        assert.equal(chatStreamText(parseSse(r.text)), `Echo: ${text}`, `split ${split} chunk ${chunk} pause ${pause}`);
      }
    });
  }

  test('Responses stream with bytes written 1 and 2 at a time', async () => {
    for (const split of [1, 2]) {
      const g = values(450 + split);
      const phone = g.phone();
      const text = `연락처 ${phone} 로 전화 주세요`;
      mock.reset();
      const r = await fetchStrict(`${gw.url}/v1/responses`, {
        model: 'mock-gpt', stream: true, input: text,
        metadata: { mock_chunk: '2', mock_byte_split: String(split), mock_byte_delay_ms: split === 1 ? '1' : '0' },
      });
      assert.equal(r.status, 200, r.text);
      assertNoLeak(lastReq(), [phone], `split ${split}`);
      const evs = parseSse(r.text);
      const deltas = evs.filter((e) => e.data?.type === 'response.output_text.delta').map((e) => e.data.delta).join('');
      assert.equal(deltas, `Echo: ${text}`);
    }
  });

  test('concurrent streams keep their own placeholders (same [[KR_PHONE_1]], different values)', async () => {
    const recs = Array.from({ length: 16 }, (_, i) => values(600 + i).record());
    const answers = await Promise.all(recs.map(async (rec, i) => {
      const r = await fetchStrict(chatUrl(), {
        model: 'mock-gpt', stream: i % 2 === 0, metadata: { mock_chunk: String(1 + (i % 7)), mock_delay_ms: '1' },
        messages: [{ role: 'user', content: rec.text }],
      });
      assert.equal(r.status, 200, r.text);
      return i % 2 === 0 ? chatStreamText(parseSse(r.text)) : r.json.choices[0].message.content;
    }));
    answers.forEach((a, i) => assert.equal(a, `Echo: ${recs[i].text}`, `request ${i}`));
  });

  test('a placeholder sent one character per event is restored, and no fragment reaches the client', async () => {
    const g = values(500);
    const phone = g.phone();
    const text = `전화번호는 ${phone}입니다`;
    mock.reset();
    const r = await fetchStrict(chatUrl(), {
      model: 'mock-gpt', stream: true, metadata: { mock_chunk: '1' },
      messages: [{ role: 'user', content: text }],
    });
    assert.equal(r.status, 200);
    // The mock echoed "[[KR_PHONE_1]]" one character per event …
    assert.match(lastReq().body.messages[0].content, /\[\[KR_PHONE_1\]\]/);
    const evs = parseSse(r.text);
    const deltas = evs.filter((e) => !e.done).map((e) => e.data.choices?.[0]?.delta?.content ?? '');
    // … and the client gets the value, never a bracket.
    assert.equal(deltas.join(''), `Echo: ${text}`);
    for (const d of deltas) assert.ok(!d.includes('['), `fragment ${JSON.stringify(d)}`);
  });
});

// ------------------------------------------------------ 3. escaped input

// JSON text with every non-ASCII UTF-16 unit written as \uXXXX (astral
// characters become surrogate pairs).
function asciiJson(obj) {
  return JSON.stringify(obj).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

describe('3. \\u-escaped request bodies', () => {
  test('all non-ASCII escaped, with an emoji as a surrogate pair: no value upstream, exact answer', async () => {
    for (const seed of [31, 32, 33]) {
      const rec = values(seed).record();
      const text = `😀 ${rec.text} 🇰🇷 끝`;
      const body = asciiJson({ model: 'mock-gpt', messages: [{ role: 'user', content: text }] });
      assert.ok(/^[\x00-\x7f]*$/.test(body) && body.includes('\\ud83d\\ude00'));
      mock.reset();
      const r = await fetchStrict(chatUrl(), body);
      assert.equal(r.status, 200, r.text);
      assertNoLeak(lastReq(), rec.values, `seed ${seed}`);
      assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
      // Streaming too.
      const s = await fetchStrict(chatUrl(), asciiJson({
        model: 'mock-gpt', stream: true, metadata: { mock_chunk: '3' }, messages: [{ role: 'user', content: text }],
      }));
      assertNoLeak(lastReq(), rec.values, `seed ${seed} stream`);
      assert.equal(chatStreamText(parseSse(s.text)), `Echo: ${text}`);
    }
  });

  test('escaped ASCII inside a value (\\u0030 digits, \\u002d hyphen, \\u0040 at-sign)', async () => {
    const g = values(34);
    const phone = g.phone();
    const email = g.email();
    const text = `번호 ${phone} 메일 ${email}`;
    const body = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: text }] })
      .replace(/[0-9@-]/g, (c, off, s) => {
        // only inside the content string
        const start = s.indexOf('"content":"');
        return off > start + 10 ? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0') : c;
      });
    mock.reset();
    const r = await fetchStrict(chatUrl(), body);
    assert.equal(r.status, 200, r.text);
    assertNoLeak(lastReq(), [phone, email]);
    assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
  });

  test('an upstream that answers in ASCII-only JSON (\\uXXXX, like Python json.dumps): restored exactly', async () => {
    for (const seed of [36, 37]) {
      const rec = values(seed).record();
      const text = `${rec.text} 😀`;
      const r = await fetchStrict(chatUrl(), { model: 'mock-gpt', metadata: { mock_ascii: '1' }, messages: [{ role: 'user', content: text }] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
      for (const chunk of ['1', '4']) {
        const s = await fetchStrict(chatUrl(), {
          model: 'mock-gpt', stream: true, metadata: { mock_ascii: '1', mock_chunk: chunk }, messages: [{ role: 'user', content: text }],
        });
        assert.equal(chatStreamText(parseSse(s.text)), `Echo: ${text}`, `chunk ${chunk}`);
      }
      const t = await fetchStrict(chatUrl(), {
        model: 'mock-gpt', tools: TOOLS, metadata: { mock_ascii: '1' }, messages: [{ role: 'user', content: text }],
      });
      assert.deepEqual(JSON.parse(t.json.choices[0].message.tool_calls[0].function.arguments), { echo: text });
      const rs = await fetchStrict(`${gw.url}/v1/responses`, { model: 'mock-gpt', input: text, metadata: { mock_ascii: '1' } });
      assert.equal(rs.json.output[0].content[0].text, `Echo: ${text}`);
    }
  });

  test('a lone surrogate next to a value: refused or forwarded without the value', async () => {
    const phone = values(35).phone();
    const body = `{"model":"mock-gpt","messages":[{"role":"user","content":"\\ud800 ${phone} \\udc00"}]}`;
    mock.reset();
    const r = await fetchStrict(chatUrl(), body);
    if (r.status === 200) assertNoLeak(lastReq(), [phone]);
    else {
      assert.equal(r.status, 400, r.text);
      assert.equal(mock.requests.length, 0);
    }
  });
});

// ------------------------------------------------------------ 4. tools

const TOOLS = [{
  type: 'function',
  function: { name: 'lookup', description: 'look up', parameters: { type: 'object', properties: { echo: { type: 'string' } } } },
}];

describe('4. tool calls', () => {
  for (const [major, OpenAI] of SDKS) {
    test(`openai ${major}.x: arguments restored (plain and streamed), tool results pseudonymized`, async () => {
      const g = values(40 + Number(major));
      const rec = g.record();
      // A quote, a backslash and a newline next to values: the restored
      // arguments must stay valid JSON.
      const text = `${rec.text}\n메모: "급함" \\ 확인`;
      mock.reset();
      const r = await client(OpenAI).chat.completions.create({ model: 'mock-gpt', tools: TOOLS, messages: [{ role: 'user', content: text }] });
      assertNoLeak(lastReq(), rec.values, 'tool call request');
      const call = r.choices[0].message.tool_calls[0];
      assert.deepEqual(JSON.parse(call.function.arguments), { echo: text });

      for (const chunk of [1, 2, 5, 7]) {
        const stream = await client(OpenAI).chat.completions.create({
          model: 'mock-gpt', tools: TOOLS, stream: true, metadata: { mock_chunk: String(chunk) },
          messages: [{ role: 'user', content: text }],
        });
        let args = '';
        for await (const c of stream) args += c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
        assertNoLeak(lastReq(), rec.values, 'streamed tool call request');
        assert.deepEqual(JSON.parse(args), { echo: text }, `chunk ${chunk}`);
      }

      // Follow-up: the assistant's call (with the restored values) and a tool
      // result with new values.
      const phone2 = g.phone();
      const name2 = g.pick(NAMES.filter((n) => !rec.text.includes(n)));
      const result = `조회 결과: 담당자 ${name2}, 연락처 ${phone2}`;
      mock.reset();
      const r2 = await client(OpenAI).chat.completions.create({
        model: 'mock-gpt', tools: TOOLS,
        messages: [
          { role: 'user', content: text },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: result },
        ],
      });
      assertNoLeak(lastReq(), [...rec.values, name2, phone2], 'tool result turn');
      assert.equal(r2.choices[0].message.content, `Tool said: ${result}`);

      // The same turn streamed.
      const s2 = await client(OpenAI).chat.completions.create({
        model: 'mock-gpt', tools: TOOLS, stream: true, metadata: { mock_chunk: '2' },
        messages: [
          { role: 'user', content: text },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: result },
        ],
      });
      let out = '';
      for await (const c of s2) out += c.choices[0]?.delta?.content ?? '';
      assert.equal(out, `Tool said: ${result}`);
    });
  }
});

describe('4b. restored values that need JSON escaping', () => {
  test('a password with a quote and a backslash: content and tool arguments stay valid JSON', async () => {
    const text = '새 비밀번호: Zq"r\\t8!kW 로 바꿨어요';
    assert.ok(text.includes('"') && text.includes('\\'));
    mock.reset();
    const r = await request(chatUrl(), { body: { model: 'mock-gpt', messages: [{ role: 'user', content: text }] } });
    assert.equal(r.status, 200, r.text);
    assert.match(lastReq().body.messages[0].content, /\[\[SECRET_1\]\]/, 'the password was pseudonymized');
    assertNoLeak(lastReq(), ['Zq"r\\t8!kW']);
    assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
    for (const chunk of [1, 2, 3, 5]) {
      const s = await fetchStrict(chatUrl(), { model: 'mock-gpt', stream: true, metadata: { mock_chunk: String(chunk) }, messages: [{ role: 'user', content: text }] });
      assert.equal(chatStreamText(parseSse(s.text)), `Echo: ${text}`);
      const t = await fetchStrict(chatUrl(), {
        model: 'mock-gpt', stream: true, tools: TOOLS, metadata: { mock_chunk: String(chunk) }, messages: [{ role: 'user', content: text }],
      });
      const args = parseSse(t.text).filter((e) => !e.done).map((e) => e.data.choices?.[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
      assert.deepEqual(JSON.parse(args), { echo: text }, `streamed arguments, chunk ${chunk}`);
    }
    const p = await fetchStrict(chatUrl(), { model: 'mock-gpt', tools: TOOLS, messages: [{ role: 'user', content: text }] });
    assert.deepEqual(JSON.parse(p.json.choices[0].message.tool_calls[0].function.arguments), { echo: text });
  });
});

// ------------------------------------------------------- 5. multi-turn

describe('5. multi-turn placeholders', () => {
  test('same value → same placeholder, different values → different placeholders', async () => {
    const g = values(50);
    const p1 = g.phone();
    const p2 = g.phone();
    const e1 = g.email();
    assert.notEqual(p1, p2);
    const messages = [
      { role: 'system', content: `상담 기록: 고객 메일 ${e1}` },
      { role: 'user', content: `제 번호는 ${p1} 입니다.` },
      { role: 'assistant', content: '확인했습니다.' },
      { role: 'user', content: `다시 말하면 ${p1}, 그리고 회사 번호는 ${p2}, 메일은 ${e1}` },
    ];
    mock.reset();
    const r = await request(chatUrl(), { body: { model: 'mock-gpt', messages } });
    assert.equal(r.status, 200, r.text);
    assertNoLeak(lastReq(), [p1, p2, e1]);
    const up = lastReq().body.messages;
    const first = up[1].content.match(PLACEHOLDER);
    const last = up[3].content.match(PLACEHOLDER);
    assert.equal(first.length, 1);
    assert.equal(last.length, 3);
    assert.equal(last[0], first[0], 'the same phone number gets the same placeholder in both turns');
    assert.notEqual(last[1], last[0], 'a different phone number gets another placeholder');
    assert.match(last[0], /^\[\[KR_PHONE_\d+\]\]$/);
    assert.match(last[1], /^\[\[KR_PHONE_\d+\]\]$/);
    assert.equal(up[0].content.match(PLACEHOLDER)[0], last[2], 'the e-mail in the system message and the last turn');
    assert.equal(r.json.choices[0].message.content, `Echo: ${messages[3].content}`);
  });

  test('text the user wrote that looks like a placeholder is left alone', async () => {
    const g = values(51);
    const p1 = g.phone();
    const p2 = g.phone();
    for (const typed of ['[[KR_PHONE_1]]', '[[KR_PHONE_2]] 와 [[KR_PHONE_1]]', '[[EMAIL_1]]']) {
      const text = `${typed} 은 예시일 뿐이고 제 번호는 ${p1}, 집 번호는 ${p2} 입니다.`;
      const messages = [
        { role: 'user', content: `템플릿 ${typed} 를 쓰세요` },
        { role: 'assistant', content: '네.' },
        { role: 'user', content: text },
      ];
      mock.reset();
      const r = await request(chatUrl(), { body: { model: 'mock-gpt', messages } });
      assert.equal(r.status, 200, r.text);
      assertNoLeak(lastReq(), [p1, p2]);
      const sent = lastReq().body.messages[2].content;
      // The typed text is forwarded as typed; the issued placeholders differ from it.
      assert.ok(sent.startsWith(`${typed} 은 예시일 뿐이고 제 번호는 `), sent);
      const issued = sent.slice(typed.length).match(PLACEHOLDER);
      assert.equal(issued.length, 2, sent);
      for (const ph of issued) assert.ok(!typed.includes(ph), `issued ${ph} collides with the user's ${typed}`);
      assert.notEqual(issued[0], issued[1]);
      assert.equal(lastReq().body.messages[0].content, `템플릿 ${typed} 를 쓰세요`);
      // Restored exactly: the user's own brackets stay, the numbers come back.
      assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
      // Streaming, one character per event.
      const s = await fetchStrict(chatUrl(), { model: 'mock-gpt', stream: true, metadata: { mock_chunk: '1' }, messages });
      assert.equal(chatStreamText(parseSse(s.text)), `Echo: ${text}`);
    }
  });
});

// -------------------------------------------------------- 6. Responses

describe('6. Responses API', () => {
  for (const [major, OpenAI] of SDKS) {
    test(`openai ${major}.x: input string / items, instructions; plain and streaming`, async () => {
      const g = values(60 + Number(major));
      const rec = g.record();
      const iname = g.pick(NAMES.filter((n) => !rec.text.includes(n)));
      const iphone = g.phone();
      const instructions = `상담원 ${iname}의 직통 번호 ${iphone}는 답변에 쓰지 마세요.`;
      const secret = [...rec.values, iname, iphone];
      const inputs = [
        rec.text,
        [{ role: 'user', content: [{ type: 'input_text', text: rec.text }] }],
        [{ role: 'developer', content: `메모: ${iphone}` }, { type: 'message', role: 'user', content: rec.text }],
      ];
      for (const input of inputs) {
        mock.reset();
        const r = await client(OpenAI).responses.create({ model: 'mock-gpt', input, instructions });
        assertNoLeak(lastReq(), secret, 'responses');
        assert.equal(r.output_text, `Echo: ${rec.text}`);

        for (const chunk of [1, 4]) {
          const stream = await client(OpenAI).responses.create({
            model: 'mock-gpt', input, instructions, stream: true, metadata: { mock_chunk: String(chunk) },
          });
          let text = '';
          let done = null;
          let completed = null;
          let partDone = null;
          let itemDone = null;
          for await (const ev of stream) {
            if (ev.type === 'response.output_text.delta') text += ev.delta;
            if (ev.type === 'response.output_text.done') done = ev.text;
            if (ev.type === 'response.content_part.done') partDone = ev.part.text;
            if (ev.type === 'response.output_item.done') itemDone = ev.item.content[0].text;
            if (ev.type === 'response.completed') completed = ev.response;
          }
          assert.equal(partDone, `Echo: ${rec.text}`, 'response.content_part.done');
          assert.equal(itemDone, `Echo: ${rec.text}`, 'response.output_item.done');
          assertNoLeak(lastReq(), secret, 'responses stream');
          assert.equal(text, `Echo: ${rec.text}`, `deltas, chunk ${chunk}`);
          assert.equal(done, `Echo: ${rec.text}`, 'response.output_text.done text');
          assert.equal(completed.output[0].content[0].text, `Echo: ${rec.text}`, 'response.completed output');
          assert.equal(completed.instructions, instructions, 'response.completed instructions');
        }
      }
    });
  }
});

// ------------------------------------------------------- 7. embeddings

describe('7. embeddings', () => {
  for (const [major, OpenAI] of SDKS) {
    test(`openai ${major}.x: string and array input`, async () => {
      const g = values(70 + Number(major));
      const a = g.record();
      const b = g.record();
      mock.reset();
      const e1 = await client(OpenAI).embeddings.create({ model: 'mock-embed', input: a.text });
      assert.equal(e1.data.length, 1);
      assertNoLeak(lastReq(), a.values, 'string input');
      const e2 = await client(OpenAI).embeddings.create({ model: 'mock-embed', input: [a.text, '평범한 문장', b.text] });
      assert.equal(e2.data.length, 3);
      assertNoLeak(lastReq(), [...a.values, ...b.values], 'array input');
      assert.equal(lastReq().body.input[1], '평범한 문장');
    });
  }
});

// ------------------------------------------------------------ 8. block

describe('8. block', () => {
  let g2, gf;
  before(async () => {
    g2 = await startGateway({ noAuth: true, args: ['--upstream', mock.url, '--policy', 'general'] });
    gf = await startGateway({ noAuth: true, args: ['--upstream', mock.url, '--policy', 'financial'] });
  });
  after(async () => {
    await g2?.stop();
    await gf?.stop();
  });

  test('general: secrets → 403 gwanmun_policy_violation naming SECRET, upstream not called', async () => {
    const g = values(80);
    for (const secret of [g.awsKey(), g.openaiKey()]) {
      for (const [path, body] of [
        ['/v1/chat/completions', { model: 'mock-gpt', messages: [{ role: 'user', content: `이 키로 호출해줘: ${secret}` }] }],
        ['/v1/chat/completions', { model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: `key=${secret}` }] }],
        ['/v1/responses', { model: 'mock-gpt', input: `키 ${secret} 점검` }],
        ['/v1/embeddings', { model: 'mock-embed', input: [`키 ${secret}`] }],
      ]) {
        mock.reset();
        const r = await request(`${g2.url}${path}`, { body });
        assert.equal(r.status, 403, r.text);
        assert.equal(r.json.error.code, 'gwanmun_policy_violation');
        assert.match(r.json.error.message, /SECRET/);
        assert.ok(!r.text.includes(secret), r.text);
        assert.ok(!r.text.includes(secret.slice(0, 12)), r.text);
        assert.equal(mock.requests.length, 0, 'upstream not called');
      }
    }
    assert.ok(!g2.logs().includes(values(80).awsKey()));
  });

  test('general: the SDK sees a PermissionDeniedError with the code', async () => {
    const secret = values(81).awsKey();
    await assert.rejects(
      client(OpenAI7, g2).chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: secret }] }),
      (e) => e instanceof OpenAI7.PermissionDeniedError && e.code === 'gwanmun_policy_violation' && !e.message.includes(secret));
  });

  test('general: an RRN is masked as [[KR_RRN]] (not restored), the phone is restored', async () => {
    const g = values(82);
    const rrn = g.rrn();
    const phone = g.phone();
    const text = `주민등록번호 ${rrn}, 연락처 ${phone}`;
    mock.reset();
    const r = await request(`${g2.url}/v1/chat/completions`, { body: { model: 'mock-gpt', messages: [{ role: 'user', content: text }] } });
    assert.equal(r.status, 200, r.text);
    assertNoLeak(lastReq(), [rrn, phone]);
    assert.ok(lastReq().body.messages[0].content.includes('[[KR_RRN]]'));
    assert.equal(r.json.choices[0].message.content, `Echo: ${text.replace(rrn, '[[KR_RRN]]')}`);
  });

  test('financial: an RRN → 403 naming KR_RRN, upstream not called', async () => {
    const g = values(83);
    const rrn = g.rrn();
    mock.reset();
    const r = await request(`${gf.url}/v1/chat/completions`, {
      body: { model: 'mock-gpt', messages: [{ role: 'user', content: `고객 주민번호 ${rrn} 조회` }] },
    });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'gwanmun_policy_violation');
    assert.match(r.json.error.message, /KR_RRN/);
    assert.ok(!r.text.includes(rrn) && !r.text.includes(digitsOnly(rrn)), r.text);
    assert.equal(mock.requests.length, 0);
  });
});

// -------------------------------------------------------- 9. residency

describe('9. residency', () => {
  let us, kr;
  before(async () => {
    us = await startMock({ name: 'us' });
    kr = await startMock({ name: 'kr' });
  });
  after(async () => {
    await us?.close();
    await kr?.close();
  });
  const guard = (extra = '') =>
    'guardrails:\n  profile: pseudonymize-all\n  residency:\n    - name: rrn-stays-in-korea\n      types: [KR_RRN]\n      region: kr\n' + extra;

  test('a request with an RRN reaches only the kr upstream; others go anywhere', async () => {
    const g = await startGateway({
      noAuth: true,
      config: yamlConfig({
        upstreams: [
          { name: 'us', base_url: us.url, region: 'us', models: ['mock-gpt'] },
          { name: 'kr', base_url: kr.url, region: 'kr', models: ['mock-gpt'] },
        ],
        extra: guard(),
      }),
    });
    try {
      const v = values(90);
      for (let i = 0; i < 10; i++) {
        const rrn = v.rrn();
        const text = `주민등록번호 ${rrn} 확인`;
        const stream = i % 2 === 1;
        const r = await request(`${g.url}/v1/chat/completions`, {
          body: { model: 'mock-gpt', stream, messages: [{ role: 'user', content: text }] },
        });
        assert.equal(r.status, 200, r.text);
        if (!stream) assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
        assertNoLeak(kr.requests.at(-1), [rrn]);
      }
      assert.equal(kr.requests.length, 10);
      assert.equal(us.requests.length, 0, 'no RRN-bearing request went to us');
      // Without an RRN (a phone is pseudonymized but has no residency rule): both regions are used.
      let lastId;
      for (let i = 0; i < 24; i++) {
        const r = await request(`${g.url}/v1/chat/completions`, {
          body: { model: 'mock-gpt', messages: [{ role: 'user', content: `번호 ${v.phone()}` }] },
        });
        assert.equal(r.status, 200, r.text);
        lastId = r.headers.get('x-request-id');
      }
      assert.ok(us.requests.length > 0, 'requests without an RRN may go to us');
      assert.ok(kr.requests.length > 10);
      const rec = (await auditRecordsWith(g.dataDir, [lastId])).find((x) => x.action.includes('region=kr'));
      assert.ok(rec, 'audit notes the region restriction');
      assert.equal(rec.region, 'kr');
    } finally {
      await g.stop();
      us.reset();
      kr.reset();
    }
  });

  test('no upstream in the region → 403 gwanmun_residency_violation naming the type and rule', async () => {
    const g = await startGateway({
      noAuth: true,
      config: yamlConfig({ upstreams: [{ name: 'us', base_url: us.url, region: 'us', models: ['mock-gpt'] }], extra: guard() }),
    });
    try {
      const rrn = values(91).rrn();
      for (const stream of [false, true]) {
        const r = await request(`${g.url}/v1/chat/completions`, {
          body: { model: 'mock-gpt', stream, messages: [{ role: 'user', content: `주민번호 ${rrn}` }] },
        });
        assert.equal(r.status, 403, r.text);
        assert.equal(r.json.error.code, 'gwanmun_residency_violation');
        assert.match(r.json.error.message, /KR_RRN/);
        assert.match(r.json.error.message, /rrn-stays-in-korea/);
        assert.ok(!r.text.includes(rrn) && !r.text.includes(digitsOnly(rrn)), r.text);
      }
      assert.equal(us.requests.length, 0);
      // Without an RRN it works.
      const ok = await request(`${g.url}/v1/chat/completions`, { body: { model: 'mock-gpt', messages: [{ role: 'user', content: '안녕' }] } });
      assert.equal(ok.status, 200);
    } finally {
      await g.stop();
      us.reset();
    }
  });

  test('substitutes: gpt-4o with an RRN goes to the kr upstream as kr-model', async () => {
    const g = await startGateway({
      noAuth: true,
      config: yamlConfig({
        upstreams: [
          { name: 'us', base_url: us.url, region: 'us', models: ['gpt-4o'] },
          { name: 'kr', base_url: kr.url, region: 'kr', models: ['kr-model'] },
        ],
        extra: guard('  substitutes:\n    gpt-4o: kr-model\n'),
      }),
    });
    try {
      const rrn = values(92).rrn();
      const text = `주민등록번호 ${rrn} 확인 부탁`;
      const r = await request(`${g.url}/v1/chat/completions`, { body: { model: 'gpt-4o', messages: [{ role: 'user', content: text }] } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
      assert.equal(us.requests.length, 0);
      assert.equal(kr.requests.length, 1);
      assert.equal(kr.requests[0].body.model, 'kr-model');
      assertNoLeak(kr.requests[0], [rrn]);
      // Without an RRN: gpt-4o at us.
      const r2 = await request(`${g.url}/v1/chat/completions`, { body: { model: 'gpt-4o', messages: [{ role: 'user', content: '안녕' }] } });
      assert.equal(r2.status, 200);
      assert.equal(us.requests.length, 1);
      assert.equal(us.requests[0].body.model, 'gpt-4o');
    } finally {
      await g.stop();
      us.reset();
      kr.reset();
    }
  });
});

// ----------------------------------------------------- 10. no-retention

describe('10. no-retention', () => {
  test('store:true from the client reaches the upstream as store:false (chat, responses)', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', { model: 'mock-gpt', store: true, messages: [{ role: 'user', content: '안녕' }] }],
      ['/v1/chat/completions', { model: 'mock-gpt', store: true, stream: true, messages: [{ role: 'user', content: '안녕' }] }],
      ['/v1/responses', { model: 'mock-gpt', store: true, input: '안녕' }],
      ['/v1/responses', { model: 'mock-gpt', input: '안녕', stream: true }],
    ]) {
      mock.reset();
      const r = await request(`${gw.url}${path}`, { body });
      assert.equal(r.status, 200, r.text);
      assert.equal(lastReq().body.store, false, `${path}: ${lastReq().raw}`);
      assert.equal((lastReq().raw.match(/"store"/g) || []).length, 1, 'exactly one store key');
    }
  });

  test('allow-all forwards values and store unchanged (detection only)', async () => {
    const g = await startGateway({ noAuth: true, args: ['--upstream', mock.url, '--policy', 'allow-all'] });
    try {
      const rec = values(100).record();
      mock.reset();
      const r = await request(`${g.url}/v1/chat/completions`, { body: { model: 'mock-gpt', store: true, messages: [{ role: 'user', content: rec.text }] } });
      assert.equal(r.status, 200);
      assert.equal(lastReq().body.messages[0].content, rec.text);
      assert.equal(lastReq().body.store, true);
    } finally {
      await g.stop();
    }
  });

  test('passthrough: endpoints that persist data are refused; others are guarded', async () => {
    const g = await startGateway({
      noAuth: true,
      config: yamlConfig({ upstreams: [{ name: 'm', base_url: mock.url, models: ['mock-gpt'] }] }) +
        'passthrough:\n  enabled: true\n  upstream: m\nguardrails:\n  profile: pseudonymize-all\n',
    });
    try {
      mock.reset();
      for (const [path, body] of [
        ['/v1/files', { purpose: 'batch', file: 'x' }],
        ['/v1/uploads', { purpose: 'batch', filename: 'a.jsonl', bytes: 10, mime_type: 'text/jsonl' }],
        ['/v1/batches', { input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' }],
        ['/v1/fine_tuning/jobs', { model: 'mock-gpt', training_file: 'file-1' }],
        ['/v1/vector_stores', { name: 'x' }],
      ]) {
        const r = await request(`${g.url}${path}`, { body });
        assert.equal(r.status, 403, `${path}: ${r.text}`);
        assert.equal(r.json.error.code, 'gwanmun_policy_violation');
      }
      // multipart upload, as the SDK sends it
      const fd = new FormData();
      fd.append('purpose', 'assistants');
      fd.append('file', new Blob(['010-1234-5678']), 'a.txt');
      const mr = await fetch(`${g.url}/v1/files`, { method: 'POST', body: fd });
      assert.equal(mr.status, 403);
      assert.equal(mock.requests.length, 0, 'upstream not called');
      // A non-persisting pass-through path is forwarded, with values replaced.
      const phone = values(101).phone();
      const r = await request(`${g.url}/v1/moderations`, { body: { model: 'omni-moderation-latest', input: `번호 ${phone}` } });
      assert.equal(r.status, 404);  // the mock's own answer
      assert.equal(mock.requests.length, 1);
      assertNoLeak(lastReq(), [phone], 'pass-through body');
    } finally {
      await g.stop();
    }
  });
});

// ----------------------------------------------------- 11. malformed

describe('11. malformed requests', () => {
  test('malformed JSON → 400, the upstream is not called', async () => {
    const phone = values(110).phone();
    mock.reset();
    for (const [path, body] of [
      ['/v1/chat/completions', `{"model":"mock-gpt","messages":[{"role":"user","content":"번호 ${phone}"}]`],
      ['/v1/chat/completions', `{"model":"mock-gpt","messages":[{"role":"user","content":"번호 ${phone}}]}`],
      ['/v1/chat/completions', `{"model":"mock-gpt","messages":[{"role":"user","content":"\\x ${phone}"}]}`],
      ['/v1/responses', `{"model":"mock-gpt","input":"번호 ${phone}",}`],
      ['/v1/embeddings', `{"model":"mock-embed","input":["${phone}"`],
    ]) {
      const r = await request(`${gw.url}${path}`, { body, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 400, `${path} ${body}: ${r.text}`);
      assert.ok(r.json?.error, r.text);
      assert.ok(!r.text.includes(phone));
    }
    assert.equal(mock.requests.length, 0);
  });

  test('invalid UTF-8 inside a string → 400, the upstream is not called', async () => {
    const phone = values(111).phone();
    const pre = Buffer.from(`{"model":"mock-gpt","messages":[{"role":"user","content":"번호 ${phone} `);
    const body = Buffer.concat([pre, Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}]}')]);
    mock.reset();
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(r.status, 400, await r.text());
    assert.equal(mock.requests.length, 0);
  });
});

// --------------------------------------------------------- 12. audit

describe('12. audit', () => {
  test('findings per type, the action, and never a raw value', async () => {
    const g = await startGateway({
      noAuth: true,
      config: yamlConfig({ upstreams: [{ name: 'm', base_url: mock.url, region: 'kr', models: ['mock-gpt'] }] }) +
        'guardrails:\n  profile: general\n  actions:\n    KR_RRN: pseudonymize\naudit:\n  fingerprint_secret_env: GW_FP_SECRET\n',
      env: { GW_FP_SECRET: 'e2e-fingerprint-secret-0123456789abcdef' },
    });
    try {
      const v = values(120);
      const rec = v.record();
      const phone2 = v.phone();
      const text = `${rec.text} 보조 연락처 ${phone2}`;
      const r = await request(`${g.url}/v1/chat/completions`, { body: { model: 'mock-gpt', messages: [{ role: 'user', content: text }] } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
      const s = await request(`${g.url}/v1/chat/completions`, {
        body: { model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: text }] },
      });
      assert.equal(s.status, 200);
      const secret = v.awsKey();
      const b = await request(`${g.url}/v1/chat/completions`, { body: { model: 'mock-gpt', messages: [{ role: 'user', content: `키 ${secret}` }] } });
      assert.equal(b.status, 403);

      await auditRecordsWith(g.dataDir, [r, s, b].map((x) => x.headers.get('x-request-id')));
      const exp = cli(['audit', 'export', '--data-dir', g.dataDir, '--format', 'jsonl']);
      assert.equal(exp.status, 0, exp.stderr);
      const recs = exp.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      for (const id of [r.headers.get('x-request-id'), s.headers.get('x-request-id')]) {
        const a = recs.find((x) => x.request_id === id);
        assert.ok(a, 'audit record');
        assert.deepEqual(JSON.parse(a.findings), { CREDIT_CARD: 1, EMAIL: 1, KR_PHONE: 2, KR_RRN: 1, PERSON_NAME: 1 });
        assert.match(a.action, /pseudonymize/);
        assert.match(a.action, /store=false/);
        const fps = JSON.parse(a.fingerprints);
        assert.equal(fps.length, 6);
        for (const fp of fps) assert.match(fp, /^[A-Z_]+:[0-9a-f]{16,}$/);
      }
      // "Was this phone number ever sent, and where?" — answered from fingerprints.
      const env = { GW_FP_SECRET: 'e2e-fingerprint-secret-0123456789abcdef' };
      const found = cli(['audit', 'search', '--data-dir', g.dataDir, '--secret-env', 'GW_FP_SECRET', '--json',
        '--value', phone2], { env });
      assert.equal(found.status, 0, found.stderr);
      const hits = found.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.deepEqual(hits.map((h) => h.request_id).sort(),
        [r.headers.get('x-request-id'), s.headers.get('x-request-id')].sort());
      assert.ok(!found.stdout.includes(phone2));
      const spelled = cli(['audit', 'search', '--data-dir', g.dataDir, '--secret-env', 'GW_FP_SECRET',
        '--value', digitsOnly(phone2)], { env });
      assert.equal(spelled.status, 0, 'digits-only spelling matches too');
      const never = cli(['audit', 'search', '--data-dir', g.dataDir, '--secret-env', 'GW_FP_SECRET',
        '--value', '010-0000-0001'], { env });
      assert.equal(never.status, 1, 'a value never sent is not found');

      const blocked = recs.find((x) => x.request_id === b.headers.get('x-request-id'));
      assert.equal(blocked.status, 403);
      assert.match(blocked.action, /block/);
      assert.deepEqual(JSON.parse(blocked.findings), { SECRET: 1 });

      // No value anywhere: export (jsonl and csv), tail, logs.
      const everything = [
        exp.stdout,
        cli(['audit', 'export', '--data-dir', g.dataDir, '--format', 'csv']).stdout,
        cli(['audit', 'tail', '--data-dir', g.dataDir]).stdout,
        g.logs(),
        JSON.stringify(g.accessLog()),
      ].join('\n');
      for (const value of [...rec.values.map((x) => x.value), phone2, secret]) {
        assert.ok(!everything.includes(value), `value ${value} in the audit/logs`);
        const d = digitsOnly(value);
        if (d.length >= 8) assert.ok(!everything.includes(d), `digits of ${value} in the audit/logs`);
      }
    } finally {
      await g.stop();
    }
  });
});

// ------------------------------------------------ 13. configuration paths

describe('13. YAML guardrails: dictionaries, teams, markings, other fields', () => {
  let g, search, finance;
  before(async () => {
    g = await startGateway({
      config: yamlConfig({ upstreams: [{ name: 'm', base_url: mock.url, region: 'kr', models: ['mock-gpt'] }] }) +
        'guardrails:\n  profile: pseudonymize-all\n' +
        '  dictionaries:\n' +
        '    - name: PROJECT_CODENAME\n      terms: ["블루버드", "Aurora-X9"]\n      action: pseudonymize\n' +
        '    - name: BLACK_PROJECT\n      terms: ["흑룡계획"]\n      action: block\n' +
        '  teams:\n    finance:\n      profile: financial\n',
    });
    search = createKey(g.dataDir, { team: 'search' });
    finance = createKey(g.dataDir, { team: 'finance' });
  });
  after(async () => {
    await g?.stop();
  });

  test('dictionary terms: pseudonymized and restored; a block dictionary refuses', async () => {
    const text = '블루버드 일정과 Aurora-X9 사양을 정리해 줘.';
    mock.reset();
    const r = await request(`${g.url}/v1/chat/completions`, { key: search.secret, body: { model: 'mock-gpt', messages: [{ role: 'user', content: text }] } });
    assert.equal(r.status, 200, r.text);
    assertNoLeak(lastReq(), ['블루버드', 'Aurora-X9']);
    assert.match(lastReq().body.messages[0].content, /\[\[PROJECT_CODENAME_1\]\]/);
    assert.equal(r.json.choices[0].message.content, `Echo: ${text}`);
    mock.reset();
    const b = await request(`${g.url}/v1/chat/completions`, { key: search.secret, body: { model: 'mock-gpt', messages: [{ role: 'user', content: '흑룡계획 예산' }] } });
    assert.equal(b.status, 403, b.text);
    assert.equal(b.json.error.code, 'gwanmun_policy_violation');
    assert.match(b.json.error.message, /BLACK_PROJECT/);
    assert.ok(!b.text.includes('흑룡계획'));
    assert.equal(mock.requests.length, 0);
  });

  test('team override: the finance team blocks an RRN the others pseudonymize', async () => {
    const rrn = values(130).rrn();
    const text = `주민등록번호 ${rrn}`;
    mock.reset();
    const ok = await request(`${g.url}/v1/chat/completions`, { key: search.secret, body: { model: 'mock-gpt', messages: [{ role: 'user', content: text }] } });
    assert.equal(ok.status, 200, ok.text);
    assertNoLeak(lastReq(), [rrn]);
    assert.equal(ok.json.choices[0].message.content, `Echo: ${text}`);
    mock.reset();
    const no = await request(`${g.url}/v1/chat/completions`, { key: finance.secret, body: { model: 'mock-gpt', messages: [{ role: 'user', content: text }] } });
    assert.equal(no.status, 403, no.text);
    assert.equal(no.json.error.code, 'gwanmun_policy_violation');
    assert.match(no.json.error.message, /KR_RRN/);
    assert.equal(mock.requests.length, 0);
  });

  test('participant name, user field, multi-part content and metadata are guarded too', async () => {
    const v = values(131);
    const email = v.email();
    const phone = v.phone();
    const phone2 = v.phone();
    const name = v.name();
    mock.reset();
    const r = await request(`${g.url}/v1/chat/completions`, {
      key: search.secret,
      body: {
        model: 'mock-gpt', user: email, metadata: { customer_phone: phone2 },
        messages: [{ role: 'user', name: 'agent_7', content: [{ type: 'text', text: `${name}님 ` }, { type: 'text', text: `번호 ${phone}` }] }],
      },
    });
    assert.equal(r.status, 200, r.text);
    assertNoLeak(lastReq(), [email, phone, phone2, name]);
    assert.equal(r.json.choices[0].message.content, `Echo: ${name}님 번호 ${phone}`);
  });

  test('general: a classification marking is blocked', async () => {
    const g2 = await startGateway({ noAuth: true, args: ['--upstream', mock.url, '--policy', 'general'] });
    try {
      mock.reset();
      const r = await request(`${g2.url}/v1/chat/completions`, { body: { model: 'mock-gpt', messages: [{ role: 'user', content: '[대외비] 3분기 실적 요약' }] } });
      assert.equal(r.status, 403, r.text);
      assert.match(r.json.error.message, /CLASSIFICATION_MARKING/);
      assert.equal(mock.requests.length, 0);
    } finally {
      await g2.stop();
    }
  });

  test('--policy off: no scanning, body forwarded byte for byte', async () => {
    const g3 = await startGateway({ noAuth: true, args: ['--upstream', mock.url, '--policy', 'off'] });
    try {
      const rec = values(132).record();
      const body = JSON.stringify({ model: 'mock-gpt', store: true, messages: [{ role: 'user', content: rec.text }] });
      mock.reset();
      const r = await request(`${g3.url}/v1/chat/completions`, { body, headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 200);
      assert.equal(lastReq().raw, body);
    } finally {
      await g3.stop();
    }
  });
});

// ------------------------------------------------ 14. object keys

describe('14. values used as JSON object keys', () => {
  // Member names are caller text too (openai/text_fields.h): a value used as
  // a metadata key or a tool schema property name must not leak.
  test('a value used as an object key (metadata, tool schema properties) does not reach the upstream',
    async () => {
      const phone = values(140).phone();
      mock.reset();
      const r = await request(chatUrl(), {
        body: {
          model: 'mock-gpt', metadata: { [`고객 ${phone}`]: '메모' }, tool_choice: 'none',
          tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { [phone]: { type: 'string' } } } } }],
          messages: [{ role: 'user', content: '안녕' }],
        },
      });
      assert.equal(r.status, 200, r.text);
      assertNoLeak(lastReq(), [phone], 'object keys');
    });
});
