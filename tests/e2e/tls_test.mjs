// TLS upstreams (verification, SNI, host name check) and HTTPS_PROXY/NO_PROXY.
// Certificates are made on the fly with the openssl CLI; all on 127.0.0.1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startMock } from './mock_upstream.mjs';
import { startGateway, request, yamlConfig, tmpDir } from './lib/harness.mjs';

let dir, mock, proxy;
const connects = [];

function makeCerts() {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=gwanmun test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
    '-days', '2', '-extfile', 'ext.cnf');
}

// A minimal HTTP CONNECT proxy (loopback only) that records its tunnels.
function startProxy() {
  return new Promise((resolve) => {
    const server = net.createServer((client) => {
      let head = '';
      const onData = (d) => {
        head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        client.removeListener('data', onData);
        const [method, target] = head.split(' ');
        connects.push({ method, target, auth: /proxy-authorization: (.*)\r\n/i.exec(head)?.[1] });
        const [host, port] = target.split(':');
        if (method !== 'CONNECT' || (host !== 'localhost' && host !== '127.0.0.1')) {
          client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
          return;
        }
        const up = net.connect(Number(port), '127.0.0.1', () => {
          client.write('HTTP/1.1 200 Connection established\r\n\r\n');
          up.pipe(client);
          client.pipe(up);
        });
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
      };
      client.on('data', onData);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  dir = tmpDir('gwanmun-tls-');
  makeCerts();
  mock = await startMock({
    name: 'tls',
    tls: { cert: fs.readFileSync(path.join(dir, 'server.pem')), key: fs.readFileSync(path.join(dir, 'server.key')) },
  });
  proxy = await startProxy();
});

after(async () => {
  await mock?.close();
  proxy?.close();
});

const chat = { model: 'mock-gpt', messages: [{ role: 'user', content: '안녕' }] };
const cfg = (opts) => yamlConfig({
  upstreams: [{ name: 'tls', base_url: `https://localhost:${mock.port}/v1`, models: ['mock-gpt'], ...opts }],
});

test('https upstream verified against a CA file (SNI and host name)', async () => {
  const gw = await startGateway({ config: cfg({ ca_file: path.join(dir, 'ca.pem') }), noAuth: true });
  try {
    const r = await request(`${gw.url}/v1/chat/completions`, { body: chat });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'Echo: 안녕');
    const s = await request(`${gw.url}/v1/chat/completions`, { body: { ...chat, stream: true } });
    assert.ok(s.text.includes('[DONE]'));
  } finally {
    await gw.stop();
  }
});

test('an untrusted certificate is refused (502)', async () => {
  const gw = await startGateway({ config: cfg({}), noAuth: true });
  try {
    const r = await request(`${gw.url}/v1/chat/completions`, { body: chat });
    assert.equal(r.status, 502);
    assert.match(gw.logs(), /"kind":"connect"/);
  } finally {
    await gw.stop();
  }
});

test('HTTPS_PROXY tunnels with CONNECT; NO_PROXY bypasses it', async () => {
  connects.length = 0;
  const proxyUrl = `http://user:p%40ss@127.0.0.1:${proxy.address().port}`;
  const gw = await startGateway({
    config: cfg({ ca_file: path.join(dir, 'ca.pem') }), noAuth: true, env: { HTTPS_PROXY: proxyUrl, NO_PROXY: '' },
  });
  try {
    const r = await request(`${gw.url}/v1/chat/completions`, { body: chat });
    assert.equal(r.status, 200, r.text);
    assert.equal(connects.length, 1);
    assert.equal(connects[0].target, `localhost:${mock.port}`);
    assert.equal(connects[0].auth, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  } finally {
    await gw.stop();
  }
  connects.length = 0;
  const gw2 = await startGateway({
    config: cfg({ ca_file: path.join(dir, 'ca.pem') }), noAuth: true,
    env: { HTTPS_PROXY: proxyUrl, NO_PROXY: 'example.com,localhost' },
  });
  try {
    const r = await request(`${gw2.url}/v1/chat/completions`, { body: chat });
    assert.equal(r.status, 200, r.text);
    assert.equal(connects.length, 0);
  } finally {
    await gw2.stop();
  }
});
