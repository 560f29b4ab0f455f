// The record for people: a plain-text timeline for a log and a Markdown one for a job summary, both
// readable in five seconds — the verdict first, then one line per step.
import { cellCode, codeSpan, escapeMarkdown } from '../render/markdown-escape.js';
import type { Artefact, HealthOutcome, ProgressEvent, RollbackRecord, RunOutcome } from './types.js';

const HEADLINES: Record<RunOutcome, string> = {
  healthy: 'HEALTHY — nothing to do',
  degraded: 'DEGRADED — non-critical probes failed; no rollback',
  'rolled-back': 'ROLLED BACK — healthy again',
  'rollback-failed': 'ROLLBACK FAILED — needs a person now',
  failed: 'FAILED — not rolled back',
};

const ICONS: Record<RunOutcome, string> = {
  healthy: '✅',
  degraded: '⚠️',
  'rolled-back': '↩️',
  'rollback-failed': '🚨',
  failed: '⛔',
};

function clock(iso: string): string {
  return iso.length >= 19 ? iso.slice(11, 19) : iso;
}

function short(value: string): string {
  return value.length > 24 ? `${value.slice(0, 24)}…` : value;
}

function name(a: Artefact | null): string {
  if (a === null) return '(none)';
  const parts = [a.digest && short(a.digest), a.ref, a.sha && a.sha.slice(0, 12)].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return parts.length > 0 ? parts.join(' ') : (a.deployment_id ?? 'the deployment');
}

function known(a: Artefact): boolean {
  return Boolean(a.digest ?? a.ref ?? a.sha ?? a.deployment_id);
}

function tally(h: HealthOutcome): string {
  const counts = { pass: 0, fail: 0, error: 0 };
  for (const m of h.measurements) counts[m.result]++;
  return `${h.rounds} round(s): ${counts.pass} pass, ${counts.fail} fail, ${counts.error} error`;
}

interface Step {
  time: string;
  what: string;
  detail: string;
}

function steps(record: RollbackRecord): Step[] {
  const out: Step[] = [
    {
      time: record.health.started_at,
      what: 'watch',
      detail: `${record.health.status.toUpperCase()} (${tally(record.health)}): ${record.health.reason}`,
    },
  ];
  const decided = record.command?.started_at ?? record.health.finished_at;
  if (record.decision.action === 'rolled-back')
    out.push({
      time: decided,
      what: 'decide',
      detail: `roll back ${name(record.failed)} → ${name(record.restored)} (${record.restored_from?.detail ?? '?'})`,
    });
  else if (record.decision.action !== 'none')
    out.push({ time: decided, what: record.decision.action, detail: record.decision.reason });
  if (record.command !== null) {
    const c = record.command;
    out.push({
      time: c.started_at,
      what: 'command',
      detail: c.exit_code === 0 ? `exit 0 in ${c.duration_ms}ms` : `${c.error ?? `exit ${c.exit_code ?? c.signal}`}`,
    });
  }
  if (record.reprobe !== null)
    out.push({
      time: record.reprobe.started_at,
      what: 'reprobe',
      detail: `${record.reprobe.status.toUpperCase()} (${tally(record.reprobe)}): ${record.reprobe.reason}`,
    });
  return out;
}

export function recordText(record: RollbackRecord): string {
  const lines = [
    `Rollback${record.environment ? ` — ${record.environment}` : ''}: ${HEADLINES[record.outcome]}`,
    ...steps(record).map((s) => `  ${clock(s.time)}  ${s.what.padEnd(8)} ${s.detail}`),
  ];
  if (record.migration_rules.length > 0)
    lines.push(`  Migration rule(s) ${record.migration_rules.join(', ')}: the database schema was not rolled back.`);
  const by = [record.actor && `by ${record.actor}`, record.run_url].filter(Boolean).join(', ');
  if (by !== '') lines.push(`  Run: ${by}`);
  return `${lines.join('\n')}\n`;
}

export function recordMarkdown(record: RollbackRecord): string {
  const lines = [
    `### ${ICONS[record.outcome]} Countersign rollback${record.environment ? ` — ${escapeMarkdown(record.environment)}` : ''}: ${HEADLINES[record.outcome]}`,
    '',
    `Watched ${known(record.failed) ? codeSpan(name(record.failed)) : 'the deployment'}${record.restored ? `; restored ${codeSpan(name(record.restored))}` : ''}.`,
    '',
    '| Time (UTC) | Step | What happened |',
    '| --- | --- | --- |',
    ...steps(record).map((s) => `| ${clock(s.time)} | ${s.what} | ${escapeMarkdown(s.detail)} |`),
    '',
  ];
  if (record.migration_rules.length > 0)
    lines.push(
      `> **Database schema not rolled back.** The change matched ${record.migration_rules.map(codeSpan).join(', ')}.`,
      '',
    );
  const measurements = [...record.health.measurements, ...(record.reprobe?.measurements ?? [])];
  if (measurements.length > 0) {
    lines.push(
      '<details><summary>Every probe measurement</summary>',
      '',
      '| Time | Phase | Probe | Result | Latency | Message |',
      '| --- | --- | --- | --- | --- | --- |',
      ...measurements.map(
        (m) =>
          `| ${clock(m.time)} | ${m.phase} ${m.round} | ${cellCode(m.probe)} | ${m.result} | ${m.latency_ms}ms | ${escapeMarkdown(m.message)} |`,
      ),
      '',
      '</details>',
      '',
    );
  }
  const by = [record.actor && `by ${escapeMarkdown(record.actor)}`, record.run_url && escapeMarkdown(record.run_url)]
    .filter(Boolean)
    .join(', ');
  if (by !== '') lines.push(`Run ${by}.`, '');
  return lines.join('\n');
}

/** One progress line, for a log that shows the run as it happens. */
export function progressLine(event: ProgressEvent): string {
  if (event.kind === 'phase') return `${event.phase}: ${event.message}`;
  if (event.kind === 'command-output') return event.text;
  const m = event.measurement;
  const budget = `failures left ${Math.max(0, event.failuresLeft)}, errors left ${Math.max(0, event.errorsLeft)}, ${event.roundsLeft} round(s) left`;
  return `[${m.phase} ${m.round}/${event.count}] ${m.probe}${m.critical ? '' : ' (non-critical)'}: ${m.result} ${m.latency_ms}ms — ${m.message} (${budget})`;
}
