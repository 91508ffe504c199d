// Ustawienia → Rozliczenia (tabs PODSTAWOWE and KSEF, manual chapter II) and
// Ustawienia → System ("Uprawnienia aktywne", demo data).

import type { CertificateInfo, Role } from 'ksef-module';
import { fmtShort, h, message, replace, toast } from '../ui/dom';
import * as db from '../data/db';
import * as inv from '../data/invoices';
import * as ksef from '../data/ksef';
import * as perms from '../data/perms';
import { DEFAULT_COMPANY, type Company } from '../data/model';

export async function settingsView(root: HTMLElement, params: string[]): Promise<void | (() => void)> {
  const tab = params[0] || 'ksef';
  const tabs = h('div', { class: 'tabs', role: 'tablist' },
    ([['podstawowe', 'PODSTAWOWE'], ['ksef', 'KSEF']] as const).map(([t, label]) =>
      h('a', { href: `#/ustawienia/rozliczenia/${t}`, role: 'tab', id: `tab-${t}`, class: t === tab ? 'active' : '' }, label)));
  const body = h('section', { class: 'tab-body' });
  replace(root, h('div', { class: 'page-head' }, h('a', { href: '#/przychody', class: 'back' }, '←'), h('h1', null, 'Rozliczenia ustawienia')), tabs, body);
  if (tab === 'podstawowe') return basicTab(body);
  return ksefTab(body);
}

async function basicTab(body: HTMLElement): Promise<void> {
  const c = await ksef.company();
  const f = (label: string, key: keyof Company, value: string) =>
    h('label', { class: 'field' }, h('span', null, label), h('input', { type: 'text', name: key, value }));
  const form = h('form', { class: 'settings' },
    h('div', { class: 'grid' },
      f('NIP firmy', 'nip', c.nip), f('Nazwa firmy', 'name', c.name),
      f('Adres (linia 1)', 'addressLines', c.addressLines[0] ?? ''), h('label', { class: 'field' }, h('span', null, 'Adres (linia 2)'), h('input', { type: 'text', name: 'addressLines2', value: c.addressLines[1] ?? '' })),
      f('E-mail', 'email', c.email ?? ''), f('Telefon', 'phone', c.phone ?? ''),
      f('Rachunek bankowy', 'bankAccount', c.bankAccount ?? ''), f('Bank', 'bankName', c.bankName ?? ''),
      f('Miejsce wystawienia', 'placeOfIssue', c.placeOfIssue ?? ''), f('Wzór numeru faktury ({n}, {MM}, {YYYY})', 'numberPattern', c.numberPattern)));
  const msg = h('div');
  const save = h('button', { type: 'button', class: 'primary' }, 'ZAPISZ');
  save.addEventListener('click', async () => {
    if (!perms.can('ksef.change_settings')) return replace(msg, message('error', perms.refusal('ksef.change_settings')));
    const data = new FormData(form);
    const val = (k: string) => String(data.get(k) ?? '').trim();
    const next: Company = {
      ...DEFAULT_COMPANY, nip: val('nip'), name: val('name'), addressLines: [val('addressLines'), val('addressLines2')].filter(Boolean),
      email: val('email'), phone: val('phone'), bankAccount: val('bankAccount'), bankName: val('bankName'), placeOfIssue: val('placeOfIssue'),
      numberPattern: val('numberPattern') || DEFAULT_COMPANY.numberPattern,
    };
    if (!/^\d{10}$/.test(next.nip)) return replace(msg, message('error', 'NIP firmy: wymagane 10 cyfr.'));
    if (!next.numberPattern.includes('{n}')) return replace(msg, message('error', 'Wzór numeru musi zawierać {n}.'));
    await db.setting.set('company', next);
    replace(msg, message('success', 'Zapisano dane firmy.'));
  });
  replace(body, form, msg, h('div', { class: 'actions' }, save));
}

const ROLE_UI: Record<Role, { title: string; cert: string; key: string; pass: string }> = {
  auth: { title: 'Ksef.Ui.authentication', cert: 'certyfikat uwierzytelniający', key: 'klucz do certyfikatu uwierzytelniającego', pass: 'hasło certyfikatu uwierzytelniającego' },
  offline: { title: 'Ksef.Ui.offline', cert: 'certyfikat offline', key: 'klucz do certyfikatu offline', pass: 'hasło certyfikatu offline' },
};

function certSummary(role: Role, i: CertificateInfo | undefined): Node {
  if (!i) return h('span', { class: 'muted' }, 'nie zapisano');
  const ids = i.identifiers.map((x) => `${x.type} ${x.value}`).join(', ');
  const v = ksef.certValidity(role, i);
  return h('span', null, `${i.subject} · ${i.ksefType} · ważny do ${fmtShort(i.notAfter)} ${new Date(i.notAfter).getFullYear()}`, ids ? ` · ${ids}` : '',
    v.state !== 'ok' && h('div', { class: `msg ${v.state === 'soon' ? 'msg-warning' : 'msg-error'}`, id: `${role}-validity`, dataset: { state: v.state } }, v.text));
}

async function ksefTab(body: HTMLElement): Promise<() => void> {
  const status = await ksef.credentialStatus();
  const inputs = {} as Record<Role, { cert: HTMLInputElement; key: HTMLInputElement; pass: HTMLInputElement; out: HTMLElement; saved: HTMLElement }>;
  const group = (role: Role) => {
    const ui = ROLE_UI[role];
    const cert = h('input', { type: 'file', id: `${role}-cert`, name: `${role}-cert`, accept: '.crt,.cer,.pem,.der' });
    const key = h('input', { type: 'file', id: `${role}-key`, name: `${role}-key`, accept: '.key,.pem,.der,.p8' });
    const pass = h('input', { type: 'password', id: `${role}-pass`, name: `${role}-pass`, autocomplete: 'off' });
    const out = h('div', { class: 'field-msgs', id: `${role}-msg` });
    const saved = h('div', { class: 'saved', id: `${role}-saved` }, 'Zapisany: ', certSummary(role, status[role]));
    inputs[role] = { cert, key, pass, out, saved };
    return h('fieldset', { class: 'cred' }, h('legend', null, ui.title, role === 'auth' ? authDot : null),
      h('div', { class: 'grid' },
        h('label', { class: 'field' }, h('span', null, '📎 ', ui.cert), cert),
        h('label', { class: 'field' }, h('span', null, '📎 ', ui.key), key),
        h('label', { class: 'field' }, h('span', null, ui.pass), pass)),
      saved, role === 'offline' ? offlineCheck : null, out);
  };
  // What KSeF said about the Offline certificate (asked at AUTHORIZE, at a silent login once
  // the answer is an hour old, and when a new one is saved: ksef.checkOfflineCert).
  const offlineCheck = h('div', { id: 'offline-ksef-status' });
  const drawCheck = async () => {
    const c = await ksef.offlineCertCheck();
    const t = c && ksef.offlineCertCheckText(c);
    offlineCheck.dataset.status = c?.status ?? '';
    replace(offlineCheck, t ? message(t.level === 'ok' ? 'success' : t.level, t.text) : null);
  };
  void drawCheck();
  const offCheck = ksef.onCredentials(() => void drawCheck());
  const authDot = h('button', { type: 'button', class: 'ksef-status inline', id: 'settings-ksef-status' });
  const authReason = h('div', { class: 'auth-reason', id: 'auth-reason' });
  const authMsg = h('div', { class: 'auth-msg', id: 'auth-action-msg' });
  const drawAuth = (a: ksef.AuthView) => {
    authDot.dataset.state = a.state;
    replace(authDot, h('span', { class: 'dot', 'aria-hidden': 'true' }), ' KSEF ', h('span', { class: 'state' },
      a.state === 'ACCEPTED' ? 'ACCEPTED' : a.state === 'ERROR' ? 'ERROR' : a.state === 'IN_PROGRESS' ? 'AUTORYZACJA…' : 'BRAK AUTORYZACJI'));
    replace(authReason, a.state === 'ERROR' && a.reason ? message('error', `Status logowania: ERROR — ${a.reason}`) : null);
  };
  const authorizeBtn = h('button', { type: 'button', id: 'authorize' }, 'AUTHORIZE');
  const doAuthorize = async () => {
    replace(authMsg);
    if (!perms.can('ksef.change_settings')) return replace(authMsg, message('error', perms.refusal('ksef.change_settings')));
    authorizeBtn.disabled = true;
    try {
      const a = await ksef.authorize();
      if (a.state === 'ACCEPTED') toast('success', 'Autoryzacja KSeF: ACCEPTED');
    } catch (e) {
      replace(authMsg, message('error', ksef.errorText(e)));
    } finally {
      authorizeBtn.disabled = false;
    }
  };
  authorizeBtn.addEventListener('click', doAuthorize);
  authDot.addEventListener('click', doAuthorize);
  const off = ksef.onAuth(drawAuth);

  const msg = h('div', { id: 'ksef-settings-msg' });
  const save = h('button', { type: 'button', class: 'primary', id: 'ksef-save' }, 'ZAPISZ');
  save.addEventListener('click', async () => {
    if (!perms.can('ksef.change_settings')) return replace(msg, message('error', perms.refusal('ksef.change_settings')));
    save.disabled = true;
    replace(msg, message('info', 'Sprawdzanie certyfikatów…'));
    const results: string[] = [];
    let failures = 0;
    let touched = 0;
    for (const role of ['auth', 'offline'] as Role[]) {
      const i = inputs[role];
      replace(i.out);
      const certFile = i.cert.files?.[0];
      const keyFile = i.key.files?.[0];
      if (!certFile && !keyFile && !i.pass.value) continue;
      touched++;
      try {
        const info = await ksef.saveCredential(role, await bytes(certFile), await bytes(keyFile), i.pass.value);
        replace(i.saved, 'Zapisany: ', certSummary(role, info));
        i.pass.value = '';
        results.push(`${ROLE_UI[role].cert}: ${info.subject}`);
        const nip = info.identifiers.some((x) => /nip|vat/i.test(x.type));
        if (!nip) i.out.appendChild(message('warning', 'Certyfikat wystawiony na osobę (PESEL), nie na NIP firmy: zalecamy certyfikat wygenerowany na NIP firmy, jeśli faktury wysyła kilku pracowników.'));
      } catch (e) {
        failures++;
        const text = ksef.credentialErrorText(role, e);
        replace(i.out, message('error', text));
        if (role === 'auth') await ksef.authError(text);
      }
    }
    const now = await ksef.credentialStatus();
    const missing = [!now.auth && 'certyfikat uwierzytelniający', !now.offline && 'certyfikat offline'].filter(Boolean);
    if (touched === 0) replace(msg, message('warning', 'Wybierz pliki certyfikatu i klucza oraz podaj hasło.'));
    else if (failures) replace(msg, message('error', 'Nie zapisano: popraw zaznaczone pola.'));
    else replace(msg, message('success', `Zapisano ustawienia KSeF (${results.join('; ')}).` +
      (missing.length ? ` Do wysyłki brakuje jeszcze: ${missing.join(', ')}.` : ' Teraz kliknij KSEF → AUTHORIZE.')));
    save.disabled = false;
  });

  replace(body,
    message('info', h('strong', null, 'Ważne! '), 'Jeśli dostęp do wysyłki faktur w KSeF ma zostać przyznany różnym pracownikom w imieniu spółki, ' +
      'zalecane jest wgranie certyfikatu wygenerowanego na NIP firmy, a nie na PESEL osoby fizycznej.'),
    group('auth'),
    h('div', { class: 'authorize-row' }, authorizeBtn, authMsg, authReason),
    group('offline'),
    h('p', { class: 'muted' }, 'Certyfikat uwierzytelniający oraz certyfikat offline muszą być uzupełnione i zapisane — w przeciwnym razie wysyłanie faktur nie będzie możliwe, niezależnie od trybu wysyłki. Klucze prywatne pozostają wyłącznie w tej przeglądarce.'),
    msg,
    h('div', { class: 'actions' }, save));
  drawAuth(ksef.authView());
  return () => {
    off();
    offCheck();
  };
}

async function bytes(f: File | undefined): Promise<Uint8Array> {
  return f ? new Uint8Array(await f.arrayBuffer()) : new Uint8Array();
}

export async function systemView(root: HTMLElement): Promise<void> {
  const toggle = h('input', { type: 'checkbox', id: 'perms-active', role: 'switch', checked: perms.permissionsActive() });
  const msg = h('div');
  toggle.addEventListener('change', async () => {
    await perms.setPermissionsActive(toggle.checked);
    replace(msg, message('success', toggle.checked ? 'Uprawnienia są teraz weryfikowane (także przez serwer KSeF).' : 'Uprawnienia wyłączone: każdy użytkownik może wszystko.'));
  });
  const genCount = h('input', { type: 'number', id: 'gen-count', value: '100', min: '1', max: '20000' });
  const genIssue = h('input', { type: 'checkbox', id: 'gen-issue', checked: true });
  const genMsg = h('div', { id: 'gen-msg' });
  const gen = h('button', { type: 'button', id: 'gen-run' }, 'Wygeneruj');
  gen.addEventListener('click', async () => {
    const n = Math.max(1, Math.min(20000, Number(genCount.value) || 0));
    gen.disabled = true;
    replace(genMsg, message('info', `Generowanie ${n} faktur…`));
    const t0 = performance.now();
    try {
      await inv.generate(n, { issue: genIssue.checked });
      replace(genMsg, message('success', `Wygenerowano ${n} faktur (${Math.round(performance.now() - t0)} ms).`));
    } catch (e) {
      replace(genMsg, message('error', ksef.errorText(e)));
    } finally {
      gen.disabled = false;
    }
  });
  replace(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Ustawienia systemu')),
    h('fieldset', null, h('legend', null, 'Uprawnienia'),
      h('label', { class: 'field check' }, toggle, h('span', null, 'Uprawnienia aktywne')),
      h('p', { class: 'muted' }, 'Uprawnienia KSeF (Ustawienia → Użytkownicy/grupy) są weryfikowane tylko wtedy, gdy to ustawienie jest aktywne.'),
      msg),
    h('fieldset', null, h('legend', null, 'Dane demonstracyjne'),
      h('label', { class: 'field inline' }, h('span', null, 'Liczba faktur'), genCount),
      h('label', { class: 'field check' }, genIssue, h('span', null, 'od razu wystawione (WYSTAWIONY)')),
      gen, genMsg));
}
