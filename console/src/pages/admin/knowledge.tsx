import { useCallback, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import {
  AdminForm,
  CheckField,
  DeleteButton,
  InstitutionSelect,
  SelectField,
  TextField,
  useAdminSubmit,
  useInstitutions,
} from './admin-forms';
import { AdminList, useAdminData, useEditing } from './admin-list';

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
  const [cursor, setCursor] = useState<string | null>(null);
  const institutions = useInstitutions();
  const { editing, open, close, selectedKey } = useEditing(articleKey);
  const path = useCallback(
    (after?: string) =>
      `/v1/admin/knowledge/articles?limit=50${language ? `&language=${language}` : ''}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
    [language],
  );
  const read = useCallback(async () => {
    const page = await api<ArticlePage>('GET', path());
    setCursor(page.nextCursor);
    return page.items;
  }, [path]);
  const { data: articles, setData: setArticles, error, setError, reload, act } = useAdminData(read);
  async function more() {
    if (!cursor) return;
    try {
      const page = await api<ArticlePage>('GET', path(cursor));
      setArticles((list) => [...(list ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  const remove = (a: Article) =>
    act(async () => {
      await api('DELETE', `/v1/admin/knowledge/articles/${a.id}`);
      if (editing?.id === a.id) close();
    });
  return (
    <>
      <AdminList
        id="kb"
        heading={t('admin.kb.heading')}
        error={error}
        items={articles}
        empty={t('admin.kb.none')}
        rowKey={articleKey}
        rowData={(a) => ({ 'data-article': a.questions[0] })}
        selectedKey={selectedKey}
        columns={[
          {
            label: t('admin.kb.question'),
            header: true,
            className: 'subject',
            cell: (a) => (
              <>
                {a.questions[0]}
                {a.questions.length > 1 && <span className="muted"> (+{a.questions.length - 1})</span>}
              </>
            ),
          },
          { label: t('admin.language'), cell: (a) => t(`language.${a.language}` as MessageKey) },
          { label: t('admin.institution'), cell: (a) => a.institution ?? t('admin.kb.everyone') },
          { label: t('manage.topic'), cell: (a) => a.topic ?? '—' },
          { label: t('admin.kb.state'), cell: (a) => (a.published ? t('admin.kb.published') : t('admin.kb.draft')) },
          { label: t('admin.kb.updated'), cell: (a) => dateTime(a.updatedAt) },
        ]}
        onEdit={open}
        editLabel={(a) => t('admin.editNamed', { name: a.questions[0] })}
        actions={(a) => (
          <DeleteButton
            name={a.questions[0]}
            confirm={t('admin.kb.confirmDelete', { question: a.questions[0] })}
            onDelete={() => remove(a)}
          />
        )}
        footer={
          cursor && (
            <button type="button" onClick={() => void more()}>
              {t('inbox.more')}
            </button>
          )
        }
      >
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
      </AdminList>
      {editing ? (
        <ArticleForm
          key={editing.id}
          article={editing}
          institutions={institutions}
          onDone={reload}
          onClose={close}
          onDelete={() => remove(editing)}
        />
      ) : (
        <ArticleForm key="new" institutions={institutions} onDone={reload} />
      )}
    </>
  );
}

interface ArticlePage {
  items: Article[];
  nextCursor: string | null;
}
const articleKey = (a: Article) => a.id;

function ArticleForm({
  article,
  institutions,
  onDone,
  onClose,
  onDelete,
}: {
  article?: Article;
  institutions: Institution[];
  onDone: () => Promise<void>;
  onClose?: () => void;
  onDelete?: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [questions, setQuestions] = useState((article?.questions ?? []).join('\n'));
  const [answer, setAnswer] = useState(article?.answer ?? '');
  const [language, setLanguage] = useState(article?.language ?? 'lv');
  const [institution, setInstitution] = useState(article?.institution ?? '');
  const [topic, setTopic] = useState(article?.topic ?? '');
  const [published, setPublished] = useState(article?.published ?? false);
  const form = useAdminSubmit(article ? 'article-edit' : 'article-new');
  async function submit() {
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
    <AdminForm
      form={form}
      heading={article ? t('admin.kb.editHeading') : t('admin.kb.newHeading')}
      submitLabel={article ? t('admin.save') : t('admin.kb.add')}
      onSubmit={submit}
      onCancel={onClose}
      onDelete={
        article && onDelete
          ? { name: article.questions[0], confirm: t('admin.kb.confirmDelete', { question: article.questions[0] }), run: onDelete }
          : undefined
      }
      focusOnOpen={article !== undefined}
    >
      <div className="grid">
        <SelectField
          form={form}
          field="language"
          label={t('admin.language')}
          value={language}
          onChange={setLanguage}
          options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}` as MessageKey) }))}
        />
        <InstitutionSelect
          form={form}
          value={institution}
          onChange={setInstitution}
          any={t('admin.kb.everyone')}
          institutions={institutions}
        />
        <TextField form={form} field="topic" label={t('manage.topic')} value={topic} onChange={setTopic} />
      </div>
      <TextField
        form={form}
        field="questions"
        rows={3}
        label={t('admin.kb.questions')}
        hint={t('admin.kb.questionsHint')}
        value={questions}
        onChange={setQuestions}
      />
      <TextField form={form} field="answer" rows={6} label={t('admin.kb.answer')} value={answer} onChange={setAnswer} />
      <CheckField label={t('admin.kb.publishedBox')} checked={published} onChange={setPublished} />
    </AdminForm>
  );
}
