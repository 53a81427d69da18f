import { describe, expect, test } from 'vitest';
import { describeUnexpectedBody, outcomeForStatus, parseJsonBody, parseRetryAfter } from '../../src/adapters/providers/outcome.js';

/** The shared reading of provider answers every provider's parseCreate falls back on. */
const NOW = Date.parse('2026-12-01T10:00:00Z');

describe('Retry-After', () => {
  test('delta-seconds, with or without spaces; an HTTP date from now, never negative; anything else is no wait', () => {
    expect(parseRetryAfter('12', NOW)).toBe(12);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', NOW)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:29.500 GMT', NOW)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('12abc', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('the class a status implies', () => {
  test.each([
    [401, { kind: 'auth', message: 'm', status: 401 }],
    [403, { kind: 'auth', message: 'm', status: 403 }],
    [409, { kind: 'already_exists', message: 'm', status: 409 }],
    [400, { kind: 'rejected', message: 'm', status: 400 }],
    [422, { kind: 'rejected', message: 'm', status: 422 }],
    [499, { kind: 'rejected', message: 'm', status: 499 }],
    [500, { kind: 'unknown', message: 'm', status: 500 }],
    [503, { kind: 'unknown', message: 'm', status: 503 }],
  ] as const)('%i', (status, outcome) => {
    expect(outcomeForStatus(status, 'm')).toEqual(outcome);
  });

  test('429 carries the wait when the provider named one, and no wait key when it did not', () => {
    expect(outcomeForStatus(429, 'slow down', '5')).toEqual({ kind: 'rate_limited', message: 'slow down', status: 429, retryAfterSeconds: 5 });
    expect(outcomeForStatus(429, 'slow down')).toEqual({ kind: 'rate_limited', message: 'slow down', status: 429 });
    expect(outcomeForStatus(429, 'slow down', 'later')).toEqual({ kind: 'rate_limited', message: 'slow down', status: 429 });
  });
});

describe('bodies', () => {
  test('JSON, or undefined for empty, blank and non-JSON bodies', () => {
    expect(parseJsonBody('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonBody(' [1] ')).toEqual([1]);
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody('  \n')).toBeUndefined();
    expect(parseJsonBody('<html>')).toBeUndefined();
  });

  test('an unexpected body is one line of its text, tags dropped, cut at 200 characters', () => {
    expect(describeUnexpectedBody(502, '<html><body><h1>Bad</h1>\n  <p>Gateway</p></body></html>')).toBe('HTTP 502: unexpected response: Bad Gateway');
    expect(describeUnexpectedBody(502, '')).toBe('HTTP 502 with an empty body');
    expect(describeUnexpectedBody(502, '<br/>  ')).toBe('HTTP 502 with an empty body');
    expect(describeUnexpectedBody(200, 'a<b>c')).toBe('HTTP 200: unexpected response: a c');
    expect(describeUnexpectedBody(500, 'x'.repeat(200))).toBe(`HTTP 500: unexpected response: ${'x'.repeat(200)}`);
    expect(describeUnexpectedBody(500, 'x'.repeat(201))).toBe(`HTTP 500: unexpected response: ${'x'.repeat(200)}…`);
  });
});
