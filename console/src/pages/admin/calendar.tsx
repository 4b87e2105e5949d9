import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { Outcome } from '../forms';
import { useAdminSubmit } from './admin-forms';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Spans = string[][];

interface Adjustment {
  id: string;
  kind: 'transfer' | 'holiday';
  date: string;
  workedOn: string | null;
  name: string | null;
  weekendMoves: boolean;
}
interface CentreHours {
  centre: string;
  hours: Record<string, Spans>;
  specialHours: Record<string, Spans>;
  updatedAt: string;
}

/** "08:30–12:00, 13:00–17:00" for a list of spans; empty when closed. */
const spansText = (spans: Spans | undefined) => (spans ?? []).map((s) => s.join('–')).join(', ');
/** The other way: what cannot be read as from–to goes as it is, so the API's check says what is wrong with it. */
const parseSpans = (text: string): Spans =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.split(/\s*[-–—]\s*/));

/** The calendar: the Cabinet's transfers and one-off holidays, and each centre's week and special dates. */
export function CalendarAdmin() {
  const { t } = useI18n();
  const [adjustments, setAdjustments] = useState<Adjustment[] | null>(null);
  const [centres, setCentres] = useState<CentreHours[] | null>(null);
  const [centre, setCentre] = useState('VPPPD');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [a, c] = await Promise.all([
        api<Adjustment[]>('GET', '/v1/admin/calendar/adjustments'),
        api<CentreHours[]>('GET', '/v1/admin/calendar/hours'),
      ]);
      setAdjustments(a);
      setCentres(c);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  async function remove(a: Adjustment) {
    if (!window.confirm(t('admin.calendar.confirmDelete', { date: a.date }))) return;
    try {
      await api('DELETE', `/v1/admin/calendar/adjustments/${a.id}`);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  const current = centres?.find((c) => c.centre === centre) ?? null;
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { detail: error })}
        </p>
      )}
      <section className="card" aria-labelledby="adjustments-heading">
        <h2 id="adjustments-heading">{t('admin.calendar.adjustments')}</h2>
        <p className="hint">{t('admin.calendar.adjustmentsHint')}</p>
        {adjustments === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : adjustments.length === 0 ? (
          <p>{t('admin.calendar.noAdjustments')}</p>
        ) : (
          <table className="inbox" aria-labelledby="adjustments-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.calendar.date')}</th>
                <th scope="col">{t('admin.calendar.kind')}</th>
                <th scope="col">{t('admin.calendar.workedOn')}</th>
                <th scope="col">{t('admin.calendar.name')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {adjustments.map((a) => (
                <tr key={a.id} data-adjustment={a.date}>
                  <th scope="row">{a.date}</th>
                  <td>{t(`admin.calendar.kind.${a.kind}` as MessageKey)}</td>
                  <td>{a.workedOn ?? '—'}</td>
                  <td>{a.name ?? '—'}</td>
                  <td>
                    <button type="button" onClick={() => void remove(a)} aria-label={t('admin.deleteNamed', { name: a.date })}>
                      {t('admin.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <AdjustmentForm onDone={load} />

      <section className="card" aria-labelledby="hours-heading">
        <h2 id="hours-heading">{t('admin.calendar.hours')}</h2>
        <div className="filters">
          <div className="filter">
            <label htmlFor="hours-centre">{t('admin.calendar.centre')}</label>
            <select id="hours-centre" value={centre} onChange={(e) => setCentre(e.target.value)}>
              {(centres ?? []).map((c) => (
                <option key={c.centre} value={c.centre}>
                  {c.centre}
                </option>
              ))}
            </select>
          </div>
        </div>
        {current ? <WeekForm key={current.centre} centre={current} onDone={load} /> : centres && <p>{t('admin.calendar.noCentre')}</p>}
        {current && <SpecialDates key={`special:${current.centre}`} centre={current} onDone={load} />}
      </section>
    </>
  );
}

function AdjustmentForm({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'transfer' | 'holiday'>('holiday');
  const [date, setDate] = useState('');
  const [workedOn, setWorkedOn] = useState('');
  const [name, setName] = useState('');
  const [weekendMoves, setWeekendMoves] = useState(false);
  const form = useAdminSubmit('adjustment-new');
  const { described, fieldError } = form;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: Record<string, unknown> = { kind, date, weekendMoves };
    if (kind === 'transfer' && workedOn) body.workedOn = workedOn;
    if (name.trim()) body.name = name.trim();
    if ((await form.run(() => api('POST', '/v1/admin/calendar/adjustments', body), t('admin.calendar.added', { date }))) === undefined)
      return;
    setDate('');
    setWorkedOn('');
    setName('');
    await onDone();
  }
  return (
    <form className="card admin-form" aria-labelledby="adjustment-new-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="adjustment-new-heading">{t('admin.calendar.newAdjustment')}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor="adjustment-new-kind">{t('admin.calendar.kind')}</label>
          <select id="adjustment-new-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} {...described('kind')}>
            <option value="holiday">{t('admin.calendar.kind.holiday')}</option>
            <option value="transfer">{t('admin.calendar.kind.transfer')}</option>
          </select>
          {fieldError('kind')}
        </div>
        <div className="field">
          <label htmlFor="adjustment-new-date">{kind === 'transfer' ? t('admin.calendar.dayOff') : t('admin.calendar.date')}</label>
          <input id="adjustment-new-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} {...described('date')} />
          {fieldError('date')}
        </div>
        {kind === 'transfer' && (
          <div className="field">
            <label htmlFor="adjustment-new-workedOn">{t('admin.calendar.workedOn')}</label>
            <input
              id="adjustment-new-workedOn"
              type="date"
              value={workedOn}
              onChange={(e) => setWorkedOn(e.target.value)}
              {...described('workedOn')}
            />
            {fieldError('workedOn')}
          </div>
        )}
        <div className="field">
          <label htmlFor="adjustment-new-name">{t('admin.calendar.name')}</label>
          <input id="adjustment-new-name" value={name} onChange={(e) => setName(e.target.value)} {...described('name')} />
          {fieldError('name')}
        </div>
      </div>
      {kind === 'holiday' && (
        <label className="check">
          <input type="checkbox" checked={weekendMoves} onChange={(e) => setWeekendMoves(e.target.checked)} />{' '}
          {t('admin.calendar.weekendMoves')}
        </label>
      )}
      <div className="buttons">
        <button type="submit" className="primary">
          {t('admin.calendar.add')}
        </button>
      </div>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

function WeekForm({ centre, onDone }: { centre: CentreHours; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [week, setWeek] = useState<Record<string, string>>(() => Object.fromEntries(WEEKDAYS.map((d) => [d, spansText(centre.hours[d])])));
  const form = useAdminSubmit('week', { paths: true });
  const { described, fieldError } = form;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, parseSpans(week[d])]));
    if (
      (await form.run(
        () => api('PUT', `/v1/admin/calendar/hours/${centre.centre}`, { hours, specialHours: centre.specialHours }),
        t('admin.saved'),
      )) !== undefined
    )
      await onDone();
  }
  return (
    <form className="admin-form" aria-labelledby="week-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h3 id="week-heading">{t('admin.calendar.week', { centre: centre.centre })}</h3>
      <p className="hint" id="week-hint">
        {t('admin.calendar.spansHint')}
      </p>
      <div className="grid">
        {WEEKDAYS.map((d) => (
          <div className="field" key={d}>
            <label htmlFor={`week-hours.${d}`}>{t(`weekday.${d}` as MessageKey)}</label>
            <input
              id={`week-hours.${d}`}
              value={week[d]}
              placeholder={t('admin.calendar.closed')}
              onChange={(e) => setWeek({ ...week, [d]: e.target.value })}
              {...described(`hours.${d}`)}
            />
            {fieldError(`hours.${d}`)}
          </div>
        ))}
      </div>
      {fieldError('hours')}
      <button type="submit" className="primary">
        {t('admin.calendar.saveWeek')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

function SpecialDates({ centre, onDone }: { centre: CentreHours; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [date, setDate] = useState('');
  const [spans, setSpans] = useState('');
  const form = useAdminSubmit('special');
  const { described, fieldError } = form;
  const dates = Object.keys(centre.specialHours).sort();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const path = `/v1/admin/calendar/hours/${centre.centre}/special/${encodeURIComponent(date)}`;
    if ((await form.run(() => api('PUT', path, { hours: parseSpans(spans) }), t('admin.saved'))) === undefined) return;
    setDate('');
    setSpans('');
    await onDone();
  }
  async function remove(d: string) {
    if ((await form.run(() => api('DELETE', `/v1/admin/calendar/hours/${centre.centre}/special/${d}`), t('admin.saved'))) !== undefined)
      await onDone();
  }
  return (
    <>
      <h3 id="special-heading">{t('admin.calendar.special', { centre: centre.centre })}</h3>
      {dates.length === 0 ? (
        <p>{t('admin.calendar.noSpecial')}</p>
      ) : (
        <table className="inbox" aria-labelledby="special-heading">
          <thead>
            <tr>
              <th scope="col">{t('admin.calendar.date')}</th>
              <th scope="col">{t('admin.calendar.hoursThatDay')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('admin.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {dates.map((d) => (
              <tr key={d} data-special={d}>
                <th scope="row">{d}</th>
                <td>{spansText(centre.specialHours[d]) || t('admin.calendar.closed')}</td>
                <td>
                  <button type="button" onClick={() => void remove(d)} aria-label={t('admin.deleteNamed', { name: d })}>
                    {t('admin.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="admin-form" aria-labelledby="special-new-heading" onSubmit={(e) => void submit(e)} noValidate>
        <h4 id="special-new-heading">{t('admin.calendar.newSpecial')}</h4>
        <div className="grid">
          <div className="field">
            <label htmlFor="special-date">{t('admin.calendar.date')}</label>
            <input id="special-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} {...described('date')} />
            {fieldError('date')}
          </div>
          <div className="field">
            <label htmlFor="special-hours">{t('admin.calendar.hoursThatDay')}</label>
            <input
              id="special-hours"
              value={spans}
              placeholder={t('admin.calendar.closed')}
              onChange={(e) => setSpans(e.target.value)}
              {...described('hours')}
            />
            {fieldError('hours')}
          </div>
        </div>
        <button type="submit">{t('admin.calendar.setSpecial')}</button>
        <Outcome status={form.status} error={form.error} />
      </form>
    </>
  );
}
