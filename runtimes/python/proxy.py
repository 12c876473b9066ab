"""Whirl's Python action runtime: the OpenWhisk action proxy contract (POST /init, POST /run), standard library only.

Contract (what apache/openwhisk-runtime-python's actions rely on):
- /init {value:{name, main, code, binary, env}} once. Text code is the action's module; a zip (binary: true, code =
  base64 zip) is extracted into a fresh directory under the temp dir and must hold __main__.py (or `exec`), which is
  imported with the archive on sys.path. A bundled `virtualenv/` is activated: its bin/activate_this.py when present
  (virtualenv's layout, as OpenWhisk requires), else its lib/python*/site-packages (`python -m venv`). `main` names
  the function (default "main"). 200 {"OK":true}; a second /init is 403; failure is 502 "Initialization has failed
  due to: ...".
- /run {value, namespace, action_name, ...}: every non-`value` key becomes __OW_<KEY> in os.environ; main(value)
  returns a dict (or a list). An exception is an application error (200 {"error": str(exc)}, the traceback in the
  logs); any other result is a developer error (502).
- After every /init failure and every /run the sentinel line is written to stdout AND stderr, after the action's
  own output. One /run at a time (503 otherwise) unless __OW_ALLOW_CONCURRENT=true (limits.concurrency > 1: main
  then runs on several threads at once). The proxy prints nothing else.
- PORT (default 8080) and HOST (default 0.0.0.0); with WHIRL_RUNTIME_SOCKET (a sandboxed process container without
  network) it serves on that Unix socket instead. Started by a Node.js parent with an IPC channel (process
  containers), it sends {"port": N} (or {"socket": path}) on that channel and exits when the channel closes.
"""

import base64
import glob
import importlib.machinery
import importlib.util
import io
import json
import os
import site
import socketserver
import sys
import tempfile
import threading
import traceback
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n"
MAX_BODY_BYTES = 48 * 1024 * 1024
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 100_000
S_IFMT, S_IFLNK = 0o170000, 0o120000

state = {"initialized": False, "main": None}
run_lock = threading.Lock()


def write_sentinels():
    sys.stdout.write(SENTINEL)
    sys.stdout.flush()
    sys.stderr.write(SENTINEL)
    sys.stderr.flush()


def extract(code):
    """Extracts the base64 zip into a fresh directory and returns it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(code, validate=False)))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise RuntimeError("the action archive is not a zip file (%s)" % exc)
    members = archive.infolist()
    if len(members) > MAX_ENTRIES:
        raise RuntimeError("the archive has more than %d entries" % MAX_ENTRIES)
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise RuntimeError("the archive expands to more than %d bytes" % MAX_UNZIPPED_BYTES)
    target = tempfile.mkdtemp(prefix="action-")
    for m in members:
        # zipfile drops absolute prefixes and '..' itself; refuse them outright so nothing lands elsewhere.
        parts = m.filename.replace("\\", "/").split("/")
        if m.filename.startswith("/") or ".." in parts:
            raise RuntimeError("the archive entry '%s' points outside the action directory" % m.filename)
        if (m.external_attr >> 16) & S_IFMT == S_IFLNK:
            raise RuntimeError("the archive entry '%s' is not a regular file (symlinks are not extracted)" % m.filename)
    archive.extractall(target)
    return target


def activate_virtualenv(root):
    venv = os.path.join(root, "virtualenv")
    if not os.path.isdir(venv):
        return
    activate_this = os.path.join(venv, "bin", "activate_this.py")
    if os.path.exists(activate_this):
        with open(activate_this) as f:
            exec(compile(f.read(), activate_this, "exec"), {"__file__": activate_this})
        return
    found = glob.glob(os.path.join(venv, "lib", "python*", "site-packages"))
    if not found:
        raise RuntimeError("the virtualenv in the archive has neither bin/activate_this.py nor lib/python*/site-packages")
    for path in found:
        site.addsitedir(path)
        # addsitedir appends; the bundled packages win over anything else on the path.
        sys.path.remove(path)
        sys.path.insert(0, path)


def load_module(path):
    # An explicit source loader: the module may be a file named `exec`, without the .py suffix.
    loader = importlib.machinery.SourceFileLoader("main__", path)
    spec = importlib.util.spec_from_file_location("main__", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["main__"] = module
    loader.exec_module(module)
    return module


def load_main(value):
    main_name = value.get("main") or "main"
    code = value.get("code")
    if not isinstance(code, str) or not code:
        raise RuntimeError("Missing main/no code to execute.")
    if value.get("binary") is True:
        root = extract(code)
        for name in ("__main__.py", "exec"):
            entry = os.path.join(root, name)
            if os.path.isfile(entry):
                break
        else:
            raise RuntimeError("Zipped actions must contain __main__.py at the root.")
        os.chdir(root)
        sys.path.insert(0, root)
        activate_virtualenv(root)
        module = load_module(entry)
    else:
        # Written out so tracebacks show the action's lines.
        work = tempfile.mkdtemp(prefix="action-")
        entry = os.path.join(work, "__main__.py")
        with open(entry, "w", encoding="utf-8") as f:
            f.write(code)
        os.chdir(work)
        sys.path.insert(0, work)
        module = load_module(entry)
    fn = getattr(module, main_name, None)
    if not callable(fn):
        raise RuntimeError("Action entrypoint '%s' is not a function." % main_name)
    return fn


def as_env(v):
    return v if isinstance(v, str) else json.dumps(v)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: with Nagle on, the body waits for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, *args):  # the proxy prints nothing of its own
        pass

    def reply(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply(404, {"error": "Not found."})

    def do_POST(self):
        size = int(self.headers.get("content-length") or 0)
        if size > MAX_BODY_BYTES:
            self.rfile.read(size)
            return self.reply(413, {"error": "Request too large."})
        raw = self.rfile.read(size) if size else b""
        if self.path not in ("/init", "/run"):
            return self.reply(404, {"error": "Not found."})
        try:
            message = json.loads(raw) if raw else {}
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except ValueError:
            return self.reply(500, {"error": "Bad request."})
        if self.path == "/init":
            self.init(message)
        else:
            self.run(message)

    def init(self, message):
        if state["initialized"]:
            return self.reply(403, {"error": "Cannot initialize the action more than once."})
        state["initialized"] = True
        value = message.get("value") or {}
        try:
            for k, v in (value.get("env") or {}).items():
                os.environ[str(k)] = as_env(v)
            state["main"] = load_main(value)
        except BaseException as exc:  # the action's own failure (SyntaxError, SystemExit...): its logs show it
            traceback.print_exc()
            write_sentinels()
            return self.reply(502, {"error": "Initialization has failed due to: %s" % describe(exc)})
        self.reply(200, {"OK": True})

    def run(self, message):
        main = state["main"]
        if main is None:
            write_sentinels()
            return self.reply(403, {"error": "System not ready."})
        concurrent = os.environ.get("__OW_ALLOW_CONCURRENT") == "true"
        if not concurrent and not run_lock.acquire(blocking=False):
            return self.reply(503, {"error": "The action is already running and does not allow concurrent activations."})
        try:
            status, body = self.activate(main, message)
        finally:
            if not concurrent:
                run_lock.release()
        write_sentinels()
        self.reply(status, body)

    @staticmethod
    def activate(main, message):
        for k, v in message.items():
            if k != "value":
                os.environ["__OW_%s" % k.upper()] = as_env(v)
        try:
            result = main(message.get("value", {}))
        except Exception as exc:
            # The action's frames only: the proxy's own frame is noise in its logs.
            traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
            return 200, {"error": describe(exc)}
        if result is None:
            result = {}
        if not isinstance(result, (dict, list)):
            print("Result must be of type dict but has type %s: %r" % (type(result).__name__, result), file=sys.stderr)
            return 502, {"error": "The action did not return a dictionary or array."}
        try:
            return 200, json.dumps(result, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            return 502, {"error": "The action did not return a serialisable result: %s" % exc}


def describe(exc):
    text = str(exc)
    return text if text else type(exc).__name__


def report_address(address):
    """Tells a Node.js parent (process containers) where we listen over its IPC channel; exits when it closes."""
    fd = os.environ.pop("NODE_CHANNEL_FD", None)
    os.environ.pop("NODE_CHANNEL_SERIALIZATION_MODE", None)
    if fd is None:
        return
    fd = int(fd)
    os.set_inheritable(fd, False)  # never handed to processes the action starts
    os.write(fd, (json.dumps(address) + "\n").encode())

    def watch():
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """HTTP over a Unix socket: a container without network has no port to listen on."""

    daemon_threads = True


class UnixHandler(Handler):
    disable_nagle_algorithm = False  # TCP_NODELAY: not on a Unix socket

    def address_string(self):  # a Unix socket's peer has no address
        return "unix"


def serve():
    socket_path = os.environ.pop("WHIRL_RUNTIME_SOCKET", None)
    if socket_path:
        server = UnixHTTPServer(socket_path, UnixHandler)
        report_address({"socket": socket_path})
    else:
        server = ThreadingHTTPServer((os.environ.get("HOST") or "0.0.0.0", int(os.environ.get("PORT") or 8080)), Handler)
        server.daemon_threads = True
        report_address({"port": server.server_address[1]})
    server.serve_forever()


if __name__ == "__main__":
    serve()
