import { nextVersion } from '../../domain/action.js';
import { kvToObject, type KeyValue } from '../../domain/key-value.js';
import { isValidName } from '../../domain/names.js';
import { type Package, RESERVED_PACKAGE_NAMES, bindingOf } from '../../domain/package.js';
import { DEFAULT_NAMESPACE } from '../../domain/names.js';
import { WhirlError } from '../../errors/whirl-error.js';

export interface PackageInput {
  parameters?: ReadonlyArray<{ key: string; value: unknown; init?: boolean }>;
  annotations?: ReadonlyArray<{ key: string; value: unknown }>;
  publish?: boolean;
  version?: string;
  binding?: { namespace?: string; name?: string };
}

/**
 * The package a PUT stores (pure; the bound package's existence is checked by `checkBinding`). On update, fields
 * the body omits keep their stored values and the version's patch is bumped, as for actions. A package cannot
 * become a binding nor a binding a package (409); a binding's `namespace` `_` means the caller's.
 */
export function composePackage(input: {
  namespace: string;
  name: string;
  body: PackageInput;
  existing?: Package;
  maxParameterBytes: number;
  now: number;
}): Package {
  const { body, existing, namespace, name } = input;
  if (!isValidName(name)) throw new WhirlError('WHIRL_INVALID_NAME', [name]);
  if (RESERVED_PACKAGE_NAMES.has(name)) throw new WhirlError('WHIRL_RESERVED_NAME', [name]);
  const requested = requestedBinding(body.binding, namespace);
  if (existing) {
    const wasBinding = bindingOf(existing) !== undefined;
    if (requested && !wasBinding) throw new WhirlError('WHIRL_PACKAGE_KIND_CHANGE', ['package', 'binding']);
  }
  const binding = requested ?? (existing ? existing.binding : {});
  const parameters: KeyValue[] = (body.parameters ?? existing?.parameters ?? []).map((p) =>
    p.init ? { key: p.key, value: p.value, init: true } : { key: p.key, value: p.value },
  );
  const bytes = Buffer.byteLength(JSON.stringify(kvToObject(parameters)));
  if (bytes > input.maxParameterBytes) throw new WhirlError('WHIRL_PARAMETERS_TOO_LARGE', [bytes, input.maxParameterBytes]);
  return {
    namespace,
    name,
    version: existing ? nextVersion(existing.version) : (body.version ?? '0.0.1'),
    publish: body.publish ?? existing?.publish ?? false,
    annotations: (body.annotations ?? existing?.annotations ?? []).map((a) => ({ key: a.key, value: a.value })),
    parameters,
    binding,
    updated: input.now,
  };
}

function requestedBinding(
  b: PackageInput['binding'],
  callerNamespace: string,
): { namespace: string; name: string } | undefined {
  if (!b || (b.namespace === undefined && b.name === undefined)) return undefined;
  if (!b.name || !isValidName(b.name)) throw new WhirlError('WHIRL_INVALID_NAME', [b.name ?? '']);
  const ns = !b.namespace || b.namespace === DEFAULT_NAMESPACE ? callerNamespace : b.namespace;
  if (!isValidName(ns)) throw new WhirlError('WHIRL_INVALID_NAME', [ns]);
  return { namespace: ns, name: b.name };
}
