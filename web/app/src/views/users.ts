// Ustawienia → Użytkownicy/grupy → wybrany użytkownik → edytuj → uprawnienia (manual, I).

import { h, message, replace } from '../ui/dom';
import * as perms from '../data/perms';
import { PERMISSIONS, type Permission, type User } from '../data/model';

export function usersView(root: HTMLElement, params: string[]): () => void {
  const editing = params[0];
  let notice = '';
  const draw = () => {
    const list = h('table', { class: 'users' },
      h('thead', null, h('tr', null, h('th', null, 'Użytkownik'), h('th', null, 'Grupa'), h('th', null, 'Uprawnienia KSEF'), h('th'))),
      h('tbody', null, perms.allUsers().map((u) => h('tr', { dataset: { user: u.id } },
        h('td', null, u.name, u.id === perms.currentUser().id ? ' (zalogowany)' : ''),
        h('td', null, u.group),
        h('td', null, u.permissions.length ? u.permissions.join(', ') : '—'),
        h('td', null, h('a', { href: `#/ustawienia/uzytkownicy/${u.id}`, class: 'button' }, 'edytuj'))))));
    const user = editing ? perms.allUsers().find((u) => u.id === editing) : undefined;
    replace(root,
      h('div', { class: 'page-head' }, h('h1', null, 'Użytkownicy/grupy')),
      !perms.permissionsActive() && message('info', 'Uwaga! Uprawnienia będą weryfikowane przez system tylko wtedy, gdy w Ustawienia → System aktywne jest ustawienie „Uprawnienia aktywne”.'),
      list,
      user && editor(user),
      notice && message('success', notice));
  };

  function editor(u: User): HTMLElement {
    const boxes = PERMISSIONS.map((p) => h('input', { type: 'checkbox', name: p.id, checked: u.permissions.includes(p.id) }));
    return h('fieldset', { class: 'user-edit', id: 'user-edit' },
      h('legend', null, `${u.name} → uprawnienia`),
      h('h3', null, 'KSEF'),
      h('div', { class: 'perm-grid' }, PERMISSIONS.map((p, i) => h('label', { class: 'field check' }, boxes[i], h('span', null, `${p.label} (${p.id})`)))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', id: 'user-save', onclick: async () => {
          const chosen = PERMISSIONS.filter((_, i) => boxes[i].checked).map((p) => p.id as Permission);
          await perms.saveUser({ ...u, permissions: chosen });
          notice = `Zapisano uprawnienia: ${u.name}.`;
          draw();
        } }, 'ZAPISZ'),
        h('a', { href: '#/ustawienia/uzytkownicy', class: 'button link' }, 'Zamknij')));
  }

  draw();
  return perms.onChange(draw);
}
