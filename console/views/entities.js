import { api } from '../api.js';
import { h, json, show, time } from '../dom.js';

/** Triggers and rules: lists with their details, and rule enable/disable. */
export async function entityListView(collection) {
  let data;
  try {
    ({ data } = await api('GET', `/${collection}?limit=200`));
  } catch (err) {
    if (err.status === 404) return show(h('h1', {}, title(collection)), h('p.empty', {}, `This server has no ${collection} API.`));
    throw err;
  }
  const details = h('div.details');
  const open = async (name) => {
    const { data: doc } = await api('GET', `/${collection}/${encodeURIComponent(name)}`);
    const toggle = collection === 'rules'
      ? h('button', { on: { click: async () => {
          await api('POST', `/rules/${encodeURIComponent(name)}`, { status: doc.status === 'active' ? 'inactive' : 'active' });
          await open(name);
        } } }, doc.status === 'active' ? 'Disable' : 'Enable')
      : null;
    details.replaceChildren(h('h2', {}, name), toggle, json(doc));
  };
  show(
    h('h1', {}, title(collection)),
    data.length === 0
      ? h('p.empty', {}, `No ${collection}.`)
      : h('table.list', { id: collection }, h('tr', {}, h('th', {}, 'name'), h('th', {}, collection === 'rules' ? 'status' : 'updated')),
          data.map((e) => h('tr', {},
            h('td', {}, h('a', { href: '#', on: { click: (ev) => (ev.preventDefault(), open(e.name)) } }, e.name)),
            h('td', {}, collection === 'rules' ? e.status ?? '' : time(e.updated))))),
    details,
  );
}

function title(c) {
  return c[0].toUpperCase() + c.slice(1);
}
