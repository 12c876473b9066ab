// The console's only way to the server: the public /api/v1 with the signed-in key (kept in sessionStorage, so it
// is gone when the tab closes).
const KEY = 'whirl.key';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key.trim());
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** `path` is under `/api/v1/namespaces/_`. Resolves with parsed JSON; rejects with ApiError(status, error). */
export async function api(method, path, body) {
  // X-Requested-With: the server then leaves out WWW-Authenticate, so a 401 does not open the browser's prompt.
  const headers = { authorization: `Basic ${btoa(session.key ?? '')}`, 'x-requested-with': 'XMLHttpRequest' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1/namespaces/_${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = text;
  try {
    data = JSON.parse(text);
  } catch {
    /* plain text */
  }
  if (!res.ok && res.status !== 202 && !(res.status === 502 && data?.activationId)) {
    throw new ApiError(res.status, `${res.status}: ${data?.error ?? text}`);
  }
  return { status: res.status, data };
}

/** Checks a key against `GET /api/v1/namespaces`; resolves with the namespace. */
export async function verifyKey(key) {
  const res = await fetch('/api/v1/namespaces', {
    headers: { authorization: `Basic ${btoa(key.trim())}`, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new ApiError(res.status, res.status === 401 ? 'That key is not valid.' : `Sign-in failed (${res.status}).`);
  const [ns] = await res.json();
  return ns;
}
