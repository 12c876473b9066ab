import type { Action } from '../../domain/action.js';
import type { KeyValue } from '../../domain/key-value.js';
import type { ActionLimits } from '../../domain/limits.js';
import type { Package } from '../../domain/package.js';
import { SYSTEM_NAMESPACE } from '../feeds/builtin-feeds.js';
import { UTILS_CODE } from './utils-code.js';

/** The documents Whirl keeps in the `whisk.system` namespace: published packages and their actions. */
export interface SystemCatalog {
  packages: Package[];
  actions: Action[];
}

const VERSION = '0.0.1';

const PACKAGE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  utils: 'Building blocks that format and assemble data',
  alarms: 'Alarms and periodic utility',
  messaging: 'Triggers fired by messages on Redis streams and Kafka topics',
};

const UTILS_DESCRIPTIONS: Readonly<Record<string, string>> = {
  echo: 'Returns the input',
  cat: 'Concatenates input into a string',
  split: 'Split a string into an array',
  sort: 'Sorts an array',
  head: 'Extract prefix of an array',
  date: 'Current date and time',
  namespace: 'Returns namespace for the authorization key used to invoke this action',
  hosturl: 'Returns the URL to activate an action or trigger',
  smash: 'Nests all properties under given property',
};

/**
 * The catalog (pure): `/whisk.system/utils` with OpenWhisk's utility actions, and one package per built-in feed
 * package (`alarms`, `messaging`) whose feed actions carry `feed: true`. Feed actions are answered by Whirl itself
 * (src/api/actions/invoke-feed.ts); their stored code only explains that when run some other way.
 */
export function systemCatalog(opts: {
  /** The Node.js kind the utils actions run on (`nodejs:default` resolved). */
  nodejsKind: string;
  limits: ActionLimits;
  /** Built-in feeds by fully qualified name, `/whisk.system/pkg/feed`. */
  feedNames: readonly string[];
}): SystemCatalog {
  const pkg = (name: string): Package => ({
    namespace: SYSTEM_NAMESPACE,
    name,
    version: VERSION,
    publish: true,
    annotations: [{ key: 'description', value: PACKAGE_DESCRIPTIONS[name] ?? name }],
    parameters: [],
    binding: {},
    updated: 0,
  });
  const action = (pkgName: string, name: string, code: string, annotations: KeyValue[]): Action => ({
    namespace: `${SYSTEM_NAMESPACE}/${pkgName}`,
    name,
    version: VERSION,
    publish: false,
    exec: { kind: opts.nodejsKind, code, binary: false },
    parameters: [],
    annotations: [...annotations, { key: 'exec', value: opts.nodejsKind }],
    limits: opts.limits,
    updated: 0,
  });

  const packages = [pkg('utils')];
  const actions = Object.entries(UTILS_CODE).map(([name, code]) =>
    action('utils', name, code, [{ key: 'description', value: UTILS_DESCRIPTIONS[name] ?? name }]),
  );
  const prefix = `/${SYSTEM_NAMESPACE}/`;
  for (const feed of opts.feedNames) {
    if (!feed.startsWith(prefix)) continue;
    const [pkgName, name] = feed.slice(prefix.length).split('/');
    if (!pkgName || !name) continue;
    if (!packages.some((p) => p.name === pkgName)) packages.push(pkg(pkgName));
    const explain = `function main() {\n  return { error: 'The built-in feed ${feed} is run by Whirl: use it with wsk trigger create --feed ${feed}' };\n}`;
    actions.push(action(pkgName, name, explain, [{ key: 'feed', value: true }, { key: 'description', value: `Built-in feed ${feed}` }]));
  }
  return { packages, actions };
}
