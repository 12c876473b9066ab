// Whirl's Node.js action runtime: the OpenWhisk action proxy contract (POST /init, POST /run) with no dependencies.
//
// Contract (mirrors apache/openwhisk-runtime-nodejs):
// - /init {value:{name, main, code, binary, env}} once: sets process.env from env, evaluates the code and finds
//   `main`. 200 {"OK":true}; a second /init is refused with 403; failure is 502 "Initialization has failed due to: …".
// - Zip (or tar.gz) actions (binary: true, code = base64 archive) are extracted into a fresh directory under os.tmpdir() and
//   required from there, so their node_modules resolve: `main` "fn" takes fn from the package (package.json `main`,
//   else index.js), `main` "file.fn" takes fn from file. ES module packages are imported instead.
// - /run {value, namespace, action_name, …}: every non-`value` key becomes `__OW_<KEY>`; main(value) may return an
//   object/array or a promise of one. A rejected promise is an application error (200 {"error": …}); a thrown
//   exception or a non-object result is a developer error (502).
// - After every /init failure and every /run the sentinel line is written to stdout AND stderr, after the action's
//   own output, so the invoker can frame each activation's logs. The proxy prints nothing else: readiness is
//   detected by connecting, and a child process with an IPC channel is sent {port} instead (PORT=0).
// - One /run at a time unless __OW_ALLOW_CONCURRENT=true; an extra concurrent /run gets 503 (the invoker then
//   retries elsewhere).
// This file is on the hot path of every warm activation: keep the request handling allocation-light.
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n';
const MAX_BODY_BYTES = 48 * 1024 * 1024;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const userRequire = createRequire(import.meta.url);

/** @type {((args: unknown) => unknown) | undefined} */
let userMain;
let initialized = false;
let allowConcurrent = false;
let inFlight = 0;

// Whether anything was printed since the last sentinels. An activation that printed nothing (one at a time only)
// skips the sentinels and says so in `x-whirl-logs: none`: the invoker then has no log stream to wait for, which
// saves the container engine relaying two lines per activation. Late output of such an activation (printed after it
// answered) lands in the next activation's logs, as it does in OpenWhisk.
let printed = false;
const stdoutWrite = process.stdout.write.bind(process.stdout);
const stderrWrite = process.stderr.write.bind(process.stderr);
process.stdout.write = (...args) => {
  printed = true;
  return stdoutWrite(...args);
};
process.stderr.write = (...args) => {
  printed = true;
  return stderrWrite(...args);
};

function writeSentinels() {
  stdoutWrite(SENTINEL);
  stderrWrite(SENTINEL);
  printed = false;
}

const QUIET_HEADERS = { 'x-whirl-logs': 'none' };

function reply(res, status, payload, extraHeaders) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

/** OpenWhisk's serialize-error shape: Errors become plain objects so they survive JSON. */
function serializeError(err) {
  if (err instanceof Error) {
    const out = { name: err.name, message: err.message, stack: err.stack };
    for (const key of Object.keys(err)) out[key] = err[key];
    return out;
  }
  return err === undefined || err === null ? {} : err;
}

function describeError(err) {
  return err instanceof Error ? err.message : String(err);
}

/** Evaluates the action's text code as a CommonJS-style module body and returns its `main`. */
function loadMain(code, mainName) {
  const module = { exports: {} };
  const lookup = IDENTIFIER.test(mainName)
    ? `\n;return typeof ${mainName} === 'function' ? ${mainName} : undefined;`
    : '\n;return undefined;';
  const body = new Function('require', 'module', 'exports', '__filename', '__dirname', code + lookup);
  const declared = body(userRequire, module, module.exports, '/action/index.js', '/action');
  const candidate = declared ?? module.exports?.[mainName] ?? (typeof module.exports === 'function' && mainName === 'main' ? module.exports : undefined);
  if (typeof candidate !== 'function') throw new Error(`Unable to locate function '${mainName}' in the action code.`);
  return candidate;
}

/**
 * Extracts a zip action and returns its `main`: "fn" from the package (package.json `main`, else index.js), or
 * "file.fn" from that file, as apache/openwhisk-runtime-nodejs splits it.
 */
async function loadZipMain(code, mainName) {
  // Loaded on first use: text actions (and every stem cell) boot without the archive readers and zlib.
  const [{ extractZip, isZip }, { extractTarGz, isGzip }] = await Promise.all([import('../lib/unzip.mjs'), import('../lib/untar.mjs')]);
  const archive = Buffer.from(code, 'base64');
  const dir = mkdtempSync(join(tmpdir(), 'action-'));
  if (isZip(archive)) extractZip(archive, dir);
  else if (isGzip(archive)) extractTarGz(archive, dir);
  else throw new Error('the action archive is neither a zip nor a tar.gz file.');
  const split = /^([^.]+)\.(.+)$/.exec(mainName);
  const [file, fn] = split ? [split[1], split[2]] : [undefined, mainName];
  if (file === undefined && !existsSync(join(dir, 'package.json')) && !existsSync(join(dir, 'index.js'))) {
    throw new Error('Zipped actions must contain either package.json or index.js at the root.');
  }
  process.chdir(dir);
  const target = file === undefined ? dir : join(dir, file);
  const requireHere = createRequire(join(dir, 'package.json'));
  let mod;
  try {
    mod = requireHere(target);
  } catch (err) {
    if (err?.code !== 'ERR_REQUIRE_ESM') throw err;
    mod = await import(pathToFileURL(requireHere.resolve(target)).href);
  }
  const candidate = mod?.[fn] ?? (fn === 'main' && typeof mod?.default === 'function' ? mod.default : undefined);
  if (typeof candidate !== 'function') throw new Error(`Action entrypoint '${mainName}' is not a function.`);
  return candidate;
}

async function init(message, res) {
  if (initialized) {
    reply(res, 403, { error: 'Cannot initialize the action more than once.' });
    return;
  }
  initialized = true;
  const value = message?.value ?? {};
  try {
    if (typeof value.code !== 'string') throw new Error('Missing main/no code to execute.');
    const env = value.env && typeof value.env === 'object' ? value.env : {};
    for (const key of Object.keys(env)) {
      const v = env[key];
      process.env[key] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    allowConcurrent = process.env.__OW_ALLOW_CONCURRENT === 'true';
    const mainName = typeof value.main === 'string' && value.main ? value.main : 'main';
    userMain = value.binary === true ? await loadZipMain(value.code, mainName) : loadMain(value.code, mainName);
    reply(res, 200, { OK: true });
  } catch (err) {
    // The action's own failure: show it in its logs, like the reference runtime does.
    console.error(err);
    writeSentinels();
    reply(res, 502, { error: `Initialization has failed due to: ${describeError(err)}` });
  }
}

function exportActivationEnv(message) {
  for (const key of Object.keys(message)) {
    if (key === 'value') continue;
    const v = message[key];
    process.env[`__OW_${key.toUpperCase()}`] = typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function finishRun(res, status, payload) {
  if (!printed && !allowConcurrent && userMain) {
    reply(res, status, payload, QUIET_HEADERS);
    return;
  }
  writeSentinels();
  reply(res, status, payload);
}

function run(message, res) {
  if (!userMain) {
    finishRun(res, 403, { error: 'System not ready.' });
    return;
  }
  if (inFlight > 0 && !allowConcurrent) {
    reply(res, 503, { error: 'The action is already running and does not allow concurrent activations.' });
    return;
  }
  inFlight++;
  let result;
  try {
    if (message && typeof message === 'object') exportActivationEnv(message);
    result = userMain(message?.value ?? {});
  } catch (err) {
    inFlight--;
    console.error(err);
    finishRun(res, 502, { error: `An error has occurred: ${describeError(err)}` });
    return;
  }
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    result.then(
      (resolved) => {
        inFlight--;
        settle(res, resolved);
      },
      (err) => {
        inFlight--;
        finishRun(res, 200, JSON.stringify({ error: serializeError(err) }));
      },
    );
    return;
  }
  inFlight--;
  settle(res, result);
}

function settle(res, result) {
  if (result === undefined) {
    finishRun(res, 200, '{}');
    return;
  }
  if (result === null || typeof result !== 'object') {
    console.error(`Result must be of type object but has type "${result === null ? 'null' : typeof result}":`, result);
    finishRun(res, 502, { error: 'The action did not return a dictionary or array.' });
    return;
  }
  let body;
  try {
    body = JSON.stringify(result);
  } catch (err) {
    finishRun(res, 502, { error: `The action did not return a serialisable result: ${describeError(err)}` });
    return;
  }
  finishRun(res, 200, body);
}

function handle(req, res) {
  const route = req.method === 'POST' ? (req.url === '/run' ? run : req.url === '/init' ? init : undefined) : undefined;
  if (!route) {
    req.resume();
    reply(res, 404, { error: 'Not found.' });
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, { error: 'Request too large.' });
      return;
    }
    let message;
    try {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      message = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      reply(res, 500, { error: 'Bad request.' });
      return;
    }
    route(message, res);
  });
}

const server = http.createServer({ keepAlive: true, noDelay: true }, handle);
// Actions may run for minutes and containers are paused between activations: no server-side timeouts, or a resumed
// container would drop the invoker's idle keep-alive connection the moment its timers catch up.
server.keepAliveTimeout = 0;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.timeout = 0;

// A sandboxed container without network serves on a Unix socket in its working directory instead of a port.
const socket = process.env.WHIRL_RUNTIME_SOCKET;
const onListening = () => {
  if (typeof process.send === 'function') {
    const address = server.address();
    process.send(socket ? { socket } : { port: typeof address === 'object' && address ? address.port : undefined });
    // The parent (a local invoker) is gone: do not linger as an orphan.
    process.on('disconnect', () => process.exit(0));
  }
};
if (socket) server.listen(socket, onListening);
else server.listen(Number(process.env.PORT || 8080), process.env.HOST || '0.0.0.0', onListening);
