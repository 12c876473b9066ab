/**
 * The source of `/whisk.system/utils` actions: Node.js functions with the inputs and results of OpenWhisk's catalog
 * package (packages/utils of apache/openwhisk-catalog), run like any user action. Written for Whirl; behaviour, log
 * lines aside, is the catalog's: `cat`/`sort`/`head` default `lines` to `[]`, `head` defaults `num` to 1,
 * `split` defaults the separator to a line break, `smash` refuses a missing `$fieldName`.
 */
export const UTILS_CODE: Readonly<Record<string, string>> = {
  echo: `function main(params) {
  return params || {};
}`,
  cat: `function main(params) {
  const lines = params.lines || [];
  return { lines, payload: lines.join('\\n') };
}`,
  split: `function main(params) {
  const separator = params.separator || /\\r?\\n/;
  return { lines: String(params.payload).split(separator), payload: params.payload };
}`,
  sort: `function main(params) {
  const lines = params.lines || [];
  lines.sort();
  return { lines, length: lines.length };
}`,
  head: `function main(params) {
  const lines = params.lines || [];
  const num = params.num || 1;
  return { lines: lines.slice(0, num), num };
}`,
  date: `function main() {
  return { date: new Date() };
}`,
  namespace: `function main() {
  return { namespace: process.env.__OW_NAMESPACE };
}`,
  hosturl: `function main(args) {
  const host = process.env.__OW_API_HOST;
  const ns = process.env.__OW_NAMESPACE;
  const web = args.web === true;
  const base = web ? host + '/api/v1/web/' + ns : host + '/api/v1/namespaces/' + ns + '/' + (args.trigger === true ? 'triggers' : 'actions');
  const extensions = ['.html', '.http', '.json', '.svg', '.text'];
  if (web && args.trigger) return { error: 'triggers are not allowed for web actions.' };
  if (web && args.ext && !extensions.includes(args.ext)) {
    return { error: 'extension for web action must be one of [".html", ".http", ".json", ".svg", ".text"].' };
  }
  if (!web && args.trigger && String(args.path).includes('/')) return { error: 'triggers are not allowed in packages.' };
  if (!args.path) return { url: base };
  const path = web && !args.path.includes('/') ? 'default/' + args.path : args.path;
  return { url: base + '/' + path + (web ? args.ext || '' : '') };
}`,
  smash: `function main(args) {
  const field = args.$fieldName;
  if (typeof field !== 'string') return { error: "Expected an argument '$fieldName' of type 'string'." };
  delete args.$fieldName;
  return { [field]: args };
}`,
};
