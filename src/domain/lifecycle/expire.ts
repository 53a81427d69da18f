import type { AccessRequest } from '../requests/request.js';
import { type Core, move, record } from './core.js';

/** A request still pending at its deadline expires: the sweep's act, or a click that came after it. */
export async function expireRequest(core: Core, request: AccessRequest, actor: string): Promise<AccessRequest | undefined> {
  if (request.state !== 'pending') return undefined;
  const expired = await move(core, request, ['pending'], { state: 'expired' });
  if (expired) await record(core, expired, 'expired', actor);
  return expired;
}

export async function expire(core: Core, id: string, actor: string): Promise<AccessRequest | undefined> {
  const request = await core.requests.get(id);
  return request && expireRequest(core, request, actor);
}
