import { describe, expect, it } from 'vitest';
import { describe as describeNode, layout } from '../../console/graph.js';
import { type CompositionNode, childrenOf, nodeAt } from '../../src/domain/composition.js';
import { everyNodeKind } from './console-fixtures.js';

/** Every node path of a definition, from the domain's own traversal (the paths the engine's history uses). */
function domainPaths(node: CompositionNode, path = '/root'): string[] {
  return [path, ...childrenOf(node).flatMap((c) => domainPaths(c.node, `${path}/${c.segment}`))];
}

const inside = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
  a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
const overlap = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('console graph layout', () => {
  const g = layout(everyNodeKind);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));

  it('draws one node per IR node, identified by the JSON pointer the execution history uses', () => {
    const paths = domainPaths(everyNodeKind.root);
    expect(g.nodes.map((n) => n.id).sort()).toEqual([...paths].sort());
    for (const n of g.nodes) expect(nodeAt(everyNodeKind, n.id)?.type).toBe(n.type);
    const kinds = new Set(g.nodes.map((n) => n.type));
    for (const k of ['task', 'sequence', 'choice', 'parallel', 'map', 'while', 'doWhile', 'repeat', 'try', 'wait', 'pass', 'set', 'succeed', 'fail']) {
      expect(kinds).toContain(k);
    }
  });

  it('lays boxes out without overlaps, frames around their contents, inside the reported size', () => {
    const boxes = g.nodes.filter((n) => !n.frame);
    for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(overlap(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
    for (const n of g.nodes) {
      expect(inside(n, { x: 0, y: 0, w: g.width, h: g.height }), `${n.id} outside the graph`).toBe(true);
      // A frame (sequence, loop) encloses its whole subtree.
      for (const f of g.nodes.filter((m) => m.frame && n.id.startsWith(`${m.id}/`))) expect(inside(n, f), `${n.id} not inside ${f.id}`).toBe(true);
    }
  });

  it('connects steps in order, joins branches into the next step, and loops back', () => {
    for (const e of g.edges) {
      expect(byId.has(e.from), e.from).toBe(true);
      expect(byId.has(e.to), e.to).toBe(true);
    }
    const has = (from: string, to: string, extra: object = {}) => expect(g.edges).toContainEqual(expect.objectContaining({ from, to, ...extra }));
    has('/root/steps/0', '/root/steps/1');
    has('/root/steps/2', '/root/steps/2/branches/0/do', { label: 'when #1' });
    has('/root/steps/2', '/root/steps/2/otherwise', { label: 'otherwise' });
    // Both branches of the choice and of the parallel lead on to the next step.
    has('/root/steps/2/branches/0/do', '/root/steps/3');
    has('/root/steps/2/otherwise', '/root/steps/3');
    has('/root/steps/3/branches/0', '/root/steps/4/do');
    has('/root/steps/3/branches/1', '/root/steps/4/do');
    has('/root/steps/4/do', '/root/steps/4/do', { back: true });
    has('/root/steps/7/do/steps/1', '/root/steps/7/do/steps/0', { back: true });
    // try: do and catches side by side, then finally; `fail` itself leads nowhere.
    has('/root/steps/8', '/root/steps/8/catch/0/do', { label: 'catch Oops', error: true });
    has('/root/steps/8/catch/1/do', '/root/steps/8/finally', { label: 'finally' });
    expect(g.edges.filter((e) => e.from === '/root/steps/8/do')).toEqual([]);
    expect(g.edges.filter((e) => e.from === '/root/steps/9/branches/0/do' || e.from === '/root/steps/9/otherwise')).toEqual([]);
  });

  it('labels nodes with what they do, their id, retry and timeout', () => {
    expect(describeNode({ type: 'task', action: 'step', id: 'first', retry: { maxAttempts: 3 }, timeoutMs: 5000 })).toEqual({
      title: 'step',
      detail: 'task · #first · retry ×3 · timeout 5 s',
    });
    expect(describeNode({ type: 'task', composition: 'child' }).title).toBe('⇢ child');
    expect(describeNode({ type: 'wait', ms: 1000 }).title).toBe('wait 1 s');
    expect(describeNode({ type: 'wait', until: '2030-01-01T00:00:00Z' }).title).toBe('wait until …');
    expect(describeNode({ type: 'fail', error: 'Oops' }).title).toBe('fail Oops');
    expect(describeNode({ type: 'set', vars: { a: 1, b: 2 } }).title).toBe('set a, b');
    expect(describeNode({ type: 'repeat', times: 4, do: { type: 'pass' } }).title).toBe('repeat ×4');
    expect(byId.get('/root/steps/5')?.title).toBe('while (≤ 3)');
  });

  it('centres a header over its branches and a narrow step in a wide frame', () => {
    const par = byId.get('/root/steps/3')!;
    const [b0, b1] = [byId.get('/root/steps/3/branches/0')!, byId.get('/root/steps/3/branches/1')!];
    expect(par.x + par.w / 2).toBeCloseTo((b0.x + b1.x + b1.w) / 2);
    const root = byId.get('/root')!;
    const first = byId.get('/root/steps/0')!;
    expect(first.x + first.w / 2).toBeCloseTo(root.x + root.w / 2, 0);
  });
});
