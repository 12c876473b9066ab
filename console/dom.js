// Element building without innerHTML: every text from the API goes in as text, never as markup.

/** h('div.cls#id', {attrs, on:{click}}, ...children) */
export function h(tag, props = {}, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || 'div');
  for (const part of rest) {
    if (part.startsWith('.')) el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(props ?? {})) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function show(...children) {
  const view = document.getElementById('view');
  view.replaceChildren();
  append(view, children);
}

export function json(value) {
  return h('pre.json', {}, JSON.stringify(value, null, 2));
}

export function errorBox(err) {
  return h('div.error', { role: 'alert' }, err?.message ?? String(err));
}

export function time(ms) {
  return typeof ms === 'number' ? new Date(ms).toLocaleString() : '';
}

/** A key-value editor (OpenWhisk `[{key, value}]`): values are JSON when they parse, strings otherwise. */
export function keyValueEditor(initial = [], testid = 'params') {
  const rows = h('div.kv-rows');
  const add = (key = '', value = '') => {
    const row = h('div.kv-row', {},
      h('input.kv-key', { placeholder: 'key', value: key }),
      h('input.kv-value', { placeholder: 'value (JSON or text)', value: typeof value === 'string' ? value : JSON.stringify(value) }),
      h('button.kv-remove', { type: 'button', on: { click: () => row.remove() } }, '×'));
    rows.append(row);
  };
  for (const kv of initial) add(kv.key, kv.value);
  const el = h('div.kv', { 'data-testid': testid }, rows,
    h('button.kv-add', { type: 'button', on: { click: () => add() } }, '+ parameter'));
  return {
    el,
    add,
    value() {
      return [...rows.querySelectorAll('.kv-row')]
        .map((r) => [r.querySelector('.kv-key').value.trim(), r.querySelector('.kv-value').value])
        .filter(([k]) => k !== '')
        .map(([key, raw]) => ({ key, value: parseLoose(raw) }));
    },
  };
}

function parseLoose(raw) {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
