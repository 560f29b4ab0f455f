import { describe, expect, it } from 'vitest';
import { approverKey, coAuthors, identityKeys, loginFromNoReply } from '../../../packages/core/src/index.js';

describe('no-reply addresses', () => {
  it.each([
    ['123+Alice@users.noreply.github.com', 'alice'],
    ['alice@users.noreply.github.com', 'alice'],
    ['4567-Bob.Smith@users.noreply.gitlab.com', 'bob.smith'],
    ['ALICE@USERS.NOREPLY.GITHUB.COM', 'alice'],
  ])('%s names %s', (email, login) => {
    expect(loginFromNoReply(email)).toBe(login);
  });

  it.each(['alice@example.com', 'noreply@github.com', '123+alice@users.noreply.github.com.evil.com', ''])(
    '%s is not a no-reply address',
    (email) => {
      expect(loginFromNoReply(email)).toBeNull();
    },
  );
});

describe('identity keys', () => {
  it('compares logins case-insensitively and maps a no-reply email to its login', () => {
    expect(identityKeys({ login: 'Alice' })).toEqual(['login:alice']);
    expect(identityKeys({ email: '1+alice@users.noreply.github.com' })).toContain('login:alice');
  });

  it('never uses a display name as an identity', () => {
    expect(identityKeys({ name: 'alice' })).toEqual([]);
  });

  it('keys an approver by login, else email', () => {
    expect(approverKey({ login: 'Bob', email: 'bob@x.io' })).toBe('login:bob');
    expect(approverKey({ email: 'Bob@X.io' })).toBe('email:bob@x.io');
    expect(approverKey({ email: '9+bob@users.noreply.github.com' })).toBe('login:bob');
    expect(approverKey({})).toBeNull();
  });
});

describe('Co-authored-by trailers', () => {
  it('finds several, with odd spacing and mixed case', () => {
    const message = [
      'Fix the thing',
      '',
      'Co-authored-by: Bob <bob@example.com>',
      'co-authored-BY:   Carol Jones   <  123+carol@users.noreply.github.com >',
      '  CO-AUTHORED-BY:Dan<dan@example.com>',
    ].join('\n');
    expect(coAuthors(message)).toEqual([
      { name: 'Bob', email: 'bob@example.com' },
      { name: 'Carol Jones', email: '123+carol@users.noreply.github.com' },
      { name: 'Dan', email: 'dan@example.com' },
    ]);
  });

  it('keeps a trailer without brackets rather than dropping it', () => {
    expect(coAuthors('x\n\nCo-authored-by: erin@example.com')).toEqual([{ email: 'erin@example.com' }]);
    expect(coAuthors('x\n\nCo-authored-by: @frank')).toEqual([{ login: 'frank' }]);
  });

  it('keeps every address when a trailer carries extra text', () => {
    expect(coAuthors('x\n\nCo-authored-by: Carol <carol@ex.io> (pairing)')).toEqual([{ email: 'carol@ex.io' }]);
    expect(coAuthors('x\n\nCo-authored-by: Carol <carol@ex.io>, Dan <dan@ex.io>')).toEqual([
      { email: 'carol@ex.io' },
      { email: 'dan@ex.io' },
    ]);
    expect(coAuthors('x\n\nCo-authored-by: carol@ex.io and dan@ex.io')).toEqual([
      { email: 'carol@ex.io' },
      { email: 'dan@ex.io' },
    ]);
  });

  it('ignores lines that only mention the word', () => {
    expect(coAuthors('We should add a Co-authored-by trailer next time')).toEqual([]);
  });
});
