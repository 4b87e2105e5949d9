import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api, ApiError } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { detailOf, Outcome } from '../forms';
import { InstitutionSelect, SelectField, TextField, useInstitutions, type FieldForm } from './admin-forms';

const KINDS = ['menu', 'answer', 'operator'] as const;
interface Prompt {
  text?: string;
  audioUrl?: string;
  articleId?: string;
}
interface MenuNode {
  key: string;
  parentKey: string | null;
  digit: string | null;
  kind: (typeof KINDS)[number];
  institutionCode?: string | null;
  topic?: string | null;
  title: Record<string, string>;
  prompt: Record<string, Prompt>;
}
interface Problem {
  key: string | null;
  field: string;
  message: string;
}

const childrenOf = (nodes: MenuNode[], key: string) =>
  nodes.filter((n) => n.parentKey === key).sort((a, b) => (a.digit ?? '').localeCompare(b.digit ?? ''));

/** Drops empty texts and prompts, so the API sees only what was written. */
function cleaned(nodes: MenuNode[]): MenuNode[] {
  return nodes.map((n) => ({
    ...n,
    institutionCode: n.institutionCode || null,
    topic: n.topic?.trim() || null,
    title: Object.fromEntries(Object.entries(n.title).filter(([, v]) => v.trim() !== '')),
    prompt: Object.fromEntries(
      Object.entries(n.prompt)
        .map(([l, p]): [string, Prompt] => [
          l,
          Object.fromEntries(Object.entries(p).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as Prompt,
        ])
        .filter(([, p]) => Object.keys(p).length > 0),
    ),
  }));
}

/**
 * The IVR menu edited as the tree it is: each choice under its menu, with its digit, kind, institution, the title the
 * menu announces and what it says in every offered language. "Check" asks the API (POST /v1/admin/ivr/validate);
 * saving replaces the whole menu (PUT), which the API refuses with every problem when a caller could be stranded.
 * Each problem is shown at its node's field.
 */
export function IvrAdmin() {
  const { t } = useI18n();
  const [nodes, setNodes] = useState<MenuNode[] | null>(null);
  const [languages, setLanguages] = useState<string[]>(['lv']);
  const institutions = useInstitutions();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api<{ languages: string[]; nodes: MenuNode[] }>('GET', '/v1/admin/ivr').then(
      (menu) => {
        setLanguages(menu.languages);
        setNodes(menu.nodes);
      },
      (e) => setError(detailOf(e)),
    );
  }, []);
  if (!nodes) return error ? <p role="alert">{t('app.error', { detail: error })}</p> : <p role="status">{t('app.loading')}</p>;

  const change = (key: string, patch: Partial<MenuNode>) => {
    setNodes(nodes.map((n) => (n.key === key ? { ...n, ...patch } : n)));
    setStatus(null);
  };
  const add = (parent: MenuNode) => {
    const used = new Set(childrenOf(nodes, parent.key).map((c) => c.digit));
    const digit = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].find((d) => !used.has(d)) ?? '';
    let n = 1;
    while (nodes.some((x) => x.key === `${parent.key}-${n}`)) n++;
    setNodes([...nodes, { key: `${parent.key}-${n}`.slice(0, 64), parentKey: parent.key, digit, kind: 'answer', title: {}, prompt: {} }]);
  };
  const remove = (node: MenuNode) => {
    const gone = new Set([node.key]);
    for (let grew = true; grew;) {
      grew = false;
      for (const n of nodes) {
        if (n.parentKey && gone.has(n.parentKey) && !gone.has(n.key)) {
          gone.add(n.key);
          grew = true;
        }
      }
    }
    if (gone.size > 1 && !window.confirm(t('admin.ivr.confirmRemove', { key: node.key, count: gone.size - 1 }))) return;
    setNodes(nodes.filter((n) => !gone.has(n.key)));
  };

  async function check(): Promise<boolean> {
    setStatus(null);
    setError(null);
    try {
      const result = await api<{ valid: boolean; problems: Problem[] }>('POST', '/v1/admin/ivr/validate', { nodes: cleaned(nodes!) });
      setProblems(result.problems);
      if (result.valid) setStatus(t('admin.ivr.valid'));
      return result.valid;
    } catch (e) {
      showRefusal(e);
      return false;
    }
  }
  function showRefusal(e: unknown) {
    // A refusal of the request's shape names nodes by index: nodes[3].digit is the fourth node's digit.
    if (e instanceof ApiError && e.problem.errors) {
      const list = cleaned(nodes!);
      setProblems(
        e.problem.errors.map((f) => {
          const m = /^nodes\[(\d+)\]\.?(.*)$/.exec(f.field);
          return m
            ? { key: list[Number(m[1])]?.key ?? null, field: m[2] || 'key', message: f.message }
            : { key: null, field: f.field, message: f.message };
        }),
      );
      return;
    }
    setError(t('action.failed', { detail: detailOf(e) }));
  }
  async function save() {
    if (!(await check())) return;
    try {
      const saved = await api<{ nodes: MenuNode[] }>('PUT', '/v1/admin/ivr', { nodes: cleaned(nodes!) });
      setNodes(saved.nodes);
      setProblems([]);
      setStatus(t('admin.ivr.saved'));
    } catch (e) {
      showRefusal(e);
    }
  }

  const root = nodes.find((n) => n.parentKey === null);
  const general = problems.filter((p) => p.key === null || !nodes.some((n) => n.key === p.key));
  return (
    <section className="card ivr" aria-labelledby="ivr-heading">
      <h2 id="ivr-heading">{t('admin.ivr.heading')}</h2>
      <p className="hint">{t('admin.ivr.hint', { languages: languages.join(', ') })}</p>
      {problems.length > 0 && (
        <div className="error" role="alert">
          <p>{t('admin.ivr.problems', { count: problems.length })}</p>
          {general.length > 0 && (
            <ul>
              {general.map((p, i) => (
                <li key={i}>{p.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {root ? (
        <ul className="tree" aria-labelledby="ivr-heading">
          <NodeEditor
            node={root}
            nodes={nodes}
            depth={1}
            languages={languages}
            institutions={institutions}
            problems={problems}
            onChange={change}
            onAdd={add}
            onRemove={remove}
          />
        </ul>
      ) : (
        <p>{t('admin.ivr.noRoot')}</p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => void check()}>
          {t('admin.ivr.check')}
        </button>
        <button type="button" className="primary" onClick={() => void save()}>
          {t('admin.ivr.save')}
        </button>
      </div>
      <Outcome status={status} error={error} />
    </section>
  );
}

function NodeEditor(props: {
  node: MenuNode;
  nodes: MenuNode[];
  depth: number;
  languages: string[];
  institutions: Institution[];
  problems: Problem[];
  onChange: (key: string, patch: Partial<MenuNode>) => void;
  onAdd: (parent: MenuNode) => void;
  onRemove: (node: MenuNode) => void;
}) {
  const { t } = useI18n();
  const { node, nodes, depth, languages, institutions, problems, onChange, onAdd, onRemove } = props;
  const id = `ivr-${node.key}`;
  const mine = problems.filter((p) => p.key === node.key);
  const problemOf = (field: string) =>
    mine
      .filter((p) => p.field === field || p.field.startsWith(`${field}.`))
      .map((p) => p.message)
      .join('; ');
  // The validator's problems for this node, shown as a form shows the API's field-level errors.
  const form: FieldForm = {
    prefix: id,
    described: (field) => (problemOf(field) ? { 'aria-invalid': true, 'aria-describedby': `${id}-${field}-error` } : {}),
    describedWithHint: (field, hintId) => ({
      'aria-describedby': problemOf(field) ? `${hintId} ${id}-${field}-error` : hintId,
      'aria-invalid': problemOf(field) ? true : undefined,
    }),
    fieldError: (field) =>
      problemOf(field) && (
        <p className="field-error" id={`${id}-${field}-error`}>
          {problemOf(field)}
        </p>
      ),
  };
  const children = childrenOf(nodes, node.key);
  const name = node.title.lv || node.title[languages[0]] || node.key;
  return (
    <li data-node={node.key} data-depth={depth}>
      <fieldset className={`node node-${node.kind}`}>
        <legend>
          {node.parentKey === null ? t('admin.ivr.main') : t('admin.ivr.choice', { digit: node.digit ?? '?', name })}{' '}
          <code>{node.key}</code>
        </legend>
        {form.fieldError('parentKey')}
        <div className="grid">
          {node.parentKey !== null && (
            <TextField
              form={form}
              field="digit"
              size={2}
              maxLength={1}
              label={t('admin.ivr.digit')}
              value={node.digit ?? ''}
              onChange={(next) => onChange(node.key, { digit: next })}
            />
          )}
          <SelectField
            form={form}
            field="kind"
            label={t('admin.ivr.kind')}
            value={node.kind}
            onChange={(next) => onChange(node.key, { kind: next as MenuNode['kind'] })}
            options={KINDS.map((k) => ({ value: k, label: t(`admin.ivr.kind.${k}` as MessageKey) }))}
          />
          <InstitutionSelect
            form={form}
            id={`${id}-institution`}
            field="institutionCode"
            value={node.institutionCode ?? ''}
            onChange={(next) => onChange(node.key, { institutionCode: next || null })}
            any={t('admin.ivr.inherited')}
            institutions={institutions}
          />
          <TextField
            form={form}
            field="topic"
            label={t('manage.topic')}
            value={node.topic ?? ''}
            onChange={(next) => onChange(node.key, { topic: next })}
          />
        </div>
        {languages.map((l) => (
          <div className="grid" key={l}>
            {node.parentKey !== null && (
              <TextField
                form={form}
                id={`${id}-title-${l}`}
                field={`title.${l}`}
                label={t('admin.ivr.title', { language: l })}
                value={node.title[l] ?? ''}
                onChange={(next) => onChange(node.key, { title: { ...node.title, [l]: next } })}
              />
            )}
            <TextField
              form={form}
              id={`${id}-prompt-${l}`}
              field={`prompt.${l}`}
              rows={2}
              className="wide"
              label={t(`admin.ivr.prompt.${node.kind}` as MessageKey, { language: l })}
              value={node.prompt[l]?.text ?? ''}
              onChange={(next) => onChange(node.key, { prompt: { ...node.prompt, [l]: { ...node.prompt[l], text: next } } })}
            />
          </div>
        ))}
        <div className="buttons">
          {node.kind === 'menu' && (
            <button type="button" onClick={() => onAdd(node)}>
              {t('admin.ivr.addChoice', { name })}
            </button>
          )}
          {node.parentKey !== null && (
            <button type="button" onClick={() => onRemove(node)}>
              {t('admin.ivr.remove', { name })}
            </button>
          )}
        </div>
      </fieldset>
      {children.length > 0 && (
        <ul>
          {children.map((c) => (
            <NodeEditor key={c.key} {...props} node={c} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
