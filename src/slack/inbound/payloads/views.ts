import { z } from 'zod';
import { interactiveEnvelope, responseUrls, viewEnvelope } from './common.js';

/** The request form's submit; `blocks` tell which keys Slack accepts as inline errors. */
export const requestSubmission = z.looseObject({
  type: z.literal('view_submission'),
  ...interactiveEnvelope,
  response_urls: responseUrls,
  view: z.looseObject({
    ...viewEnvelope,
    blocks: z.array(z.looseObject({ type: z.string(), block_id: z.string().optional() })),
  }),
});

/** The CSV form's submit: the same shape as the request form's, its file in the state's `files`. */
export const csvSubmission = requestSubmission;

/** The reject dialog's submit: the request id travels in private_metadata. */
export const rejectSubmission = z.looseObject({
  type: z.literal('view_submission'),
  ...interactiveEnvelope,
  response_urls: responseUrls,
  view: z.looseObject(viewEnvelope),
});
