import { api } from '../api.js';
import { errorBox, h, json, keyValueEditor, show, time } from '../dom.js';

export async function actionsView() {
  const { data } = await api('GET', '/actions?limit=200');
  show(
    h('div.bar', {}, h('h1', {}, 'Actions'), h('a.button#new-action', { href: '#/actions/new' }, 'New action')),
    data.length === 0
      ? h('p.empty', {}, 'No actions yet.')
      : h('table.list#actions', {},
          h('tr', {}, h('th', {}, 'name'), h('th', {}, 'kind'), h('th', {}, 'version'), h('th', {}, 'updated')),
          data.map((a) => h('tr', {},
            h('td', {}, h('a', { href: `#/actions/${encodeURIComponent(a.name)}` }, a.name)),
            h('td', {}, a.annotations?.find((x) => x.key === 'exec')?.value ?? ''),
            h('td', {}, a.version),
            h('td', {}, time(a.updated))))),
  );
}

export function newActionView() {
  show(h('h1', {}, 'New action'), actionForm());
}

export async function actionView(name) {
  const { data: action } = await api('GET', `/actions/${encodeURIComponent(name)}`);
  show(
    h('h1', {}, action.name, ' ', h('small', {}, `v${action.version} · ${action.exec.kind}`)),
    h('div.columns', {}, h('section', {}, h('h2', {}, 'Edit'), actionForm(action)), h('section', {}, h('h2', {}, 'Invoke'), invokeForm(action))),
  );
}

function actionForm(existing) {
  const name = h('input#action-name', { value: existing?.name ?? '', placeholder: 'name', disabled: !!existing, required: true });
  const kind = h('input#action-kind', { value: existing?.exec.kind ?? 'nodejs:default' });
  const code = h('textarea#action-code', { rows: 12, spellcheck: 'false' },
    existing?.exec.code ?? 'function main(params) {\n  return { greeting: `Hello ${params.name ?? "world"}` };\n}\n');
  const timeout = h('input#action-timeout', { type: 'number', value: existing?.limits?.timeout ?? 60000 });
  const memory = h('input#action-memory', { type: 'number', value: existing?.limits?.memory ?? 256 });
  const params = keyValueEditor(existing?.parameters ?? [], 'action-params');
  const status = h('div.status');
  return h('form.action-form', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        status.replaceChildren();
        const body = {
          exec: { kind: kind.value, code: code.value },
          parameters: params.value(),
          limits: { timeout: Number(timeout.value), memory: Number(memory.value) },
        };
        try {
          const n = existing?.name ?? name.value.trim();
          await api('PUT', `/actions/${encodeURIComponent(n)}?overwrite=${existing ? 'true' : 'false'}`, body);
          if (existing) status.append(h('div.ok', {}, 'Saved.'));
          else location.hash = `#/actions/${encodeURIComponent(n)}`;
        } catch (err) {
          status.append(errorBox(err));
        }
      },
    },
  },
  h('label', {}, 'Name', name), h('label', {}, 'Kind', kind), h('label', {}, 'Code', code),
  h('div.row', {}, h('label', {}, 'Timeout (ms)', timeout), h('label', {}, 'Memory (MB)', memory)),
  h('fieldset', {}, h('legend', {}, 'Default parameters'), params.el),
  h('button#save-action', { type: 'submit' }, existing ? 'Save' : 'Create'), status);
}

function invokeForm(action) {
  const params = keyValueEditor([], 'invoke-params');
  const out = h('div#invoke-result');
  return h('form.invoke-form', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        out.replaceChildren(h('p.muted', {}, 'Running…'));
        const payload = Object.fromEntries(params.value().map((kv) => [kv.key, kv.value]));
        try {
          const { status, data } = await api('POST', `/actions/${encodeURIComponent(action.name)}?blocking=true`, payload);
          const id = data.activationId;
          out.replaceChildren(
            h('p', {}, `${status} · `, h('a.activation-link', { href: `#/activations/${id}` }, id)),
            data.response ? json(data.response.result) : h('p.muted', {}, 'Still running: see the activation.'),
          );
        } catch (err) {
          out.replaceChildren(errorBox(err));
        }
      },
    },
  }, h('fieldset', {}, h('legend', {}, 'Parameters'), params.el), h('button#invoke', { type: 'submit' }, 'Invoke'), out);
}
