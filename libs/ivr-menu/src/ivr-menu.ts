/**
 * The IVR menu as data: a tree of nodes a caller walks with the keypad. This module knows nothing of Twilio or
 * of storage; it says what a menu is and whether one is fit to be played to callers.
 */

export const MENU_LANGUAGES = ['lv', 'en', 'ru'] as const;
export type MenuLanguage = (typeof MENU_LANGUAGES)[number];

export const NODE_KINDS = ['menu', 'answer', 'operator'] as const;
/** menu: offers choices; answer: plays information (level 0) and offers back/operator/hang-up; operator: queues the caller. */
export type NodeKind = (typeof NODE_KINDS)[number];

/** Something to play: text read by the speech engine in the node's language, or a recording (preferred when both). */
export interface Prompt {
  text?: string;
  audioUrl?: string;
  /**
   * A knowledge-base article whose answer is read out (in place of `text`), so the IVR says what the chat
   * assistant and operators' suggestions say, and an edit of the article reaches the phone too.
   */
  articleId?: string;
}

export interface MenuNode {
  /** Stable name, used in the URLs handed to Twilio, so a call in progress survives an edit of the menu. */
  key: string;
  parentKey: string | null;
  /** The key pressed in the parent menu to get here; `0` (operator) and `*` (repeat) are reserved everywhere. */
  digit: string | null;
  kind: NodeKind;
  /** The institution a call reaching this node concerns (inherited by the nodes below). */
  institutionCode?: string | null;
  topic?: string | null;
  /** How the parent menu announces this choice ("Valsts ieņēmumu dienests"). */
  title: Partial<Record<MenuLanguage, string>>;
  /** A menu's introduction, an answer's content, or what an operator node says before queueing. */
  prompt: Partial<Record<MenuLanguage, Prompt>>;
}

export interface MenuProblem {
  key: string | null;
  field: string;
  code: string;
  message: string;
}

/** Deeper than this, callers give up before they arrive: a menu is kept shallow on purpose. */
export const MAX_MENU_DEPTH = 5;
export const ROOT_KEY = 'main';
const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
const CHOICE_DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function childrenOf(nodes: readonly MenuNode[], key: string): MenuNode[] {
  return nodes.filter((n) => n.parentKey === key).sort((a, b) => (a.digit ?? '').localeCompare(b.digit ?? ''));
}

/** The node and its ancestors, nearest first. */
export function lineage(byKey: ReadonlyMap<string, MenuNode>, key: string): MenuNode[] {
  const out: MenuNode[] = [];
  const seen = new Set<string>();
  for (let node = byKey.get(key); node && !seen.has(node.key); node = node.parentKey ? byKey.get(node.parentKey) : undefined) {
    seen.add(node.key);
    out.push(node);
  }
  return out;
}

/** The institution and topic a call at this node is about: the nearest ones on the way up. */
export function contextOf(byKey: ReadonlyMap<string, MenuNode>, key: string): { institutionCode: string | null; topic: string | null } {
  const chain = lineage(byKey, key);
  return {
    institutionCode: chain.find((n) => n.institutionCode)?.institutionCode ?? null,
    topic: chain.find((n) => n.topic)?.topic ?? null,
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Everything that would strand or confuse a caller, as a list (empty = the menu may go live): one root menu,
 * every node reachable from it, no loops, no menu without choices (a dead end), answers and operator nodes as
 * leaves, unique single digits 1–9 among siblings, and something to say in every language offered.
 */
/** What the validator needs to know of a knowledge-base article an answer reads out. */
export interface ArticleFacts {
  language: string;
  published: boolean;
}

export function validateMenu(
  nodes: readonly MenuNode[],
  options: { languages: readonly MenuLanguage[]; institutionCodes?: readonly string[]; articles?: ReadonlyMap<string, ArticleFacts> },
): MenuProblem[] {
  const problems: MenuProblem[] = [];
  const add = (key: string | null, field: string, code: string, message: string) => problems.push({ key, field, code, message });
  const byKey = new Map<string, MenuNode>();

  for (const node of nodes) {
    if (!KEY_PATTERN.test(node.key ?? '')) add(node.key ?? null, 'key', 'invalid', 'a key is 1-64 lower-case letters, digits and dashes');
    if (byKey.has(node.key)) add(node.key, 'key', 'duplicate', `the key ${node.key} is used twice`);
    byKey.set(node.key, node);
    if (!NODE_KINDS.includes(node.kind)) add(node.key, 'kind', 'invalid', `kind must be one of ${NODE_KINDS.join(', ')}`);
  }

  const roots = nodes.filter((n) => n.parentKey === null);
  if (roots.length !== 1)
    add(null, 'parentKey', 'oneRoot', `a menu has exactly one main menu (node without a parent); found ${roots.length}`);
  const root = roots[0];
  if (root && root.key !== ROOT_KEY) add(root.key, 'key', 'rootKey', `the main menu's key must be "${ROOT_KEY}"`);
  if (root && root.kind !== 'menu') add(root.key, 'kind', 'rootKind', 'the main menu must be a menu');
  if (root && root.digit !== null) add(root.key, 'digit', 'notAllowed', 'the main menu is not chosen by a digit');

  const siblingsDigits = new Map<string, Set<string>>();
  for (const node of nodes) {
    if (node.parentKey === null) continue;
    const parent = byKey.get(node.parentKey);
    if (!parent) {
      add(node.key, 'parentKey', 'unknown', `no node has the key ${node.parentKey}`);
      continue;
    }
    if (parent.kind !== 'menu')
      add(node.key, 'parentKey', 'leafParent', `${parent.key} is an ${parent.kind} node and cannot have choices below it`);
    if (!node.digit || !CHOICE_DIGITS.includes(node.digit)) {
      add(node.key, 'digit', 'invalid', 'a choice is one digit 1-9 (0 is always the operator and * repeats)');
    } else {
      const used = siblingsDigits.get(parent.key) ?? new Set<string>();
      if (used.has(node.digit)) add(node.key, 'digit', 'duplicate', `digit ${node.digit} is used twice in ${parent.key}`);
      used.add(node.digit);
      siblingsDigits.set(parent.key, used);
    }
  }

  // Walking up from every node must reach the root without meeting a node twice: no loops, no islands.
  for (const node of nodes) {
    const seen = new Set<string>();
    let at: MenuNode | undefined = node;
    let depth = 0;
    while (at && at.parentKey !== null && !seen.has(at.key)) {
      seen.add(at.key);
      at = byKey.get(at.parentKey);
      depth += 1;
    }
    if (at && seen.has(at.key)) add(node.key, 'parentKey', 'cycle', `${node.key} is inside a loop of menus and can never be reached`);
    else if (at && at !== root) add(node.key, 'parentKey', 'unreachable', `${node.key} cannot be reached from the main menu`);
    else if (depth > MAX_MENU_DEPTH)
      add(node.key, 'parentKey', 'tooDeep', `${node.key} is ${depth} levels deep; at most ${MAX_MENU_DEPTH}`);
  }

  for (const node of nodes) {
    if (node.kind === 'menu' && childrenOf(nodes, node.key).length === 0) {
      add(node.key, 'kind', 'deadEnd', `menu ${node.key} offers no choices: a caller would be stuck there`);
    }
    if (node.institutionCode && options.institutionCodes && !options.institutionCodes.includes(node.institutionCode)) {
      add(node.key, 'institutionCode', 'unknown', `no institution has the code ${node.institutionCode}`);
    }
    for (const language of options.languages) {
      if (node.parentKey !== null && !node.title?.[language]?.trim()) {
        add(node.key, `title.${language}`, 'required', `the choice needs a title in ${language} to be announced`);
      }
      const prompt = node.prompt?.[language];
      const hasPrompt = !!(prompt?.text?.trim() || prompt?.audioUrl || prompt?.articleId);
      if (node.kind === 'answer' && !hasPrompt)
        add(node.key, `prompt.${language}`, 'required', `the answer has nothing to say in ${language}`);
      if (node.kind === 'menu' && node.parentKey === null && !hasPrompt)
        add(node.key, `prompt.${language}`, 'required', `the main menu needs a greeting in ${language}`);
      if (prompt?.audioUrl && !isHttpsUrl(prompt.audioUrl))
        add(node.key, `prompt.${language}.audioUrl`, 'invalid', 'a recording is an https:// URL');
      if (prompt?.articleId !== undefined) {
        const article = options.articles?.get(prompt.articleId);
        if (!article) add(node.key, `prompt.${language}.articleId`, 'unknown', 'no knowledge-base article has this id');
        else if (!article.published)
          add(node.key, `prompt.${language}.articleId`, 'unpublished', 'the article is not published: callers would hear nothing');
        else if (article.language !== language)
          add(node.key, `prompt.${language}.articleId`, 'wrongLanguage', `the article is in ${article.language}, not ${language}`);
      }
    }
  }
  return problems;
}
