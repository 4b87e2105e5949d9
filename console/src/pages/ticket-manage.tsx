import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import { AssignTransferForm, InstitutionForm, MergeForm, useSubmit } from '../desk/ticket-desk';
import { api, type Profile } from '../lib/session';
import { KINDS, PRIORITIES, SETTABLE_STATUSES, type TicketDetail } from '../lib/tickets';
import { fieldErrorProps, Outcome } from './forms';

type Props = { ticket: TicketDetail; me: Profile; onChanged: () => Promise<void> };

/** Status, kind, priority and topic; hand back down with the answer; give the ticket to someone else. */
export function TicketManage(props: Props) {
  return (
    <>
      <UpdateForm {...props} />
      <HandBackForm {...props} />
      <AssignTransferForm {...props} />
      <InstitutionForm {...props} />
      <MergeForm {...props} />
    </>
  );
}

function UpdateForm({ ticket, onChanged }: Props) {
  const { t } = useI18n();
  const [status, setStatus] = useState(ticket.status);
  const [kind, setKind] = useState(ticket.kind);
  const [priority, setPriority] = useState(ticket.priority);
  const [topic, setTopic] = useState(ticket.topic ?? '');
  const form = useSubmit();
  // A change made elsewhere (live, or by this form) becomes the starting point again.
  useEffect(() => {
    setStatus(ticket.status);
    setKind(ticket.kind);
    setPriority(ticket.priority);
    setTopic(ticket.topic ?? '');
  }, [ticket.status, ticket.kind, ticket.priority, ticket.topic]);

  const changes: Record<string, string> = {};
  if (status !== ticket.status) changes.status = status;
  if (kind !== ticket.kind) changes.kind = kind;
  if (priority !== ticket.priority) changes.priority = priority;
  if (topic.trim() !== (ticket.topic ?? '')) changes.topic = topic.trim();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (Object.keys(changes).length === 0) return;
    if (await form.run(() => api('PATCH', `/v1/tickets/${ticket.reference}`, changes), t('manage.saved'))) await onChanged();
  }
  const { described, fieldError } = fieldErrorProps('manage', form.errors);
  const statuses: string[] = [...SETTABLE_STATUSES];
  return (
    <form className="card manage" aria-labelledby="manage-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="manage-heading">{t('manage.heading')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="manage-status">{t('ticket.status')}</label>
          <select id="manage-status" value={status} onChange={(e) => setStatus(e.target.value)} {...described('status')}>
            {!statuses.includes(ticket.status) && (
              <option value={ticket.status} disabled>
                {t(`status.${ticket.status}` as MessageKey)}
              </option>
            )}
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
          {fieldError('status')}
        </div>
        <div className="field">
          <label htmlFor="manage-kind">{t('manage.kind')}</label>
          <select id="manage-kind" value={kind} onChange={(e) => setKind(e.target.value)} {...described('kind')}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
          {fieldError('kind')}
        </div>
        <div className="field">
          <label htmlFor="manage-priority">{t('manage.priority')}</label>
          <select id="manage-priority" value={priority} onChange={(e) => setPriority(e.target.value)} {...described('priority')}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}` as MessageKey)}
              </option>
            ))}
          </select>
          {fieldError('priority')}
        </div>
        <div className="field">
          <label htmlFor="manage-topic">{t('manage.topic')}</label>
          <input id="manage-topic" value={topic} onChange={(e) => setTopic(e.target.value)} {...described('topic')} />
          {fieldError('topic')}
        </div>
      </div>
      <button type="submit" disabled={Object.keys(changes).length === 0}>
        {t('manage.save')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

function HandBackForm({ ticket, onChanged }: Props) {
  const { t } = useI18n();
  const [level, setLevel] = useState(ticket.level - 1);
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState('');
  const form = useSubmit();
  if (ticket.level <= 1) return null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    // The answer is required by the API, which says so at the field (the browser does not stop it first).
    const ok = await form.run(
      () => api('POST', `/v1/tickets/${ticket.reference}/escalations`, { toLevel: level, reason, summary: answer }),
      t('handBack.done', { level }),
    );
    if (ok) {
      setReason('');
      setAnswer('');
      await onChanged();
    }
  }
  const { described, fieldError } = fieldErrorProps('handback', form.errors);
  return (
    <form className="card handback" aria-labelledby="handback-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="handback-heading">{t('handBack.heading')}</h2>
      <label htmlFor="handback-level">{t('handBack.level')}</label>
      <select id="handback-level" value={level} onChange={(e) => setLevel(Number(e.target.value))} {...described('toLevel')}>
        {[1, 2]
          .filter((l) => l < ticket.level)
          .map((l) => (
            <option key={l} value={l}>
              {t(`handBack.level${l}` as MessageKey)}
            </option>
          ))}
      </select>
      {fieldError('toLevel')}
      <label htmlFor="handback-reason">{t('handBack.reason')}</label>
      <input
        id="handback-reason"
        value={reason}
        required
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
        {...described('reason')}
      />
      {fieldError('reason')}
      <label htmlFor="handback-answer">{t('handBack.answer')}</label>
      <textarea
        id="handback-answer"
        rows={3}
        value={answer}
        aria-required
        onChange={(e) => setAnswer(e.target.value)}
        {...described('summary')}
      />
      {fieldError('summary')}
      <button type="submit">{t('handBack.submit')}</button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}
