import type { Identity } from '../../../domain/identity.js';
import type { Clock } from '../../../ports/clock.js';
import type { EntityStore } from '../../../ports/entity-store.js';
import type { SubjectDoc } from '../../auth/authenticator.js';

/**
 * The identity that owns a namespace (`identityByNamespace`): web actions and webhooks run as the owner of the
 * namespace in the URL, who pays for and owns the activation. Subjects are stored under their namespace, so this is
 * the namespace's first subject. Cached for `ttlMs` (as verified keys are); absent namespaces are not cached.
 */
export class OwnerIdentities {
  private readonly cache = new Map<string, { identity: Identity; expires: number }>();

  constructor(
    private readonly entities: EntityStore,
    private readonly clock: Clock,
    private readonly ttlMs = 10_000,
  ) {}

  async of(namespace: string): Promise<Identity | undefined> {
    const hit = this.cache.get(namespace);
    if (hit && hit.expires > this.clock.now()) return hit.identity;
    const [subject] = await this.entities.list<SubjectDoc>('subjects', namespace, { limit: 1, skip: 0 });
    if (!subject) return undefined;
    const identity = { namespace: subject.namespace, subject: subject.subject, uuid: subject.uuid };
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(namespace, { identity, expires: this.clock.now() + this.ttlMs });
    return identity;
  }
}
