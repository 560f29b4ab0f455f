// Fakes for the rollback unit tests: a clock whose sleep advances time at once, and probes that
// answer from a script, so a 5 × 2s loop runs in microseconds and says exactly what happened.
import type { Clock, Probe, ProbeResult } from '../../../packages/core/src/rollback/types.js';
import { createAttestation } from '../../../packages/core/src/attestation/attest.js';
import type { Signer } from '../../../packages/core/src/attestation/signer.js';
import { loadPolicy } from '../../../packages/core/src/policy/load.js';
import type { Policy } from '../../../packages/core/src/policy/types.js';
import { decide } from '../../../packages/core/src/sod/decide.js';
import { AT, approval, change } from '../../helpers/builders.js';

export interface FakeClock extends Clock {
  slept: number[];
  elapsed: () => number;
}

export function fakeClock(start = '2026-03-01T12:00:00Z'): FakeClock {
  const origin = Date.parse(start);
  let t = origin;
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(t),
    monotonic: () => t,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    elapsed: () => t - origin,
  };
}

/** A probe answering each call with the next result of the script (the last one repeats). */
export function scripted(
  name: string,
  script: readonly ProbeResult[],
  options: { critical?: boolean; latencyMs?: number } = {},
): Probe & { calls: number } {
  const probe = {
    name,
    critical: options.critical ?? true,
    calls: 0,
    run() {
      const result = script[Math.min(probe.calls, script.length - 1)] as ProbeResult;
      probe.calls++;
      return Promise.resolve({ result, latencyMs: options.latencyMs ?? 7, message: `${result} #${probe.calls}` });
    },
  };
  return probe;
}

/** Two approvals decide anything here, so migrations can be approved without teams. */
export const ROLLBACK_POLICY = `
version: 1
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2 }
rules:
  - id: db-migration
    when: { paths: ["db/migrations/**"] }
    risk: high
  - id: schema-files
    when: { paths: ["schema/**"] }
    risk: high
  - id: docs-only
    when: { all-paths: ["docs/**"] }
    risk: low
environments:
  staging: {}
  production: {}
`;

export function rollbackPolicy(extra = ''): Policy {
  return loadPolicy(`${ROLLBACK_POLICY}${extra}`, '.countersign.yml');
}

export interface DeployAttestation {
  /** 64 hex. */
  digest: string;
  time: string;
  head?: string;
  files?: string[];
  environment?: string;
  status?: 'approved' | 'rejected';
}

/** Appends an approval attestation for a deploy to `existing` (a .intoto.jsonl text) and returns the file. */
export async function attestDeploy(signer: Signer, deploy: DeployAttestation, existing = ''): Promise<string> {
  const head = deploy.head ?? deploy.digest.slice(0, 40);
  const environment = deploy.environment ?? 'production';
  const files = (deploy.files ?? ['src/app.ts']).map((path) => ({
    path,
    status: 'modified' as const,
    additions: 1,
    deletions: 0,
  }));
  const approvals =
    deploy.status === 'rejected' ? [] : [approval('bob', { sha: head }), approval('dave', { sha: head })];
  const decision = decide({
    policy: rollbackPolicy(),
    change: change({ head, files }),
    approvals,
    at: AT,
    environment,
  });
  const attestation = await createAttestation({
    subjects: [{ name: 'app.tgz', digest: { sha256: deploy.digest } }],
    decision,
    environment,
    signers: [signer],
    run: { platform: 'local', id: null, url: null, actor: 'deployer' },
    time: new Date(deploy.time),
    existing,
  });
  return attestation.file;
}
