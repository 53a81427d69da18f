import type { AccessRequest } from '../../src/domain/requests/request.js';

/** A pending DigiCert request, for pure tests of the domain and the Block Kit builders. */
export const aRequest = (changes: Partial<AccessRequest> = {}): AccessRequest => ({
  id: 'AR-ABC123',
  provider: 'digicert',
  state: 'pending',
  requester: 'UASKER',
  reason: 'New hire',
  target: 'jill@example.com',
  details: [{ label: 'Email', value: 'jill@example.com' }],
  form: {},
  generated: [],
  channel: 'C1',
  dryRun: false,
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-04T00:00:00.000Z',
  ...changes,
});
