/** The result of one check: `ok` and what was seen (or why it failed). */
export interface Outcome {
  ok: boolean;
  detail: string;
}

/** Any thrown value as a failed outcome. */
export function failure(err: unknown): Outcome {
  return { ok: false, detail: err instanceof Error ? err.message : String(err) };
}
