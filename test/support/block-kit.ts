/**
 * Block Kit as Slack checks it, from its documented limits (docs.slack.dev reference/block-kit):
 * what real Slack answers `invalid_blocks` / `invalid_arguments` to. Only the elements this app
 * uses are known; any other block or element type is itself a problem, so a new one is added
 * here with its limits before a test can pass with it.
 */

type Json = Record<string, unknown>;
export type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function checker(problems: string[]) {
  const text = (value: unknown, where: string, max: number, types: readonly string[] = ['plain_text', 'mrkdwn']) => {
    if (!isObject(value) || !types.includes(String(value.type)) || typeof value.text !== 'string') {
      problems.push(`${where}: must be a text object of type ${types.join(' or ')}`);
      return;
    }
    if (value.text.length < 1) problems.push(`${where}: must not be empty`);
    if (value.text.length > max) problems.push(`${where}: ${value.text.length} characters, more than ${max}`);
  };
  const string = (value: unknown, where: string, max: number, required = false) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string') problems.push(`${where}: must be a string`);
    else if (value.length > max) problems.push(`${where}: ${value.length} characters, more than ${max}`);
  };
  const list = (value: unknown, where: string, max: number, min = 1): unknown[] => {
    if (!Array.isArray(value)) {
      problems.push(`${where}: must be an array`);
      return [];
    }
    if (value.length < min || value.length > max) problems.push(`${where}: ${value.length} items, must be ${min} to ${max}`);
    return value;
  };
  const option = (value: unknown, where: string) => {
    if (!isObject(value)) return void problems.push(`${where}: must be an option object`);
    text(value.text, `${where}.text`, 75, ['plain_text']);
    string(value.value, `${where}.value`, 150, true);
  };
  const element = (value: unknown, where: string) => {
    if (!isObject(value)) return void problems.push(`${where}: must be an element object`);
    string(value.action_id, `${where}.action_id`, 255);
    if (value.placeholder !== undefined) text(value.placeholder, `${where}.placeholder`, 150, ['plain_text']);
    switch (value.type) {
      case 'button':
        text(value.text, `${where}.text`, 75, ['plain_text']);
        string(value.value, `${where}.value`, 2000);
        string(value.url, `${where}.url`, 3000);
        if (value.style !== undefined && !['primary', 'danger'].includes(String(value.style))) problems.push(`${where}.style: must be primary or danger`);
        return;
      case 'plain_text_input':
        if (value.max_length !== undefined && (typeof value.max_length !== 'number' || value.max_length > 3000)) problems.push(`${where}.max_length: at most 3000`);
        string(value.initial_value, `${where}.initial_value`, 3000);
        return;
      case 'static_select':
      case 'multi_static_select':
      case 'checkboxes':
      case 'radio_buttons':
        if (value.type !== 'checkboxes' && value.type !== 'radio_buttons' && value.option_groups !== undefined) {
          // Either options or option_groups, never both: up to 100 groups, each a label and up to 100 options.
          if (value.options !== undefined) problems.push(`${where}: options and option_groups are exclusive`);
          list(value.option_groups, `${where}.option_groups`, 100).forEach((group, g) => {
            if (!isObject(group)) return void problems.push(`${where}.option_groups[${g}]: must be an option group object`);
            text(group.label, `${where}.option_groups[${g}].label`, 75, ['plain_text']);
            list(group.options, `${where}.option_groups[${g}].options`, 100).forEach((o, i) => option(o, `${where}.option_groups[${g}].options[${i}]`));
          });
        } else list(value.options, `${where}.options`, value.type === 'checkboxes' || value.type === 'radio_buttons' ? 10 : 100).forEach((o, i) => option(o, `${where}.options[${i}]`));
        if (value.initial_option !== undefined) option(value.initial_option, `${where}.initial_option`);
        if (value.initial_options !== undefined) list(value.initial_options, `${where}.initial_options`, 100, 0).forEach((o, i) => option(o, `${where}.initial_options[${i}]`));
        return;
      case 'external_select':
      case 'multi_external_select':
        if (value.initial_option !== undefined) option(value.initial_option, `${where}.initial_option`);
        if (value.initial_options !== undefined) list(value.initial_options, `${where}.initial_options`, 100, 0).forEach((o, i) => option(o, `${where}.initial_options[${i}]`));
        return;
      case 'number_input':
        if (typeof value.is_decimal_allowed !== 'boolean') problems.push(`${where}.is_decimal_allowed: required`);
        return;
      case 'file_input':
        list(value.filetypes ?? [], `${where}.filetypes`, 100, 0).forEach((type, i) => string(type, `${where}.filetypes[${i}]`, 50, true));
        if (value.max_files !== undefined && (typeof value.max_files !== 'number' || value.max_files < 1 || value.max_files > 10)) problems.push(`${where}.max_files: 1 to 10`);
        return;
      case 'email_text_input':
      case 'url_text_input':
      case 'users_select':
      case 'conversations_select':
        return;
      default:
        problems.push(`${where}.type: ${String(value.type)} is not an element this app is known to use`);
    }
  };
  const block = (value: unknown, where: string, surface: Surface) => {
    if (!isObject(value)) return void problems.push(`${where}: must be a block object`);
    string(value.block_id, `${where}.block_id`, 255);
    switch (value.type) {
      case 'section':
        if (value.text === undefined && value.fields === undefined) problems.push(`${where}: a section needs text or fields`);
        if (value.text !== undefined) text(value.text, `${where}.text`, 3000);
        if (value.fields !== undefined) list(value.fields, `${where}.fields`, 10).forEach((field, i) => text(field, `${where}.fields[${i}]`, 2000));
        if (value.accessory !== undefined) element(value.accessory, `${where}.accessory`);
        return;
      case 'header':
        return text(value.text, `${where}.text`, 150, ['plain_text']);
      case 'context':
        return list(value.elements, `${where}.elements`, 10).forEach((item, i) => text(item, `${where}.elements[${i}]`, 3000));
      case 'divider':
        return;
      case 'actions':
        return list(value.elements, `${where}.elements`, 25).forEach((item, i) => element(item, `${where}.elements[${i}]`));
      case 'input':
        if (surface === 'message') problems.push(`${where}: input blocks belong in modals and the Home tab`);
        text(value.label, `${where}.label`, 2000, ['plain_text']);
        if (value.hint !== undefined) text(value.hint, `${where}.hint`, 2000, ['plain_text']);
        return element(value.element, `${where}.element`);
      default:
        problems.push(`${where}.type: ${String(value.type)} is not a block this app is known to use`);
    }
  };
  return { text, string, list, block };
}

/** What Slack would refuse in `blocks` on `surface`; empty when it would accept them. */
export function blocksProblems(blocks: unknown, surface: Surface): string[] {
  const problems: string[] = [];
  const check = checker(problems);
  check.list(blocks, 'blocks', MAX_BLOCKS[surface], surface === 'message' ? 1 : 0).forEach((item, i) => check.block(item, `blocks[${i}]`, surface));
  const ids = (Array.isArray(blocks) ? blocks : []).map((item) => (isObject(item) ? item.block_id : undefined)).filter((id) => id !== undefined);
  if (new Set(ids).size !== ids.length) problems.push('blocks: block_id values must be unique');
  return problems;
}

/** What Slack would refuse in a view given to views.open / views.update / views.publish. */
export function viewProblems(view: unknown): string[] {
  if (!isObject(view)) return ['view: must be an object'];
  const surface: Surface = view.type === 'home' ? 'home' : 'modal';
  const problems = blocksProblems(view.blocks, surface);
  const check = checker(problems);
  if (view.type !== 'modal' && view.type !== 'home') problems.push(`view.type: ${String(view.type)} is not modal or home`);
  if (surface === 'modal') {
    check.text(view.title, 'view.title', 24, ['plain_text']);
    if (view.submit !== undefined) check.text(view.submit, 'view.submit', 24, ['plain_text']);
    if (view.close !== undefined) check.text(view.close, 'view.close', 24, ['plain_text']);
    const inputs = (Array.isArray(view.blocks) ? view.blocks : []).some((item) => isObject(item) && item.type === 'input');
    if (inputs && view.submit === undefined) problems.push('view.submit: required when the view has input blocks');
  }
  check.string(view.private_metadata, 'view.private_metadata', 3000);
  check.string(view.callback_id, 'view.callback_id', 255);
  check.string(view.external_id, 'view.external_id', 255);
  return problems;
}

/** A message's top-level text: Slack refuses over 40,000 characters (msg_too_long). */
export const MESSAGE_TEXT_LIMIT = 40_000;
