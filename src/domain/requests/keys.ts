/** Every store key of a request, in one place: the lifecycle's steps write them, the reads (reads.ts) read them, nothing else does. */
export const requestKey = (id: string) => `request:${id}`;
/** Where a password of a request's form is bound when sealed: a sealed value copied to another request does not open there. */
export const passwordPlace = (id: string, fieldId: string) => `${requestKey(id)}#form.${fieldId}`;
export const approvalsKey = (id: string) => `request:${id}:approvals`;
export const approvalMarkKey = (id: string, user: string) => `request:${id}:approved-by:${user}`;
export const byUserKey = (user: string) => `requests:by-user:${user}`;
/** Every request ever stored, in order: the one list that names them all (read once, to build the indexes). */
export const ALL_REQUESTS_KEY = 'requests:all';
/** Generated secrets waiting to be shown once to the requester; gone once shown, or after a week. */
export const revealKey = (id: string) => `request:${id}:reveal`;
export const REVEAL_TTL_MS = 7 * 86_400_000;
/** Set-if-absent: exactly one `requested` record per request, whether the submitter or recovery writes it. */
export const announcedKey = (id: string) => `request:${id}:announced`;
/** A live process writes the `requested` record within moments of storing the request; after this, it crashed. */
export const ANNOUNCE_GRACE_MS = 5_000;
/** Requests looked at per sweep or recovery pass; more wait for the next pass. */
export const BATCH = 500;
/** A batch's record (SPEC §9): written once, at submission; its members are ordinary requests. */
export const batchKey = (id: string) => `batch:${id}`;
