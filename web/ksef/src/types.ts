/** The proxy environments (`sim` only when the proxy embeds the simulator). */
export type Env = 'sim' | 'test' | 'demo' | 'prod';
/** Which certificate: Authentication (XAdES login) or Offline (KOD II). */
export type Role = 'auth' | 'offline';

/** What the settings screen shows about a certificate. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  ksefType: 'Authentication' | 'Offline' | 'Unknown' | string;
  keyAlgorithm: string;
  identifiers: { type: string; value: string }[];
  fingerprint: string;
}

/** A field problem of a draft. */
export interface FieldError {
  path: string;
  message: string;
}

/** Totals of a valid draft (decimal strings). */
export interface DraftTotals {
  net: string;
  vat: string;
  gross: string;
  currency: string;
}

/** One finding of the FA(3) validator. */
export interface Problem {
  severity: 'error' | 'warning';
  path: string;
  rule: string;
  /** Polish message. */
  message: string;
  messageEn: string;
}

/** The authorization state shown in settings and the top bar. */
export type AuthState =
  | { state: 'NotAuthenticated' }
  | { state: 'InProgress' }
  | { state: 'Accepted' }
  | { state: 'Error'; reason: { kind: string; message: string; code?: number; details?: string[] } };

/** The product's KSeF statuses. */
export type OutcomeStatus = 'waiting_for_sending' | 'verifying' | 'accepted' | 'rejected' | 'sent_offline';

/** One invoice's KSeF outcome (a history row). */
export interface Outcome {
  id: string;
  status: OutcomeStatus;
  code: number;
  description: string;
  details: string[];
  ksefNumber?: string | null;
  referenceNumber: string;
  sessionReferenceNumber: string;
  invoiceNumber?: string | null;
  invoicingMode?: 'Online' | 'Offline' | string | null;
  invoicingDate: string;
  acquisitionDate?: string | null;
  originalKsefNumber?: string | null;
  invoiceFileName?: string | null;
  invoiceHash: string;
}

/** Offline modes (DIGEST §15). */
export type OfflineMode = 'offline24' | 'unavailability' | 'emergency';

/** A legal deadline and where today stands against it. */
export interface OfflineDeadline {
  kind: 'by' | 'no_obligation' | 'pending';
  deadline?: string;
  status?: 'in_time' | 'due_today' | 'overdue';
  days?: number;
}

/** What KSeF says about one of its certificates (`POST /certificates/query`, DIGEST §13). */
export interface KsefCertificateStatus {
  /** 16 upper-case hex digits. */
  certificateSerialNumber: string;
  /** The name given at enrolment. */
  name: string;
  type: 'Authentication' | 'Offline' | string;
  commonName: string;
  /** Anything but Active: KSeF refuses the certificate, and KOD II signed with it fails
   *  verification (DIGEST §14). */
  status: 'Active' | 'Blocked' | 'Revoked' | 'Expired' | string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  lastUseDate?: string;
}

/** The status service's answer (Latarnia). */
export interface LatarniaStatus {
  status: 'AVAILABLE' | 'MAINTENANCE' | 'FAILURE' | 'TOTAL_FAILURE';
  messages: LatarniaMessage[];
}

/** One announcement of the status service. */
export interface LatarniaMessage {
  id?: string;
  eventId?: number;
  category: 'FAILURE' | 'TOTAL_FAILURE' | 'MAINTENANCE';
  type: string;
  title?: string;
  text?: string;
  start: string;
  end?: string | null;
}
