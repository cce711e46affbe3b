/** A refusal of the API: its HTTP status and OVH's `{class, message}` (docs/API.md §3). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly errorClass: string;

  constructor(status: number, errorClass: string, message: string) {
    super(message);
    this.status = status;
    this.errorClass = errorClass;
  }
}

/** The message to show for any failure of a call. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The control plane cannot be reached. Check that byoi serve is running.';
  return error instanceof Error ? error.message : String(error);
}
