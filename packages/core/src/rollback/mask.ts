// Secrets (header values, tokens in a URL) must never reach a log, a record or a job summary. Every
// message that could echo one passes through a masker built from the secrets we were given.

export type Masker = (text: string) => string;

/** Replaces each secret (longest first, so one that contains another is masked whole) with '***'. */
export function masker(secrets: Iterable<string>): Masker {
  // Very short values would mask ordinary words and letters; they are no secret worth the noise.
  const list = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of list) out = out.split(secret).join('***');
    return out;
  };
}

/**
 * A URL as it may be shown: scheme, host, port and path, without user info or query (where tokens
 * hide). The secrets it drops are also returned, so messages that quote the full URL can be masked.
 */
export function displayUrl(url: URL): { shown: string; secrets: string[] } {
  const secrets: string[] = [];
  if (url.username !== '') secrets.push(decodeURIComponent(url.username), url.username);
  if (url.password !== '') secrets.push(decodeURIComponent(url.password), url.password);
  for (const [, value] of url.searchParams) secrets.push(value);
  if (url.search !== '') secrets.push(url.search.slice(1));
  return { shown: `${url.protocol}//${url.host}${url.pathname}`, secrets };
}
