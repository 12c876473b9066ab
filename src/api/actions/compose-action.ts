import type { Config } from '../../config/config.js';
import { type Action, nextVersion } from '../../domain/action.js';
import { type Exec, type RuntimeManifest, allKinds, isBinaryCode, resolveKind } from '../../domain/exec.js';
import { HOST_RUNTIMES, isBlackboxSkeleton } from '../../domain/host-runtimes.js';
import { type KeyValue, kvGet, kvSet, kvToObject } from '../../domain/key-value.js';
import { type ActionLimits, type SystemLimits, checkLimits, defaultLimits } from '../../domain/limits.js';
import { fullyQualified, parseQualifiedName } from '../../domain/names.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { ActionPutBody } from '../schemas/action.js';

export interface ComposeInput {
  namespace: string;
  name: string;
  body: ActionPutBody;
  /** The stored action on update: fields the body omits are kept from it (`C/Actions.scala` update). */
  existing?: Action;
  limits: SystemLimits;
  runtimes: readonly RuntimeManifest[];
  /** The only invoker runs actions as host processes (embedded): refuse what needs a container engine now. */
  hostProcessesOnly?: boolean;
  now: number;
}

/**
 * Whether every action of this Whirl runs in this process's own invoker on host processes: the embedded default
 * (API and invoker in one process, an in-process queue — memory or file — and WHIRL_CONTAINERS=process). With a shared queue, other
 * invokers (Docker ones among them) may take the work, so nothing is refused at create time.
 */
export function hostProcessesOnly(config: Pick<Config, 'role' | 'invoker' | 'queue'>): boolean {
  return config.role === 'all' && config.invoker.containers === 'process' && (config.queue.adapter === 'memory' || config.queue.adapter === 'file');
}

/**
 * The action a PUT stores, from the body and the stored document. Pure: sequence components are only normalised
 * here (to `/ns/[pkg/]name`); their existence is checked by `checkSequence`.
 */
export function composeAction(input: ComposeInput): Action {
  const { body, existing, namespace } = input;
  if (!body.exec && !existing) throw new WhirlError('WHIRL_MISSING_EXEC');
  const exec = body.exec ? composeExec(body.exec, input) : existing!.exec;
  // A sequence's own parameters are meaningless (OpenWhisk discards them); only components carry behaviour.
  const parameters =
    exec.kind === 'sequence' ? [] : normaliseParameters(body.parameters ?? existing?.parameters ?? []);
  const parameterBytes = Buffer.byteLength(JSON.stringify(kvToObject(parameters)));
  if (parameterBytes > input.limits.maxParameterBytes) {
    throw new WhirlError('WHIRL_PARAMETERS_TOO_LARGE', [parameterBytes, input.limits.maxParameterBytes]);
  }
  return {
    namespace,
    name: input.name,
    version: existing ? nextVersion(existing.version) : (body.version ?? '0.0.1'),
    publish: body.publish ?? existing?.publish ?? false,
    exec,
    parameters,
    annotations: composeAnnotations(body, existing, exec.kind),
    limits: composeLimits(body.limits, existing?.limits ?? defaultLimits(input.limits), input.limits),
    updated: input.now,
  };
}

function composeExec(e: NonNullable<ActionPutBody['exec']>, input: ComposeInput): Exec {
  if (e.kind === 'sequence') {
    const components = e.components ?? [];
    if (components.length === 0) throw new WhirlError('WHIRL_SEQUENCE_EMPTY');
    return {
      kind: 'sequence',
      components: components.map((c) => {
        const q = parseQualifiedName(c, input.namespace);
        if (!q) throw new WhirlError('WHIRL_INVALID_NAME', [c]);
        return fullyQualified(q);
      }),
    };
  }
  if (e.code !== undefined) checkCodeSize(e.code, input.limits);
  if (e.kind === 'blackbox') {
    if (!e.image) throw new WhirlError('WHIRL_BLACKBOX_IMAGE');
    if (input.hostProcessesOnly && !isBlackboxSkeleton(e.image)) {
      throw new WhirlError('WHIRL_CONTAINER_ENGINE_REQUIRED', [e.image, HOST_RUNTIMES]);
    }
    return {
      kind: 'blackbox',
      image: e.image,
      binary: e.code !== undefined && isBinaryCode(e.code),
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.main !== undefined ? { main: e.main } : {}),
    };
  }
  const resolved = resolveKind(e.kind, input.runtimes);
  if (!resolved) throw new WhirlError('WHIRL_UNSUPPORTED_KIND', [e.kind, allKinds(input.runtimes).join(', ')]);
  if (e.code === undefined) throw new WhirlError('WHIRL_MISSING_CODE');
  return {
    kind: resolved.kind,
    code: e.code,
    binary: isBinaryCode(e.code),
    ...(e.main !== undefined ? { main: e.main } : {}),
  };
}

function checkCodeSize(code: string, limits: SystemLimits): void {
  const size = Buffer.byteLength(code);
  if (size > limits.maxCodeBytes) throw new WhirlError('WHIRL_CODE_TOO_LARGE', [size, limits.maxCodeBytes]);
}

function normaliseParameters(list: ReadonlyArray<{ key: string; value: unknown; init?: boolean }>): KeyValue[] {
  return list.map((p) => (p.init ? { key: p.key, value: p.value, init: true } : { key: p.key, value: p.value }));
}

/** Body (or stored) annotations, minus `delAnnotations`, plus the system ones (`C/Actions.scala` amendAnnotations). */
function composeAnnotations(body: ActionPutBody, existing: Action | undefined, kind: string): KeyValue[] {
  const drop = new Set(body.delAnnotations ?? []);
  let out: KeyValue[] = (body.annotations ?? existing?.annotations ?? [])
    .filter((a) => !drop.has(a.key))
    .map((a) => ({ key: a.key, value: a.value }));
  if (kvGet(out, 'provide-api-key') === undefined) out = kvSet(out, 'provide-api-key', false);
  return kvSet(out, 'exec', kind);
}

function composeLimits(
  requested: ActionPutBody['limits'],
  base: ActionLimits,
  system: SystemLimits,
): ActionLimits {
  const limits: ActionLimits = { ...base };
  for (const k of ['timeout', 'memory', 'logs', 'concurrency'] as const) {
    const v = requested?.[k];
    if (v !== undefined) limits[k] = v;
  }
  const bad = checkLimits(limits, system);
  if (bad) throw new WhirlError('WHIRL_INVALID_LIMIT', [bad.name, bad.value, bad.range.min, bad.range.max]);
  return limits;
}
