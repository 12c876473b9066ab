import { api } from '../api.js';
import { h, json, show, time } from '../dom.js';

const STATUS = ['success', 'application error', 'action developer error', 'whisk internal error'];

function annotation(rec, key) {
  return rec.annotations?.find((a) => a.key === key)?.value;
}

/** Cold when the record carries `initTime` (the container was created and initialised for it). */
function start(rec) {
  if (annotation(rec, 'initTime') !== undefined) return 'cold';
  return annotation(rec, 'waitTime') !== undefined ? 'warm' : '';
}

export async function activationsView() {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const name = h('input#filter-name', { placeholder: 'action name', value: q.get('name') ?? '' });
  const since = h('input#filter-since', { type: 'datetime-local' });
  const upto = h('input#filter-upto', { type: 'datetime-local' });
  const table = h('div#activations');
  const load = async () => {
    const p = new URLSearchParams({ limit: '50', docs: 'true' });
    if (name.value.trim()) p.set('name', name.value.trim());
    if (since.value) p.set('since', String(new Date(since.value).getTime()));
    if (upto.value) p.set('upto', String(new Date(upto.value).getTime()));
    const { data } = await api('GET', `/activations?${p}`);
    table.replaceChildren(
      data.length === 0
        ? h('p.empty', {}, 'No activations.')
        : h('table.list', {},
            h('tr', {}, ['id', 'name', 'status', 'start', 'duration', 'start kind'].map((t) => h('th', {}, t))),
            data.map((r) => h('tr', {},
              h('td', {}, h('a', { href: `#/activations/${r.activationId}` }, r.activationId)),
              h('td', {}, r.name),
              h('td', { class: `status-${r.response?.success ? 'ok' : 'fail'}` }, r.response?.status ?? STATUS[r.statusCode] ?? ''),
              h('td', {}, time(r.start)),
              h('td', {}, `${r.duration} ms`),
              h('td', {}, start(r))))),
    );
  };
  show(
    h('h1', {}, 'Activations'),
    h('form.filters', { on: { submit: (e) => (e.preventDefault(), load()) } }, name, h('label', {}, 'since', since), h('label', {}, 'until', upto), h('button#filter', { type: 'submit' }, 'Filter')),
    table,
  );
  await load();
}

export async function activationView(id) {
  const { data: r } = await api('GET', `/activations/${id}`);
  const waitTime = annotation(r, 'waitTime');
  const initTime = annotation(r, 'initTime');
  const composite = annotation(r, 'kind') === 'composition' || annotation(r, 'kind') === 'sequence';
  show(
    h('h1', {}, r.name, ' ', h('small', {}, id)),
    h('dl.facts#activation-facts', {},
      h('dt', {}, 'status'), h('dd#activation-status', { class: `status-${r.response.success ? 'ok' : 'fail'}` }, r.response.status),
      h('dt', {}, 'start'), h('dd', {}, time(r.start)),
      h('dt', {}, 'duration'), h('dd', {}, `${r.duration} ms`),
      h('dt', {}, 'wait'), h('dd', {}, waitTime === undefined ? '—' : `${waitTime} ms`),
      h('dt', {}, 'init'), h('dd', {}, initTime === undefined ? '—' : `${initTime} ms`),
      h('dt', {}, 'start kind'), h('dd#activation-start', {}, start(r) || '—'),
      h('dt', {}, 'kind'), h('dd', {}, annotation(r, 'kind') ?? ''),
      r.cause ? [h('dt', {}, 'cause'), h('dd', {}, h('a', { href: `#/activations/${r.cause}` }, r.cause))] : null),
    h('h2', {}, 'Result'), h('div#activation-result', {}, json(r.response.result)),
    // A composition's or sequence's `logs` are its steps' activation ids (docs/compositions.md): link them.
    ...(composite
      ? [h('h2', {}, 'Steps'), h('ol#activation-steps', {}, (r.logs ?? []).map((id) => h('li', {}, h('a', { href: `#/activations/${id}` }, id)))),
          annotation(r, 'kind') === 'composition' ? h('p', {}, h('a#execution-link', { href: `#/compositions/${encodeURIComponent(r.name)}/executions/${id}` }, 'execution view')) : null]
      : [h('h2', {}, 'Logs'), h('pre.logs#activation-logs', {}, (r.logs ?? []).join('\n') || '(none)')]),
  );
}
