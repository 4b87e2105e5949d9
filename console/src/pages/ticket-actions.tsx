import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { realtime } from '../lib/realtime';
import { api, ApiError, type Profile } from '../lib/session';
import { detailOf, fieldErrorProps, fieldErrors, Outcome, type FieldErrors } from './forms';
import type { Institution, TicketDetail } from '../lib/tickets';
import { readFiles, Suggestions, type UploadFile } from '../desk/ticket-desk';

/** Reply, note, claim and escalate: each a small form that calls one API route and reloads the ticket. */
export function TicketActions({ ticket, me, onChanged }: { ticket: TicketDetail; me: Profile; onChanged: () => Promise<void> }) {
  return (
    <>
      <ReplyForm ticket={ticket} onChanged={onChanged} />
      <NoteForm ticket={ticket} onChanged={onChanged} />
      <ClaimBox ticket={ticket} me={me} onChanged={onChanged} />
      <EscalateForm ticket={ticket} me={me} onChanged={onChanged} />
    </>
  );
}

function ReplyForm({ ticket, onChanged }: { ticket: TicketDetail; onChanged: () => Promise<void> }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [collision, setCollision] = useState(false);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [fileErrors, setFileErrors] = useState<string[]>([]);
  const [viaEmail, setViaEmail] = useState(false);
  // The newest message on screen when this person began to write: a reply by someone else after it is a collision,
  // even if the live timeline has shown it since (it may have gone unnoticed while they typed).
  const newest = ticket.messages[ticket.messages.length - 1]?.id;
  const [draftBase, setDraftBase] = useState<string | undefined>(undefined);
  const lastSeen = draftBase ?? newest;

  async function send(force: boolean) {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      setFileErrors([]);
      await api('POST', `/v1/tickets/${ticket.reference}/replies`, {
        text,
        lastSeenMessageId: lastSeen,
        ...(files.length ? { attachments: files.map(({ filename, contentBase64 }) => ({ filename, contentBase64 })) } : {}),
        ...(viaEmail ? { via: 'email' } : {}),
        ...(force ? { force: true } : {}),
      });
      setText('');
      setFiles([]);
      realtime.replying(ticket.reference, false);
      setDraftBase(undefined);
      setCollision(false);
      setStatus(t('reply.sent'));
      await onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'reply-collision') setCollision(true);
      else {
        const fields = fieldErrors(e);
        // A refused file is named at the file list, the rest at the form.
        setFileErrors(
          Object.entries(fields)
            .filter(([f]) => f.startsWith('attachments'))
            .map(([f, m]) => `${files[Number(/\[(\d+)\]/.exec(f)?.[1])]?.filename ?? f}: ${m}`),
        );
        const other = Object.entries(fields).find(([f]) => !f.startsWith('attachments'));
        if (other || Object.keys(fields).length === 0) setError(t('action.failed', { detail: other?.[1] ?? detailOf(e) }));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card reply"
      aria-labelledby="reply-heading"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (text.trim()) void send(false);
      }}
    >
      <h2 id="reply-heading">{t('reply.heading')}</h2>
      <Suggestions
        reference={ticket.reference}
        onUse={(answer) => {
          if (!text) {
            setDraftBase(newest);
            realtime.replying(ticket.reference, true);
          }
          setText((current) => (current.trim() ? `${current.trimEnd()}\n\n${answer}` : answer));
          document.getElementById('reply-text')?.focus();
        }}
      />
      <div className="reply-files">
        <label htmlFor="reply-files">{t('desk.reply.attach')}</label>
        <input
          id="reply-files"
          type="file"
          multiple
          aria-describedby="reply-files-hint"
          {...(fileErrors.length ? { 'aria-invalid': true } : {})}
          onChange={(e) => {
            const input = e.currentTarget;
            void readFiles(input.files).then((read) => {
              setFiles((current) => [...current, ...read].slice(0, 3));
              input.value = '';
            });
          }}
        />
        <span id="reply-files-hint" className="hint">
          {t('desk.reply.attachHint')}
        </span>
        {files.length > 0 && (
          <ul className="chosen-files">
            {files.map((f, i) => (
              <li key={`${f.filename}-${i}`}>
                {f.filename} ({Math.ceil(f.size / 1024)} KB){' '}
                <button
                  type="button"
                  aria-label={t('desk.reply.remove', { name: f.filename })}
                  onClick={() => setFiles(files.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        {fileErrors.map((m) => (
          <p key={m} className="field-error">
            {m}
          </p>
        ))}
      </div>
      {ticket.channel !== 'email' && ticket.channel !== 'webform' && (
        <label className="inline">
          <input type="checkbox" checked={viaEmail} onChange={(e) => setViaEmail(e.target.checked)} /> {t('desk.reply.via')}{' '}
          {t('desk.reply.viaEmail')}
        </label>
      )}
      <label htmlFor="reply-text">{t('reply.label')}</label>
      <textarea
        id="reply-text"
        rows={5}
        value={text}
        required
        onChange={(e) => {
          if (!text && e.target.value) setDraftBase(newest);
          // Others viewing the ticket see that a reply is being written (and when the draft is gone).
          if (!text !== !e.target.value) realtime.replying(ticket.reference, Boolean(e.target.value));
          setText(e.target.value);
        }}
      />
      {collision ? (
        <div className="choice" role="alertdialog" aria-labelledby="collision-text">
          <p id="collision-text">{t('reply.collision')}</p>
          <button type="button" className="primary" onClick={() => void send(true)} disabled={busy}>
            {t('reply.sendAnyway')}
          </button>
          <button
            type="button"
            onClick={() => {
              // Read: from now on the timeline as it is counts as seen.
              setDraftBase(undefined);
              setCollision(false);
              void onChanged().then(() => document.getElementById('timeline-heading')?.scrollIntoView());
            }}
          >
            {t('reply.readFirst')}
          </button>
        </div>
      ) : (
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {busy ? t('reply.sending') : t('reply.send')}
        </button>
      )}
      <Outcome status={status} error={error} />
    </form>
  );
}

function NoteForm({ ticket, onChanged }: { ticket: TicketDetail; onChanged: () => Promise<void> }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setError(null);
    try {
      await api('POST', `/v1/tickets/${ticket.reference}/notes`, { text });
      setText('');
      setStatus(t('note.added'));
      await onChanged();
    } catch (err) {
      setError(t('action.failed', { detail: fieldErrors(err).text ?? detailOf(err) }));
    }
  }
  return (
    <form className="card note" onSubmit={(e) => void submit(e)}>
      <label htmlFor="note-text">{t('note.label')}</label>
      <textarea id="note-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" disabled={!text.trim()}>
        {t('note.add')}
      </button>
      <Outcome status={status} error={error} />
    </form>
  );
}

function ClaimBox({ ticket, me, onChanged }: { ticket: TicketDetail; me: Profile; onChanged: () => Promise<void> }) {
  const { t } = useI18n();
  const [taken, setTaken] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (ticket.assigneeId === me.id) return <p className="card mine">{t('claim.mine')}</p>;
  async function claim(force: boolean) {
    setError(null);
    try {
      await api('POST', `/v1/tickets/${ticket.reference}/claim`, force ? { force: true } : {});
      setTaken(false);
      setStatus(t('claim.done'));
      await onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'already-assigned') setTaken(true);
      else setError(t('action.failed', { detail: detailOf(e) }));
    }
  }
  const holder = ticket.assignee?.displayName;
  return (
    <div className="card claim">
      {taken || holder ? <p>{t('claim.taken', { name: holder ?? '?' })}</p> : null}
      <button type="button" onClick={() => void claim(Boolean(holder) || taken)}>
        {holder || taken ? t('claim.takeOver') : t('claim.button')}
      </button>
      <Outcome status={status} error={error} />
    </div>
  );
}

function EscalateForm({ ticket, me, onChanged }: { ticket: TicketDetail; me: Profile; onChanged: () => Promise<void> }) {
  const { t, lang } = useI18n();
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [level, setLevel] = useState(Math.min(3, Math.max(2, ticket.level + 1)));
  const [institution, setInstitution] = useState(ticket.institution ?? '');
  const [reason, setReason] = useState('');
  const [summary, setSummary] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api<Institution[]>('GET', '/v1/institutions').then((all) => {
      // Staff of institutions move cases only within their own; centre-wide roles to any that takes cases.
      const mine = me.institutions;
      const centreWide = me.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'admin');
      setInstitutions(all.filter((i) => i.acceptsCases && (centreWide || mine.includes(i.code))));
    });
  }, [me]);

  if (ticket.level >= 3) return null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setError(null);
    try {
      await api('POST', `/v1/tickets/${ticket.reference}/escalations`, {
        toLevel: level,
        institution: institution || undefined,
        reason,
        ...(summary.trim() ? { summary } : {}),
      });
      setReason('');
      setSummary('');
      setStatus(t('escalate.done', { institution: institution || ticket.institution || '', level }));
      await onChanged();
    } catch (err) {
      const fields = fieldErrors(err);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(t('action.failed', { detail: detailOf(err) }));
    }
  }

  const { described, fieldError } = fieldErrorProps('escalate', errors);
  return (
    <form className="card escalate" aria-labelledby="escalate-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="escalate-heading">{t('escalate.heading')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="escalate-level">{t('escalate.level')}</label>
          <select id="escalate-level" value={level} onChange={(e) => setLevel(Number(e.target.value))} {...described('toLevel')}>
            {ticket.level < 2 && <option value={2}>{t('escalate.level2')}</option>}
            <option value={3}>{t('escalate.level3')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="escalate-institution">{t('escalate.institution')}</label>
          <select
            id="escalate-institution"
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
        </div>
      </div>
      {fieldError('toLevel')}
      {fieldError('institution')}
      <label htmlFor="escalate-reason">{t('escalate.reason')}</label>
      <input
        id="escalate-reason"
        value={reason}
        required
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
        {...described('reason')}
      />
      {fieldError('reason')}
      <label htmlFor="escalate-summary">{t('escalate.summary')}</label>
      <textarea id="escalate-summary" rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} />
      <button type="submit">{t('escalate.submit')}</button>
      <Outcome status={status} error={error} />
    </form>
  );
}
