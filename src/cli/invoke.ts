import type { FlagSpec } from './args.js';
import { ExitCode } from './cli-error.js';
import { flagBool, flagNumber, flagPairs, flagString, type CommandContext } from './command.js';
import { PARAM_FLAGS } from './common-flags.js';
import { entityUrl, parseEntityName, qualifiedName } from './entity-path.js';
import { collectObject } from './key-values.js';

/**
 * `action invoke` (and `composition run`, which invokes the same way): POST the parameters; `-b` waits for the
 * record, `-r` waits and prints only the result. Exit codes: OK on success, FAILED when the activation finished
 * unsuccessfully (its record or result is still printed on stdout), NOT_FINISHED (202) when the wait ran out.
 */
export const INVOKE_FLAGS: readonly FlagSpec[] = [
  ...PARAM_FLAGS,
  { name: 'blocking', short: 'b', type: 'boolean', description: 'wait for the activation record' },
  { name: 'result', short: 'r', type: 'boolean', description: 'wait and print only the result (implies -b)' },
  { name: 'wait', type: 'number', placeholder: 'MS', description: 'how long the API may wait before answering 202' },
];

export async function invokeEntity(ctx: CommandContext, collection: string, noun: string, name: string): Promise<number | void> {
  const path = parseEntityName(name, ctx.namespace);
  const fq = qualifiedName(path);
  const params = (await collectObject(ctx.io.cwd, flagPairs(ctx, 'param'), flagString(ctx, 'param-file'), 'parameter')) ?? {};
  const result = flagBool(ctx, 'result');
  const blocking = result || flagBool(ctx, 'blocking');
  const wait = flagNumber(ctx, 'wait');
  const spinner = blocking ? ctx.spinner(`waiting for ${fq}`) : undefined;
  let res;
  try {
    res = await ctx.api().post(entityUrl(collection, path), params, {
      query: { blocking: blocking || undefined, result: result || undefined, timeout: wait },
      accept: [500, 502],
      timeoutMs: (wait ?? 60_000) + 15_000,
    });
  } finally {
    spinner?.stop();
  }
  const body = res.body as Record<string, unknown> | undefined;
  const id = res.headers.get('x-openwhisk-activation-id') ?? (typeof body?.activationId === 'string' ? body.activationId : '');
  if (res.status === 202) {
    if (blocking) {
      ctx.out.ok(`invoked ${fq}, but the request has not yet finished, with id ${id}`);
      if (ctx.out.json) ctx.out.value(body);
      return ExitCode.NOT_FINISHED;
    }
    ctx.out.ok(`invoked ${fq} with id ${id}`);
    if (ctx.out.json) ctx.out.value(body);
    return;
  }
  const failed = res.status !== 200;
  if (!result) ctx.out.ok(`invoked ${fq} with id ${id}`);
  ctx.out.value(body);
  if (failed) {
    const err = result ? body?.error : (body?.response as { result?: { error?: unknown } } | undefined)?.result?.error;
    ctx.io.stderr.write(`error: ${noun} ${fq} failed (activation ${id}): ${typeof err === 'string' ? err : JSON.stringify(err)}\n`);
    return ExitCode.FAILED;
  }
}
