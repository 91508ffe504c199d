// The app shell: the blue top bar (navigation, KSeF authorization status, demo user
// switcher), the "KSeF unreachable" banner and a tiny hash router.

import { h, replace, toast } from './dom';
import * as ksef from '../data/ksef';
import * as net from '../data/net';
import * as perms from '../data/perms';
import * as send from '../data/send';

export type View = (root: HTMLElement, params: string[]) => void | (() => void) | Promise<void | (() => void)>;

const routes: [RegExp, View][] = [];
let cleanup: (() => void) | void;
let main: HTMLElement;

export function route(pattern: RegExp, view: View): void {
  routes.push([pattern, view]);
}

export function go(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

async function render(): Promise<void> {
  const path = location.hash.replace(/^#/, '') || '/przychody';
  if (cleanup) cleanup();
  cleanup = undefined;
  main.replaceChildren();
  delete main.dataset.route;
  document.body.classList.remove('print-mode');
  for (const [re, view] of routes) {
    const m = re.exec(path);
    if (m) {
      try {
        cleanup = await view(main, m.slice(1).map(decodeURIComponent));
      } catch (e) {
        replace(main, h('div', { class: 'msg msg-error', role: 'alert' }, ksef.errorText(e)));
      }
      markNav(path);
      main.dataset.route = path; // rendered (tests and tools wait for it)
      return;
    }
  }
  replace(main, h('p', null, 'Nie znaleziono strony.'));
}

function markNav(path: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    a.classList.toggle('active', path.startsWith(a.getAttribute('href')!.slice(1)));
  }
}

function authBadge(): HTMLElement {
  const btn = h('button', { class: 'ksef-status', type: 'button', title: 'Status autoryzacji KSeF' });
  const draw = (a: ksef.AuthView) => {
    const label = a.state === 'ACCEPTED' ? 'ACCEPTED' : a.state === 'ERROR' ? 'ERROR' : a.state === 'IN_PROGRESS' ? 'AUTORYZACJA…' : 'BRAK AUTORYZACJI';
    btn.dataset.state = a.state;
    btn.title = a.state === 'ERROR' && a.reason ? `ERROR: ${a.reason}` : 'Kliknij, aby autoryzować w KSeF';
    replace(btn, h('span', { class: 'dot', 'aria-hidden': 'true' }), ' KSEF ', h('span', { class: 'state' }, label));
  };
  draw(ksef.authView());
  ksef.onAuth(draw);
  btn.addEventListener('click', async () => {
    if (!perms.can('ksef.change_settings')) {
      toast('error', perms.refusal('ksef.change_settings'));
      return;
    }
    const a = await ksef.authorize().catch((e) => ({ state: 'ERROR', reason: ksef.errorText(e) }) as ksef.AuthView);
    if (a.state === 'ACCEPTED') toast('success', 'Autoryzacja KSeF: ACCEPTED');
    else toast('error', `Autoryzacja KSeF: ERROR — ${a.reason ?? ''}`);
  });
  return btn;
}

function userSwitcher(): HTMLElement {
  const sel = h('select', { id: 'user-switcher', 'aria-label': 'Zalogowany użytkownik (demo)' });
  const draw = () => {
    replace(sel, perms.allUsers().map((u) => h('option', { value: u.id, selected: u.id === perms.currentUser().id }, u.name)));
  };
  draw();
  perms.onChange(draw);
  sel.addEventListener('change', async () => {
    await perms.switchUser(sel.value);
    toast('info', `Zalogowano jako: ${perms.currentUser().name}`);
    void render();
  });
  return h('label', { class: 'user' }, 'Użytkownik: ', sel);
}

function banner(): HTMLElement {
  const el = h('div', { class: 'banner', id: 'net-banner' });
  const draw = () => {
    if (net.reach() === 'offline') {
      el.hidden = false;
      replace(el, h('div', { class: 'msg msg-error', role: 'alert' }, net.UNREACHABLE_TEXT, ' ', h('small', null, net.reachDetail())));
    } else {
      el.hidden = true;
      el.replaceChildren();
    }
  };
  draw();
  net.onReach((s) => {
    draw();
    if (s === 'online') {
      void perms.ensureToken().then(() => ksef.resumeAuth()).then(() => send.resumePending()).catch(() => undefined);
    }
  });
  return el;
}

/** A saved certificate that has expired or expires within ksef.CERT_WARN_DAYS, or an
 *  Offline certificate that KSeF holds as revoked, blocked or expired: said on every
 *  screen to those who can renew it or send with it (a new one takes the KSeF certificate
 *  module's enrolment, so the expiry warning comes a month ahead). */
function certBanner(): HTMLElement {
  const el = h('div', { class: 'banner', id: 'cert-banner', hidden: true });
  const draw = async () => {
    const status = await ksef.credentialStatus().catch(() => ({}) as Awaited<ReturnType<typeof ksef.credentialStatus>>);
    const concerned = perms.can('ksef.change_settings') || perms.can('ksef.change_document');
    const notes = (['auth', 'offline'] as const).flatMap((role) => {
      const info = status[role];
      const v = info && ksef.certValidity(role, info);
      return v && v.state !== 'ok' && concerned ? [{ role, state: v.state as string, text: v.text ?? '', bad: v.state !== 'soon' }] : [];
    });
    const check = await ksef.offlineCertCheck().catch(() => undefined);
    const said = check && ksef.offlineCertCheckText(check);
    const expiredHere = notes.some((n) => n.role === 'offline' && n.state === 'expired');
    if (check && said?.level === 'error' && concerned && !expiredHere) {
      notes.push({ role: 'offline', state: `ksef-${check.status.toLowerCase()}`, text: said.text, bad: true });
    }
    el.hidden = notes.length === 0;
    replace(el, notes.map(({ role, state, text, bad }) =>
      h('div', { class: `msg ${bad ? 'msg-error' : 'msg-warning'}`, role: bad ? 'alert' : 'status', dataset: { role, state } },
        text, ' ', h('a', { href: '#/ustawienia/rozliczenia/ksef' }, 'Ustawienia KSeF'))));
  };
  void draw();
  ksef.onCredentials(() => void draw());
  perms.onChange(() => void draw());
  setInterval(() => void draw(), 3_600_000);
  return el;
}

function progressBar(): HTMLElement {
  const bar = h('progress', { max: 1, value: 0 });
  const text = h('span');
  const el = h('div', { class: 'global-progress', hidden: true, role: 'status', 'aria-live': 'polite' }, 'Wysyłka do KSeF: ', bar, ' ', text);
  send.onProgress((p) => {
    el.hidden = p.phase === 'done';
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    text.textContent = `${p.done} / ${p.total}`;
  });
  return el;
}

export function mount(root: HTMLElement): void {
  const nav = h('nav', { 'aria-label': 'Menu główne' },
    h('div', { class: 'menu' }, h('span', { class: 'menu-title' }, 'Rozliczenia'),
      h('a', { href: '#/przychody' }, 'Przychody')),
    h('div', { class: 'menu' }, h('span', { class: 'menu-title' }, 'Ustawienia'),
      h('a', { href: '#/ustawienia/rozliczenia' }, 'Rozliczenia'),
      h('a', { href: '#/ustawienia/uzytkownicy' }, 'Użytkownicy/grupy'),
      h('a', { href: '#/ustawienia/system' }, 'System')),
  );
  const top = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/przychody' }, 'TMS'),
    nav,
    h('div', { class: 'spacer' }),
    authBadge(),
    userSwitcher(),
  );
  main = h('main', { id: 'main' });
  replace(root, top, banner(), certBanner(), progressBar(), main);
  window.addEventListener('hashchange', () => void render());
  void render();
}

export const rerender = () => void render();
