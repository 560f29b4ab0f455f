// Role membership. A role lists logins, emails and teams; a team's members come from the members
// file or from the approval itself (the adapter's look-up). When neither says, membership is
// unknown and counts as "not a member" (fail closed); the decision notes it.
import type { Approval, Members } from '../model.js';
import { identityKeys } from './identity.js';

export interface MembershipOracle {
  /** Whether the approver is a member of the role, and teams whose membership could not be known. */
  isMember(approval: Approval, role: string): { member: boolean; unknownTeams: string[] };
}

function normaliseTeam(team: string): string {
  return team.trim().replace(/^@/, '').toLowerCase();
}

export function membershipOracle(roles: Record<string, string[]>, members: Members | undefined): MembershipOracle {
  const teamMembers = new Map<string, Set<string>>();
  for (const [team, list] of Object.entries(members ?? {})) {
    const keys = new Set<string>();
    for (const entry of list) for (const key of entryKeys(entry)) keys.add(key);
    teamMembers.set(normaliseTeam(team), keys);
  }
  return {
    isMember(approval, role) {
      const entries = roles[role] ?? [];
      const approverKeys = identityKeys(approval);
      const unknownTeams: string[] = [];
      const approvalTeams = approval.teams ? new Set(approval.teams.map(normaliseTeam)) : null;
      for (const entry of entries) {
        if (entry.startsWith('@')) {
          const team = normaliseTeam(entry);
          const known = teamMembers.get(team);
          if (known !== undefined) {
            if (approverKeys.some((k) => known.has(k))) return { member: true, unknownTeams: [] };
          } else if (approvalTeams !== null) {
            if (approvalTeams.has(team)) return { member: true, unknownTeams: [] };
          } else {
            unknownTeams.push(entry);
          }
        } else if (entryKeys(entry).some((k) => approverKeys.includes(k))) {
          return { member: true, unknownTeams: [] };
        }
      }
      return { member: false, unknownTeams };
    },
  };
}

function entryKeys(entry: string): string[] {
  return entry.includes('@') ? identityKeys({ email: entry }) : identityKeys({ login: entry });
}
