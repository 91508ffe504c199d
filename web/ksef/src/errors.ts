/** Every error the package throws. `code` is stable; switch on it. */
export class KsefError extends Error {
  readonly code: string;
  readonly fields?: { path: string; message: string }[];
  readonly details?: string[];

  constructor(code: string, message: string, extra?: { fields?: { path: string; message: string }[]; details?: string[] }) {
    super(message);
    this.name = 'KsefError';
    this.code = code;
    if (extra?.fields) this.fields = extra.fields;
    if (extra?.details) this.details = extra.details;
  }

  /** Converts whatever the wasm layer (or a platform API) threw. */
  static from(e: unknown): KsefError {
    if (e instanceof KsefError) return e;
    if (e instanceof Error) {
      const x = e as Error & { code?: unknown; fields?: unknown; details?: unknown };
      if (typeof x.code === 'string' && x.name === 'KsefError') {
        return new KsefError(x.code, x.message, {
          fields: Array.isArray(x.fields) ? (x.fields as { path: string; message: string }[]) : undefined,
          details: Array.isArray(x.details) ? (x.details as string[]) : undefined,
        });
      }
      return new KsefError('INTERNAL', e.message);
    }
    return new KsefError('INTERNAL', String(e));
  }
}

/** Runs `f`, turning anything it throws into a KsefError. */
export function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw KsefError.from(e);
  }
}

/** Awaits `p`, turning a rejection into a KsefError. */
export async function guardAsync<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (e) {
    throw KsefError.from(e);
  }
}
