import { json, type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';

export interface GitHubSimulator extends Simulator {
  invitations: { id: number; email: string | null; invitee_id: number | null; role: string; team_ids: number[] }[];
}

const DOCS = 'https://docs.github.com/rest/orgs/members#create-an-organization-invitation';
const ROLES = ['admin', 'direct_member', 'billing_manager', 'reinstate'];
const message = (status: number, text: string, headers: Record<string, string> = {}) => json(status, { message: text, documentation_url: DOCS, status: String(status) }, headers);
const invalid = (field: string, text: string) =>
  json(422, { message: 'Validation Failed', errors: [{ resource: 'OrganizationInvitation', code: 'unprocessable', field, message: text }], documentation_url: DOCS, status: '422' });

/**
 * GitHub's organisation invitations as documented (src/adapters/providers/github/NOTES.md):
 * Bearer token, a User-Agent, API version 2022-11-28, `email` or `invitee_id`, the role enum,
 * team ids of the organisation, 422 for a member or a pending invitee, 404 for an unknown
 * organisation, the x-ratelimit-* headers on every answer, and both rate limits: the primary
 * (403, remaining 0, reset in epoch seconds) and the secondary for content creation (403 with
 * retry-after).
 */
export async function startGitHubSimulator(options: {
  token: string;
  org: string;
  members?: { id: number; email: string }[];
  teams?: { id: number; name: string; slug: string }[];
  /** Requests an hour (the primary limit); default 5000. */
  primaryLimit?: number;
  /** Invitations a minute before the secondary limit answers; default GitHub's 80 content-creating requests. */
  secondaryPerMinute?: number;
}): Promise<GitHubSimulator> {
  const members = options.members ?? [{ id: 583231, email: 'octocat@example.com' }];
  const teams = options.teams ?? [
    { id: 1, name: 'Justice League', slug: 'justice-league' },
    { id: 7, name: 'Platform', slug: 'platform' },
  ];
  const primaryLimit = options.primaryLimit ?? 5_000;
  const invitations: GitHubSimulator['invitations'] = [];
  const arrivals: number[] = [];
  const created: number[] = [];
  let nextId = 1_000_001;
  const reset = Math.floor(Date.now() / 1000) + 3_600;

  function invite(raw: unknown): Reply {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return message(400, 'Problems parsing JSON');
    const body = raw as Record<string, unknown>;
    const unknownKey = Object.keys(body).find((key) => !['email', 'invitee_id', 'role', 'team_ids'].includes(key));
    if (unknownKey) return invalid(unknownKey, `${unknownKey} is not a permitted key.`);
    const { email, invitee_id: inviteeId, role = 'direct_member', team_ids: teamIds = [] } = body;
    if (email === undefined && inviteeId === undefined) return invalid('data', 'Either email or invitee_id must be provided.');
    if (email !== undefined && (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) return invalid('email', 'Email is invalid.');
    if (inviteeId !== undefined && !Number.isInteger(inviteeId)) return invalid('invitee_id', 'invitee_id must be an integer.');
    if (typeof role !== 'string' || !ROLES.includes(role)) return invalid('role', `role must be one of: ${ROLES.join(', ')}.`);
    if (!Array.isArray(teamIds) || teamIds.some((id) => !teams.some((team) => team.id === id))) return invalid('team_ids', 'Team ids must be teams of this organization.');
    if (members.some((member) => member.id === inviteeId)) return invalid('data', 'Invitee is already a part of this organization');
    if (typeof email === 'string' && members.some((member) => member.email.toLowerCase() === email.toLowerCase())) {
      return invalid('data', 'A user with this email address is already a part of this organization');
    }
    if (inviteeId !== undefined && invitations.some((pending) => pending.invitee_id === inviteeId)) return invalid('data', 'Invitee has already been invited');
    // Observed, not documented: inviting a pending email again answers the same invitation.
    const pending = typeof email === 'string' ? invitations.find((candidate) => candidate.email?.toLowerCase() === email.toLowerCase()) : undefined;
    const invitation = pending ?? { id: nextId++, email: typeof email === 'string' ? email : null, invitee_id: (inviteeId as number | undefined) ?? null, role, team_ids: teamIds as number[] };
    if (!pending) invitations.push(invitation);
    const { team_ids: ids, invitee_id: _invitee, ...shown } = invitation;
    return json(201, {
      ...shown,
      node_id: `OI_${invitation.id}`,
      login: null,
      created_at: new Date().toISOString(),
      failed_at: null,
      failed_reason: null,
      inviter: { login: 'owner', id: 1 },
      team_count: ids.length,
      invitation_teams_url: `https://api.github.com/organizations/2/invitations/${invitation.id}/teams`,
      invitation_source: 'member',
    });
  }

  function handle(request: Recorded): Reply {
    if (!request.headers['user-agent']) return message(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.');
    if (request.headers.authorization !== `Bearer ${options.token}`) return message(401, 'Bad credentials');
    const version = request.headers['x-github-api-version'];
    if (version !== undefined && version !== '2022-11-28') return message(400, `API version ${version} is not supported.`);
    const used = arrivals.filter((time) => time > request.receivedAt - 3_600_000).length;
    const limitHeaders = (count: number) => ({
      'x-ratelimit-limit': String(primaryLimit),
      'x-ratelimit-remaining': String(Math.max(0, primaryLimit - count)),
      'x-ratelimit-used': String(count),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-resource': 'core',
    });
    if (used >= primaryLimit) return message(403, 'API rate limit exceeded for user ID 1.', limitHeaders(used));
    arrivals.push(request.receivedAt);
    const reply = route(request);
    return { ...reply, headers: { ...reply.headers, ...limitHeaders(used + 1) } };
  }

  function route(request: Recorded): Reply {
    const match = /^\/orgs\/([^/]+)\/(invitations|teams)$/.exec(request.path);
    if (!match || match[1]!.toLowerCase() !== options.org.toLowerCase()) return message(404, 'Not Found');
    if (match[2] === 'teams' && request.method === 'GET') {
      const perPage = Math.min(100, Number(request.query.get('per_page') ?? 30));
      return json(200, teams.slice(0, perPage).map((team) => ({ ...team, description: null, privacy: 'closed', permission: 'pull' })));
    }
    if (match[2] !== 'invitations' || request.method !== 'POST') return message(404, 'Not Found');
    if (created.filter((time) => time > request.receivedAt - 60_000).length >= (options.secondaryPerMinute ?? 80)) {
      return message(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', { 'retry-after': '60' });
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return message(400, 'Problems parsing JSON');
    }
    const reply = invite(body);
    if (reply.status === 201) created.push(request.receivedAt);
    return reply;
  }

  const simulator = await startSimulator(handle);
  return Object.assign(simulator, { invitations });
}
