import { usageError } from '../cli-error.js';
import { flagBool, flagString, type CommandSpec, type GroupSpec } from '../command.js';
import { PROPERTY_KEYS, propsFiles, updatePropsFile, type PropertyKey } from '../props.js';

/**
 * `whirl property set|unset|get`: the APIHOST, AUTH and NAMESPACE the CLI uses. `set`/`unset` edit
 * ~/.whirlprops (never ~/.wskprops, which belongs to `wsk`); `get` shows each value and where it came from.
 */
const FLAG_OF: Record<PropertyKey, string> = { APIHOST: 'apihost', AUTH: 'auth', NAMESPACE: 'namespace' };
const LABEL: Record<PropertyKey, string> = { APIHOST: 'whirl API host', AUTH: 'whirl auth', NAMESPACE: 'whirl namespace' };

const set: CommandSpec = {
  name: 'set',
  summary: 'save --apihost, --auth and/or --namespace in ~/.whirlprops',
  needsAuth: false,
  run: async (ctx) => {
    const changes: Partial<Record<PropertyKey, string>> = {};
    for (const key of PROPERTY_KEYS) {
      const v = flagString(ctx, FLAG_OF[key]);
      if (v !== undefined) changes[key] = v;
    }
    if (Object.keys(changes).length === 0) throw usageError('property set needs --apihost, --auth or --namespace');
    const file = propsFiles(ctx.io.env, ctx.io.home).whirl;
    await updatePropsFile(file, changes);
    for (const key of Object.keys(changes) as PropertyKey[]) {
      ctx.out.ok(`${LABEL[key]} set to ${key === 'AUTH' ? mask(changes[key]!) : changes[key]}`);
    }
    if (ctx.out.json) ctx.out.value({ file, set: Object.keys(changes) });
  },
};

const unset: CommandSpec = {
  name: 'unset',
  summary: 'remove --apihost, --auth and/or --namespace from ~/.whirlprops',
  needsAuth: false,
  flags: PROPERTY_KEYS.map((k) => ({ name: FLAG_OF[k], type: 'boolean' as const, description: `unset ${k}` })),
  run: async (ctx) => {
    const keys = PROPERTY_KEYS.filter((k) => flagBool(ctx, FLAG_OF[k]));
    if (keys.length === 0) throw usageError('property unset needs --apihost, --auth or --namespace');
    const file = propsFiles(ctx.io.env, ctx.io.home).whirl;
    await updatePropsFile(file, Object.fromEntries(keys.map((k) => [k, undefined])));
    for (const key of keys) ctx.out.ok(`${LABEL[key]} unset`);
    if (ctx.out.json) ctx.out.value({ file, unset: keys });
  },
};

const get: CommandSpec = {
  name: 'get',
  summary: 'print the properties in use and where each comes from (or just one with --apihost …)',
  needsAuth: false,
  flags: [
    ...PROPERTY_KEYS.map((k) => ({ name: FLAG_OF[k], type: 'boolean' as const, description: `only ${k}` })),
    { name: 'all', type: 'boolean', description: 'every property (the default)' },
  ],
  run: async (ctx) => {
    const only = PROPERTY_KEYS.filter((k) => flagBool(ctx, FLAG_OF[k]));
    if (only.length === 1 && !ctx.out.json) {
      const v = ctx.props[only[0]!];
      return ctx.out.raw(v?.value ?? '');
    }
    const keys = only.length ? only : PROPERTY_KEYS;
    if (ctx.out.json) {
      return ctx.out.value(Object.fromEntries(keys.map((k) => [k, ctx.props[k] ?? null])));
    }
    ctx.out.table(
      undefined,
      keys.map((k) => [LABEL[k], ctx.props[k]?.value ?? '(not set)', ctx.props[k] ? `(${ctx.props[k]!.source})` : '']),
    );
  },
};

function mask(auth: string): string {
  const [uuid] = auth.split(':');
  return `${uuid}:…`;
}


export const propertyGroup: GroupSpec = { name: 'property', summary: 'work with CLI properties', commands: [set, unset, get] };
