// Lays a composition's node tree out as a graph (pure: no DOM), for views/compositions.js to draw as SVG.
// Steps in a sequence stack vertically; branches of choice/parallel/try sit side by side; loops (map, while,
// doWhile, repeat) wrap their body and draw a back edge. Node ids are the definition's own `id`, else their path
// in the tree ("root", "root.0", "root.1.b0", …), which is what an execution view highlights.

export const BOX = { w: 150, h: 40, gapX: 30, gapY: 36 };

const CHILDREN = {
  sequence: (n) => (n.steps ?? []).map((c, i) => [String(i), c]),
  choice: (n) => [...(n.branches ?? []).map((b, i) => [`b${i}`, b.do]), ...(n.otherwise ? [['otherwise', n.otherwise]] : [])],
  parallel: (n) => (n.branches ?? []).map((c, i) => [`b${i}`, c]),
  try: (n) => [['do', n.do], ...(n.catch ? [['catch', n.catch]] : []), ...(n.finally ? [['finally', n.finally]] : [])],
};
const LOOPS = new Set(['map', 'while', 'doWhile', 'repeat']);

export function label(node) {
  if (!node || typeof node !== 'object') return '?';
  if (node.type === 'task') return node.action ?? node.composition ?? 'task';
  if (node.type === 'repeat') return `repeat ×${node.times}`;
  return node.type ?? '?';
}

/** → {nodes: [{id, label, type, x, y, w, h}], edges: [{from, to, back?}], width, height} */
export function layout(root) {
  const nodes = [];
  const edges = [];
  const place = (node, path, x, y) => {
    const id = node?.id ?? path;
    const type = node?.type ?? 'unknown';
    const self = { id, label: label(node), type, x, y, w: BOX.w, h: BOX.h };
    nodes.push(self);
    if (type === 'sequence') {
      let cy = y + BOX.h + BOX.gapY;
      let width = BOX.w;
      let prev = id;
      for (const [key, child] of CHILDREN.sequence(node)) {
        const sub = place(child, `${path}.${key}`, x, cy);
        edges.push({ from: prev, to: sub.id });
        prev = sub.lastId;
        cy += sub.height + BOX.gapY;
        width = Math.max(width, sub.width);
      }
      return { id, lastId: prev, width, height: cy - y - BOX.gapY };
    }
    const branches = CHILDREN[type]?.(node) ?? (LOOPS.has(type) && node.do ? [['do', node.do]] : []);
    if (branches.length === 0) return { id, lastId: id, width: BOX.w, height: BOX.h };
    let cx = x;
    let height = 0;
    const subs = [];
    for (const [key, child] of branches) {
      const sub = place(child, `${path}.${key}`, cx, y + BOX.h + BOX.gapY);
      edges.push({ from: id, to: sub.id });
      if (LOOPS.has(type)) edges.push({ from: sub.lastId, to: id, back: true });
      subs.push(sub);
      cx += sub.width + BOX.gapX;
      height = Math.max(height, sub.height);
    }
    const width = Math.max(BOX.w, cx - x - BOX.gapX);
    self.x = x + (width - BOX.w) / 2;
    return { id, lastId: subs.length === 1 ? subs[0].lastId : id, width, height: BOX.h + BOX.gapY + height };
  };
  const size = place(root, 'root', 0, 0);
  return { nodes, edges, width: size.width, height: size.height };
}
