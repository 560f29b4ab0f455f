import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadPolicy } from '../../../packages/core/src/index.js';
import { BASE_POLICY } from '../../helpers/builders.js';

function errorOf(yaml: string): string {
  try {
    loadPolicy(yaml, '.countersign.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected the policy to be rejected');
}

const MINIMAL = `version: 1
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2 }
`;

describe('loading a valid policy', () => {
  it('fills every default with the strict settings', () => {
    const p = loadPolicy(MINIMAL, '.countersign.yml');
    expect(p.defaultRisk).toBe('medium');
    expect(p.separationOfDuties).toEqual({
      exclude: ['commit-authors', 'committers', 'co-authors', 'pr-authors', 'triggering-actor'],
      minPermission: 'write',
      allowBots: false,
      distinctRequirements: false,
    });
    expect(p.rules).toEqual([]);
    expect(p.breakGlass).toBeNull();
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the SPEC example, keeping environment order and the larger of two counts for one role', () => {
    const p = loadPolicy(
      BASE_POLICY.replace(
        'require: [{ role: dba }, { role: sre }]',
        'require: [{ role: dba }, { role: sre }, { role: dba, count: 2 }]',
      ),
      'p.yml',
    );
    expect(p.rules[0]?.require).toEqual([
      { role: 'dba', count: 2 },
      { role: 'sre', count: 1 },
    ]);
    expect(p.breakGlass).toEqual({
      labels: ['emergency'],
      approvals: 1,
      postReviewWithin: '24h',
      postReviewWithinMs: 86_400_000,
    });
  });

  it('keeps environments in the order they are declared (the promotion order)', () => {
    const p = loadPolicy(
      MINIMAL + 'environments:\n  staging: {}\n  production: { minimum-risk: medium }\n  dev: {}\n',
      'p.yml',
    );
    expect(p.environments).toEqual([
      { name: 'staging' },
      { name: 'production', minimumRisk: 'medium' },
      { name: 'dev' },
    ]);
  });
});

describe('rejecting a policy, naming file, line and column', () => {
  it('names a wrong enum value where it stands', () => {
    const yaml = MINIMAL + 'rules:\n  - id: a\n    when: { files-over: 1 }\n    risk: hihg\n';
    expect(errorOf(yaml)).toBe(
      '.countersign.yml:10:11 rules[0].risk must be one of low, medium, high, critical (got the text "hihg")',
    );
  });

  it('treats an unknown key as an error, pointing at the key', () => {
    const yaml = MINIMAL + 'separation-of-duties:\n  alow-bots: true\n';
    expect(errorOf(yaml)).toBe(
      ".countersign.yml:8:3 separation-of-duties has an unknown key 'alow-bots' (expected one of: exclude, min-permission, allow-bots, distinct-requirements)",
    );
  });

  it('reports YAML syntax errors with their position', () => {
    expect(errorOf('version: 1\nlevels: [\n')).toMatch(/^\.countersign\.yml:\d+:\d+ /);
    expect(errorOf('version: 1\nversion: 1\n')).toMatch(/^\.countersign\.yml:2:1 .*[Mm]ap keys must be unique/);
  });

  it('says what is missing', () => {
    expect(errorOf('version: 1\n')).toBe(".countersign.yml:1:1 the top level is missing the required key 'levels'");
    expect(errorOf(MINIMAL.replace('  critical: { approvals: 2 }\n', ''))).toContain(
      "levels is missing the required key 'critical'",
    );
    expect(errorOf('')).toContain('is empty');
  });

  it('rejects a role that is used but not defined', () => {
    const yaml = MINIMAL + 'rules:\n  - id: a\n    when: { files-over: 1 }\n    require: [{ role: dba }]\n';
    expect(errorOf(yaml)).toBe(
      ".countersign.yml:10:23 rules[0].require[0].role names the role 'dba', which is not defined under roles (no roles are defined)",
    );
  });

  it('rejects an invalid cron and an unknown time zone, each with its own message', () => {
    const yaml =
      MINIMAL +
      'freezes:\n  - id: f\n    start: "61 9 * * *"\n    end: "0 16 * * 1-5"\n    timezone: America/Newyork\n    blocks: [high]\n';
    const message = errorOf(yaml);
    expect(message).toMatch(/^\.countersign\.yml:9:12 freezes\[0\]\.start '61 9 \* \* \*' /m);
    expect(message).toMatch(
      /^\.countersign\.yml:11:15 freezes\[0\]\.timezone 'America\/Newyork' is not an IANA time zone/m,
    );
  });

  it('rejects a glob that cannot compile and a content expression that is not a regular expression', () => {
    const yaml =
      MINIMAL + 'rules:\n  - id: a\n    when: { paths: ["!docs/**"], content: "(unclosed" }\n    risk: high\n';
    const message = errorOf(yaml);
    expect(message).toContain('rules[0].when.paths[0] is not a usable glob');
    expect(message).toContain('rules[0].when.content is not a valid regular expression');
  });

  it('rejects duplicate rule ids, a bad duration, and a wrong version', () => {
    const dup =
      MINIMAL +
      'rules:\n  - { id: a, when: { files-over: 1 }, risk: high }\n  - { id: a, when: { files-over: 2 }, risk: high }\n';
    expect(errorOf(dup)).toContain("rules[1].id 'a' is already the id of rules[0]");
    expect(errorOf(MINIMAL + 'break-glass: { labels: [x], post-review-within: soon }\n')).toContain(
      'break-glass.post-review-within',
    );
    expect(errorOf(MINIMAL.replace('version: 1', 'version: 2'))).toContain('version must be 1');
  });

  it('rejects a rule that could never change a decision', () => {
    expect(errorOf(MINIMAL + 'rules:\n  - { id: a, when: { files-over: 1 } }\n')).toContain(
      'has neither a risk nor a require',
    );
  });

  it('does not read YAML 1.1 booleans or expand alias bombs', () => {
    expect(errorOf(MINIMAL + 'separation-of-duties: { allow-bots: yes }\n')).toContain(
      'allow-bots must be true or false',
    );
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    expect(() => loadPolicy(bomb, 'x.yml')).toThrow(ConfigurationError);
  });
});

describe('the loader throws nothing but ConfigurationError', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        try {
          loadPolicy(text, 'fuzz.yml');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigurationError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary YAML-shaped data', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('low', 'high', 'x', '**/*.sql', '30 9 * * 1-5', 'America/New_York', '24h', ''),
        fc.integer({ min: -3, max: 300 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom(
            'version',
            'levels',
            'low',
            'medium',
            'high',
            'critical',
            'approvals',
            'require',
            'role',
            'rules',
            'id',
            'when',
            'paths',
            'risk',
            'freezes',
            'start',
            'end',
            'timezone',
            'blocks',
            'roles',
            'break-glass',
            'labels',
          ),
          tie('node'),
          { maxKeys: 4 },
        ),
      ),
    }));
    fc.assert(
      fc.property(value.node, (data) => {
        try {
          loadPolicy(JSON.stringify(data), 'fuzz.yml');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigurationError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
