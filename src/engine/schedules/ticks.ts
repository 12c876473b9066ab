import cronParser from 'cron-parser';
import { WhirlError } from '../../errors/whirl-error.js';
import type { MissedTickPolicy, Schedule, ScheduleSpec } from '../../ports/schedule-store.js';

/** Safety bound on ticks enumerated in one pass (a per-second cron after a month-long outage). */
const MAX_ENUMERATED = 100_000;

/** The first tick strictly after `after`, or undefined when the spec has no more. Pure. */
export function nextTick(spec: ScheduleSpec, after: number): number | undefined {
  switch (spec.kind) {
    case 'once':
      return spec.at > after ? spec.at : undefined;
    case 'interval': {
      if (after < spec.anchor) return spec.anchor;
      const k = Math.floor((after - spec.anchor) / spec.everyMs) + 1;
      return spec.anchor + k * spec.everyMs;
    }
    case 'cron': {
      const it = cronParser.parseExpression(spec.cron, {
        currentDate: new Date(after),
        // UTC unless a zone is given: the same schedule means the same instants on every server.
        ...(spec.timezone ? { tz: spec.timezone } : { utc: true }),
      });
      return it.hasNext() ? it.next().getTime() : undefined;
    }
  }
}

/** Throws WHIRL_FEED_INVALID when a cron expression does not parse. */
export function checkCron(cron: string, timezone?: string): void {
  try {
    cronParser.parseExpression(cron, timezone ? { tz: timezone } : { utc: true });
  } catch (err) {
    throw new WhirlError('WHIRL_FEED_INVALID', [`cron '${cron}': ${(err as Error).message}`]);
  }
}

export interface DuePlan {
  /** Ticks to fire now, oldest first. */
  fire: number[];
  /** Late ticks dropped by the missed-tick policy (for logs). */
  skipped: number;
  /** The schedule has no tick left (a `once` that fired, or past `stopAt`): it can be removed. */
  finished: boolean;
}

/**
 * Which ticks of `schedule` are due at `now`, given the last claimed tick (pure).
 *
 * A tick `t` with `now - t <= toleranceMs` is **on time** and always fires. Older ones are **missed** (every
 * process was down or stalled) and follow `schedule.missed`: `skip` drops them, `latest` fires only the most recent
 * missed tick (the alarm "catch up once" behaviour), `all` fires each, at most `maxCatchUp` (the most recent ones).
 */
export function dueTicks(
  schedule: Schedule,
  lastTick: number | undefined,
  now: number,
  options: { toleranceMs: number; maxCatchUp: number },
): DuePlan {
  let from = Math.max(lastTick ?? schedule.createdAt, schedule.createdAt);
  if (schedule.startAt !== undefined) from = Math.max(from, schedule.startAt - 1);
  const until = Math.min(now, schedule.stopAt ?? Number.POSITIVE_INFINITY);
  const onTime: number[] = [];
  const missed: number[] = [];
  let t = nextTick(schedule.spec, from);
  for (let n = 0; t !== undefined && t <= until && n < MAX_ENUMERATED; n++) {
    (now - t <= options.toleranceMs ? onTime : missed).push(t);
    t = nextTick(schedule.spec, t);
  }
  const kept = pickMissed(missed, schedule.missed, options.maxCatchUp);
  const finished = t === undefined || (schedule.stopAt !== undefined && t > schedule.stopAt);
  return { fire: [...kept, ...onTime], skipped: missed.length - kept.length, finished };
}

function pickMissed(missed: number[], policy: MissedTickPolicy, maxCatchUp: number): number[] {
  switch (policy) {
    case 'skip':
      return [];
    case 'latest':
      return missed.slice(-1);
    case 'all':
      return missed.slice(-maxCatchUp);
  }
}
