import { describe } from 'vitest';

/**
 * Real services for tests. `scripts/test.sh` starts them and exports their addresses:
 *   WHIRL_TEST_REDIS_URL, WHIRL_TEST_COUCHDB_URL, WHIRL_TEST_DOCKER_SOCKET (+ WHIRL_TEST_NODEJS_IMAGE,
 *   WHIRL_TEST_PYTHON_IMAGE, WHIRL_TEST_BLACKBOX_IMAGE).
 * A suite that needs a service that is not there fails loudly under CI=true and is skipped loudly otherwise.
 */
export type Service = 'redis' | 'couchdb' | 'docker' | 'kafka';

const VARS: Record<Service, string> = {
  redis: 'WHIRL_TEST_REDIS_URL',
  couchdb: 'WHIRL_TEST_COUCHDB_URL',
  docker: 'WHIRL_TEST_DOCKER_SOCKET',
  /** `host:port` of a single-node KRaft broker (scripts/kafka/broker.sh). */
  kafka: 'WHIRL_TEST_KAFKA_BROKERS',
};

export function serviceUrl(service: Service): string | undefined {
  return process.env[VARS[service]] || undefined;
}

/** The Docker runtime image for `nodejs:20` built by `runtimes/nodejs/build.sh`. */
export function nodejsImage(): string {
  return process.env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20';
}

/** The Docker runtime image for `python:3` built by `runtimes/python/build.sh`. */
export function pythonImage(): string {
  return process.env.WHIRL_TEST_PYTHON_IMAGE ?? 'whirl/runtime-python:3';
}

/** The blackbox skeleton image built by `runtimes/blackbox/build.sh`. */
export function blackboxImage(): string {
  return process.env.WHIRL_TEST_BLACKBOX_IMAGE ?? 'whirl/runtime-blackbox:latest';
}

/** `describe` that needs real services: fails under CI when one is missing, skips loudly otherwise. */
export function describeWith(services: Service[], name: string, fn: () => void): void {
  const missing = services.filter((s) => !serviceUrl(s));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const why = `needs ${missing.map((s) => VARS[s]).join(', ')} (run 'npm test', which starts the services)`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`[services] ${name}: ${why}`);
    });
  } else {
    console.warn(`\n[services] SKIPPING "${name}": ${why}\n`);
    describe.skip(`${name} [SKIPPED: ${why}]`, fn);
  }
}
