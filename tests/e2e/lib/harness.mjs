// Starts the real gwanmun binary on loopback for end-to-end tests.
//
//   const gw = await startGateway({ config: yamlText, args: [...], env: {...} });
//   gw.url        http://127.0.0.1:PORT
//   gw.dataDir    its data directory (SQLite)
//   await gw.stop()          SIGTERM and wait
//   gw.kill9()               SIGKILL
//   gw.logs()                stderr so far (JSON lines)
//
// The binary comes from $GWANMUN_BINARY (set by CTest) or build/gw.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');

export const BINARY =
  process.env.GWANMUN_BINARY ||
  [path.join(repoRoot, 'build/gw/src/cli/gwanmun'), path.join(repoRoot, 'build/release/src/cli/gwanmun')].find((p) =>
    fs.existsSync(p),
  );

export function tmpDir(prefix = 'gwanmun-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Runs a gwanmun CLI command synchronously; returns {status, stdout, stderr}.
export function cli(args, opts = {}) {
  const r = spawnSync(BINARY, args, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...(opts.env || {}) } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Creates a virtual key; returns {secret, key_id, ...}.
export function createKey(dataDir, { team = 'e2e', models, rpm, tpm } = {}) {
  const args = ['keys', 'create', '--data-dir', dataDir, '--team', team, '--json'];
  if (models) args.push('--models', models.join(','));
  if (rpm) args.push('--rpm', String(rpm));
  if (tpm) args.push('--tpm', String(tpm));
  const r = cli(args);
  if (r.status !== 0) throw new Error(`keys create failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function revokeKey(dataDir, keyId) {
  const r = cli(['keys', 'revoke', '--data-dir', dataDir, keyId]);
  if (r.status !== 0) throw new Error(`keys revoke failed: ${r.stderr}`);
}

export async function startGateway({ config, args = [], env = {}, dataDir, noAuth = false } = {}) {
  if (!BINARY) throw new Error('gwanmun binary not found; set GWANMUN_BINARY');
  dataDir = dataDir || tmpDir();
  const full = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--threads', '2'];
  let configPath;
  if (config !== undefined) {
    configPath = path.join(dataDir, 'gwanmun.yaml');
    fs.writeFileSync(configPath, config);
    full.push('--config', configPath);
  }
  if (noAuth) full.push('--no-auth');
  full.push(...args);
  const proc = spawn(BINARY, full, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${stderr}`)), 15000);
    proc.stderr.on('data', (d) => {
      stderr += d;
      const m = stderr.match(/"msg":"listening","address":"([^"]+)"/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}):\n${stderr}`));
    });
  });
  return {
    proc,
    url: `http://${address}`,
    address,
    dataDir,
    configPath,
    exited,
    logs: () => stderr,
    accessLog: () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9() {
      proc.kill('SIGKILL');
      return exited;
    },
  };
}

// Raw HTTP request with fetch; returns {status, headers, text, json}.
export async function request(url, { method = 'POST', body, headers = {}, key } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    h['content-type'] = h['content-type'] || 'application/json';
  }
  const res = await fetch(url, { method, body, headers: h });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// The audit log as JSON records (via `gwanmun audit export`).
export function auditRecords(dataDir) {
  const r = cli(['audit', 'export', '--data-dir', dataDir, '--format', 'jsonl']);
  if (r.status !== 0) throw new Error(`audit export failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The audit log once it holds a record for every one of `requestIds`. A
// record is crash-durable (journaled) before its response is sent, but it
// enters the hash-chained log a moment later (docs/storage.md), so a reader
// polls; the records of a gateway's requests enter the log in order.
export async function auditRecordsWith(dataDir, requestIds, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recs = auditRecords(dataDir);
    const have = new Set(recs.map((r) => r.request_id));
    if (requestIds.every((id) => have.has(id))) return recs;
    if (Date.now() > deadline) throw new Error(`audit records missing: ${requestIds.filter((id) => !have.has(id))}`);
    await sleep(25);
  }
}

// Waits until fn() is truthy (polling), or throws after timeoutMs.
export async function waitFor(fn, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A config with the given upstreams (objects rendered as YAML by hand).
export function yamlConfig({ upstreams = [], extra = '' } = {}) {
  let y = 'logging:\n  access_log: "-"\n';
  y += 'upstreams:\n';
  for (const u of upstreams) {
    y += `  - name: ${u.name}\n    base_url: ${u.base_url}\n`;
    if (u.region) y += `    region: ${u.region}\n`;
    if (u.weight !== undefined) y += `    weight: ${u.weight}\n`;
    if (u.api_key_env) y += `    api_key_env: ${u.api_key_env}\n`;
    if (u.ca_file) y += `    ca_file: ${u.ca_file}\n`;
    if (u.timeouts) {
      y += '    timeouts:\n';
      for (const [k, v] of Object.entries(u.timeouts)) y += `      ${k}: ${v}\n`;
    }
    y += '    models:\n';
    for (const m of u.models) {
      if (typeof m === 'string') y += `      - "${m}"\n`;
      else y += `      - {name: "${m.name}", upstream_model: "${m.upstream_model}"}\n`;
    }
  }
  return y + extra;
}
