// Invoice editor: a form over the draft format (docs/draft-format.md). Every input
// carries the draft path it writes (data-path); checkDraft's errors come back with such
// paths, so each problem is shown next to its field and all of them in a list on top.
// Corrections (KOR) show the before lines read-only and edit the after lines.

import { checkDraft, type FieldError } from 'ksef-module';
import { fmtAmount, h, message, replace, todayYmd } from '../ui/dom';
import { go } from '../ui/shell';
import * as inv from '../data/invoices';
import { company, errorText, initKsef } from '../data/ksef';
import { KIND_LABEL, type InvoiceRow } from '../data/model';
import type { Draft } from '../data/invoices';

const RATES = ['23', '22', '8', '7', '5', '4', '3', '0 KR', '0 WDT', '0 EX', 'zw', 'oo', 'np I', 'np II'];
const METHODS: [string, string][] = [['transfer', 'przelew'], ['cash', 'gotówka'], ['card', 'karta'], ['mobile', 'płatność mobilna'], ['credit', 'kredyt'], ['voucher', 'bon'], ['cheque', 'czek']];
const LINE_FIELDS: [string, string, string][] = [['name', 'Nazwa towaru/usługi', 'wide'], ['unit', 'J.m.', 'narrow'], ['quantity', 'Ilość', 'num'], ['price', 'Cena jedn.', 'num'], ['discount', 'Rabat', 'num'], ['vatRate', 'Stawka VAT', 'rate']];

function newDraft(c: Awaited<ReturnType<typeof company>>): Draft {
  const today = todayYmd();
  return {
    kind: 'VAT', invoiceNumber: '', issueDate: today, saleDate: today, placeOfIssue: c.placeOfIssue,
    seller: inv.sellerOf(c),
    buyer: { nip: '', name: '', address: { lines: ['', ''], country: 'PL' } },
    lines: [{ name: '', unit: 'usł.', quantity: '1', unitNetPrice: '', vatRate: '23' }],
    payment: { dueDays: 14, method: 'transfer' },
    systemInfo: 'TMS KSeF',
  };
}

/** Normalises `lines[1].quantity` → `lines.1.quantity`. */
const norm = (p: string) => p.replace(/\[(\d+)\]/g, '.$1');

function setPath(obj: Draft, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Draft = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (o[k] === undefined || o[k] === null) o[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    o = o[k];
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}

function getPath(obj: Draft, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Draft)[k]), obj);
}

export async function editorView(root: HTMLElement, params: string[]): Promise<void> {
  await initKsef();
  const id = params[0] === 'nowa' ? undefined : params[0];
  const c = await company();
  let row: InvoiceRow | undefined;
  let draft: Draft;
  if (id) {
    row = await inv.get(id);
    const d = await inv.getDraft(id);
    if (!row || !d) return replace(root, message('error', 'Nie znaleziono faktury.'));
    if (row.docStatus !== 'ROBOCZY') return go(`#/faktura/${id}`);
    draft = structuredClone(d);
  } else draft = newDraft(c);
  const isKor = String(draft.kind ?? 'VAT').startsWith('KOR');
  const gross = !isKor ? (draft.lines ?? []).some((l: Draft) => l.unitGrossPrice !== undefined)
    : (draft.correction?.lines ?? []).some((p: Draft) => p.after?.unitGrossPrice !== undefined);

  const form = h('form', { class: 'editor', novalidate: true });
  const errorsBox = h('div', { class: 'errors', id: 'draft-errors' });
  const totals = h('div', { class: 'totals', id: 'draft-totals' });
  const outside = h('input', { type: 'checkbox', name: 'outsideKsef', checked: row?.outsideKsef ?? false });
  const pricing = h('select', { name: 'pricing', 'aria-label': 'Ceny' }, h('option', { value: 'net', selected: !gross }, 'netto'), h('option', { value: 'gross', selected: gross }, 'brutto'));

  const field = (label: string, path: string, attrs: Record<string, unknown> = {}) => {
    const v = getPath(draft, path);
    const input = h('input', { type: 'text', ...attrs, value: v === undefined || v === null ? '' : String(v), dataset: { path }, name: path, 'aria-label': label });
    return h('label', { class: 'field' }, h('span', null, label), input, h('small', { class: 'field-error', dataset: { for: path } }));
  };
  const select = (label: string, path: string, options: [string, string][]) => {
    const v = String(getPath(draft, path) ?? '');
    const s = h('select', { dataset: { path }, name: path, 'aria-label': label }, options.map(([val, text]) => h('option', { value: val, selected: val === v }, text)));
    return h('label', { class: 'field' }, h('span', null, label), s, h('small', { class: 'field-error', dataset: { for: path } }));
  };

  const linesBody = h('tbody');
  const lineRow = (prefix: string, line: Draft | undefined, editable: boolean, tag = '') => {
    const price = line?.unitGrossPrice ?? line?.unitNetPrice ?? '';
    return h('tr', { class: editable ? 'line' : 'line before' },
      tag ? h('td', { class: 'tag' }, tag) : null,
      LINE_FIELDS.map(([k, label, cls]) => {
        const path = `${prefix}.${k}`;
        const val = k === 'price' ? price : line?.[k] ?? '';
        if (!editable) return h('td', { class: cls }, String(val));
        const input = k === 'vatRate'
          ? h('select', { dataset: { path }, 'aria-label': label }, RATES.map((r) => h('option', { value: r, selected: r === String(val || '23') }, r)))
          : h('input', { type: 'text', value: String(val), dataset: { path }, 'aria-label': label, class: cls });
        return h('td', { class: cls }, input, h('small', { class: 'field-error', dataset: { for: path } }));
      }),
      editable && !tag ? h('td', null, h('button', { type: 'button', class: 'link', onclick: (e: Event) => { (e.target as HTMLElement).closest('tr')!.remove(); renumber(); } }, 'usuń')) : h('td'));
  };
  function renumber(): void {
    let i = 0;
    for (const tr of linesBody.querySelectorAll('tr.line:not(.before)')) {
      for (const el of tr.querySelectorAll<HTMLElement>('[data-path]')) {
        el.dataset.path = el.dataset.path!.replace(/^(lines|correction\.lines)\.\d+/, (_m, p) => `${p}.${i}`);
      }
      for (const el of tr.querySelectorAll<HTMLElement>('[data-for]')) {
        el.dataset.for = el.dataset.for!.replace(/^(lines|correction\.lines)\.\d+/, (_m, p) => `${p}.${i}`);
      }
      i++;
    }
  }
  if (isKor) {
    (draft.correction?.lines ?? []).forEach((p: Draft, i: number) => {
      if (p.before) linesBody.appendChild(lineRow(`correction.lines.${i}.before`, p.before, false, 'przed'));
      linesBody.appendChild(lineRow(`correction.lines.${i}.after`, p.after, true, 'po'));
    });
  } else (draft.lines ?? []).forEach((l: Draft, i: number) => linesBody.appendChild(lineRow(`lines.${i}`, l, true)));
  const addLine = h('button', { type: 'button', onclick: () => {
    const n = linesBody.querySelectorAll('tr.line:not(.before)').length;
    linesBody.appendChild(lineRow(isKor ? `correction.lines.${n}.after` : `lines.${n}`, { unit: 'usł.', quantity: '1', vatRate: '23' }, true, isKor ? 'nowa' : ''));
    validate();
  } }, 'Dodaj pozycję');

  /** The draft as the form says, on top of the stored one (keeps fields the form lacks). */
  function collect(): Draft {
    const d: Draft = structuredClone(draft);
    if (isKor) d.correction.lines = [];
    else d.lines = [];
    const priceKey = pricing.value === 'gross' ? 'unitGrossPrice' : 'unitNetPrice';
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[data-path], select[data-path]')) {
      let path = el.dataset.path!;
      let v: unknown = el.value.trim();
      if (/\.(price)$/.test(path)) path = path.replace(/price$/, priceKey);
      if (path === 'payment.dueDays') v = v === '' ? undefined : Number(v);
      else if (path === 'correction.type') v = Number(v);
      else if (v === '') v = undefined;
      setPath(d, path, v);
    }
    // Keep line extras (pkwiu, index, uuid…) from the stored draft.
    const stored = isKor ? draft.correction?.lines ?? [] : draft.lines ?? [];
    const target = isKor ? d.correction.lines : d.lines;
    target.forEach((l: Draft, i: number) => {
      const s = isKor ? stored[i]?.after : stored[i];
      const merged = { ...(s ?? {}), ...(isKor ? l.after : l) };
      delete merged[priceKey === 'unitNetPrice' ? 'unitGrossPrice' : 'unitNetPrice'];
      if (isKor) {
        l.after = merged;
        if (stored[i]?.before) l.before = stored[i].before;
      } else target[i] = merged;
    });
    d.buyer.address.lines = (d.buyer.address?.lines ?? []).filter((x: unknown) => x !== undefined && x !== '');
    if (!d.invoiceNumber) d.invoiceNumber = '';
    d.seller = inv.sellerOf(c);
    return d;
  }

  function showErrors(errors: FieldError[]): void {
    for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
    for (const el of form.querySelectorAll<HTMLElement>('.field-error')) el.textContent = '';
    for (const e of errors) {
      const p = norm(e.path).replace(/unit(Net|Gross)Price$/, 'price');
      const slot = form.querySelector<HTMLElement>(`[data-for="${CSS.escape(p)}"]`);
      const input = form.querySelector<HTMLElement>(`[data-path="${CSS.escape(p)}"]`);
      input?.classList.add('invalid');
      if (slot) slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
    }
    replace(errorsBox, errors.length ? message('error', h('strong', null, `Błędy w fakturze (${errors.length}):`),
      h('ul', null, errors.map((e) => h('li', { dataset: { errorPath: e.path } }, `${e.path}: ${e.message}`)))) : null);
  }

  /** Validates with checkDraft (number may still be empty: it is given on issue). */
  function validate(): boolean {
    const d = collect();
    if (!d.invoiceNumber) d.invoiceNumber = 'X';
    const r = checkDraft(d);
    if (r.ok) {
      showErrors([]);
      replace(totals, `Netto: ${fmtAmount(r.totals.net)} · VAT: ${fmtAmount(r.totals.vat)} · Brutto: `, h('strong', null, `${fmtAmount(r.totals.gross)} ${r.totals.currency}`));
      return true;
    }
    showErrors(r.errors);
    replace(totals, '');
    return false;
  }

  async function save(issue: boolean): Promise<void> {
    const ok = validate();
    if (issue && !ok) {
      errorsBox.scrollIntoView({ block: 'nearest' });
      return;
    }
    try {
      const d = collect();
      const dup = d.invoiceNumber && (await inv.list()).some((r) => r.number === d.invoiceNumber && r.id !== row?.id);
      const saved = await inv.saveDraft(row?.id, d, { outsideKsef: outside.checked });
      row = saved;
      if (dup) replace(status, message('warning', `Uwaga: numer ${d.invoiceNumber} jest już użyty przez inną fakturę.`));
      if (issue) {
        const issued = await inv.issue(saved.id);
        go(`#/faktura/${issued.id}`);
      } else {
        replace(status, message('success', 'Zapisano fakturę roboczą.'));
        if (!id) history.replaceState(null, '', `#/faktura/${saved.id}/edycja`);
      }
    } catch (e) {
      if (e instanceof inv.DraftInvalid) showErrors(e.errors);
      else replace(status, message('error', errorText(e)));
    }
  }

  const status = h('div', { class: 'status' });
  const corr = isKor ? draft.correction.corrected?.[0] ?? {} : undefined;
  append(form, [
    h('fieldset', null, h('legend', null, 'Dokument'),
      h('div', { class: 'grid' },
        h('label', { class: 'field' }, h('span', null, 'Rodzaj'), h('output', null, KIND_LABEL[draft.kind ?? 'VAT'] ?? draft.kind)),
        field('Numer (pusty: nadany przy wystawieniu)', 'invoiceNumber'),
        field('Data wystawienia', 'issueDate', { type: 'date' }),
        field('Data sprzedaży', 'saleDate', { type: 'date' }),
        field('Miejsce wystawienia', 'placeOfIssue'),
        !isKor && h('label', { class: 'field check' }, outside, h('span', null, 'Faktura wystawiona poza KSeF (nie będzie wysyłana)')))),
    isKor && h('fieldset', null, h('legend', null, 'Korekta'),
      h('p', null, `Faktura korygowana: ${corr.invoiceNumber ?? ''} z dnia ${corr.issueDate ?? ''} · `,
        corr.ksefNumber ? `numer KSeF: ${corr.ksefNumber}` : 'wystawiona poza KSeF (bez numeru KSeF)'),
      h('div', { class: 'grid' },
        field('Przyczyna korekty', 'correction.reason', { class: 'wide' }),
        select('Typ korekty', 'correction.type', [['1', '1 – w dacie ujęcia faktury pierwotnej'], ['2', '2 – w dacie wystawienia korekty'], ['3', '3 – w innej dacie']]))),
    h('fieldset', null, h('legend', null, 'Nabywca'),
      h('div', { class: 'grid' },
        field('NIP nabywcy', 'buyer.nip'), field('Nazwa nabywcy', 'buyer.name', { class: 'wide' }),
        field('Adres (linia 1)', 'buyer.address.lines.0'), field('Adres (linia 2)', 'buyer.address.lines.1'),
        field('Numer klienta', 'buyer.customerNumber'))),
    h('fieldset', null, h('legend', null, isKor ? 'Pozycje (przed / po korekcie)' : 'Pozycje'),
      h('label', { class: 'field inline' }, h('span', null, 'Ceny'), pricing),
      h('table', { class: 'lines' },
        h('thead', null, h('tr', null, isKor && h('th'), LINE_FIELDS.map(([, l]) => h('th', null, l)), h('th'))),
        linesBody),
      addLine),
    h('fieldset', null, h('legend', null, 'Płatność'),
      h('div', { class: 'grid' },
        field('Termin płatności (dni)', 'payment.dueDays', { inputMode: 'numeric' }),
        select('Forma płatności', 'payment.method', METHODS))),
    totals, errorsBox, status,
  ]);
  // The buttons sit in the page header: validation messages appearing below the form
  // never move them under the pointer.
  const actions = h('div', { class: 'toolbar' },
    h('button', { type: 'button', id: 'save-draft', onclick: () => void save(false) }, 'Zapisz'),
    h('button', { type: 'button', class: 'primary', id: 'issue', onclick: () => void save(true) }, 'Wystaw'),
    h('button', { type: 'button', class: 'link', onclick: () => history.back() }, 'Anuluj'));
  let timer: ReturnType<typeof setTimeout> | undefined;
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(validate, 300);
  });
  form.addEventListener('change', (e) => {
    if ((e.target as HTMLElement).tagName === 'SELECT') validate();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  replace(root, h('div', { class: 'page-head' }, h('h1', null, id ? `Faktura robocza ${row?.number || ''}` : 'Nowa faktura'), actions), form);
  if (id) validate();
}

function append(el: HTMLElement, children: (Node | false | null | undefined)[]): void {
  for (const c of children) if (c) el.appendChild(c);
}
