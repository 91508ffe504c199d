// Domain types of the app and the Polish labels the product manual uses.

import type { Outcome } from 'ksef-module';

export type DocStatus = 'ROBOCZY' | 'WYSTAWIONY';

/** KSeF status of an invoice (manual, chapter III/V). */
export type KsefStatus = 'waiting_for_sending' | 'verifying' | 'accepted' | 'rejected' | 'sent_offline';

export const KSEF_STATUS_LABEL: Record<KsefStatus, string> = {
  waiting_for_sending: 'OCZEKUJE NA WYSŁANIE DO KSEF',
  verifying: 'WERYFIKACJA W KSEF',
  accepted: 'ZAAKCEPTOWANO',
  rejected: 'ODRZUCONO',
  sent_offline: 'WYSYŁKA OFFLINE',
};

/** "TRYB WYSYŁKI": online now; the offline modes arrive with issue 8. */
export type SendMode = 'online' | 'offline24' | 'unavailability' | 'emergency';

export const SEND_MODE_LABEL: Record<SendMode, string> = {
  online: 'online',
  offline24: 'offline 24',
  unavailability: 'offline – niedostępność KSeF',
  emergency: 'awaria KSeF',
};

export const KIND_LABEL: Record<string, string> = {
  VAT: 'FAKTURA',
  KOR: 'KOREKTA',
  ZAL: 'FAKTURA ZALICZKOWA',
  ROZ: 'FAKTURA ROZLICZENIOWA',
  UPR: 'FAKTURA UPROSZCZONA',
  KOR_ZAL: 'KOREKTA ZALICZKOWEJ',
  KOR_ROZ: 'KOREKTA ROZLICZENIOWEJ',
};

/** One row of the invoice list (store `invoices`); heavy data lives in `drafts`/`xml`. */
export interface InvoiceRow {
  id: string;
  seq: number;
  kind: string;
  number: string;
  docStatus: DocStatus;
  issueDate: string;
  buyerName: string;
  buyerNip: string;
  gross: string;
  currency: string;
  createdAt: string;
  issuedAt?: string;
  /** SHA-256 (base64) of the issued XML. */
  hash?: string;
  ksefStatus?: KsefStatus;
  ksefNumber?: string;
  sendMode: SendMode;
  /** The last KSeF outcome (for ODŚWIEŻ, UPO, corrections). */
  outcome?: Outcome;
  /** Set on a correction: the corrected invoice's id. */
  correctionOf?: string;
  /** Issued outside KSeF (no KSeF number will ever come): corrections still allowed. */
  outsideKsef?: boolean;
  ksefUpdatedAt?: string;
}

/** One row of an invoice's KSeF history (store `history`). */
export interface HistoryRow {
  id?: number;
  invoiceId: string;
  status: KsefStatus;
  ksefNumber?: string;
  createdAt: string;
  invoicingDate?: string;
  description?: string;
  details?: string[];
  mode: SendMode;
  outcome?: Outcome;
  upo?: Uint8Array;
  upoAt?: string;
}

export type Permission = 'ksef.view_document' | 'ksef.change_settings' | 'ksef.change_document';

export const PERMISSIONS: { id: Permission; label: string }[] = [
  { id: 'ksef.view_document', label: 'Może wyświetlić: dane dokumentu w ksef' },
  { id: 'ksef.change_settings', label: 'Może zmienić: ustawienia' },
  { id: 'ksef.change_document', label: 'Może zmienić: dane dokumentu w ksef' },
];

export interface User {
  id: string;
  name: string;
  group: string;
  permissions: Permission[];
}

export interface Company {
  nip: string;
  name: string;
  addressLines: string[];
  email?: string;
  phone?: string;
  bankAccount?: string;
  bankName?: string;
  placeOfIssue?: string;
  /** Invoice number pattern: {n} sequence in the month, {MM}, {YYYY}. */
  numberPattern: string;
}

export const DEFAULT_COMPANY: Company = {
  nip: '5265877635',
  name: 'Trans-Log sp. z o.o.',
  addressLines: ['ul. Kwiatowa 1 m. 2', '00-001 Warszawa'],
  email: 'faktury@trans-log.example',
  phone: '667444555',
  bankAccount: '73 1111 1111 1111 1111 1111 1111',
  bankName: 'Bank Bankowości Bankowej S.A.',
  placeOfIssue: 'Warszawa',
  numberPattern: 'FV/{n}/{MM}/{YYYY}',
};
