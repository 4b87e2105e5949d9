import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import { href, navigate, onLinkClick } from '../lib/router';
import { api, ApiError, type Profile } from '../lib/session';
import { customerName, type Institution, type TicketDetail, type TicketPage } from '../lib/tickets';
import { detailOf, fieldErrorProps, fieldErrors, Outcome, type FieldErrors } from '../pages/forms';

type Props = { ticket: TicketDetail; me: Profile; onChanged: () => Promise<void> };

/** An agent GET /v1/tickets/{reference}/assignees offers: whose scope holds the ticket, online first. */
export interface Assignee {
  id: string;
  displayName: string;
  roles: string[];
  state: 'online' | 'away' | 'offline';
  load: number;
}

const WORKING_ROLES = ['operator', 'specialist', 'expert', 'supervisor'];
export const doesTicketWork = (me: Profile) => me.roles.some((r) => WORKING_ROLES.includes(r));

/** Runs one API call for a form: field errors go to their fields, anything else to the form's alert. */
export function useSubmit() {
  const { t } = useI18n();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run(call: () => Promise<unknown>, done: string, onOther?: (e: unknown) => boolean): Promise<boolean> {
    setErrors({});
    setError(null);
    setStatus(null);
    try {
      await call();
      setStatus(done);
      return true;
    } catch (e) {
      if (onOther?.(e)) return false;
      const fields = fieldErrors(e);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(t('action.failed', { detail: detailOf(e) }));
      return false;
    }
  }
  return { errors, status, error, run };
}

/**
 * The agents this ticket may go to, read again when its holder changes or it moves to another institution or level
 * (whose staff are then the ones who may take it).
 */
export function useAssignees(reference: string, holder: string | null, scope: string): Assignee[] {
  const [agents, setAgents] = useState<Assignee[]>([]);
  useEffect(() => {
    void api<Assignee[]>('GET', `/v1/tickets/${encodeURIComponent(reference)}/assignees`)
      .then(setAgents)
      .catch(() => setAgents([]));
  }, [reference, holder, scope]);
  return agents;
}

/**
 * Assign or transfer: give the ticket to anyone whose scope holds it (the API's own list, so nobody is offered who
 * would be refused). Someone else holding it becomes a choice, not an error.
 */
export function AssignTransferForm({ ticket, me, onChanged, idPrefix = 'assign' }: Props & { idPrefix?: string }) {
  const { t } = useI18n();
  const agents = useAssignees(ticket.reference, ticket.assigneeId, `${ticket.institution ?? ''}:${ticket.level}`).filter(
    (a) => a.id !== ticket.assigneeId,
  );
  const [agentId, setAgentId] = useState('');
  const [held, setHeld] = useState(false);
  const form = useSubmit();
  if (!doesTicketWork(me)) return null;

  async function assign(force: boolean) {
    const name = agents.find((a) => a.id === agentId)?.displayName ?? '';
    const ok = await form.run(
      () => api('POST', `/v1/tickets/${ticket.reference}/assign`, { agentId, ...(force ? { force: true } : {}) }),
      t('assign.done', { name }),
      (e) => {
        if (e instanceof ApiError && e.code === 'already-assigned') {
          setHeld(true);
          return true;
        }
        return false;
      },
    );
    if (ok) {
      setHeld(false);
      setAgentId('');
      await onChanged();
    }
  }
  const { described, fieldError } = fieldErrorProps(idPrefix, form.errors);
  return (
    <form
      className="card assign"
      aria-labelledby={`${idPrefix}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        // Giving away a ticket someone holds is always a choice; one's own ticket is simply passed on.
        if (agentId) void assign(ticket.assigneeId === me.id);
      }}
    >
      <h2 id={`${idPrefix}-heading`}>{t('desk.assign.heading')}</h2>
      {agents.length === 0 ? (
        <p className="muted">{t('desk.assign.none')}</p>
      ) : (
        <>
          <label htmlFor={`${idPrefix}-agent`}>{t('assign.agent')}</label>
          <select id={`${idPrefix}-agent`} value={agentId} onChange={(e) => setAgentId(e.target.value)} required {...described('agentId')}>
            <option value="" disabled>
              —
            </option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {t('desk.assign.agentState', { name: a.displayName, state: t(`presence.${a.state}` as MessageKey), load: a.load })}
              </option>
            ))}
          </select>
          {fieldError('agentId')}
          {held ? (
            <div className="choice" role="alertdialog" aria-labelledby={`${idPrefix}-held-text`}>
              <p id={`${idPrefix}-held-text`}>{t('assign.held', { name: ticket.assignee?.displayName ?? '?' })}</p>
              <button type="button" className="primary" onClick={() => void assign(true)}>
                {t('assign.force')}
              </button>
              <button type="button" onClick={() => setHeld(false)}>
                {t('assign.leave')}
              </button>
            </div>
          ) : (
            <button type="submit" disabled={!agentId}>
              {t('desk.assign.submit')}
            </button>
          )}
        </>
      )}
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

/**
 * Another institution at the same level: a transfer (an escalation row with the reason), the only way the API
 * changes a ticket's institution, so the move stays on the timeline.
 */
export function InstitutionForm({ ticket, me, onChanged }: Props) {
  const { t, lang } = useI18n();
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [institution, setInstitution] = useState('');
  const [reason, setReason] = useState('');
  const form = useSubmit();
  const centreWide = me.roles.some((r) => r === 'operator' || r === 'supervisor');
  useEffect(() => {
    if (centreWide)
      void api<Institution[]>('GET', '/v1/institutions').then((all) =>
        setInstitutions(all.filter((i) => i.acceptsCases && i.code !== ticket.institution)),
      );
  }, [centreWide, ticket.institution]);
  // Institution staff cannot send a case to an institution they do not belong to: only the centre moves it.
  if (!centreWide || ticket.status === 'closed') return null;
  const level = Math.max(1, ticket.level);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await form.run(
      () => api('POST', `/v1/tickets/${ticket.reference}/escalations`, { toLevel: level, institution, reason }),
      t('desk.institution.done', { institution }),
    );
    if (ok) {
      setReason('');
      setInstitution('');
      await onChanged();
    }
  }
  const { described, fieldError } = fieldErrorProps('institution', form.errors);
  return (
    <form className="card institution-form" aria-labelledby="institution-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="institution-heading">{t('desk.institution.heading')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="institution-code">{t('desk.institution.label')}</label>
          <select
            id="institution-code"
            value={institution}
            onChange={(e) => setInstitution(e.target.value)}
            required
            {...described('institution')}
          >
            <option value="" disabled>
              —
            </option>
            {institutions.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code} – {lang === 'lv' ? i.nameLv : i.nameEn}
              </option>
            ))}
          </select>
          {fieldError('institution')}
        </div>
        <div className="field grow">
          <label htmlFor="institution-reason">{t('desk.institution.reason')}</label>
          <input
            id="institution-reason"
            value={reason}
            required
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
            {...described('reason')}
          />
          {fieldError('reason')}
        </div>
      </div>
      {fieldError('toLevel')}
      <button type="submit" disabled={!institution}>
        {t('desk.institution.submit')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

/** The customer's other tickets that this person may see (GET /v1/tickets?customer=), newest first. */
export function useCustomerTickets(ticket: TicketDetail) {
  const [others, setOthers] = useState<TicketPage['items'] | null>(null);
  const customer = ticket.customer?.id;
  useEffect(() => {
    if (!customer) return setOthers([]);
    void api<TicketPage>('GET', `/v1/tickets?customer=${customer}&limit=20`)
      .then((page) => setOthers(page.items.filter((i) => i.reference !== ticket.reference)))
      .catch(() => setOthers([]));
  }, [customer, ticket.reference, ticket.updatedAt]);
  return others;
}

/** Merge into another open ticket of the same customer: its messages move there and this one closes. */
export function MergeForm({ ticket, me }: Props) {
  const { t } = useI18n();
  const others = useCustomerTickets(ticket);
  const [into, setInto] = useState('');
  const form = useSubmit();
  if (!doesTicketWork(me) || ticket.status === 'closed') return null;
  const open = (others ?? []).filter((o) => o.status !== 'closed');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const target = into;
    const ok = await form.run(
      () => api('POST', `/v1/tickets/${ticket.reference}/merge`, { into: target }),
      t('desk.merge.done', { reference: target }),
    );
    if (ok) navigate(href({ name: 'ticket', reference: target }));
  }
  const { described, fieldError } = fieldErrorProps('merge', form.errors);
  return (
    <form className="card merge" aria-labelledby="merge-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="merge-heading">{t('desk.merge.heading')}</h2>
      {!ticket.customer ? (
        <p className="muted">{t('desk.merge.noCustomer')}</p>
      ) : others && open.length === 0 ? (
        <p className="muted">{t('desk.merge.none')}</p>
      ) : (
        <>
          <label htmlFor="merge-into">{t('desk.merge.into')}</label>
          <select id="merge-into" value={into} onChange={(e) => setInto(e.target.value)} required {...described('into')}>
            <option value="" disabled>
              —
            </option>
            {open.map((o) => (
              <option key={o.reference} value={o.reference}>
                {t('desk.merge.option', {
                  reference: o.reference,
                  subject: o.subject ?? t('ticket.noSubject'),
                  status: t(`status.${o.status}` as MessageKey),
                })}
              </option>
            ))}
          </select>
          {fieldError('into')}
          <button type="submit" disabled={!into}>
            {t('desk.merge.submit')}
          </button>
        </>
      )}
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

/** Links to the customer's other tickets, for the side panel. */
export function OtherTickets({ ticket }: { ticket: TicketDetail }) {
  const { t, dateTime } = useI18n();
  const others = useCustomerTickets(ticket);
  if (!ticket.customer) return null;
  return (
    <section className="card other-tickets" aria-labelledby="others-heading">
      <h2 id="others-heading">{t('desk.customer.others')}</h2>
      <p className="muted">{customerName(ticket.customer)}</p>
      {others && others.length === 0 && <p className="muted">{t('desk.customer.noOthers')}</p>}
      {others && others.length > 0 && (
        <ul>
          {others.map((o) => (
            <li key={o.reference}>
              <a href={href({ name: 'ticket', reference: o.reference })} onClick={onLinkClick}>
                {o.reference}
              </a>{' '}
              {o.subject ?? t('ticket.noSubject')} · {t(`status.${o.status}` as MessageKey)} ·{' '}
              <time dateTime={o.createdAt}>{dateTime(o.createdAt)}</time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface Suggestion {
  article: { id: string; questions: string[]; answer: string; topic: string | null };
  score: number;
}

/** The knowledge base's answers for the customer's last message, each one click from the reply box. */
export function Suggestions({ reference, onUse }: { reference: string; onUse: (answer: string) => void }) {
  const { t } = useI18n();
  const [results, setResults] = useState<Suggestion[] | null>(null);
  const [used, setUsed] = useState('');
  useEffect(() => {
    void api<{ results: Suggestion[] }>('GET', `/v1/tickets/${encodeURIComponent(reference)}/suggestions`)
      .then((r) => setResults(r.results))
      .catch(() => setResults([]));
  }, [reference]);
  return (
    <details className="suggestions" open={Boolean(results?.length)}>
      <summary>
        {t('desk.suggest.heading')} {results ? `(${results.length})` : ''}
      </summary>
      {results?.length === 0 && <p className="muted">{t('desk.suggest.none')}</p>}
      <ul>
        {results?.map((s) => (
          <li key={s.article.id}>
            <p className="q">{s.article.questions[0]}</p>
            <p className="a">{s.article.answer}</p>
            <button
              type="button"
              onClick={() => {
                onUse(s.article.answer);
                setUsed(t('desk.suggest.used'));
              }}
              aria-label={`${t('desk.suggest.use')}: ${s.article.questions[0]}`}
            >
              {t('desk.suggest.use')}
            </button>
          </li>
        ))}
      </ul>
      <p className="status" role="status">
        {used}
      </p>
    </details>
  );
}

export interface UploadFile {
  filename: string;
  contentType: string;
  contentBase64: string;
  size: number;
}

/** Reads chosen files as the API takes them (base64 in the JSON body); the API checks type and size. */
export async function readFiles(list: FileList | null): Promise<UploadFile[]> {
  const files = Array.from(list ?? []);
  return Promise.all(
    files.map(
      (file) =>
        new Promise<UploadFile>((resolve, reject) => {
          const reader = new FileReader();
          reader.onload = () =>
            resolve({
              filename: file.name,
              contentType: file.type || 'application/octet-stream',
              contentBase64: (reader.result as string).replace(/^data:[^,]*,/, ''),
              size: file.size,
            });
          reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
          reader.readAsDataURL(file);
        }),
    ),
  );
}
