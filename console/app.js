import { session, verifyKey } from './api.js';
import { errorBox, h, show } from './dom.js';
import { actionsView, actionView, newActionView } from './views/actions.js';
import { activationsView, activationView } from './views/activations.js';
import { compositionsView, compositionView, executionView } from './views/compositions.js';
import { entityListView } from './views/entities.js';

/** Hash routes: `#/section[/name[/…]]`. */
const routes = [
  [/^#\/actions$/, () => actionsView()],
  [/^#\/actions\/new$/, () => newActionView()],
  [/^#\/actions\/([^/]+)$/, (name) => actionView(decodeURIComponent(name))],
  [/^#\/activations$/, () => activationsView()],
  [/^#\/activations\/([0-9a-f]{32})$/, (id) => activationView(id)],
  [/^#\/compositions$/, () => compositionsView()],
  [/^#\/compositions\/([^/]+)$/, (name) => compositionView(decodeURIComponent(name))],
  [/^#\/compositions\/([^/]+)\/executions\/([^/]+)$/, (name, id) => executionView(decodeURIComponent(name), id)],
  [/^#\/triggers$/, () => entityListView('triggers')],
  [/^#\/rules$/, () => entityListView('rules')],
];

let stopView;

async function render() {
  stopView?.();
  stopView = undefined;
  if (!session.key) return signInView();
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  const hash = location.hash || '#/actions';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  for (const [pattern, view] of routes) {
    const m = pattern.exec(hash);
    if (m) {
      try {
        // A view may return a stop function (live views poll until the user leaves them).
        stopView = await view(...m.slice(1));
      } catch (err) {
        show(errorBox(err));
      }
      return;
    }
  }
  location.hash = '#/actions';
}

function signInView() {
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  const key = h('input#key', { type: 'password', placeholder: 'uuid:key', autocomplete: 'off', size: 60 });
  const status = h('div.status');
  const form = h('form.signin', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        status.replaceChildren();
        try {
          const ns = await verifyKey(key.value);
          session.signIn(key.value);
          document.getElementById('who').textContent = ns;
          await render();
        } catch (err) {
          status.append(errorBox(err));
        }
      },
    },
  }, h('h1', {}, 'Sign in'), h('p', {}, 'Your API key, as in ~/.wskprops (AUTH=uuid:key).'), key, h('button#signin', { type: 'submit' }, 'Sign in'), status);
  show(form);
}

document.getElementById('signout').addEventListener('click', () => {
  session.signOut();
  render();
});
window.addEventListener('hashchange', render);
if (session.key) {
  verifyKey(session.key).then((ns) => (document.getElementById('who').textContent = ns), () => session.signOut());
}
render();
