import { json, type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';

export interface SmsCentralSimulator extends Simulator {
  users: { ID: number; USERNAME: string; user: Record<string, unknown> }[];
  /** Makes validation errors quote the new user's password back, as careless APIs do. */
  echoPasswords: boolean;
}

const FIELDS = new Set(['USERNAME', 'PASSWORD', 'FIRSTNAME', 'LASTNAME', 'EMAILADDRESS', 'MOBILENUMBER', 'ACCOUNTS']);

/**
 * SMS Central's user/create as documented: a form-encoded POST with the account owner's
 * USERNAME/PASSWORD and USER as a JSON string. Answers are HTTP 200 with JSON either way:
 * {"user":{…}} or {"error":{"errorcode","errordescription"}} (the code list is not public).
 */
export async function startSmsCentralSimulator(options: { username: string; password: string; accounts?: number[] }): Promise<SmsCentralSimulator> {
  const accounts = options.accounts ?? [12345, 67890];
  const users: SmsCentralSimulator['users'] = [];
  let nextId = 7_001;
  const fail = (code: number, description: string): Reply => json(200, { error: { errorcode: code, errordescription: description } });

  function validate(user: Record<string, unknown>, echo: boolean): Reply | undefined {
    for (const key of Object.keys(user)) if (!FIELDS.has(key)) return fail(110, `Unknown field ${key}`);
    for (const key of ['USERNAME', 'PASSWORD', 'FIRSTNAME'] as const) {
      if (typeof user[key] !== 'string' || user[key] === '') return fail(111, `${key} is required`);
    }
    if ((user.PASSWORD as string).length < 10) {
      return fail(112, echo ? `Password ${String(user.PASSWORD)} is too weak` : 'Password is too weak');
    }
    for (const key of ['LASTNAME', 'EMAILADDRESS', 'MOBILENUMBER'] as const) {
      if (user[key] !== undefined && typeof user[key] !== 'string') return fail(113, `${key} must be a string`);
    }
    if (user.MOBILENUMBER !== undefined && !/^\+[1-9]\d{7,14}$/.test(user.MOBILENUMBER as string)) return fail(114, 'MOBILENUMBER must be in international format');
    const list = user.ACCOUNTS;
    if (!Array.isArray(list) || list.length === 0) return fail(115, 'At least one account is required');
    for (const entry of list as { ID?: unknown; Userlevel?: unknown }[]) {
      if (!Number.isInteger(entry?.ID) || !accounts.includes(entry.ID as number)) return fail(116, `Account ${String(entry?.ID)} not found`);
      if (![1, 2, 3].includes(entry.Userlevel as number)) return fail(117, 'Userlevel must be 1, 2 or 3');
    }
    return undefined;
  }

  const simulator = await startSimulator((request: Recorded): Reply => {
    if (request.method !== 'POST' || request.path !== '/user/create') return json(404, { error: { errorcode: 404, errordescription: 'Not found' } });
    if (request.headers['content-type'] !== 'application/x-www-form-urlencoded') return fail(100, 'Content-Type must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body);
    if (form.get('USERNAME') !== options.username || form.get('PASSWORD') !== options.password) return fail(101, 'Invalid username or password');
    let user: unknown;
    try {
      user = JSON.parse(form.get('USER') ?? '');
    } catch {
      return fail(102, 'USER must be JSON');
    }
    if (!user || typeof user !== 'object' || Array.isArray(user)) return fail(102, 'USER must be a JSON object');
    const invalid = validate(user as Record<string, unknown>, sim.echoPasswords);
    if (invalid) return invalid;
    const username = (user as { USERNAME: string }).USERNAME;
    if (users.some((existing) => existing.USERNAME === username)) return fail(120, 'Username already exists');
    const ID = nextId++;
    users.push({ ID, USERNAME: username, user: user as Record<string, unknown> });
    return json(200, { user: { username, ID } });
  });
  const sim: SmsCentralSimulator = Object.assign(simulator, { users, echoPasswords: false });
  return sim;
}
