// Whirl's blackbox runtime: OpenWhisk's docker skeleton contract (dockerskeleton/actionproxy) with no dependencies.
//
// Contract:
// - /init {value:{code?, binary?, env?}} once. Without code, the image's own exec runs (/action/exec, or
//   WHIRL_IMAGE_EXEC: build your image FROM this one and COPY an executable to /action/exec). Code goes into a fresh
//   directory under the temp dir (the root filesystem is read-only): text code is the script `exec`; zip code
//   (binary: true) is extracted there and must hold `exec` at its root, a script or a compiled binary (a static one,
//   or one linked against libraries the image has). A script runs through the interpreter its #! line names
//   (/bin/sh, /usr/local/bin/node), so it works on a noexec /tmp too.
// - /run {value, namespace, action_name, …}: runs `exec '<value as JSON>'` (argv[1], when under 128 KiB; the JSON
//   is also on its stdin) with every non-`value` key as `__OW_<KEY>` in its environment, plus the /init env, in its
//   own directory. Its stdout except the last line and its whole stderr are the activation's logs; the last stdout
//   line must be a JSON object: the result (200). Anything else is a developer error (502 "The action did not
//   return a dictionary.").
// - After every /run the sentinel line is written to stdout AND stderr, before the reply, so the invoker can frame
//   each activation's logs. One /run at a time (503 otherwise).
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractZip, isZip } from '../lib/unzip.mjs';

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n';
const IMAGE_EXEC = process.env.WHIRL_IMAGE_EXEC || '/action/exec';
/** OpenWhisk's skeleton passes the params as argv[1] up to this size (and always on stdin). */
const MAX_ARGV_BYTES = 131_071;
const PATH = process.env.PATH || '/usr/local/bin:/usr/bin:/bin';

let initialized = false;
/** The command line before the params: the executable, or a script's interpreter and the script. */
let command = [IMAGE_EXEC];
let cwd = tmpdir();
let initEnv = {};
let running = false;

function reply(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function init(message, res) {
  if (initialized) return reply(res, 403, { error: 'Cannot initialize the action more than once.' });
  initialized = true;
  const value = message?.value ?? {};
  try {
    if (value.env && typeof value.env === 'object') initEnv = Object.fromEntries(Object.entries(value.env).map(([k, v]) => [k, String(v)]));
    if (typeof value.code === 'string' && value.code.length > 0) {
      cwd = mkdtempSync(join(tmpdir(), 'action-'));
      const exec = join(cwd, 'exec');
      if (value.binary === true) {
        const archive = Buffer.from(value.code, 'base64');
        if (!isZip(archive)) throw new Error('the action archive is not a zip file.');
        extractZip(archive, cwd);
        if (!existsSync(exec)) throw new Error('the zip archive has no executable named exec at its root.');
      } else {
        if (!value.code.startsWith('#!')) throw new Error('code must be a script starting with a #! line naming its interpreter.');
        writeFileSync(exec, value.code, { mode: 0o755 });
      }
      command = commandFor(exec);
    }
    accessSync(command[0], constants.X_OK);
  } catch (err) {
    process.stdout.write(SENTINEL);
    process.stderr.write(SENTINEL);
    return reply(res, 502, { error: `Initialization has failed due to: ${err instanceof Error ? err.message : String(err)}` });
  }
  reply(res, 200, { OK: true });
}

/** A script runs through its #! interpreter (as the kernel would, but also on a noexec mount); a binary runs as is. */
function commandFor(exec) {
  const fd = openSync(exec, 'r');
  const head = Buffer.alloc(256);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const shebang = /^#!\s*(\S+)(?:[ \t]+([^\n]*?))?\s*\n/.exec(head.subarray(0, n).toString('latin1'));
  return shebang ? [shebang[1], ...(shebang[2] ? [shebang[2]] : []), exec] : [exec];
}

function run(message, res) {
  if (running) return reply(res, 503, { error: 'Too many concurrent requests.' });
  running = true;
  const env = { ...initEnv, PATH };
  for (const [k, v] of Object.entries(message ?? {})) {
    if (k !== 'value') env[`__OW_${k.toUpperCase()}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  let out = '';
  const params = JSON.stringify(message?.value ?? {});
  const argv = Buffer.byteLength(params) <= MAX_ARGV_BYTES ? [params] : [];
  const child = spawn(command[0], [...command.slice(1), ...argv], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  // An exec that never reads its stdin closes it: that is not an error.
  child.stdin.on('error', () => undefined);
  child.stdin.end(params);
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  let finished = false;
  const finish = (status, body) => {
    if (finished) return; // a failed spawn reports 'error' and then 'close'
    finished = true;
    process.stdout.write(SENTINEL);
    process.stderr.write(SENTINEL);
    running = false;
    reply(res, status, body);
  };
  child.on('error', (err) => finish(502, { error: `The action failed to start: ${err.message}` }));
  child.on('close', () => {
    const lines = out.replace(/\n+$/, '').split('\n');
    const last = lines.pop() ?? '';
    for (const line of lines) process.stdout.write(`${line}\n`);
    let result;
    try {
      result = JSON.parse(last);
    } catch {
      if (last) process.stdout.write(`${last}\n`);
    }
    if (result !== null && typeof result === 'object' && !Array.isArray(result)) finish(200, result);
    else finish(502, { error: 'The action did not return a dictionary.' });
  });
}

const server = http.createServer({ keepAlive: true }, (req, res) => {
  const route = req.method === 'POST' ? (req.url === '/run' ? run : req.url === '/init' ? init : undefined) : undefined;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (!route) return reply(res, 404, { error: 'Not found.' });
    let message;
    try {
      message = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return reply(res, 500, { error: 'Bad request.' });
    }
    route(message, res);
  });
});
// Paused between activations: no server-side timeouts (see runtimes/nodejs/proxy.mjs).
server.keepAliveTimeout = 0;
server.headersTimeout = 0;
server.requestTimeout = 0;
// A sandboxed container without network serves on a Unix socket in its working directory instead of a port.
const socket = process.env.WHIRL_RUNTIME_SOCKET;
delete process.env.WHIRL_RUNTIME_SOCKET;
const onListening = () => {
  // Started as a process container: report where it listens to the parent, and do not outlive it.
  if (typeof process.send === 'function') {
    const address = server.address();
    process.send(socket ? { socket } : { port: typeof address === 'object' && address ? address.port : undefined });
    process.on('disconnect', () => process.exit(0));
  }
};
if (socket) server.listen(socket, onListening);
else server.listen(Number(process.env.PORT || 8080), process.env.HOST || '0.0.0.0', onListening);
