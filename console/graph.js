// Lays a composition's IR (src/domain/composition.ts) out as a graph, pure (no DOM), for views/compositions.js to
// draw as SVG. Node ids are the nodes' JSON pointers in the definition ("/root", "/root/steps/1",
// "/root/branches/0/do", "/root/catch/0/do", …): the same `path` the execution history carries, so a live view can
// colour a node straight from a history entry.
//
// Shapes: a `sequence` and the loops (`map`, `while`, `doWhile`, `repeat`) are frames drawn around their body (a loop
// adds a dashed back edge from the body's end to its start); `choice`, `parallel` and `try` are a header box with
// their branches side by side below it; everything else is a box. Edges run from each exit of a step to the entry
// of the next, so branches visibly join again; `succeed` and `fail` have no exit (they end or raise).

export const BOX = { w: 168, h: 44, gapX: 28, gapY: 34, pad: 12, header: 20, loopRoom: 26 };

const LOOPS = new Set(['map', 'while', 'doWhile', 'repeat']);

/** "1 s", "250 ms", "2 min". */
export function duration(ms) {
  if (typeof ms !== 'number') return '?';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/** The two text lines of a node: `title` (what it does) and `detail` (kind, id, retry and timeout badges). */
export function describe(node) {
  if (!node || typeof node !== 'object') return { title: '?', detail: '' };
  const t = node.type;
  let title = t ?? '?';
  let kind = t ?? '';
  if (t === 'task') title = node.action ?? (node.composition ? `⇢ ${node.composition}` : 'task');
  else if (t === 'wait') title = node.ms !== undefined ? `wait ${duration(node.ms)}` : 'wait until …';
  else if (t === 'fail') title = `fail ${node.error ?? ''}`.trim();
  else if (t === 'set') title = `set ${Object.keys(node.vars ?? {}).join(', ')}`.trim();
  else if (t === 'repeat') title = `repeat ×${node.times}`;
  else if (t === 'while' || t === 'doWhile') title = `${t} (≤ ${node.maxIterations})`;
  else if (t === 'map') title = `map (${node.concurrency ?? 10} at once)`;
  if (t === 'task') kind = node.composition ? 'composition' : 'task';
  const badges = [kind];
  if (node.id) badges.push(`#${node.id}`);
  if (node.retry) badges.push(`retry ×${node.retry.maxAttempts}`);
  if (node.timeoutMs !== undefined) badges.push(`timeout ${duration(node.timeoutMs)}`);
  return { title, detail: badges.filter(Boolean).join(' · ') };
}

/**
 * → {nodes: [{id, type, title, detail, x, y, w, h, frame}], edges: [{from, to, label?, back?, error?}], width,
 * height}. `definition` is the stored `{whirl, root}` document (a bare root node is accepted too). Frames come
 * before the nodes they enclose, so drawing in order paints them underneath.
 */
export function layout(definition) {
  const nodes = [];
  const edges = [];
  const link = (froms, to, extra = {}) => {
    for (const from of froms) edges.push({ from, to, ...extra });
  };

  /** Places `node` with its top-left at (x, y); → {w, h, entry, exits} */
  const placeNode = (node, path, x, y) => {
    const type = node?.type ?? 'unknown';
    const self = { id: path, type, ...describe(node), x, y, w: BOX.w, h: BOX.h, frame: false };
    nodes.push(self);

    if (type === 'sequence' || LOOPS.has(type)) {
      self.frame = true;
      const body = type === 'sequence' ? (node.steps ?? []).map((c, i) => [c, `${path}/steps/${i}`]) : node.do ? [[node.do, `${path}/do`]] : [];
      const right = LOOPS.has(type) ? BOX.loopRoom : 0;
      let cy = y + BOX.header + BOX.pad;
      let inner = 0;
      const subs = [];
      for (const [child, childPath] of body) {
        const sub = place(child, childPath, x + BOX.pad, cy);
        subs.push(sub);
        cy += sub.h + BOX.gapY;
        inner = Math.max(inner, sub.w);
      }
      if (subs.length === 0) {
        self.h = BOX.h;
        return { w: self.w, h: self.h, entry: path, exits: [path] };
      }
      // Centre narrower steps in the frame.
      for (const sub of subs) shiftGroup(sub, (inner - sub.w) / 2);
      for (let i = 1; i < subs.length; i++) link(subs[i - 1].exits, subs[i].entry);
      const first = subs[0];
      const last = subs[subs.length - 1];
      if (LOOPS.has(type)) link(last.exits.length ? last.exits : [last.entry], first.entry, { back: true, label: type === 'map' ? 'each item' : 'again' });
      self.w = Math.max(BOX.w, inner + 2 * BOX.pad + right);
      self.h = cy - BOX.gapY + BOX.pad - y;
      return { w: self.w, h: self.h, entry: first.entry, exits: last.exits };
    }

    const branches = branchesOf(node, path);
    if (branches.length === 0) {
      const exits = type === 'succeed' || type === 'fail' ? [] : [path];
      return { w: self.w, h: self.h, entry: path, exits };
    }
    // A header box with its branches side by side below it (try: `finally` on a row of its own under the rest).
    const row = branches.filter((b) => !b.after);
    const after = branches.find((b) => b.after);
    const rowY = y + BOX.h + BOX.gapY;
    let cx = x;
    let rowH = 0;
    const subs = [];
    for (const b of row) {
      const sub = place(b.node, b.path, cx, rowY);
      link([path], sub.entry, { label: b.label, ...(b.error ? { error: true } : {}) });
      subs.push(sub);
      cx += sub.w + BOX.gapX;
      rowH = Math.max(rowH, sub.h);
    }
    let width = Math.max(BOX.w, cx - x - BOX.gapX);
    let height = BOX.h + BOX.gapY + rowH;
    let exits = subs.flatMap((s) => s.exits);
    // A choice with no `otherwise` passes its input on when no branch matches.
    if (type === 'choice' && !node.otherwise) exits = [...exits, path];
    if (after) {
      const sub = place(after.node, after.path, x, y + height + BOX.gapY);
      link(exits.length ? exits : [path], sub.entry, { label: after.label });
      width = Math.max(width, sub.w);
      shiftGroup(sub, (width - sub.w) / 2);
      height += BOX.gapY + sub.h;
      exits = sub.exits;
    }
    self.x = x + (width - BOX.w) / 2;
    return { w: width, h: height, entry: path, exits };
  };

  /** Moves a placed subtree (the slice of `nodes` it added) right by dx. */
  const shiftGroup = (sub, dx) => {
    if (dx) for (let i = sub.start; i < sub.end; i++) nodes[i].x += dx;
  };
  /** Every placed subtree knows its slice of `nodes`, so shiftGroup moves exactly that subtree. */
  const place = (node, path, x, y) => {
    const start = nodes.length;
    const sub = placeNode(node, path, x, y);
    return { ...sub, start, end: nodes.length };
  };

  const root = definition && typeof definition === 'object' && 'root' in definition ? definition.root : definition;
  const size = place(root, '/root', 0, 0);
  return { nodes, edges, width: size.w, height: size.h };
}

/** The branches of a header node: [{node, path, label, error?, after?}]. */
function branchesOf(node, path) {
  switch (node?.type) {
    case 'choice':
      return [
        ...(node.branches ?? []).map((b, i) => ({ node: b.do, path: `${path}/branches/${i}/do`, label: `when #${i + 1}` })),
        ...(node.otherwise ? [{ node: node.otherwise, path: `${path}/otherwise`, label: 'otherwise' }] : []),
      ];
    case 'parallel':
      return (node.branches ?? []).map((b, i) => ({ node: b, path: `${path}/branches/${i}`, label: `branch ${i + 1}` }));
    case 'try':
      return [
        ...(node.do ? [{ node: node.do, path: `${path}/do`, label: 'do' }] : []),
        ...(node.catch ?? []).map((c, i) => ({
          node: c.do,
          path: `${path}/catch/${i}/do`,
          label: c.errors?.length ? `catch ${c.errors.join(', ')}` : 'catch',
          error: true,
        })),
        ...(node.finally ? [{ node: node.finally, path: `${path}/finally`, label: 'finally', after: true }] : []),
      ];
    default:
      return [];
  }
}
