import { isRecord } from '../../domain/activation.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { MissedTickPolicy, Schedule, ScheduleSpec, ScheduleStore } from '../../ports/schedule-store.js';
import { checkCron } from '../schedules/ticks.js';
import type { FeedEvent, FeedProvider } from './feed-provider.js';

export type AlarmKind = 'alarm' | 'interval' | 'once';

/**
 * The alarm feeds (`/whisk.system/alarms/{alarm,interval,once}`, parameters as OpenWhisk's alarms package):
 * - `alarm`: `cron` (5 or 6 fields), optional `timezone`;
 * - `interval`: `minutes` (> 0; fractions allowed), ticking from CREATE;
 * - `once`: `date` (ISO string or epoch ms);
 * and for all: `trigger_payload` (object, the fire payload), `startDate`, `stopDate`, and Whirl's `missed`
 * (`skip` | `latest` | `all`, default from configuration) for ticks found late.
 * CREATE/UPDATE store the schedule; DELETE removes it; PAUSE/UNPAUSE stop and resume ticking (missed ticks while
 * paused are not fired: UNPAUSE restarts from now); READ returns the stored configuration.
 */
export class AlarmFeed implements FeedProvider {
  constructor(
    private readonly kind: AlarmKind,
    private readonly deps: { store: ScheduleStore; clock: Clock; defaultMissed: MissedTickPolicy },
  ) {}

  async handle(event: FeedEvent): Promise<Record<string, unknown>> {
    const id = `${event.identity.namespace}/${event.trigger}`;
    const { store, clock } = this.deps;
    switch (event.lifecycleEvent) {
      case 'CREATE':
      case 'UPDATE': {
        const schedule = this.compose(id, event, clock.now());
        await store.put(schedule);
        return { status: 'active', id };
      }
      case 'DELETE':
        await store.delete(id);
        return { status: 'deleted', id };
      case 'READ': {
        const s = await this.existing(id);
        return { status: s.paused ? 'inactive' : 'active', config: s };
      }
      case 'PAUSE':
      case 'UNPAUSE': {
        const s = await this.existing(id);
        const paused = event.lifecycleEvent === 'PAUSE';
        if (paused) {
          await store.put({ ...s, paused });
        } else {
          // Restart from now (delete resets the last tick): ticks that fell in the pause were not wanted.
          await store.delete(id);
          await store.put({ ...s, paused, createdAt: clock.now() });
        }
        return { status: paused ? 'inactive' : 'active', id };
      }
    }
  }

  private async existing(id: string): Promise<Schedule> {
    const s = await this.deps.store.get(id);
    if (!s) throw new WhirlError('WHIRL_NOT_FOUND');
    return s;
  }

  private compose(id: string, event: FeedEvent, now: number): Schedule {
    const p = event.params;
    const payload = p.trigger_payload ?? {};
    if (!isRecord(payload)) throw new WhirlError('WHIRL_FEED_INVALID', ['trigger_payload must be an object']);
    const missed = p.missed ?? this.deps.defaultMissed;
    if (missed !== 'skip' && missed !== 'latest' && missed !== 'all') {
      throw new WhirlError('WHIRL_FEED_INVALID', ["missed must be 'skip', 'latest' or 'all'"]);
    }
    const startAt = optionalDate(p.startDate, 'startDate');
    const stopAt = optionalDate(p.stopDate, 'stopDate');
    return {
      id,
      namespace: event.identity.namespace,
      trigger: event.trigger,
      subject: event.identity.subject,
      uuid: event.identity.uuid,
      spec: this.spec(p, now),
      payload,
      ...(startAt !== undefined ? { startAt } : {}),
      ...(stopAt !== undefined ? { stopAt } : {}),
      missed,
      paused: false,
      createdAt: now,
    };
  }

  private spec(p: Record<string, unknown>, now: number): ScheduleSpec {
    switch (this.kind) {
      case 'alarm': {
        if (typeof p.cron !== 'string') throw new WhirlError('WHIRL_FEED_INVALID', ['cron is required']);
        const timezone = typeof p.timezone === 'string' ? p.timezone : undefined;
        checkCron(p.cron, timezone);
        return { kind: 'cron', cron: p.cron, ...(timezone ? { timezone } : {}) };
      }
      case 'interval': {
        const minutes = Number(p.minutes);
        if (!Number.isFinite(minutes) || minutes <= 0) {
          throw new WhirlError('WHIRL_FEED_INVALID', ['minutes must be a positive number']);
        }
        return { kind: 'interval', everyMs: Math.round(minutes * 60_000), anchor: now };
      }
      case 'once': {
        const at = optionalDate(p.date, 'date');
        if (at === undefined) throw new WhirlError('WHIRL_FEED_INVALID', ['date is required']);
        return { kind: 'once', at };
      }
    }
  }
}

function optionalDate(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const t = typeof v === 'number' ? v : Date.parse(String(v));
  if (!Number.isFinite(t)) throw new WhirlError('WHIRL_FEED_INVALID', [`${name} is not a date`]);
  return t;
}
