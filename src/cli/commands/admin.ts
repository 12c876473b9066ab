import { FileEntityStore } from '../../adapters/store/file/file-entity-store.js';
import { CouchEntityStore } from '../../adapters/store/couchdb/couch-entity-store.js';
import { createSubject, deleteSubject, getSubject, listNamespace, type SubjectEntry } from '../../api/auth/subject-admin.js';
import { loadConfig } from '../../config/load.js';
import { isWhirlError } from '../../errors/whirl-error.js';
import type { EntityStore } from '../../ports/entity-store.js';
import { CliError, exitCodeForStatus, usageError } from '../cli-error.js';
import { flagString, type CommandContext, type CommandSpec, type GroupSpec } from '../command.js';

/**
 * `whirl admin user create|delete|list|get`: key administration in the shape of OpenWhisk's `wskadmin user`. Like
 * wskadmin it works on the store directly, not through the API (there is no admin key to ask the API with): it
 * reads the same `WHIRL_*` settings as the server (`WHIRL_STORE`, `WHIRL_DATA_DIR`, `WHIRL_COUCHDB_URL`,
 * `WHIRL_COUCHDB_PREFIX`) and opens that store. `--namespace` and `--auth` are the global flags, read here as
 * wskadmin's `--namespace` and `--auth`.
 */
async function withStore<T>(ctx: CommandContext, use: (entities: EntityStore) => Promise<T>): Promise<T> {
  const config = (() => {
    try {
      return loadConfig(ctx.io.env);
    } catch (e) {
      throw usageError(`the WHIRL_* settings are not valid: ${(e as Error).message}`);
    }
  })();
  const { store } = config;
  if (store.adapter === 'memory') {
    throw usageError('WHIRL_STORE=memory lives inside the server process: admin needs WHIRL_STORE=file or couchdb');
  }
  const entities =
    store.adapter === 'file'
      ? await FileEntityStore.open({ dir: store.dataDir })
      : await CouchEntityStore.open({ url: store.couchdbUrl, prefix: store.couchdbPrefix });
  try {
    return await use(entities);
  } catch (e) {
    if (isWhirlError(e)) throw new CliError(e.message, exitCodeForStatus(e.status));
    throw e;
  } finally {
    await entities.close();
  }
}

const printEntries = (ctx: CommandContext, entries: SubjectEntry[]) => {
  if (ctx.out.json) return ctx.out.value(entries);
  for (const e of entries) ctx.out.line(`${e.uuid}  ${e.namespace}  ${e.subject}`);
};

const create: CommandSpec = {
  name: 'create',
  summary: 'create a subject and its key for a namespace (default: the subject name); prints uuid:key once',
  args: [{ name: 'SUBJECT' }],
  needsAuth: false,
  run: async (ctx) => {
    const namespace = flagString(ctx, 'namespace');
    const auth = flagString(ctx, 'auth');
    const key = await withStore(ctx, (entities) =>
      createSubject(entities, { subject: ctx.args[0]!, ...(namespace ? { namespace } : {}), ...(auth ? { auth } : {}) }),
    );
    if (ctx.out.json) return ctx.out.value({ subject: ctx.args[0], namespace: namespace ?? ctx.args[0], auth: key });
    ctx.out.line(key);
  },
};

const get: CommandSpec = {
  name: 'get',
  summary: "show a subject's namespaces and uuids (keys are stored hashed and cannot be shown)",
  args: [{ name: 'SUBJECT' }],
  needsAuth: false,
  run: async (ctx) => {
    const found = await withStore(ctx, (entities) => getSubject(entities, ctx.args[0]!, flagString(ctx, 'namespace')));
    if (found.length === 0) throw new CliError(`subject '${ctx.args[0]}' does not exist`, exitCodeForStatus(404));
    printEntries(ctx, found);
  },
};

const list: CommandSpec = {
  name: 'list',
  summary: 'list the subjects (uuid, namespace, subject) holding a key for a namespace',
  args: [{ name: 'NAMESPACE' }],
  needsAuth: false,
  run: async (ctx) => printEntries(ctx, await withStore(ctx, (entities) => listNamespace(entities, ctx.args[0]!))),
};

const del: CommandSpec = {
  name: 'delete',
  summary: "delete a subject's keys (all, or the one for --namespace)",
  args: [{ name: 'SUBJECT' }],
  needsAuth: false,
  run: async (ctx) => {
    const gone = await withStore(ctx, (entities) => deleteSubject(entities, ctx.args[0]!, flagString(ctx, 'namespace')));
    if (ctx.out.json) return ctx.out.value(gone);
    ctx.out.ok(`subject ${ctx.args[0]} deleted (${gone.map((e) => e.namespace).join(', ')})`);
  },
};

const user: CommandSpec[] = [create, del, list, get];

/** `whirl admin user …`: the group is `admin`, its commands the two words `user create` etc. (as wskadmin). */
export const adminGroup: GroupSpec = {
  name: 'admin',
  summary: 'administer subjects and keys on the store directly (as wskadmin user)',
  commands: user.map((c) => ({ ...c, name: `user ${c.name}` })),
};

/** `admin user VERB …` → `admin "user VERB" …`, so the two-word command is found like any other. */
export function joinAdminWords(argv: string[]): string[] {
  return argv[0] === 'admin' && argv[1] === 'user' && argv[2] !== undefined && !argv[2].startsWith('-')
    ? ['admin', `user ${argv[2]}`, ...argv.slice(3)]
    : argv;
}
