// The official openai SDK (6.x and 7.x) through gwanmun to the mock upstream.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI6 from 'openai6';
import OpenAI7 from 'openai7';
import { startMock } from './mock_upstream.mjs';
import { startGateway, createKey, auditRecordsWith, yamlConfig, request } from './lib/harness.mjs';

const REAL_KEY = 'sk-real-upstream-secret-0123456789';
let mock, gw, key, limitedKey;

before(async () => {
  mock = await startMock({ name: 'primary' });
  gw = await startGateway({
    config: yamlConfig({
      upstreams: [{
        name: 'mock-kr', base_url: mock.url, region: 'kr', api_key_env: 'MOCK_UPSTREAM_KEY',
        models: ['mock-gpt', 'mock-embed', { name: 'gpt-4o', upstream_model: 'mock-gpt' }],
      }],
    }),
    env: { MOCK_UPSTREAM_KEY: REAL_KEY },
  });
  key = createKey(gw.dataDir, { team: 'search' });
  limitedKey = createKey(gw.dataDir, { team: 'intern', models: ['mock-gpt'] });
});

after(async () => {
  await gw?.stop();
  await mock?.close();
});

const PROMPT = '안녕하세요, 관문입니다. 주민등록번호는 보내지 마세요.';

for (const [major, OpenAI] of [['6', OpenAI6], ['7', OpenAI7]]) {
  describe(`openai SDK ${major}.x`, () => {
    const client = () => new OpenAI({ apiKey: key.secret, baseURL: `${gw.url}/v1`, maxRetries: 0 });

    test('chat completion, non-streaming', async () => {
      const { data, response } = await client()
        .chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: PROMPT }] })
        .withResponse();
      assert.equal(data.choices[0].message.content, `Echo: ${PROMPT}`);
      assert.ok(data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
      assert.match(response.headers.get('x-request-id'), /^req_[0-9a-f]{24}$/);
    });

    test('chat completion, streaming, without and with include_usage', async () => {
      const stream = await client().chat.completions.create({
        model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: PROMPT }],
      });
      let text = '';
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        // The gateway asked the upstream for usage but must hide that chunk.
        assert.ok(chunk.choices.length > 0, 'no usage-only chunk for a client that did not ask');
        text += chunk.choices[0].delta?.content ?? '';
      }
      assert.equal(text, `Echo: ${PROMPT}`);
      assert.ok(chunks > 3, 'forwarded event by event');

      const withUsage = await client().chat.completions.create({
        model: 'mock-gpt', stream: true, stream_options: { include_usage: true },
        messages: [{ role: 'user', content: PROMPT }],
      });
      let usage = null;
      for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
      assert.ok(usage && usage.total_tokens > 0);
    });

    test('model alias reaches the upstream under its upstream name', async () => {
      mock.reset();
      const r = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.choices[0].message.content, 'Echo: hi');
      assert.equal(mock.requests.at(-1).body.model, 'mock-gpt');
      assert.equal(mock.requests.at(-1).headers.authorization, `Bearer ${REAL_KEY}`, 'real key sent upstream');
    });

    test('multi-part content', async () => {
      const r = await client().chat.completions.create({
        model: 'mock-gpt',
        messages: [{ role: 'user', content: [{ type: 'text', text: '첫째 ' }, { type: 'text', text: '둘째' }] }],
      });
      assert.equal(r.choices[0].message.content, 'Echo: 첫째 둘째');
    });

    test('tools: call, streamed call, tool result', async () => {
      const tools = [{
        type: 'function',
        function: { name: 'lookup', description: 'look up', parameters: { type: 'object', properties: { echo: { type: 'string' } } } },
      }];
      const r = await client().chat.completions.create({ model: 'mock-gpt', tools, messages: [{ role: 'user', content: '날씨' }] });
      const call = r.choices[0].message.tool_calls[0];
      assert.equal(r.choices[0].finish_reason, 'tool_calls');
      assert.equal(call.function.name, 'lookup');
      assert.deepEqual(JSON.parse(call.function.arguments), { echo: '날씨' });

      const stream = await client().chat.completions.create({
        model: 'mock-gpt', tools, stream: true, messages: [{ role: 'user', content: '서울 날씨' }],
      });
      let args = '';
      for await (const chunk of stream) args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
      assert.deepEqual(JSON.parse(args), { echo: '서울 날씨' });

      const r2 = await client().chat.completions.create({
        model: 'mock-gpt', tools,
        messages: [
          { role: 'user', content: '날씨' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: '맑음' },
        ],
      });
      assert.equal(r2.choices[0].message.content, 'Tool said: 맑음');
    });

    test('Responses API, plain and streaming', async () => {
      const r = await client().responses.create({ model: 'mock-gpt', input: PROMPT });
      assert.equal(r.output_text, `Echo: ${PROMPT}`);
      assert.ok(r.usage.total_tokens > 0);

      const stream = await client().responses.create({ model: 'mock-gpt', input: PROMPT, stream: true });
      let text = '';
      const types = [];
      for await (const ev of stream) {
        types.push(ev.type);
        if (ev.type === 'response.output_text.delta') text += ev.delta;
      }
      assert.equal(text, `Echo: ${PROMPT}`);
      assert.equal(types[0], 'response.created');
      assert.equal(types.at(-1), 'response.completed');
    });

    test('embeddings (SDK default base64, and float)', async () => {
      const e = await client().embeddings.create({ model: 'mock-embed', input: ['가나다', 'abc'] });
      assert.equal(e.data.length, 2);
      assert.equal(e.data[0].embedding.length, 8);
      const f = await client().embeddings.create({ model: 'mock-embed', input: '가나다', encoding_format: 'float' });
      assert.equal(f.data[0].embedding.length, 8);
      assert.ok(f.usage.prompt_tokens > 0);
    });

    test('models list shows what the key may use', async () => {
      const ids = [];
      for await (const m of client().models.list()) ids.push(m.id);
      assert.deepEqual(ids.sort(), ['gpt-4o', 'mock-embed', 'mock-gpt']);
      const limited = new OpenAI({ apiKey: limitedKey.secret, baseURL: `${gw.url}/v1` });
      const lids = [];
      for await (const m of limited.models.list()) lids.push(m.id);
      assert.deepEqual(lids, ['mock-gpt']);
      const one = await client().models.retrieve('gpt-4o');
      assert.equal(one.id, 'gpt-4o');
    });

    test('errors surface as the SDK error classes', async () => {
      const bad = new OpenAI({ apiKey: 'gw-not-a-key', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      await assert.rejects(bad.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
      await assert.rejects(client().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
    });
  });
}

test('the real upstream key never reaches clients, and every request is audited', async () => {
  const r = await request(`${gw.url}/v1/chat/completions`, {
    key: key.secret, body: { model: 'mock-gpt', messages: [{ role: 'user', content: 'x' }] },
  });
  assert.equal(r.status, 200);
  assert.ok(!r.text.includes(REAL_KEY));
  for (const [, v] of r.headers) assert.ok(!v.includes(REAL_KEY));
  const id = r.headers.get('x-request-id');
  const recs = await auditRecordsWith(gw.dataDir, [id]);
  const rec = recs.find((x) => x.request_id === id);
  assert.ok(rec, 'audit record for the request');
  assert.equal(rec.status, 200);
  assert.equal(rec.key_id, key.key_id);
  assert.equal(rec.team, 'search');
  assert.equal(rec.endpoint, '/v1/chat/completions');
  assert.equal(rec.upstream, 'mock-kr');
  assert.equal(rec.region, 'kr');
  assert.ok(rec.tokens_in > 0 && rec.tokens_out > 0);
  // Streams are audited with the tokens of their usage chunk.
  const streamed = recs.filter((x) => x.tokens_out > 0);
  assert.ok(streamed.length > 10);
  // No content in the log.
  assert.ok(!JSON.stringify(recs).includes('관문입니다'));
  assert.ok(!gw.logs().includes('관문입니다'));
});
