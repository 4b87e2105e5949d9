import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { AdminForm, CheckField, DeleteButton, SelectField, TextField, useAdminSubmit } from './admin-forms';
import { AdminList, useAdminData } from './admin-list';

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
  const { data, error, reload, act } = useAdminData(readCalendar);
  const [centre, setCentre] = useState('VPPPD');
  const centres = data?.centres ?? null;
  const current = centres?.find((c) => c.centre === centre) ?? null;
  return (
    <>
      <AdminList
        id="adjustments"
        heading={t('admin.calendar.adjustments')}
        hint={t('admin.calendar.adjustmentsHint')}
        error={error}
        items={data?.adjustments ?? null}
        empty={t('admin.calendar.noAdjustments')}
        rowKey={(a) => a.id}
        rowData={(a) => ({ 'data-adjustment': a.date })}
        columns={[
          { label: t('admin.calendar.date'), cell: (a) => a.date, header: true },
          { label: t('admin.calendar.kind'), cell: (a) => t(`admin.calendar.kind.${a.kind}` as MessageKey) },
          { label: t('admin.calendar.workedOn'), cell: (a) => a.workedOn ?? '—' },
          { label: t('admin.calendar.name'), cell: (a) => a.name ?? '—' },
        ]}
        actions={(a) => (
          <DeleteButton
            name={a.date}
            confirm={t('admin.calendar.confirmDelete', { date: a.date })}
            onDelete={() => act(() => api('DELETE', `/v1/admin/calendar/adjustments/${a.id}`))}
          />
        )}
      />
      <AdjustmentForm onDone={reload} />

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
        {current ? <WeekForm key={current.centre} centre={current} onDone={reload} /> : centres && <p>{t('admin.calendar.noCentre')}</p>}
        {current && <SpecialDates key={`special:${current.centre}`} centre={current} onDone={reload} />}
      </section>
    </>
  );
}

async function readCalendar() {
  const [adjustments, centres] = await Promise.all([
    api<Adjustment[]>('GET', '/v1/admin/calendar/adjustments'),
    api<CentreHours[]>('GET', '/v1/admin/calendar/hours'),
  ]);
  return { adjustments, centres };
}

function AdjustmentForm({ onDone }: { onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'transfer' | 'holiday'>('holiday');
  const [date, setDate] = useState('');
  const [workedOn, setWorkedOn] = useState('');
  const [name, setName] = useState('');
  const [weekendMoves, setWeekendMoves] = useState(false);
  const form = useAdminSubmit('adjustment-new');
  async function submit() {
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
    <AdminForm form={form} heading={t('admin.calendar.newAdjustment')} submitLabel={t('admin.calendar.add')} onSubmit={submit}>
      <div className="grid">
        <SelectField
          form={form}
          field="kind"
          label={t('admin.calendar.kind')}
          value={kind}
          onChange={(next) => setKind(next as typeof kind)}
          options={[
            { value: 'holiday', label: t('admin.calendar.kind.holiday') },
            { value: 'transfer', label: t('admin.calendar.kind.transfer') },
          ]}
        />
        <TextField
          form={form}
          field="date"
          type="date"
          label={kind === 'transfer' ? t('admin.calendar.dayOff') : t('admin.calendar.date')}
          value={date}
          onChange={setDate}
        />
        {kind === 'transfer' && (
          <TextField
            form={form}
            field="workedOn"
            type="date"
            label={t('admin.calendar.workedOn')}
            value={workedOn}
            onChange={setWorkedOn}
          />
        )}
        <TextField form={form} field="name" label={t('admin.calendar.name')} value={name} onChange={setName} />
      </div>
      {kind === 'holiday' && <CheckField label={t('admin.calendar.weekendMoves')} checked={weekendMoves} onChange={setWeekendMoves} />}
    </AdminForm>
  );
}

function WeekForm({ centre, onDone }: { centre: CentreHours; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [week, setWeek] = useState<Record<string, string>>(() => Object.fromEntries(WEEKDAYS.map((d) => [d, spansText(centre.hours[d])])));
  const form = useAdminSubmit('week', { paths: true });
  async function submit() {
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
    <AdminForm
      form={form}
      level={3}
      card={false}
      heading={t('admin.calendar.week', { centre: centre.centre })}
      submitLabel={t('admin.calendar.saveWeek')}
      onSubmit={submit}
    >
      <p className="hint" id="week-hint">
        {t('admin.calendar.spansHint')}
      </p>
      <div className="grid">
        {WEEKDAYS.map((d) => (
          <TextField
            key={d}
            form={form}
            field={`hours.${d}`}
            label={t(`weekday.${d}` as MessageKey)}
            placeholder={t('admin.calendar.closed')}
            value={week[d]}
            onChange={(next) => setWeek({ ...week, [d]: next })}
          />
        ))}
      </div>
      {form.fieldError('hours')}
    </AdminForm>
  );
}

function SpecialDates({ centre, onDone }: { centre: CentreHours; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [date, setDate] = useState('');
  const [spans, setSpans] = useState('');
  const form = useAdminSubmit('special');
  const dates = Object.keys(centre.specialHours).sort();
  async function submit() {
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
      <h3 id="special-dates-heading">{t('admin.calendar.special', { centre: centre.centre })}</h3>
      {dates.length === 0 ? (
        <p>{t('admin.calendar.noSpecial')}</p>
      ) : (
        <table className="inbox" aria-labelledby="special-dates-heading">
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
                  <DeleteButton name={d} confirm={t('admin.calendar.confirmDeleteSpecial', { date: d })} onDelete={() => remove(d)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminForm
        form={form}
        level={4}
        card={false}
        primary={false}
        heading={t('admin.calendar.newSpecial')}
        submitLabel={t('admin.calendar.setSpecial')}
        onSubmit={submit}
      >
        <div className="grid">
          <TextField form={form} field="date" type="date" label={t('admin.calendar.date')} value={date} onChange={setDate} />
          <TextField
            form={form}
            id="special-hours"
            field="hours"
            label={t('admin.calendar.hoursThatDay')}
            placeholder={t('admin.calendar.closed')}
            value={spans}
            onChange={setSpans}
          />
        </div>
      </AdminForm>
    </>
  );
}
