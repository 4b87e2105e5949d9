import { Invalidations } from '../../realtime/invalidations';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MenuLanguage, MenuNode, MenuProblem, ROOT_KEY, validateMenu } from '@lib/ivr-menu';
import { DataSource } from 'typeorm';
import { validationProblem } from '../../common/problem';
import { AppConfig } from '../../config/app-config';

const TTL_MS = 30_000;
/** The Redis topic announcing that the IVR menu was replaced. */
const MENU_TOPIC = 'ivr-menu';

export interface LoadedMenu {
  nodes: MenuNode[];
  byKey: Map<string, MenuNode>;
  root: MenuNode;
}

/** Latvian first and always; the others as configured (the official-language rules decide which). */
export function offeredLanguages(config: AppConfig): MenuLanguage[] {
  const extra = config.VOICE_EXTRA_LANGUAGES === 'none' ? [] : (config.VOICE_EXTRA_LANGUAGES.split(',') as MenuLanguage[]);
  return ['lv', ...extra.filter((l, i) => l !== 'lv' && extra.indexOf(l) === i)];
}

/**
 * The IVR menu from PostgreSQL, kept in memory for a short while: every step of every call reads it. An edit is
 * published to every instance after commit (Invalidations), so all of them read the new menu on their next step;
 * TTL_MS still bounds how long an edit of a linked knowledge article (not published there) takes to reach callers.
 */
@Injectable()
export class VoiceMenuService {
  private cached: { at: number; menu: LoadedMenu } | null = null;
  readonly languages: MenuLanguage[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
    private readonly invalidations: Invalidations,
  ) {
    this.languages = offeredLanguages(config);
    const forget = () => (this.cached = null);
    invalidations.listen(MENU_TOPIC, { drop: forget, dropAll: forget });
  }

  async menu(): Promise<LoadedMenu> {
    if (this.cached && Date.now() - this.cached.at < TTL_MS) return this.cached.menu;
    const nodes = await this.withArticleAnswers(await this.read());
    const byKey = new Map(nodes.map((n) => [n.key, n]));
    const root = byKey.get(ROOT_KEY);
    if (!root) throw new Error('the IVR menu has no main menu; seed it or PUT /v1/admin/ivr');
    const menu = { nodes, byKey, root };
    this.cached = { at: Date.now(), menu };
    return menu;
  }

  async read(): Promise<MenuNode[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT key, parent_key, digit, kind, institution_code, topic, title, prompt FROM ivr_nodes ORDER BY parent_key NULLS FIRST, digit, key`,
    );
    return rows.map((r) => ({
      key: r.key,
      parentKey: r.parent_key,
      digit: r.digit,
      kind: r.kind,
      institutionCode: r.institution_code,
      topic: r.topic,
      title: r.title,
      prompt: r.prompt,
    }));
  }

  async problems(nodes: MenuNode[]): Promise<MenuProblem[]> {
    const institutions: Array<{ code: string }> = await this.dataSource.query('SELECT code FROM institutions');
    const articles: Array<{ id: string; language: string; published: boolean }> = await this.dataSource.query(
      'SELECT id, language, published FROM knowledge_articles WHERE id = ANY($1::uuid[])',
      [articleIdsOf(nodes)],
    );
    return validateMenu(nodes, {
      languages: this.languages,
      institutionCodes: institutions.map((i) => i.code),
      articles: new Map(articles.map((a) => [a.id, a])),
    });
  }

  /**
   * Answers that name a knowledge-base article are read from it, when the menu is loaded (so a call's steps still
   * read nothing): an edit of the article reaches callers within the menu's TTL. An article unpublished since keeps
   * the node's own text, if it has one.
   */
  private async withArticleAnswers(nodes: MenuNode[]): Promise<MenuNode[]> {
    const ids = articleIdsOf(nodes);
    if (ids.length === 0) return nodes;
    const rows: Array<{ id: string; answer: string }> = await this.dataSource.query(
      'SELECT id, answer FROM knowledge_articles WHERE id = ANY($1::uuid[]) AND published',
      [ids],
    );
    const answers = new Map(rows.map((r) => [r.id, r.answer]));
    return nodes.map((node) => ({
      ...node,
      prompt: Object.fromEntries(
        Object.entries(node.prompt ?? {}).map(([language, p]) => [
          language,
          p?.articleId && answers.has(p.articleId) ? { ...p, text: answers.get(p.articleId) } : p,
        ]),
      ),
    }));
  }

  /** The whole menu at once, so that no caller ever meets a half-edited one; refused whole if anything is wrong. */
  async replace(nodes: MenuNode[]): Promise<MenuNode[]> {
    const problems = await this.problems(nodes);
    if (problems.length > 0) {
      throw validationProblem(
        problems.map((p) => ({
          field: p.key ? `nodes[${nodes.findIndex((n) => n.key === p.key)}].${p.field}` : 'nodes',
          code: p.code,
          message: p.message,
        })),
        'The menu would strand or confuse callers; nothing was changed.',
      );
    }
    await this.dataSource.transaction(async (m) => {
      // One editor at a time: a second PUT waits and then replaces the whole menu again.
      await m.query(`LOCK TABLE ivr_nodes IN EXCLUSIVE MODE`);
      await m.query(`DELETE FROM ivr_nodes`);
      await m.query(
        `INSERT INTO ivr_nodes (key, parent_key, digit, kind, institution_code, topic, title, prompt)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::text[], $7::jsonb[], $8::jsonb[])`,
        [
          nodes.map((n) => n.key),
          nodes.map((n) => n.parentKey),
          nodes.map((n) => n.digit),
          nodes.map((n) => n.kind),
          nodes.map((n) => n.institutionCode ?? null),
          nodes.map((n) => n.topic ?? null),
          nodes.map((n) => JSON.stringify(n.title ?? {})),
          nodes.map((n) => JSON.stringify(n.prompt ?? {})),
        ],
      );
    });
    // After commit, every instance (this one first) reads the new menu on its next step.
    await this.invalidations.publish(MENU_TOPIC, ['*']);
    return this.read();
  }
}

function articleIdsOf(nodes: readonly MenuNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => Object.values(n.prompt ?? {}).flatMap((p) => (p?.articleId ? [p.articleId] : []))))];
}
