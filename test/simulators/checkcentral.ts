import { json, type Recorded, type Reply, type Simulator, startSimulator } from './harness.js';

export interface CheckCentralSimulator extends Simulator {
  users: Record<string, unknown>[];
  groups: { userGroupId: string; userGroupName: string }[];
}

const ACCESS = ['disabled', 'custom', 'readonly', 'user', 'editor', 'manager', 'administrator'];
const TYPES = ['digest', 'failures', 'warnings', 'unmatched'];
const SERVICES = ['email', 'sms', 'push', 'pushbullet', 'pushover'];
const FIELDS = new Set(['email', 'accessLevel', 'name', 'sendWelcomeEmail', 'userGroups', 'notifications']);
const NOTIFICATION_FIELDS = new Set(['type', 'services']);

/**
 * CheckCentral documents no success body (NOTES.md): each shape public clients have met, for
 * the product to read all of them. `user` nests the new user, `bare` names no id at all.
 */
export type CheckCentralSuccess = 'userId' | 'id' | 'user' | 'bare';
const successBody = (shape: CheckCentralSuccess, user: Record<string, unknown>, userId: string) =>
  shape === 'userId' ? { userId } : shape === 'id' ? { id: userId } : shape === 'user' ? { user: { ...user, userId } } : { success: true };

/**
 * CheckCentral's createUser as documented: token in the query, JSON body, email and
 * accessLevel required, enums in lowercase. Its answers are undocumented; public clients read
 * {"Error":{"Id","Message"}} bodies, sometimes with HTTP 200, so `errorsWithStatus200` plays that.
 */
export async function startCheckCentralSimulator(options: { token: string; errorsWithStatus200?: boolean; success?: CheckCentralSuccess }): Promise<CheckCentralSimulator> {
  const users: Record<string, unknown>[] = [];
  const groups = [
    { userGroupId: 'grp-ops', userGroupName: 'Operations' },
    { userGroupId: 'grp-fin', userGroupName: 'Finance' },
  ];
  let nextId = 4_100;
  const fail = (status: number, id: number, message: string): Reply =>
    json(options.errorsWithStatus200 ? 200 : status, { Error: { Id: id, Message: message } });

  function validate(body: Record<string, unknown>): Reply | undefined {
    for (const key of Object.keys(body)) if (!FIELDS.has(key)) return fail(400, 10, `Unknown property: ${key}`);
    if (typeof body.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(body.email)) return fail(400, 11, 'A valid email is required.');
    if (typeof body.accessLevel !== 'string' || !ACCESS.includes(body.accessLevel)) return fail(400, 12, 'Invalid accessLevel.');
    if (body.name !== undefined && typeof body.name !== 'string') return fail(400, 13, 'name must be a string.');
    if (body.sendWelcomeEmail !== undefined && typeof body.sendWelcomeEmail !== 'boolean') return fail(400, 14, 'sendWelcomeEmail must be a boolean.');
    if (body.userGroups !== undefined) {
      if (!Array.isArray(body.userGroups)) return fail(400, 15, 'userGroups must be an array.');
      for (const id of body.userGroups) {
        if (!groups.some((group) => group.userGroupId === id)) return fail(400, 16, `User group ${String(id)} does not exist.`);
      }
    }
    if (body.notifications !== undefined) {
      if (!Array.isArray(body.notifications)) return fail(400, 17, 'notifications must be an array.');
      for (const entry of body.notifications as { type?: unknown; services?: unknown }[]) {
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return fail(400, 18, 'A notification must be an object.');
        const extra = Object.keys(entry).find((key) => !NOTIFICATION_FIELDS.has(key));
        if (extra) return fail(400, 18, `Unknown notification property: ${extra}`);
        if (typeof entry.type !== 'string' || !TYPES.includes(entry.type)) return fail(400, 18, 'Invalid notification type.');
        if (entry.services !== undefined && (!Array.isArray(entry.services) || entry.services.some((s) => !SERVICES.includes(s as string)))) {
          return fail(400, 19, 'Invalid notification service.');
        }
      }
    }
    return undefined;
  }

  function handle(request: Recorded): Reply {
    if (request.query.get('apiToken') !== options.token) return fail(401, 1, 'Invalid API token.');
    if (request.method === 'GET' && request.path === '/getUserGroups/') return json(200, { userGroups: groups });
    if (request.method === 'GET' && request.path === '/getUsers/') {
      const email = request.query.get('userEmail');
      return json(200, { users: users.filter((user) => !email || user.email === email) });
    }
    if (request.method !== 'POST' || request.path !== '/createUser/') return json(404, { Error: { Id: 404, Message: 'Not found.' } });
    if (request.headers['content-type'] !== 'application/json') return fail(415, 2, 'Content-Type must be application/json.');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return fail(400, 3, 'Body is not valid JSON.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail(400, 3, 'Body must be a JSON object.');
    const invalid = validate(body as Record<string, unknown>);
    if (invalid) return invalid;
    const email = (body as { email: string }).email;
    if (users.some((user) => user.email === email)) return fail(400, 20, 'A user with this email already exists.');
    const userId = `u${nextId++}`;
    users.push({ ...(body as object), userId });
    return json(200, successBody(options.success ?? 'userId', body as Record<string, unknown>, userId));
  }

  const simulator = await startSimulator(handle);
  return Object.assign(simulator, { users, groups });
}
