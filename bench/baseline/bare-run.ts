import http from 'node:http';

/** `POST /run` to the warm container at `ip` over one keep-alive node:http connection; resolves the raw body. */
export function containerRunner(ip: string): (params: unknown) => Promise<string> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (params) =>
    new Promise<string>((resolve, reject) => {
      const data = JSON.stringify({ value: params, activation_id: '0'.repeat(32) });
      const req = http.request(
        { host: ip, port: 8080, path: '/run', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve(body || '{}'));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
}

/** Runs the role named by argv[2]; any failure ends the process (the parent sees it exit). */
export function runRole(roles: Record<string, () => Promise<void>>): void {
  const role = roles[process.argv[2] ?? ''];
  (role ? role() : Promise.reject(new Error(`unknown role ${process.argv[2]}`))).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
