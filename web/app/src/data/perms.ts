// Users, the three KSeF permissions and the system switch "Uprawnienia aktywne"
// (manual, chapter I). When the switch is off everyone may do everything. The proxy
// enforces the same rules: every KSeF request carries the current user's token
// (X-App-Authorization), obtained from the proxy's demo endpoint POST /_demo/token.

import * as db from './db';
import { PERMISSIONS, type Permission, type User } from './model';

const DEFAULT_USERS: User[] = [
  { id: 'admin', name: 'Anna Administrator', group: 'Administratorzy', permissions: ['ksef.view_document', 'ksef.change_settings', 'ksef.change_document'] },
  { id: 'ksiegowa', name: 'Katarzyna Księgowa', group: 'Księgowość', permissions: ['ksef.view_document', 'ksef.change_document'] },
  { id: 'spedytor', name: 'Piotr Spedytor', group: 'Spedycja', permissions: ['ksef.view_document'] },
  { id: 'gosc', name: 'Gość', group: 'Goście', permissions: [] },
];

let users: User[] = [];
let currentId = 'admin';
let active = false;
let token: string | undefined;
let tokenError: string | undefined;
const listeners = new Set<() => void>();

export async function load(): Promise<void> {
  users = await db.getAll<User>('users');
  if (users.length === 0) {
    for (const u of DEFAULT_USERS) await db.put('users', u);
    users = DEFAULT_USERS.map((u) => ({ ...u, permissions: [...u.permissions] }));
  }
  currentId = (await db.setting.get<string>('currentUser')) ?? 'admin';
  if (!users.some((u) => u.id === currentId)) currentId = users[0].id;
  active = (await db.setting.get<boolean>('permissionsActive')) ?? false;
  await refreshToken();
}

export function onChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function changed(): Promise<void> {
  await refreshToken();
  for (const fn of listeners) fn();
}

export const allUsers = (): User[] => users;
export const currentUser = (): User => users.find((u) => u.id === currentId) ?? users[0];
export const permissionsActive = (): boolean => active;

export async function switchUser(id: string): Promise<void> {
  currentId = id;
  await db.setting.set('currentUser', id);
  await changed();
}

export async function setPermissionsActive(on: boolean): Promise<void> {
  active = on;
  await db.setting.set('permissionsActive', on);
  await changed();
}

export async function saveUser(u: User): Promise<void> {
  await db.put('users', u);
  users = users.map((x) => (x.id === u.id ? u : x));
  if (!users.some((x) => x.id === u.id)) users.push(u);
  await changed();
}

/** May the current user do this? Always true while the switch is off. */
export function can(p: Permission): boolean {
  return !active || currentUser().permissions.includes(p);
}

export function permissionLabel(p: Permission): string {
  return PERMISSIONS.find((x) => x.id === p)?.label ?? p;
}

/** The message shown when an action is refused. */
export function refusal(p: Permission): string {
  return `Brak uprawnienia „${permissionLabel(p)}” (${p}) dla użytkownika ${currentUser().name}. ` +
    'Uprawnienia nadaje się w Ustawienia → Użytkownicy/grupy.';
}

export class PermissionError extends Error {
  constructor(readonly permission: Permission) {
    super(refusal(permission));
  }
}

export function require(p: Permission): void {
  if (!can(p)) throw new PermissionError(p);
}

/** The current user's token for the proxy (sync, for KsefClient's appToken). */
export const appToken = (): string | undefined => token;
export const tokenProblem = (): string | undefined => tokenError;

async function refreshToken(): Promise<void> {
  const u = currentUser();
  try {
    const r = await fetch('/_demo/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: u.id, permissions: u.permissions, permissionsActive: active }),
    });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    token = ((await r.json()) as { token: string }).token;
    tokenError = undefined;
  } catch (e) {
    // Offline or a proxy without the demo endpoint: requests go without a token and the
    // proxy decides (it refuses them when it enforces permissions).
    token = undefined;
    tokenError = `Nie udało się pobrać tokenu użytkownika z serwera (${(e as Error).message}).`;
  }
}

export const ensureToken = refreshToken;
