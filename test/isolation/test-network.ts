import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { serviceUrl } from '../helpers/services.js';

/**
 * A user-defined bridge network of this test's own (`whirl-test-net-<id>`) for action containers, removed by
 * `remove()`. Tests use it rather than Docker's default `bridge` so they do not depend on the host's `docker0`
 * (which a neighbouring fault test restarting Docker may leave broken); an action on any bridge network routes to
 * the host through the bridge's gateway address exactly as on `docker0`, so what the tests prove is the same.
 */
export async function createTestNetwork(): Promise<{ name: string; remove(): Promise<void> }> {
  const docker = new Docker({ socketPath: serviceUrl('docker') ?? '' });
  const name = `whirl-test-net-${randomUUID().slice(0, 8)}`;
  const network = await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true });
  return {
    name,
    async remove() {
      await network.remove().catch(() => undefined);
    },
  };
}
