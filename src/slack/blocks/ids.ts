/** Every callback_id and action_id the app answers, in one place: listeners and builders share them. */
export const IDS = {
  requestModal: 'adduser_request',
  rejectModal: 'adduser_reject',
  providerBlock: 'provider',
  providerSelect: 'provider_select',
  reasonBlock: 'reason',
  approve: 'request_approve',
  reject: 'request_reject',
  cancel: 'request_cancel',
  retry: 'request_retry',
  markDone: 'request_mark_done',
  reveal: 'request_reveal',
  revealModal: 'adduser_reveal',
  rejectReasonBlock: 'reject_reason',
  csvModal: 'adduser_csv',
  csvFile: 'csv_file',
} as const;

/** action_id of a provider field: the field id, so lookups (block_suggestion) know which field asks. */
export const fieldAction = (fieldId: string) => `field:${fieldId}`;
export const fieldOfAction = (actionId: string) => (actionId.startsWith('field:') ? actionId.slice(6) : undefined);
