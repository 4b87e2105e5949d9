import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { useAdminSubmit } from './admin-forms';

const LANGUAGES = ['lv', 'ru', 'en'] as const;

interface Article {
  id: string;
  institution: string | null;
  topic: string | null;
  language: string;
  questions: string[];
  answer: string;
  published: boolean;
  updatedAt: string;
}

/** The knowledge base (/v1/admin/knowledge/articles): articles in lv/ru/en, drafts until published. */
export function KnowledgeAdmin() {
  const { t, dateTime } = useI18n();
  const [language, setLanguage] = useState('');
  const [articles, setArticles] = useState<Article[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [editing, setEditing] = useState<Article | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = (after?: string) =>
    `/v1/admin/knowledge/articles?limit=50${language ? `&language=${language}` : ''}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`;
  const load = useCallback(async () => {
    try {
      const page = await api<{ items: Article[]; nextCursor: string | null }>('GET', path());
      setArticles(page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [language]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, []);
  async function more() {
    if (!cursor) return;
    const page = await api<{ items: Article[]; nextCursor: string | null }>('GET', path(cursor));
    setArticles((list) => [...(list ?? []), ...page.items]);
    setCursor(page.nextCursor);
  }
  async function remove(a: Article) {
    if (!window.confirm(t('admin.kb.confirmDelete', { question: a.questions[0] }))) return;
    try {
      await api('DELETE', `/v1/admin/knowledge/articles/${a.id}`);
      if (editing?.id === a.id) setEditing(null);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <>
      <section className="card" aria-labelledby="kb-heading">
        <h2 id="kb-heading">{t('admin.kb.heading')}</h2>
        <div className="filters">
          <div className="filter">
            <label htmlFor="kb-language">{t('admin.language')}</label>
            <select id="kb-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
              <option value="">{t('inbox.any')}</option>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t(`language.${l}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
        </div>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        {articles === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : articles.length === 0 ? (
          <p>{t('admin.kb.none')}</p>
        ) : (
          <table className="inbox" aria-labelledby="kb-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.kb.question')}</th>
                <th scope="col">{t('admin.language')}</th>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('manage.topic')}</th>
                <th scope="col">{t('admin.kb.state')}</th>
                <th scope="col">{t('admin.kb.updated')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {articles.map((a) => (
                <tr key={a.id} data-article={a.questions[0]}>
                  <th scope="row" className="subject">
                    {a.questions[0]}
                    {a.questions.length > 1 && <span className="muted"> (+{a.questions.length - 1})</span>}
                  </th>
                  <td>{t(`language.${a.language}` as MessageKey)}</td>
                  <td>{a.institution ?? t('admin.kb.everyone')}</td>
                  <td>{a.topic ?? '—'}</td>
                  <td>{a.published ? t('admin.kb.published') : t('admin.kb.draft')}</td>
                  <td>{dateTime(a.updatedAt)}</td>
                  <td className="buttons">
                    <button type="button" onClick={() => setEditing(a)} aria-label={t('admin.editNamed', { name: a.questions[0] })}>
                      {t('admin.edit')}
                    </button>
                    <button type="button" onClick={() => void remove(a)} aria-label={t('admin.deleteNamed', { name: a.questions[0] })}>
                      {t('admin.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cursor && (
          <button type="button" onClick={() => void more()}>
            {t('inbox.more')}
          </button>
        )}
      </section>
      {editing ? (
        <ArticleForm key={editing.id} article={editing} institutions={institutions} onDone={load} onClose={() => setEditing(null)} />
      ) : (
        <ArticleForm key="new" institutions={institutions} onDone={load} />
      )}
    </>
  );
}

function ArticleForm({
  article,
  institutions,
  onDone,
  onClose,
}: {
  article?: Article;
  institutions: Institution[];
  onDone: () => Promise<void>;
  onClose?: () => void;
}) {
  const { t } = useI18n();
  const prefix = article ? 'article-edit' : 'article-new';
  const [questions, setQuestions] = useState((article?.questions ?? []).join('\n'));
  const [answer, setAnswer] = useState(article?.answer ?? '');
  const [language, setLanguage] = useState(article?.language ?? 'lv');
  const [institution, setInstitution] = useState(article?.institution ?? '');
  const [topic, setTopic] = useState(article?.topic ?? '');
  const [published, setPublished] = useState(article?.published ?? false);
  const form = useAdminSubmit(prefix);
  const { described, fieldError } = form;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      questions: questions
        .split('\n')
        .map((q) => q.trim())
        .filter(Boolean),
      answer,
      language,
      institution: institution || null,
      topic: topic.trim() || null,
      published,
    };
    const done = await form.run(
      () =>
        article ? api('PATCH', `/v1/admin/knowledge/articles/${article.id}`, body) : api('POST', '/v1/admin/knowledge/articles', body),
      article ? t('admin.saved') : t('admin.kb.added'),
    );
    if (done === undefined) return;
    if (!article) {
      setQuestions('');
      setAnswer('');
      setTopic('');
    }
    await onDone();
  }
  return (
    <form className="card admin-form" aria-labelledby={`${prefix}-heading`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${prefix}-heading`}>{article ? t('admin.kb.editHeading') : t('admin.kb.newHeading')}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor={`${prefix}-language`}>{t('admin.language')}</label>
          <select id={`${prefix}-language`} value={language} onChange={(e) => setLanguage(e.target.value)} {...described('language')}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`language.${l}` as MessageKey)}
              </option>
            ))}
          </select>
          {fieldError('language')}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-institution`}>{t('admin.institution')}</label>
          <select
            id={`${prefix}-institution`}
            value={institution}
            onChange={(e) => setInstitution(e.target.value)}
            {...described('institution')}
          >
            <option value="">{t('admin.kb.everyone')}</option>
            {institutions.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
              </option>
            ))}
          </select>
          {fieldError('institution')}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-topic`}>{t('manage.topic')}</label>
          <input id={`${prefix}-topic`} value={topic} onChange={(e) => setTopic(e.target.value)} {...described('topic')} />
          {fieldError('topic')}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-questions`}>{t('admin.kb.questions')}</label>
        <textarea
          id={`${prefix}-questions`}
          rows={3}
          value={questions}
          onChange={(e) => setQuestions(e.target.value)}
          aria-describedby={`${prefix}-questions-hint${form.errors.questions ? ` ${prefix}-questions-error` : ''}`}
          aria-invalid={form.errors.questions ? true : undefined}
        />
        <p className="hint" id={`${prefix}-questions-hint`}>
          {t('admin.kb.questionsHint')}
        </p>
        {fieldError('questions')}
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-answer`}>{t('admin.kb.answer')}</label>
        <textarea id={`${prefix}-answer`} rows={6} value={answer} onChange={(e) => setAnswer(e.target.value)} {...described('answer')} />
        {fieldError('answer')}
      </div>
      <label className="check">
        <input type="checkbox" checked={published} onChange={(e) => setPublished(e.target.checked)} /> {t('admin.kb.publishedBox')}
      </label>
      <div className="buttons">
        <button type="submit" className="primary">
          {article ? t('admin.save') : t('admin.kb.add')}
        </button>
        {onClose && (
          <button type="button" onClick={onClose}>
            {t('admin.close')}
          </button>
        )}
      </div>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}
