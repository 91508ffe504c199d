// Minimal DOM helpers (no UI framework). Never builds HTML from strings with user data,
// never sets `style` attributes (the proxy's CSP allows only stylesheet rules).

type Child = Node | string | number | false | null | undefined | Child[];
type Attrs = Record<string, unknown> & { class?: string; dataset?: Record<string, string> };

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = String(v);
      else if (k === 'dataset') Object.assign(el.dataset, v as Record<string, string>);
      else if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      } else if (k in el && k !== 'list' && k !== 'form') {
        (el as unknown as Record<string, unknown>)[k] = v;
      } else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === false || c === null || c === undefined) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A message box: kind info/success/error; errors are announced (role=alert). */
export function message(kind: 'info' | 'success' | 'error' | 'warning', ...children: Child[]): HTMLElement {
  return h('div', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

let toastHost: HTMLElement | undefined;

/** A transient notification in the corner (also kept in the page's live region). */
export function toast(kind: 'info' | 'success' | 'error' | 'warning', text: string, ms = 6000): void {
  if (!toastHost) {
    toastHost = h('div', { class: 'toasts', 'aria-live': 'polite' });
    document.body.appendChild(toastHost);
  }
  const t = message(kind, text);
  t.classList.add('toast');
  toastHost.appendChild(t);
  setTimeout(() => t.remove(), ms);
}

/** Saves bytes as a file through a temporary link. */
export function saveFile(name: string, bytes: Uint8Array | string, type: string): void {
  const blob = new Blob([bytes as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const MONTHS = ['sty', 'lut', 'mar', 'kwi', 'maj', 'cze', 'lip', 'sie', 'wrz', 'paź', 'lis', 'gru'];

/** "19 mar 07:21" as in the manual's history table (local time). */
export function fmtShort(iso?: string): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "15/3/2026" as in the manual's invoice list. */
export function fmtListDate(ymd: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : ymd;
}

/** "1 234,56" (Polish grouping, comma decimal) from a dot decimal string. */
export function fmtAmount(v: string | undefined): string {
  if (v === undefined || v === '') return '';
  const neg = v.startsWith('-');
  const [i, f = ''] = (neg ? v.slice(1) : v).split('.');
  const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return (neg ? '-' : '') + grouped + ',' + (f + '00').slice(0, Math.max(2, f.length));
}

/** Today's date in Warsaw (KSeF rejects a P_1 after the Warsaw acceptance day). */
export function todayYmd(d = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(d);
}
