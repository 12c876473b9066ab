import { flagNumber, type CommandContext } from './command.js';
import { collectionUrl } from './entity-path.js';

/**
 * `activation poll`: lists activations started since the last poll (`docs=true`, every `--interval`, 2 s as `wsk`)
 * and prints each new one once, oldest first, with its logs; `--json` prints one record per line. Stops on Ctrl-C
 * or after `--exit` seconds. Records can be stored after later ones started, so the window looks back one interval
 * further than the newest start seen, and ids already printed are skipped.
 */
export async function pollActivations(ctx: CommandContext): Promise<void> {
  const interval = flagNumber(ctx, 'interval') ?? 2000;
  const exitAfter = flagNumber(ctx, 'exit');
  const back = (flagNumber(ctx, 'since-seconds') ?? 0) * 1000 + (flagNumber(ctx, 'since-minutes') ?? 0) * 60_000;
  const name = ctx.args[0];
  const seen = new Set<string>();
  let since = Date.now() - back;
  const deadline = exitAfter === undefined ? Infinity : Date.now() + exitAfter * 1000;
  let stop = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const unregister = ctx.io.onInterrupt?.(() => {
    stop = true;
    clearTimeout(timer);
    wake?.();
  });
  ctx.out.note(`Enter Ctrl-C to exit.\nPolling for activation logs${name ? ` of ${name}` : ''}`);
  try {
    while (!stop && Date.now() < deadline) {
      const res = await ctx.api().get(collectionUrl('activations', ctx.namespace), {
        query: { docs: true, since, limit: 200, name },
      });
      const records = (Array.isArray(res.body) ? res.body : []) as Array<Record<string, unknown>>;
      for (const r of records.reverse()) {
        const id = String(r.activationId);
        if (seen.has(id)) continue;
        seen.add(id);
        if (typeof r.start === 'number') since = Math.max(since, r.start - interval);
        if (ctx.out.json) {
          ctx.out.jsonLine(r);
          continue;
        }
        ctx.out.line(`\nActivation: '${String(r.name)}' (${id})`);
        for (const line of Array.isArray(r.logs) ? r.logs : []) ctx.out.line(String(line));
      }
      const pause = Math.min(interval, deadline - Date.now());
      if (pause > 0 && !stop) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, pause);
        });
      }
    }
  } finally {
    unregister?.();
  }
}
