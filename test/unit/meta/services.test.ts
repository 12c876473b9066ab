import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWith, nodejsImage, serviceUrl } from '../../helpers/services.js';

/**
 * What `scripts/test.sh` promises the other suites: each exported WHIRL_TEST_* address answers, and Redis runs with
 * AOF on (queue-durability tests restart it and expect their jobs back).
 */

/** Sends one inline Redis command and returns the raw reply. */
function redisCommand(url: string, command: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(`${command}\r\n`));
    let reply = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('redis: no reply')));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.endsWith('\r\n') && (!reply.startsWith('*') || reply.split('\r\n').length >= 6)) socket.end();
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** GET over the Docker engine's Unix socket. */
function dockerGet(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('docker: no reply')));
    req.on('error', reject);
    req.end();
  });
}

describeWith(['redis'], 'test services: Redis', () => {
  it('answers PING', async () => {
    expect(await redisCommand(serviceUrl('redis')!, 'PING')).toBe('+PONG\r\n');
  });

  it('runs with appendonly yes', async () => {
    const reply = await redisCommand(serviceUrl('redis')!, 'CONFIG GET appendonly');
    expect(reply.split('\r\n')).toEqual(['*2', '$10', 'appendonly', '$3', 'yes', '']);
  });

  it('names a redis-server binary that tests can restart it with', () => {
    const bin = process.env.WHIRL_TEST_REDIS_SERVER_BIN;
    expect(bin, 'WHIRL_TEST_REDIS_SERVER_BIN').toBeTruthy();
    expect(existsSync(bin!)).toBe(true);
  });
});

describeWith(['couchdb'], 'test services: CouchDB protocol', () => {
  it('creates a database, stores and reads a document, drops the database', async () => {
    const db = `${serviceUrl('couchdb')!}/whirl_test_meta_${randomUUID().replaceAll('-', '')}`;
    try {
      expect((await fetch(db, { method: 'PUT' })).status).toBe(201);
      const put = await fetch(`${db}/doc1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: 42 }),
      });
      expect(put.status).toBe(201);
      const got = (await (await fetch(`${db}/doc1`)).json()) as Record<string, unknown>;
      expect(got).toMatchObject({ _id: 'doc1', value: 42 });
    } finally {
      await fetch(db, { method: 'DELETE' });
    }
  });
});

describeWith(['docker'], 'test services: Docker', () => {
  it('the engine answers /_ping', async () => {
    const res = await dockerGet(serviceUrl('docker')!, '/_ping');
    expect(res).toEqual({ status: 200, body: 'OK' });
  });

  it('has the nodejs runtime image', async () => {
    const res = await dockerGet(serviceUrl('docker')!, `/images/${encodeURIComponent(nodejsImage())}/json`);
    expect(res.status, `image ${nodejsImage()} (built by runtimes/nodejs/build.sh)`).toBe(200);
  });
});

describe('test services: helper', () => {
  it('reports a missing service as missing', () => {
    const saved = process.env.WHIRL_TEST_REDIS_URL;
    try {
      delete process.env.WHIRL_TEST_REDIS_URL;
      expect(serviceUrl('redis')).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.WHIRL_TEST_REDIS_URL = saved;
    }
  });
});
