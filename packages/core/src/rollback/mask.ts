// Secrets (header values, tokens in a URL) must never reach a log, a record or a job summary. Every
// message that could echo one passes through a masker built from the secrets we were given.

export type Masker = (text: string) => string;

/** Below this length a value given as a secret is not masked: it would mask ordinary words and letters. */
const MIN_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces each secret with '***', in one pass (longest first, so one that contains another is
 * masked whole, and a '***' already written is never masked again). `secrets` shorter than 4
 * characters are left alone (a header such as `X-Debug: 1` would otherwise mask every '1');
 * `always` are masked whatever their length: values taken from a URL (query values, user info).
 */
export function masker(secrets: Iterable<string>, always: Iterable<string> = []): Masker {
  const list = [
    ...new Set([...[...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH), ...[...always].filter((s) => s !== '')]),
  ].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  const pattern = new RegExp(list.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, '***');
}

/**
 * The values of headers to mask: each value whole, and for a value of the form `Scheme credentials`
 * (`Authorization: Bearer X`, `Basic X`) the credentials alone too, so a service or a command that
 * echoes only the token is masked as well.
 */
export function headerSecrets(headers: Readonly<Record<string, string>> | undefined): string[] {
  const out: string[] = [];
  for (const value of Object.values(headers ?? {})) {
    out.push(value);
    const credentials = /^[A-Za-z][A-Za-z0-9._~+/-]*\s+(\S.*)$/.exec(value.trim());
    if (credentials !== null) out.push((credentials[1] as string).trim());
  }
  return out;
}

/** decodeURIComponent that never throws: a malformed `%` escape is kept as it is. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A URL as it may be shown: scheme, host, port and path, without user info or query (where tokens
 * hide). The secrets it drops are also returned, so messages that quote the full URL can be masked:
 * mask them whatever their length (`masker([], secrets)`).
 */
export function displayUrl(url: URL): { shown: string; secrets: string[] } {
  const secrets: string[] = [];
  if (url.username !== '') secrets.push(decoded(url.username), url.username);
  if (url.password !== '') secrets.push(decoded(url.password), url.password);
  for (const [, value] of url.searchParams) secrets.push(value);
  if (url.search !== '') {
    const query = url.search.slice(1);
    secrets.push(query, decoded(query));
    for (const pair of query.split('&')) {
      const value = pair.slice(pair.indexOf('=') + 1);
      if (pair.includes('=')) secrets.push(value, decoded(value));
    }
  }
  return {
    shown: `${url.protocol}//${url.host}${url.pathname}`,
    secrets: [...new Set(secrets)].filter((s) => s !== ''),
  };
}
