import { addresses, defineProvider } from '../types.js';
import { fieldOf, fields, fromForm, fromPerson, summary, target } from './form.js';
import { env, input } from './schema.js';
import { settings } from './settings.js';
import { budget, buildCreate, parseCreate, parseTeams, teamsRequest } from './wire.js';

export const github = defineProvider({
  id: 'github',
  label: 'GitHub',
  env,
  settings,
  input,
  fields,
  fromForm,
  fromPerson,
  fieldOf,
  target,
  mailFields: ['email'],
  recipients: (invite) => addresses(invite.email),
  privilegeFields: ['role', 'team_ids'],
  privileges: (invite) => ({ role: [invite.role], team_ids: invite.team_ids.map(String) }),
  summary,
  secretsOf: () => [],
  credentialsOf: (s) => (s.token ? [s.token] : []),
  buildCreate,
  parseCreate,
  budget,
  // Invitations send notifications, so they count against GitHub's secondary limits (80
  // content-creating requests a minute, 500 an hour) and its advice to send serially, a second
  // apart (NOTES.md). About a quarter of those leaves room for the organisation's other tools.
  limits: { concurrency: 1, windows: [{ limit: 1, perMs: 1_000 }, { limit: 20, perMs: 60_000 }, { limit: 120, perMs: 3_600_000 }] },
  lookups: { teams: { request: teamsRequest, parse: parseTeams } },
});
