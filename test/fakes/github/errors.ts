// GitHub's error bodies: `message`, `documentation_url` and, since 2024, `status` as a string.

export const DOCS = 'https://docs.github.com/rest';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
  }
}

export function errorBody(status: number, message: string, documentationUrl = DOCS): Record<string, unknown> {
  return { message, documentation_url: documentationUrl, status: String(status) };
}

export function notFound(documentationUrl = DOCS, message = 'Not Found'): HttpError {
  return new HttpError(404, errorBody(404, message, documentationUrl));
}

export interface FieldError {
  resource: string;
  field: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'unprocessable' | 'custom';
  message?: string;
}

// 422 bodies follow GitHub's `validation-error` schema, which has no `status` field.
export function validationFailed(documentationUrl: string, errors: FieldError[]): HttpError {
  return new HttpError(422, { message: 'Validation Failed', errors, documentation_url: documentationUrl });
}

/** What GitHub answers when the JSON is well formed but a field is missing or of the wrong type. */
export function invalidRequest(documentationUrl: string, detail: string): HttpError {
  return new HttpError(422, { message: `Invalid request.\n\n${detail}`, documentation_url: documentationUrl });
}
