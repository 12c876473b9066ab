// Whirl's blackbox runtime: OpenWhisk's docker skeleton contract (dockerskeleton/actionproxy) with no dependencies.
//
// Contract:
// - /init {value:{code?, binary?, env?}} once. Without code, the image's own /action/exec runs (build your image
//   FROM this one and COPY an executable to /action/exec). With text code, it is written to /tmp/action/exec
//   (the root filesystem is read-only) and run through the interpreter its #! line names (/bin/sh,
//   /usr/local/bin/node): /tmp is mounted noexec, so the proxy does what the kernel would. Zip (binary) code is
//   refused: build an image instead.
// - /run {value, namespace, action_name, …}: runs `exec '<value as JSON>'` (argv[1]) with every non-`value` key as
//   `__OW_<KEY>` in its environment, plus the /init env. Its stdout except the last line and its whole stderr are
//   the activation's logs; the last stdout line must be a JSON object: the result (200). Anything else is a
//   developer error (502 "The action did not return a dictionary.").
// - After every /run the sentinel line is written to stdout AND stderr, before the reply, so the invoker can frame
//   each activation's logs. One /run at a time (503 otherwise).
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n';
const IMAGE_EXEC = '/action/exec';
const CODE_EXEC = '/tmp/action/exec';

let initialized = false;
/** The command line before the params: the image's executable, or a script's interpreter and the script. */
let command = [IMAGE_EXEC];
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
    if (value.binary === true) throw new Error('zip actions are not supported by this runtime; build an image with /action/exec.');
    if (typeof value.code === 'string' && value.code.length > 0) {
      const shebang = /^#!\s*(\S+)(?:[ \t]+([^\n]*?))?\s*\n/.exec(value.code);
      if (!shebang) throw new Error('code must be a script starting with a #! line naming its interpreter.');
      mkdirSync('/tmp/action', { recursive: true });
      writeFileSync(CODE_EXEC, value.code);
      chmodSync(CODE_EXEC, 0o755);
      command = [shebang[1], ...(shebang[2] ? [shebang[2]] : []), CODE_EXEC];
    }
    accessSync(command[0], constants.X_OK);
  } catch (err) {
    process.stdout.write(SENTINEL);
    process.stderr.write(SENTINEL);
    return reply(res, 502, { error: `Initialization has failed due to: ${err instanceof Error ? err.message : String(err)}` });
  }
  reply(res, 200, { OK: true });
}

function run(message, res) {
  if (running) return reply(res, 503, { error: 'Too many concurrent requests.' });
  running = true;
  const env = { ...initEnv, PATH: '/usr/local/bin:/usr/bin:/bin' };
  for (const [k, v] of Object.entries(message ?? {})) {
    if (k !== 'value') env[`__OW_${k.toUpperCase()}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  let out = '';
  const child = spawn(command[0], [...command.slice(1), JSON.stringify(message?.value ?? {})], { env, cwd: '/tmp', stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const finish = (status, body) => {
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
server.listen(Number(process.env.PORT || 8080), '0.0.0.0');
