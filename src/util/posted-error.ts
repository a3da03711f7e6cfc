/** An error as a worker thread posts it back: a plain object that survives the message (an AccelmapError keeps its code and hint). */
export interface PostedError {
  message: string;
  code?: string;
  hint?: string;
}

export function postedError(e: unknown): PostedError {
  return e instanceof Error ? { message: e.message, code: (e as { code?: string }).code, hint: (e as { hint?: string }).hint } : { message: String(e) };
}
