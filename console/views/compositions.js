import { api } from '../api.js';
import { errorBox, h, json, show, time } from '../dom.js';
import { BOX, layout } from '../graph.js';

const SVG = 'http://www.w3.org/2000/svg';
const POLL_MS = 1000;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'canceled', 'timed_out', 'timedOut']);

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** The definition of a composition document, wherever the API puts it. */
function definitionOf(doc) {
  return doc?.definition ?? doc?.composition ?? doc?.exec?.composition ?? doc?.root ?? doc;
}

/** Draws the state machine; `highlight` maps node id → 'current' | 'done' | 'failed'. */
export function drawGraph(definition, highlight = new Map()) {
  const g = layout(definition);
  const pad = 10;
  const svg = s('svg', { class: 'graph', width: g.width + 2 * pad, height: g.height + 2 * pad, viewBox: `${-pad} ${-pad} ${g.width + 2 * pad} ${g.height + 2 * pad}` });
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  for (const e of g.edges) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    const d = e.back
      ? `M${a.x + a.w} ${a.y + a.h / 2} C${a.x + a.w + 40} ${a.y + a.h / 2} ${b.x + b.w + 40} ${b.y + b.h / 2} ${b.x + b.w} ${b.y + b.h / 2}`
      : `M${a.x + a.w / 2} ${a.y + a.h} L${b.x + b.w / 2} ${b.y}`;
    svg.append(s('path', { d, class: e.back ? 'edge back' : 'edge' }));
  }
  for (const n of g.nodes) {
    const state = highlight.get(n.id) ?? '';
    svg.append(s('g', { class: `node ${n.type} ${state}`, 'data-node': n.id },
      s('rect', { x: n.x, y: n.y, width: n.w, height: n.h, rx: 6 }),
      s('text', { x: n.x + n.w / 2, y: n.y + BOX.h / 2 + 5, 'text-anchor': 'middle' }, n.label.length > 20 ? `${n.label.slice(0, 19)}…` : n.label)));
  }
  return svg;
}

export async function compositionsView() {
  let data;
  try {
    ({ data } = await api('GET', '/compositions?limit=200'));
  } catch (err) {
    if (err.status === 404) return show(h('h1', {}, 'Compositions'), h('p.empty', {}, 'This server has no compositions API yet.'));
    throw err;
  }
  show(
    h('h1', {}, 'Compositions'),
    data.length === 0
      ? h('p.empty', {}, 'No compositions.')
      : h('table.list#compositions', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'updated')),
          data.map((c) => h('tr', {}, h('td', {}, h('a', { href: `#/compositions/${encodeURIComponent(c.name)}` }, c.name)), h('td', {}, time(c.updated))))),
  );
}

export async function compositionView(name) {
  const { data: doc } = await api('GET', `/compositions/${encodeURIComponent(name)}`);
  const runs = h('div#executions');
  show(h('h1', {}, name), h('div.graph-box', {}, drawGraph(definitionOf(doc))), h('h2', {}, 'Executions'), runs);
  try {
    const { data } = await api('GET', `/compositions/${encodeURIComponent(name)}/executions?limit=50`);
    const list = Array.isArray(data) ? data : data.executions ?? [];
    runs.replaceChildren(list.length === 0 ? h('p.empty', {}, 'No executions.') : h('table.list', {},
      h('tr', {}, h('th', {}, 'execution'), h('th', {}, 'state'), h('th', {}, 'started')),
      list.map((x) => h('tr', {},
        h('td', {}, h('a', { href: `#/compositions/${encodeURIComponent(name)}/executions/${x.executionId ?? x.id}` }, x.executionId ?? x.id)),
        h('td', {}, x.status ?? x.state ?? ''), h('td', {}, time(x.start ?? x.started))))));
  } catch (err) {
    runs.replaceChildren(errorBox(err));
  }
}

/** Which nodes to colour, from an execution document (its `steps`, and the step running now). */
export function highlights(exec) {
  const m = new Map();
  for (const step of exec.steps ?? exec.history ?? []) {
    const id = step.nodeId ?? step.node ?? step.stepId ?? step.id;
    if (id === undefined) continue;
    const st = step.status ?? step.state;
    m.set(id, st === 'failed' ? 'failed' : st === 'running' || st === 'started' ? 'current' : 'done');
  }
  for (const id of [exec.current, exec.currentStep, exec.currentNode].flat()) if (id !== undefined) m.set(id, 'current');
  return m;
}

/** The live view: redraws every second until the execution is finished or the user navigates away. */
export async function executionView(name, id) {
  const { data: doc } = await api('GET', `/compositions/${encodeURIComponent(name)}`);
  const definition = definitionOf(doc);
  let timer;
  let stopped = false;
  const tick = async () => {
    let exec;
    try {
      ({ data: exec } = await api('GET', `/compositions/${encodeURIComponent(name)}/executions/${id}`));
    } catch (err) {
      show(h('h1', {}, `${name} · ${id}`), errorBox(err));
      return;
    }
    const state = exec.status ?? exec.state ?? '';
    show(
      h('h1', {}, name, ' ', h('small', {}, id)),
      h('p', {}, 'state: ', h('strong#execution-state', {}, state)),
      h('div.graph-box', {}, drawGraph(definition, highlights(exec))),
      h('h2', {}, 'Steps'),
      h('table.list#steps', {}, h('tr', {}, h('th', {}, 'step'), h('th', {}, 'status'), h('th', {}, 'activation')),
        (exec.steps ?? exec.history ?? []).map((st) => h('tr', {},
          h('td', {}, st.nodeId ?? st.node ?? st.stepId ?? st.id ?? ''),
          h('td', {}, st.status ?? st.state ?? ''),
          h('td', {}, st.activationId ? h('a', { href: `#/activations/${st.activationId}` }, st.activationId) : '')))),
      exec.result !== undefined ? [h('h2', {}, 'Result'), json(exec.result)] : null,
    );
    if (!stopped && !TERMINAL.has(state)) timer = setTimeout(tick, POLL_MS);
  };
  await tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
