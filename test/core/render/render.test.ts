import { describe, expect, it } from 'vitest';
import {
  classificationMarkdown,
  classificationText,
  classify,
  cellCode,
  codeSpan,
  decide,
  decisionMarkdown,
  decisionText,
  escapeMarkdown,
} from '../../../packages/core/src/index.js';
import { AT, approval, change, policy } from '../../helpers/builders.js';

describe('Markdown escaping of untrusted text', () => {
  it('cannot become a link, an image, HTML, a mention or a table cell break', () => {
    const hostile =
      '![x](https://evil.example/p.png) <img src=x onerror=alert(1)> @org/team see #12 | *bold* `code`\nnext';
    const escaped = escapeMarkdown(hostile);
    expect(escaped).not.toMatch(/(?<!\\)[[\]()|*`]/);
    expect(escaped).not.toContain('<');
    // GitHub links mentions and issue numbers after rendering: each sign must be followed by a
    // zero-width space, which no entity or backslash escape provides.
    expect(escaped).not.toMatch(/@(?!\u200B)/);
    expect(escaped).not.toMatch(/#(?!\u200B)/);
    expect(escaped).toContain('@\u200Borg/team');
    expect(escaped).not.toContain('\n');
  });

  it('fences a code span longer than any backtick run inside it', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
  });
});

describe('renderers', () => {
  const hostileFile = 'db/migrations/`$(rm -rf ~)`|<script>.sql';
  const c = change({ files: [{ path: hostileFile, status: 'added', additions: 1, deletions: 0 }] });
  const classification = classify(policy(), c, { at: AT });
  const decision = decide({ policy: policy(), change: c, approvals: [approval('bob'), approval('alice')], at: AT });

  it('Markdown keeps a hostile file name inside its code span and out of the table structure', () => {
    const md = classificationMarkdown(classification);
    expect(md).toContain('### Countersign classification');
    expect(md).toContain(cellCode(hostileFile));
    const row = md.split('\n').find((line) => line.startsWith('| db\\-migration'));
    // A row has exactly four unescaped pipes: the cell borders.
    expect(row?.match(/(?<!\\)\|/g)).toHaveLength(4);
  });

  it('text replaces terminal control characters in untrusted text', () => {
    const evil = change({ files: [{ path: 'a\u001b[2Jb.sql', status: 'added', additions: 1, deletions: 0 }] });
    const text = classificationText(classify(policy(), evil, { at: AT }), { colour: false });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('a\\x1b[2Jb.sql');
  });

  it('decision output names every counted and discounted approval', () => {
    const text = decisionText(decision, { colour: false });
    expect(text).toContain('Status: PENDING');
    expect(text).toMatch(/alice approve: participant \(author of commit/);
    const md = decisionMarkdown(decision);
    expect(md).toContain('⏳ pending');
    expect(md).toContain('`participant`');
    expect(md).toContain('**Missing:** 1 more approval(s), 1 from dba, 1 from sre');
  });
});
