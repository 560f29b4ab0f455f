// Who is who. Logins compare case-insensitively (platform logins are case-insensitive), emails
// compare case-insensitively too, and a platform no-reply address is the login it stands for.
import type { Person } from '../model.js';

const NO_REPLY_FORMS: readonly RegExp[] = [
  /^\d+\+([^@\s]+)@users\.noreply\.github\.com$/i,
  /^\d+-([^@\s]+)@users\.noreply\.gitlab\.com$/i,
  /^([^@\s+]+)@users\.noreply\.github\.com$/i,
];

/** The login a platform no-reply address stands for, or null. */
export function loginFromNoReply(email: string): string | null {
  if (!/noreply/i.test(email)) return null;
  const trimmed = email.trim();
  for (const form of NO_REPLY_FORMS) {
    const match = form.exec(trimmed);
    if (match?.[1] !== undefined) return match[1].toLowerCase();
  }
  return null;
}

/**
 * The keys an identity is known by: "login:<lower>" and "email:<lower>". Two identities are the
 * same person when their key sets meet. Names are never keys: anyone can write any name.
 */
export function identityKeys(person: Person): string[] {
  const keys: string[] = [];
  const login = person.login?.trim();
  if (login) keys.push(`login:${stripBotSuffix(login.toLowerCase())}`);
  const email = person.email?.trim();
  if (email) {
    keys.push(`email:${email.toLowerCase()}`);
    const fromNoReply = loginFromNoReply(email);
    if (fromNoReply !== null) keys.push(`login:${stripBotSuffix(fromNoReply)}`);
  }
  return keys;
}

// "dependabot[bot]" and "dependabot" are the same account for identity purposes.
function stripBotSuffix(login: string): string {
  return login.endsWith('[bot]') ? login.slice(0, -'[bot]'.length) : login;
}

/** A stable key for "the same approver": the login when there is one, else the email. */
export function approverKey(person: Person): string | null {
  const login = person.login?.trim();
  if (login) return `login:${stripBotSuffix(login.toLowerCase())}`;
  const email = person.email?.trim();
  if (!email) return null;
  const fromNoReply = loginFromNoReply(email);
  return fromNoReply !== null ? `login:${stripBotSuffix(fromNoReply)}` : `email:${email.toLowerCase()}`;
}

/** How to show a person: login, else email, else name. */
export function displayName(person: Person): string {
  return person.login?.trim() || person.email?.trim() || person.name?.trim() || '(unknown)';
}

const CO_AUTHOR_LINE = /^[ \t]*co-authored-by[ \t]*:[ \t]*(.*?)[ \t]*$/gim;
const BRACKETED = /<\s*([^<>\s]+@[^<>\s]+)\s*>/g;
const BARE_EMAIL = /[^\s<>,;()"']+@[^\s<>,;()"']+/g;
const NAME_AND_EMAIL = /^(.*?)\s*<\s*([^<>\s]+)\s*>$/;

/**
 * Every `Co-authored-by:` line of a commit message. Any such line anywhere counts, not only in the
 * final trailer block as `git interpret-trailers` reads them: naming too many co-authors can only
 * exclude more approvers, naming too few would let a co-author approve their own work.
 */
export function coAuthors(message: string): Person[] {
  const people: Person[] = [];
  if (!/co-authored-by/i.test(message)) return people;
  for (const match of message.matchAll(CO_AUTHOR_LINE)) {
    const value = match[1]?.trim() ?? '';
    if (value === '') continue;
    const parts = NAME_AND_EMAIL.exec(value);
    // Extra text ("<carol@x> (pairing)", "A <a@x>, B <b@x>") must not hide anyone: every
    // bracketed address counts, else every bare address, else a handle, else the name.
    const bracketed = [...value.matchAll(BRACKETED)].map((m) => m[1] as string);
    const bare = value.match(BARE_EMAIL) ?? [];
    if (parts?.[2] !== undefined && bracketed.length === 1) {
      people.push({ name: parts[1]?.trim() || null, email: parts[2] });
    } else if (bracketed.length > 0) {
      for (const email of bracketed) people.push({ email });
    } else if (bare.length > 0) {
      for (const email of bare) people.push({ email });
    } else if (/^@?[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
      // A bare handle: treat it as a login rather than drop it.
      people.push({ login: value.replace(/^@/, '') });
    } else {
      people.push({ name: value });
    }
  }
  return people;
}
