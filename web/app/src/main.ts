// Entry point: the shell first (so the app shows at once, even offline), then the wasm
// module, the stored state, the silent re-authorization and any interrupted send.

import './styles.css';
import { h, replace } from './ui/dom';
import { mount, route } from './ui/shell';
import * as ksef from './data/ksef';
import * as net from './data/net';
import * as perms from './data/perms';
import * as send from './data/send';
import { openDb } from './data/db';
import { invoicesView } from './views/invoices';
import { editorView } from './views/editor';
import { invoiceView } from './views/invoice';
import { printView } from './views/print';
import { upoView } from './views/upo';
import { settingsView, systemView } from './views/settings';
import { usersView } from './views/users';
// issue 8: offline modes
import { register as registerOffline } from './data/offline';
import { registerPrint as registerOfflinePrint } from './views/offlineSend';
import { confirmationView } from './views/confirmation';

route(/^\/przychody$/, invoicesView);
route(/^\/faktura\/(nowa)$/, editorView);
route(/^\/faktura\/([\w-]+)\/edycja$/, editorView);
route(/^\/faktura\/([\w-]+)\/druk$/, printView);
route(/^\/faktura\/([\w-]+)\/potwierdzenie$/, confirmationView); // issue 8
registerOffline(); // issue 8
registerOfflinePrint(); // issue 8
route(/^\/faktura\/([\w-]+)\/upo\/(\d+)$/, upoView);
route(/^\/faktura\/([\w-]+)(?:\/(ksef))?$/, invoiceView);
route(/^\/ustawienia\/rozliczenia(?:\/(\w+))?$/, settingsView);
route(/^\/ustawienia\/uzytkownicy(?:\/([\w-]+))?$/, usersView);
route(/^\/ustawienia\/system$/, systemView);

// Close open dropdown menus on any click outside them.
document.addEventListener('click', (e) => {
  const inside = (e.target as HTMLElement).closest('.dropdown');
  for (const m of document.querySelectorAll<HTMLElement>('.dropdown-menu')) {
    if (!inside || !inside.contains(m)) m.hidden = true;
  }
});

async function start(): Promise<void> {
  const app = document.getElementById('app')!;
  try {
    await openDb();
    await Promise.all([perms.load(), ksef.loadAuth(), ksef.initKsef()]);
  } catch (e) {
    replace(app, h('div', { class: 'msg msg-error', role: 'alert' }, `Nie udało się uruchomić aplikacji: ${(e as Error).message}`));
    return;
  }
  mount(app);
  net.start();
  document.documentElement.dataset.ready = '1';
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js').catch(() => undefined);
  }
  await ksef.resumeAuth();
  await send.resumePending().catch(() => undefined);
}

void start();
