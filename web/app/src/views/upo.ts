// "Pobierz UPO": the official receipt as a collapsible XML tree, and the file itself.

import { h, message, replace, saveFile } from '../ui/dom';
import * as inv from '../data/invoices';
import * as send from '../data/send';

function tree(el: Element, depth = 0): HTMLElement {
  const attrs = Array.from(el.attributes).map((a) => ` ${a.name}="${a.value}"`).join('');
  const kids = Array.from(el.children);
  if (kids.length === 0) {
    return h('div', { class: 'x-leaf' }, h('span', { class: 'x-tag' }, `<${el.tagName}${attrs}>`), h('span', { class: 'x-text' }, el.textContent ?? ''), h('span', { class: 'x-tag' }, `</${el.tagName}>`));
  }
  return h('details', { class: 'x-node', open: depth < 3 },
    h('summary', null, h('span', { class: 'x-tag' }, `<${el.tagName}${attrs}>`)),
    h('div', { class: 'x-kids' }, kids.map((k) => tree(k, depth + 1))),
    h('span', { class: 'x-tag' }, `</${el.tagName}>`));
}

export async function upoView(root: HTMLElement, params: string[]): Promise<void> {
  const [invoiceId, historyId] = params;
  const row = await inv.get(invoiceId);
  replace(root, message('info', 'Pobieranie UPO…'));
  try {
    const { bytes } = await send.upo(Number(historyId));
    const text = new TextDecoder().decode(bytes);
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    const err = doc.querySelector('parsererror');
    const name = `UPO_${(row?.ksefNumber ?? row?.number ?? invoiceId).replace(/[^\w.-]+/g, '_')}.xml`;
    replace(root,
      h('div', { class: 'page-head' }, h('h1', null, `UPO — ${row?.number ?? ''}`),
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', class: 'primary', id: 'upo-save', onclick: () => saveFile(name, bytes, 'application/xml') }, 'Zapisz plik UPO'),
          h('a', { href: `#/faktura/${invoiceId}/ksef`, class: 'button' }, 'Wróć'))),
      h('p', { class: 'muted' }, 'Urzędowe Poświadczenie Odbioru (UPO) potwierdza przyjęcie faktury w KSeF.'),
      err ? h('pre', { class: 'xml-raw' }, text) : h('div', { class: 'xml-tree', id: 'upo-tree' }, tree(doc.documentElement)));
  } catch (e) {
    replace(root, message('error', (e as Error).message), h('a', { href: `#/faktura/${invoiceId}/ksef`, class: 'button' }, 'Wróć'));
  }
}
