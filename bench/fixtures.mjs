// Deterministic inputs for the benchmarks: a seeded generator, so every run measures the same work.

export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTENSIONS = [
  'ts',
  'tsx',
  'js',
  'md',
  'json',
  'yml',
  'sql',
  'tf',
  'go',
  'py',
  'css',
  'html',
  'proto',
  'sh',
  'lock',
];
const TOP = ['services', 'libs', 'apps', 'infra', 'docs', 'db', 'tools', 'src', 'packages', 'config'];
const WORDS = [
  'core',
  'auth',
  'api',
  'billing',
  'payments',
  'ledger',
  'search',
  'ui',
  'utils',
  'models',
  'handlers',
  'jobs',
  'internal',
  'migrations',
  'terraform',
  'env',
  'web',
  'mobile',
  'reports',
  'risk',
];

/** 100,000 repository paths shaped like a large monorepo's. */
export function paths(count, seed = 1) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const out = [];
  for (let i = 0; i < count; i++) {
    const depth = 1 + Math.floor(rand() * 5);
    const parts = [pick(TOP)];
    if (parts[0] === 'services' || parts[0] === 'libs' || parts[0] === 'apps')
      parts.push(`${pick(WORDS)}${Math.floor(rand() * 40)}`);
    for (let d = 0; d < depth; d++) parts.push(pick(WORDS));
    const name =
      rand() < 0.05
        ? pick(['Dockerfile', 'Makefile', 'package.json', 'CODEOWNERS', '.env.example'])
        : `${pick(WORDS)}${Math.floor(rand() * 100)}.${pick(EXTENSIONS)}`;
    out.push([...parts, name].join('/'));
  }
  return out;
}

/** A policy of `count` rules mixing every kind of glob a real policy uses. */
export function policyYaml(count, seed = 2) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const risks = ['low', 'medium', 'high', 'critical'];
  const globFor = (i) => {
    switch (i % 10) {
      case 0:
        return `services/${pick(WORDS)}${i % 40}/**`;
      case 1:
        return `**/*.${pick(EXTENSIONS)}`;
      case 2:
        return `libs/${pick(WORDS)}${i % 40}/${pick(WORDS)}/**/*.ts`;
      case 3:
        return `infra/terraform/${pick(WORDS)}/**/*.tf`;
      case 4:
        return pick(['Dockerfile', 'Makefile', 'package.json', 'CODEOWNERS']);
      case 5:
        return `db/${pick(WORDS)}/`;
      case 6:
        return `src/**/${pick(WORDS)}/**`;
      case 7:
        return `apps/*/${pick(WORDS)}/*.${pick(EXTENSIONS)}`;
      case 8:
        return `config/${pick(WORDS)}.${pick(EXTENSIONS)}`;
      default:
        return `**/${pick(WORDS)}/*.${pick(EXTENSIONS)}`;
    }
  };
  const lines = [
    'version: 1',
    'roles:',
    '  owners: ["@acme/owners"]',
    'levels:',
    '  low: { approvals: 0 }',
    '  medium: { approvals: 1 }',
    '  high: { approvals: 2 }',
    '  critical: { approvals: 2, require: [{ role: owners }] }',
    'rules:',
  ];
  for (let i = 0; i < count; i++) {
    const globs = [globFor(i), globFor(i + 3)].map((g) => JSON.stringify(g)).join(', ');
    const key = i % 25 === 24 ? 'all-paths' : 'paths';
    lines.push(`  - { id: rule-${i}, when: { ${key}: [${globs}] }, risk: ${pick(risks)} }`);
  }
  return `${lines.join('\n')}\n`;
}
