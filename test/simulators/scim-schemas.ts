/** RFC 7643 §7 attribute definitions, as a service's /Schemas describes them. */
export interface Definition {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'integer' | 'binary';
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  subAttributes?: Definition[];
}

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const attr = (name: string, changes: Partial<Definition> = {}): Definition => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...changes,
});

const multi = (name: string, types: string[]) =>
  attr(name, { type: 'complex', multiValued: true, subAttributes: [attr('value'), attr('display', { mutability: 'readOnly' }), attr('type', { canonicalValues: types }), attr('primary', { type: 'boolean' })] });

/** RFC 7643 §8.7.1's User schema, in part: what the bot may ask, plus attributes it leaves alone. */
export const userAttributes = (): Definition[] => [
  attr('userName', { required: true, uniqueness: 'server' }),
  attr('name', { type: 'complex', subAttributes: ['formatted', 'familyName', 'givenName', 'middleName'].map((name) => attr(name)) }),
  attr('displayName'),
  attr('nickName'),
  attr('title'),
  attr('userType'),
  attr('locale'),
  attr('active', { type: 'boolean' }),
  attr('password', { mutability: 'writeOnly', returned: 'never' }),
  multi('emails', ['work', 'home', 'other']),
  multi('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  attr('groups', { type: 'complex', multiValued: true, mutability: 'readOnly', subAttributes: [attr('value', { mutability: 'readOnly' }), attr('display', { mutability: 'readOnly' })] }),
];

/** RFC 7643 §4.3. */
export const enterpriseAttributes = (): Definition[] => [
  attr('employeeNumber'),
  attr('costCenter'),
  attr('organization'),
  attr('department'),
  attr('manager', { type: 'complex', subAttributes: [attr('value'), attr('$ref', { type: 'reference' }), attr('displayName', { mutability: 'readOnly' })] }),
];

export const groupAttributes = (): Definition[] => [
  attr('displayName', { required: true }),
  attr('members', { type: 'complex', multiValued: true, subAttributes: [attr('value', { mutability: 'immutable' }), attr('$ref', { type: 'reference', mutability: 'immutable' }), attr('type', { mutability: 'immutable', canonicalValues: ['User', 'Group'] })] }),
];
