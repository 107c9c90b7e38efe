// A mock OpenAI upstream for gwanmun's end-to-end tests and benchmark.
// Node only, no dependencies. Listens on 127.0.0.1 (never anything else).
//
//   import { startMock } from './mock_upstream.mjs';
//   const mock = await startMock({ name: 'a' });   // mock.url = http://127.0.0.1:PORT/v1
//   … mock.requests (recorded), mock.reset(), await mock.close()
//
// or standalone:  node mock_upstream.mjs [--port N] [--name NAME] [--tls-cert F --tls-key F]
//   prints {"listening":PORT} on stdout; GET /__mock/requests, POST /__mock/reset.
//
// Endpoints (with or without a /v1 prefix): POST /chat/completions (plain and
// SSE, tools, include_usage), POST /responses (plain and streaming events),
// POST /embeddings (float and base64), GET /models.
//
// The assistant's answer echoes the last user text: "Echo: <text>" (with
// tools: a call of the first tool with {"echo": <text>}; after a tool
// result: "Tool said: <result>").
//
// Behaviour by the model name the upstream receives:
//   fail-always        500 every time
//   fail-once          500 the first time per (model, user field), then normal
//   rate-limit-once    429 + Retry-After: 1 the first time per (model, user), then normal
//   rate-limit-always  429 + Retry-After: 30
//   hang               never answers (records the cancellation when the gateway gives up)
//   slow-stream        streams one delta every 100 ms, 300 of them
//   bad-auth           401 quoting part of the presented key (must never reach clients)
//   broken-stream      starts a stream, then destroys the connection
// Chunking: metadata.mock_chunk (chars per delta, default 4) and
// metadata.mock_delay_ms (between events, default 0; a non-streaming chat
// answer waits that long once), or the headers
// x-mock-chunk / x-mock-delay-ms.
// Byte splitting (streams only): metadata.mock_byte_split = N (or header
// x-mock-byte-split) writes the SSE body in pieces of N bytes, cutting
// multi-byte UTF-8 characters and SSE lines anywhere; every piece is its own
// socket write (TCP_NODELAY) followed by an await of setImmediate, or of
// metadata.mock_byte_delay_ms / x-mock-byte-delay-ms milliseconds when set.
// With setImmediate a busy gateway may still read several pieces at once;
// with a 1 ms pause every piece is its own read on the gateway side
// (checked with strace). Unset or 0: each event is written whole, as before.
// ASCII-only JSON (chat and Responses answers, plain and streamed):
// metadata.mock_ascii = "1" (or header x-mock-ascii: 1) escapes every
// non-ASCII character as \uXXXX, as Python's json.dumps does by default.

import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .filter((p) => p && (p.type === 'text' || p.type === 'input_text' || p.type === 'output_text'))
      .map((p) => p.text)
      .join('');
  }
  return '';
}

function lastUserText(body) {
  const msgs = body.messages || [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role === 'user') return textOf(msgs[i].content);
  }
  return '';
}

function responsesInputText(body) {
  if (typeof body.input === 'string') return body.input;
  if (Array.isArray(body.input)) {
    for (let i = body.input.length - 1; i >= 0; i--) {
      const it = body.input[i];
      if (it && (it.role === 'user' || it.type === 'message')) return textOf(it.content);
    }
  }
  return '';
}

const tokens = (s) => Math.max(1, Math.ceil(Buffer.byteLength(String(s)) / 4));

function chunkText(text, n) {
  const chars = Array.from(text);  // code points, so Korean stays whole
  const out = [];
  for (let i = 0; i < chars.length; i += n) out.push(chars.slice(i, i + n).join(''));
  return out.length ? out : [''];
}

// Writes a stream's text: whole (split 0), or in pieces of `split` bytes,
// each a separate socket write followed by a pause (setImmediate, or
// `delayMs` milliseconds).
function streamWriter(res, split, delayMs) {
  if (!(split > 0)) return { write: (s) => { if (!res.destroyed) res.write(s); } };
  return {
    async write(s) {
      const buf = Buffer.from(s, 'utf8');
      for (let i = 0; i < buf.length; i += split) {
        if (res.destroyed) return;
        res.socket?.setNoDelay(true);
        res.write(buf.subarray(i, i + split));
        if (delayMs > 0) await sleep(delayMs);
        else await new Promise((r) => setImmediate(r));
      }
    },
  };
}

// JSON text; with `ascii`, every non-ASCII UTF-16 unit as \uXXXX.
function toJson(obj, ascii = false) {
  const s = JSON.stringify(obj);
  return ascii ? s.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : s;
}

function sendJson(res, status, obj, headers = {}, ascii = false) {
  const body = toJson(obj, ascii);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function apiError(res, status, message, type = 'api_error', headers = {}) {
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

export async function startMock(opts = {}) {
  const name = opts.name || 'mock';
  const state = { requests: [], counters: new Map() };

  function once(key) {
    const n = state.counters.get(key) || 0;
    state.counters.set(key, n + 1);
    return n === 0;
  }

  async function handle(req, res, rec) {
    const url = new URL(req.url, 'http://x');
    let path = url.pathname.replace(/^\/v1(?=\/)/, '');
    if (path === '/__mock/requests') return sendJson(res, 200, state.requests);
    if (path === '/__mock/reset') {
      state.requests.length = 0;
      state.counters.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: ['mock-gpt', 'mock-embed'].map((id) => ({ id, object: 'model', created: 1700000000, owned_by: name })),
      });
    }
    let body = {};
    try {
      body = rec.raw ? JSON.parse(rec.raw) : {};
    } catch {
      return apiError(res, 400, 'mock: invalid JSON', 'invalid_request_error');
    }
    rec.body = body;
    rec.model = body.model;
    const model = String(body.model || '');
    const user = String(body.user || '');
    const meta = body.metadata || {};
    const chunk = Number(req.headers['x-mock-chunk'] || meta.mock_chunk || 4);
    const delay = Number(req.headers['x-mock-delay-ms'] || meta.mock_delay_ms || 0);
    const byteSplit = Number(req.headers['x-mock-byte-split'] || meta.mock_byte_split || 0);
    const byteDelay = Number(req.headers['x-mock-byte-delay-ms'] || meta.mock_byte_delay_ms || 0);
    const out = streamWriter(res, byteSplit, byteDelay);
    const ascii = String(req.headers['x-mock-ascii'] || meta.mock_ascii || '') === '1';

    if (model === 'fail-always') return apiError(res, 500, 'mock: internal error');
    if (model === 'fail-once' && once(`${model}|${user}`)) return apiError(res, 500, 'mock: internal error (once)');
    if (model === 'rate-limit-once' && once(`${model}|${user}`)) {
      return apiError(res, 429, 'mock: slow down', 'requests', { 'retry-after': '1' });
    }
    if (model === 'rate-limit-always') return apiError(res, 429, 'mock: slow down', 'requests', { 'retry-after': '30' });
    if (model === 'hang') return;  // never answer
    if (model === 'bad-auth') {
      const k = String(req.headers.authorization || '').slice(7, 14);
      return apiError(res, 401, `Incorrect API key provided: ${k}***`, 'invalid_request_error');
    }

    if (req.method === 'POST' && path === '/chat/completions') return chat(res, body, { chunk, delay, model, out, ascii });
    if (req.method === 'POST' && path === '/responses') return responses(res, body, { chunk, delay, model, out, ascii });
    if (req.method === 'POST' && path === '/embeddings') return embeddings(res, body);
    return apiError(res, 404, `mock: no route ${req.method} ${path}`, 'invalid_request_error');
  }

  async function chat(res, body, { chunk, delay, model, out, ascii }) {
    const id = 'chatcmpl-' + randomUUID().slice(0, 12);
    const created = Math.floor(Date.now() / 1000);
    const msgs = body.messages || [];
    const last = msgs[msgs.length - 1] || {};
    const tools = Array.isArray(body.tools) ? body.tools.filter((t) => t.type === 'function') : [];
    const userText = lastUserText(body);
    let content = null;
    let toolCall = null;
    if (last.role === 'tool') {
      content = 'Tool said: ' + textOf(last.content);
    } else if (tools.length && body.tool_choice !== 'none') {
      toolCall = {
        id: 'call_' + randomUUID().slice(0, 8),
        type: 'function',
        function: { name: tools[0].function.name, arguments: JSON.stringify({ echo: userText }) },
      };
    } else {
      content = 'Echo: ' + userText;
    }
    const promptTokens = tokens(JSON.stringify(msgs));
    const completionTokens = tokens(content ?? toolCall.function.arguments);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const finish = toolCall ? 'tool_calls' : 'stop';

    if (!body.stream) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));  // one pause before the answer
      const message = { role: 'assistant', content, refusal: null };
      if (toolCall) message.tool_calls = [toolCall];
      return sendJson(res, 200, {
        id, object: 'chat.completion', created, model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage, system_fingerprint: 'fp_mock',
      }, {}, ascii);
    }
    const includeUsage = !!(body.stream_options && body.stream_options.include_usage);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const send = (obj) => {
      if (includeUsage && !('usage' in obj)) obj.usage = null;
      return out.write(`data: ${toJson(obj, ascii)}\n\n`);
    };
    const base = { id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_mock' };
    const slow = model === 'slow-stream';
    await send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: toolCall ? null : '' }, logprobs: null, finish_reason: null }] });
    if (model === 'broken-stream') {
      await sleep(20);
      res.socket.destroy();
      return;
    }
    if (toolCall) {
      await send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, logprobs: null, finish_reason: null }] });
      for (const piece of chunkText(toolCall.function.arguments, chunk)) {
        if (delay) await sleep(delay);
        if (res.destroyed) return;
        await send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }] });
      }
    } else {
      const pieces = slow ? Array.from({ length: 300 }, (_, i) => `${i} `) : chunkText(content, chunk);
      for (const piece of pieces) {
        if (slow) await sleep(100);
        else if (delay) await sleep(delay);
        if (res.destroyed) return;
        await send({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }] });
      }
    }
    await send({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }] });
    if (includeUsage) await send({ ...base, choices: [], usage });
    await out.write('data: [DONE]\n\n');
    if (res.destroyed) return;
    res.end();
  }

  async function responses(res, body, { chunk, delay, out, ascii }) {
    const id = 'resp_' + randomUUID().replace(/-/g, '').slice(0, 24);
    const msgId = 'msg_' + randomUUID().replace(/-/g, '').slice(0, 24);
    const created = Math.floor(Date.now() / 1000);
    const text = 'Echo: ' + responsesInputText(body);
    const inputTokens = tokens(JSON.stringify(body.input ?? '') + (body.instructions || ''));
    const outputTokens = tokens(text);
    const usage = {
      input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    };
    const part = { type: 'output_text', text, annotations: [] };
    const item = { id: msgId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    const response = (status, output, u) => ({
      id, object: 'response', created_at: created, status, model: body.model, output,
      instructions: body.instructions ?? null, usage: u, error: null, incomplete_details: null,
      parallel_tool_calls: true, tool_choice: 'auto', tools: [], temperature: 1, top_p: 1, metadata: {},
    });
    if (!body.stream) return sendJson(res, 200, response('completed', [item], usage), {}, ascii);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    let seq = 0;
    const ev = (type, obj) => out.write(`event: ${type}\ndata: ${toJson({ type, sequence_number: seq++, ...obj }, ascii)}\n\n`);
    await ev('response.created', { response: response('in_progress', [], null) });
    await ev('response.in_progress', { response: response('in_progress', [], null) });
    await ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    await ev('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { ...part, text: '' } });
    for (const piece of chunkText(text, chunk)) {
      if (delay) await sleep(delay);
      if (res.destroyed) return;
      await ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
    }
    await ev('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] });
    await ev('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part });
    await ev('response.output_item.done', { output_index: 0, item });
    await ev('response.completed', { response: response('completed', [item], usage) });
    if (res.destroyed) return;
    res.end();
  }

  function embeddings(res, body) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const data = inputs.map((inp, index) => {
      const s = typeof inp === 'string' ? inp : JSON.stringify(inp);
      const vec = Array.from({ length: 8 }, (_, i) => ((s.length * (i + 1)) % 97) / 97);
      let embedding = vec;
      if (body.encoding_format === 'base64') embedding = Buffer.from(new Float32Array(vec).buffer).toString('base64');
      return { object: 'embedding', index, embedding };
    });
    const pt = inputs.reduce((n, s) => n + tokens(typeof s === 'string' ? s : JSON.stringify(s)), 0);
    sendJson(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: pt, total_tokens: pt } });
  }

  const onRequest = (req, res) => {
    const rec = {
      upstream: name, method: req.method, path: req.url, headers: req.headers,
      raw: '', body: null, model: null, cancelled: false, finished: false, at: Date.now(),
    };
    state.requests.push(rec);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    res.on('finish', () => { rec.finished = true; });
    res.on('close', () => { if (!rec.finished) rec.cancelled = true; });
    req.on('end', () => {
      rec.raw = Buffer.concat(chunks).toString('utf8');
      handle(req, res, rec).catch((e) => {
        if (!res.headersSent) apiError(res, 500, 'mock crashed: ' + e.message);
      });
    });
  };

  const server = opts.tls
    ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest)
    : http.createServer(onRequest);
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(opts.port || 0, '127.0.0.1', resolve));
  const port = server.address().port;
  const scheme = opts.tls ? 'https' : 'http';
  return {
    name,
    port,
    url: `${scheme}://127.0.0.1:${port}/v1`,
    requests: state.requests,
    reset() { state.requests.length = 0; state.counters.clear(); },
    byModel(model) { return state.requests.filter((r) => r.model === model); },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// Standalone mode.
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const get = (flag) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
  const tlsCert = get('--tls-cert');
  const tlsKey = get('--tls-key');
  const mock = await startMock({
    name: get('--name') || 'mock',
    port: Number(get('--port') || 0),
    tls: tlsCert ? { cert: fs.readFileSync(tlsCert), key: fs.readFileSync(tlsKey) } : undefined,
  });
  process.stdout.write(JSON.stringify({ listening: mock.port }) + '\n');
  const stop = () => mock.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
