import { api } from '../api.js';
import { errorBox, h, json, show, time } from '../dom.js';
import { currentSteps, replay, TERMINAL } from '../execution.js';
import { BOX, duration, layout } from '../graph.js';

// The compositions views, against /api/v1/namespaces/_/compositions (docs/compositions.md): the list, one
// composition's graph with a form to start it and its executions, and the live view of one execution.

const SVG = 'http://www.w3.org/2000/svg';
const POLL_MS = 500;
const path = (name) => `/compositions/${encodeURIComponent(name)}`;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

const clip = (text, max = 24) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Draws the definition; `states` maps node path → CSS state class ('current', 'active', 'done', 'failed', …). */
export function drawGraph(definition, states = new Map()) {
  const g = layout(definition);
  const pad = 14;
  const W = g.width + 2 * pad + 40;
  const H = g.height + 2 * pad;
  const svg = s('svg', { class: 'graph', width: W, height: H, viewBox: `${-pad} ${-pad} ${W} ${H}`, role: 'img', 'aria-label': 'composition graph' });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M0 0 L10 5 L0 10 z', class: 'arrowhead' }))));
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const boxes = s('g');
  for (const n of g.nodes) {
    const state = states.get(n.id) ?? '';
    const title = s('title', {}, `${n.id}\n${n.title}\n${n.detail}`);
    if (n.frame) {
      boxes.append(s('g', { class: `node frame ${n.type} ${state}`, 'data-node': n.id }, title,
        s('rect', { x: n.x, y: n.y, width: n.w, height: n.h, rx: 8 }),
        s('text', { x: n.x + 8, y: n.y + 14, class: 'frame-label' }, clip(`${n.title}${n.detail && n.detail !== n.type ? ` · ${n.detail.split(' · ').slice(1).join(' · ')}` : ''}`, 40))));
    } else {
      boxes.append(s('g', { class: `node ${n.type} ${state}`, 'data-node': n.id }, title,
        s('rect', { x: n.x, y: n.y, width: n.w, height: n.h, rx: 6 }),
        s('text', { x: n.x + n.w / 2, y: n.y + 18, 'text-anchor': 'middle', class: 'title' }, clip(n.title)),
        s('text', { x: n.x + n.w / 2, y: n.y + 34, 'text-anchor': 'middle', class: 'detail' }, clip(n.detail, 28))));
    }
  }
  const lines = s('g');
  for (const e of g.edges) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    let d;
    let lx;
    let ly;
    if (e.back) {
      // Around the right side of the loop body, from its last step back to its first.
      const x = Math.max(a.x + a.w, b.x + b.w) + 16;
      d = `M${a.x + a.w} ${a.y + a.h / 2} C${x} ${a.y + a.h / 2} ${x} ${b.y + b.h / 2} ${b.x + b.w} ${b.y + b.h / 2}`;
      lx = x + 2;
      ly = (a.y + b.y + b.h) / 2;
    } else {
      const x1 = a.x + a.w / 2;
      const y1 = a.y + (a.frame ? a.h : BOX.h);
      const x2 = b.x + b.w / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      d = x1 === x2 ? `M${x1} ${y1} L${x2} ${y2}` : `M${x1} ${y1} C${x1} ${my} ${x2} ${my} ${x2} ${y2}`;
      lx = x2 + 7;
      ly = y2 - 9;
    }
    lines.append(s('path', { d, class: `edge${e.back ? ' back' : ''}${e.error ? ' error' : ''}`, 'marker-end': 'url(#arrow)' }));
    if (e.label) lines.append(s('text', { x: lx, y: ly, class: 'edge-label' }, e.label));
  }
  svg.append(boxes, lines);
  return svg;
}

/** Node path → CSS class: the innermost running steps are 'current' (or 'waiting'), their enclosing nodes 'active'. */
export function nodeClasses(nodes) {
  const current = new Set(currentSteps(nodes));
  const out = new Map();
  for (const [p, st] of nodes) {
    if (st === 'current' || st === 'waiting' || st === 'retrying') out.set(p, current.has(p) ? `current ${st}` : 'active');
    else out.set(p, st);
  }
  return out;
}

export async function compositionsView() {
  const { data } = await api('GET', '/compositions?limit=200');
  show(
    h('h1', {}, 'Compositions'),
    data.length === 0
      ? h('p.empty', {}, 'No compositions. Deploy one with PUT /api/v1/namespaces/_/compositions/{name} (docs/compositions.md).')
      : h('table.list#compositions', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'version'), h('th', {}, 'updated')),
          data.map((c) => h('tr', {},
            h('td', {}, h('a', { href: `#${path(c.name)}` }, c.name)),
            h('td', {}, c.version ?? ''),
            h('td', {}, time(c.updated))))),
  );
}

/** Executions started from this tab, so a running one is listed before it has an activation record. */
const STARTED = 'whirl.started';
function remember(name, id) {
  const all = JSON.parse(sessionStorage.getItem(STARTED) ?? '{}');
  all[name] = [{ id, start: Date.now() }, ...(all[name] ?? [])].slice(0, 20);
  sessionStorage.setItem(STARTED, JSON.stringify(all));
}
function remembered(name) {
  return JSON.parse(sessionStorage.getItem(STARTED) ?? '{}')[name] ?? [];
}

export async function compositionView(name) {
  const { data: doc } = await api('GET', path(name));
  const input = h('textarea#execution-input', { rows: 4, spellcheck: 'false' }, '{}');
  const status = h('div.status');
  const start = h('form.start', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        status.replaceChildren();
        try {
          const body = JSON.parse(input.value || '{}');
          const { data } = await api('POST', path(name), body);
          remember(name, data.activationId);
          location.hash = `#${path(name)}/executions/${data.activationId}`;
        } catch (err) {
          status.append(errorBox(err));
        }
      },
    },
  }, h('label', {}, 'input (JSON)', input), h('button#start-execution', { type: 'submit' }, 'Start execution'), status);
  const runs = h('div#executions');
  show(
    h('h1', {}, name, ' ', h('small', {}, `v${doc.version}`)),
    h('div.graph-box#graph', {}, drawGraph(doc.definition)),
    h('div.columns', {},
      h('section', {}, h('h2', {}, 'Executions'), runs),
      h('section', {}, h('h2', {}, 'Start'), start)),
    h('details', {}, h('summary', {}, 'definition'), json(doc.definition)),
  );
  runs.replaceChildren(await executionsTable(name));
}

/**
 * The API has no "list executions": finished ones come from their activation records (kind composition, same
 * name), running ones from those started in this tab; each links to the live view.
 */
async function executionsTable(name) {
  let records = [];
  try {
    ({ data: records } = await api('GET', `/activations?${new URLSearchParams({ name, limit: '30', docs: 'true' })}`));
  } catch (err) {
    return errorBox(err);
  }
  const rows = new Map();
  for (const r of records) {
    if (r.annotations?.find((a) => a.key === 'kind')?.value !== 'composition') continue;
    rows.set(r.activationId, { id: r.activationId, start: r.start, state: r.response?.success ? 'succeeded' : r.response?.result?.error?.name === 'Cancelled' ? 'cancelled' : 'failed' });
  }
  for (const x of remembered(name)) if (!rows.has(x.id)) rows.set(x.id, { id: x.id, start: x.start, state: 'started here' });
  const list = [...rows.values()].sort((a, b) => b.start - a.start);
  if (list.length === 0) return h('p.empty', {}, 'No executions yet.');
  return h('table.list', {}, h('tr', {}, h('th', {}, 'execution'), h('th', {}, 'state'), h('th', {}, 'started')),
    list.map((x) => h('tr', {},
      h('td', {}, h('a.execution-link', { href: `#${path(name)}/executions/${x.id}` }, x.id)),
      h('td', {}, x.state), h('td', {}, time(x.start)))));
}

/** The live view: polls status and history until the execution is finished or the user navigates away. */
export async function executionView(name, id) {
  const { data: doc } = await api('GET', path(name));
  const titles = new Map(layout(doc.definition).nodes.map((n) => [n.id, n.title]));
  const history = [];
  let exec;
  let timer;
  let stopped = false;
  const base = `${path(name)}/executions/${id}`;
  const render = (error) => {
    const { nodes, steps } = replay(history, exec?.status);
    const running = exec?.status === 'running';
    show(
      h('h1', {}, h('a', { href: `#${path(name)}` }, name), ' ', h('small', {}, id)),
      error ? errorBox(error) : null,
      h('dl.facts#execution-facts', {},
        h('dt', {}, 'state'), h('dd', {}, h('strong#execution-state', { class: `state-${exec?.status}` }, exec?.status ?? '…')),
        h('dt', {}, 'version'), h('dd', {}, exec?.version ?? ''),
        h('dt', {}, 'started'), h('dd', {}, time(exec?.start)),
        h('dt', {}, 'took'), h('dd', {}, exec?.end ? duration(exec.end - exec.start) : running ? 'running…' : ''),
        h('dt', {}, 'record'), h('dd', {}, running ? '(written when it ends)' : h('a#execution-record', { href: `#/activations/${id}` }, id))),
      running ? h('button#cancel-execution', { on: { click: () => cancel() } }, 'Cancel') : null,
      h('div.graph-box#graph', {}, drawGraph(doc.definition, nodeClasses(nodes))),
      h('h2', {}, 'Steps'),
      steps.length === 0 ? h('p.empty', {}, 'No task or wait steps yet.') : h('table.list#steps', {},
        h('tr', {}, ['step', 'node', 'status', 'activation', 'time'].map((t) => h('th', {}, t))),
        steps.map((st) => h('tr', { class: `step-${st.status}`, 'data-path': st.path }, h('td', {}, st.kind === 'task' ? `task (attempt ${st.attempt})` : 'wait'),
          h('td', {}, titles.get(st.path) ?? '', ' ', h('code.muted', {}, st.path)),
          h('td', { class: `status-${st.status === 'failed' ? 'fail' : st.status === 'succeeded' || st.status === 'done' ? 'ok' : ''}` }, st.status, st.error ? ` (${st.error.name})` : ''),
          h('td', {}, st.activationId ? h('a.activation-link', { href: `#/activations/${st.activationId}` }, st.activationId) : ''),
          h('td', {}, st.kind === 'wait' ? `until ${new Date(st.resumeAt).toLocaleTimeString()}` : st.duration !== undefined ? `${st.duration} ms` : '')))),
      exec?.result !== undefined ? [h('h2', {}, 'Result'), h('div#execution-result', {}, json(exec.result))] : null,
      exec?.error !== undefined ? [h('h2', {}, 'Error'), h('div#execution-error', {}, json(exec.error))] : null,
    );
  };
  const cancel = async () => {
    try {
      ({ data: exec } = await api('POST', `${base}/cancel`));
    } catch (err) {
      return render(err);
    }
    await tick();
  };
  const tick = async () => {
    clearTimeout(timer);
    try {
      ({ data: exec } = await api('GET', base));
      // History after what we have: the log is append-only with dense `seq`, so polling stays incremental.
      const after = history.at(-1)?.seq ?? 0;
      const { data: more } = await api('GET', `${base}/history?after=${after}&limit=1000`);
      history.push(...more);
      if (stopped) return;
      render();
    } catch (err) {
      if (stopped) return;
      render(err);
    }
    if (!stopped && !TERMINAL.has(exec?.status)) timer = setTimeout(tick, POLL_MS);
  };
  await tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
