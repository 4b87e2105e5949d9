import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { capitalized, TIME_ZONE, useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { downloadFile } from '../../lib/download';
import { can } from '../../lib/permissions';
import { api, session } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { detailOf, fieldErrorProps, fieldErrors, type FieldErrors } from '../forms';
import { BarChart, type Series } from './chart';

interface VolumeRow {
  month: string;
  institution: string;
  channel: string;
  kind: string;
  category: string;
  tickets: number;
}
interface SlaRow {
  month: string;
  policy: string;
  queue: string;
  metric: string;
  measured: number;
  withinTarget: number;
  breached: number;
  compliancePercent: number | null;
  goalPercent: number | null;
}
interface CsatRow {
  month: string;
  institution: string;
  channel: string;
  responses: number;
  average: number | null;
  satisfied: number;
  satisfiedPercent: number | null;
}
interface Funding {
  centre: string;
  month: string;
  availability: { plannedHours: number; staffedHours: number; availabilityPercent: number | null };
  volume: {
    total: number;
    applications: number;
    consultations: number;
    byChannel: Array<{ channel: string; total: number; applications: number; consultations: number }>;
  };
  quality: {
    serviceLevel: Array<{ channel: string; measured: number; withinTarget: number; percent: number | null; goalPercent: number | null }>;
    firstResponse: Array<{ channel: string; answered: number; averageSeconds: number | null; medianSeconds: number | null }>;
    csat: { responses: number; average: number | null; satisfiedPercent: number | null };
    levelZeroResolution: { tickets: number; resolvedAtLevelZero: number; percent: number | null };
  };
}

/** 'YYYY-MM' of a date in Riga, `back` months earlier. */
function rigaMonth(back = 0): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  const y = Number(parts.find((p) => p.type === 'year')!.value);
  const m = Number(parts.find((p) => p.type === 'month')!.value) - 1 - back;
  const d = new Date(Date.UTC(y, m, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while ((y < ty || (y === ty && m <= tm)) && out.length < 120) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v} %`);
const share = (part: number, whole: number) => (whole ? Math.round((1000 * part) / whole) / 10 : null);

function useMonthLabel() {
  const { lang } = useI18n();
  return useMemo(() => {
    const f = new Intl.DateTimeFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', { year: 'numeric', month: 'short', timeZone: 'UTC' });
    return (month: string) => f.format(new Date(`${month}-01T00:00:00Z`));
  }, [lang]);
}

/** The monthly reports as charts, each with its figures as a table and its CSV from the API. */
export default function ReportsPage() {
  const { t } = useI18n();
  const [range, setRange] = useState({ from: rigaMonth(5), to: rigaMonth(0), institution: '' });
  const [draft, setDraft] = useState(range);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  useEffect(() => {
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, []);
  const query = `from=${range.from}&to=${range.to}${range.institution ? `&institution=${encodeURIComponent(range.institution)}` : ''}`;

  function submit(e: FormEvent) {
    e.preventDefault();
    setRange(draft);
  }
  return (
    <section aria-labelledby="reports-heading" className="reports">
      <h1 id="reports-heading">{t('reports.heading')}</h1>
      <form className="filters" onSubmit={submit} aria-label={t('reports.range')}>
        <div className="filter">
          <label htmlFor="reports-from">{t('reports.from')}</label>
          <input
            id="reports-from"
            type="month"
            required
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </div>
        <div className="filter">
          <label htmlFor="reports-to">{t('reports.to')}</label>
          <input id="reports-to" type="month" required value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <div className="filter">
          <label htmlFor="reports-institution">{t('reports.institution')}</label>
          <select id="reports-institution" value={draft.institution} onChange={(e) => setDraft({ ...draft, institution: e.target.value })}>
            <option value="">{t('reports.allInstitutions')}</option>
            {institutions.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary">
          {t('reports.show')}
        </button>
      </form>
      <VolumesReport query={query} range={range} />
      <SlaReport query={query} range={range} />
      <CsatReport query={query} range={range} />
      {can(session.profile, 'funding') && <FundingReport />}
    </section>
  );
}

type ReportProps = { query: string; range: { from: string; to: string } };

/** Loads one report's rows; a refusal (a bad month, say) is kept for the section to show. */
function useRows<T>(path: string) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setRows(null);
    api<{ items: T[] }>('GET', path).then(
      (r) => live && (setRows(r.items), setErrors({}), setError(null)),
      (e) => live && (setRows([]), setErrors(fieldErrors(e)), setError(detailOf(e))),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return { rows, errors, error };
}

function ReportSection({
  id,
  title,
  csv,
  csvName,
  error,
  children,
}: {
  id: string;
  title: string;
  csv: string;
  csvName: string;
  error: string | null;
  children: React.ReactNode;
}) {
  const { t } = useI18n();
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <section className="card report" aria-labelledby={`${id}-heading`} data-report={id}>
      <div className="report-head">
        <h2 id={`${id}-heading`}>{title}</h2>
        <button
          type="button"
          onClick={() =>
            void downloadFile(csv, `${csvName}.csv`).then(
              () => setFailed(null),
              (e) => setFailed(detailOf(e)),
            )
          }
        >
          {t('reports.csv', { report: title })}
        </button>
      </div>
      {(error || failed) && (
        <p className="error" role="alert">
          {t('app.error', { detail: failed ?? error! })}
        </p>
      )}
      {children}
    </section>
  );
}

function VolumesReport({ query, range }: ReportProps) {
  const { t } = useI18n();
  const month = useMonthLabel();
  const { rows, error } = useRows<VolumeRow>(`/v1/reports/volumes?${query}`);
  const [by, setBy] = useState<'channel' | 'institution' | 'category'>('channel');
  const months = useMemo(() => monthsBetween(range.from, range.to), [range.from, range.to]);
  const chart = useMemo(() => {
    const keys = [...new Set((rows ?? []).map((r) => r[by]))].sort();
    const series: Series[] = keys.map((k) => ({
      label: by === 'channel' ? t(`channel.${k}` as MessageKey) : by === 'category' ? t(`kind.${k}` as MessageKey) : k,
      data: months.map((m) => (rows ?? []).filter((r) => r.month === m && r[by] === k).reduce((s, r) => s + r.tickets, 0)),
    }));
    return { labels: months.map(month), series };
  }, [rows, by, months, month, t]);
  const total = (rows ?? []).reduce((s, r) => s + r.tickets, 0);
  return (
    <ReportSection
      id="volumes"
      title={t('reports.volumes')}
      csv={`/v1/reports/volumes?${query}&format=csv`}
      csvName="volumes"
      error={error}
    >
      <div className="filter inline">
        <label htmlFor="volumes-by">{t('reports.groupBy')}</label>
        <select id="volumes-by" value={by} onChange={(e) => setBy(e.target.value as typeof by)}>
          <option value="channel">{t('reports.byChannel')}</option>
          <option value="institution">{t('reports.byInstitution')}</option>
          <option value="category">{t('reports.byCategory')}</option>
        </select>
      </div>
      {rows === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <BarChart label={t('reports.volumesChart', { total })} labels={chart.labels} series={chart.series} stacked counts />
          <details>
            <summary>{t('reports.figures')}</summary>
            <table className="inbox">
              <caption className="visually-hidden">{t('reports.volumes')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.month')}</th>
                  <th scope="col">{t('reports.institution')}</th>
                  <th scope="col">{t('inbox.col.channel')}</th>
                  <th scope="col">{t('manage.kind')}</th>
                  <th scope="col">{t('reports.tickets')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.month}:${r.institution}:${r.channel}:${r.kind}`}>
                    <td>{month(r.month)}</td>
                    <td>{r.institution}</td>
                    <td>{t(`channel.${r.channel}` as MessageKey)}</td>
                    <td>{t(`kind.${r.kind}` as MessageKey)}</td>
                    <td className="num">{r.tickets}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          {rows.length === 0 && <p>{t('reports.empty')}</p>}
        </>
      )}
    </ReportSection>
  );
}

const METRICS = ['first_response', 'next_response', 'resolution'] as const;

function SlaReport({ query, range }: ReportProps) {
  const { t } = useI18n();
  const month = useMonthLabel();
  const { rows, error } = useRows<SlaRow>(`/v1/reports/sla?${query}`);
  const months = useMemo(() => monthsBetween(range.from, range.to), [range.from, range.to]);
  const chart = useMemo(() => {
    const series: Series[] = METRICS.filter((k) => (rows ?? []).some((r) => r.metric === k)).map((k) => ({
      label: capitalized(t(`metric.${k}`)),
      data: months.map((m) => {
        const of = (rows ?? []).filter((r) => r.month === m && r.metric === k);
        return share(
          of.reduce((s, r) => s + r.withinTarget, 0),
          of.reduce((s, r) => s + r.measured, 0),
        );
      }),
    }));
    return { labels: months.map(month), series };
  }, [rows, months, month, t]);
  return (
    <ReportSection id="sla" title={t('reports.sla')} csv={`/v1/reports/sla?${query}&format=csv`} csvName="sla-compliance" error={error}>
      {rows === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <BarChart label={t('reports.slaChart')} labels={chart.labels} series={chart.series} max={100} />
          <details>
            <summary>{t('reports.figures')}</summary>
            <table className="inbox">
              <caption className="visually-hidden">{t('reports.sla')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.month')}</th>
                  <th scope="col">{t('reports.policy')}</th>
                  <th scope="col">{t('reports.queue')}</th>
                  <th scope="col">{t('reports.metric')}</th>
                  <th scope="col">{t('reports.measured')}</th>
                  <th scope="col">{t('reports.withinTarget')}</th>
                  <th scope="col">{t('reports.breached')}</th>
                  <th scope="col">{t('reports.compliance')}</th>
                  <th scope="col">{t('reports.goal')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.month}:${r.policy}:${r.queue}:${r.metric}`}>
                    <td>{month(r.month)}</td>
                    <td>{r.policy}</td>
                    <td>{r.queue}</td>
                    <td>{capitalized(t(`metric.${r.metric}` as MessageKey))}</td>
                    <td className="num">{r.measured}</td>
                    <td className="num">{r.withinTarget}</td>
                    <td className="num">{r.breached}</td>
                    <td className="num">{pct(r.compliancePercent)}</td>
                    <td className="num">{pct(r.goalPercent)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          {rows.length === 0 && <p>{t('reports.empty')}</p>}
        </>
      )}
    </ReportSection>
  );
}

function CsatReport({ query, range }: ReportProps) {
  const { t } = useI18n();
  const month = useMonthLabel();
  const { rows, error } = useRows<CsatRow>(`/v1/reports/csat?${query}`);
  const months = useMemo(() => monthsBetween(range.from, range.to), [range.from, range.to]);
  const chart = useMemo(() => {
    const channels = [...new Set((rows ?? []).map((r) => r.channel))].sort();
    const series: Series[] = channels.map((c) => ({
      label: t(`channel.${c}` as MessageKey),
      data: months.map((m) => {
        const of = (rows ?? []).filter((r) => r.month === m && r.channel === c);
        return share(
          of.reduce((s, r) => s + r.satisfied, 0),
          of.reduce((s, r) => s + r.responses, 0),
        );
      }),
    }));
    return { labels: months.map(month), series };
  }, [rows, months, month, t]);
  return (
    <ReportSection id="csat" title={t('reports.csat')} csv={`/v1/reports/csat?${query}&format=csv`} csvName="csat" error={error}>
      {rows === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <BarChart label={t('reports.csatChart')} labels={chart.labels} series={chart.series} max={100} />
          <details>
            <summary>{t('reports.figures')}</summary>
            <table className="inbox">
              <caption className="visually-hidden">{t('reports.csat')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.month')}</th>
                  <th scope="col">{t('reports.institution')}</th>
                  <th scope="col">{t('inbox.col.channel')}</th>
                  <th scope="col">{t('reports.responses')}</th>
                  <th scope="col">{t('reports.average')}</th>
                  <th scope="col">{t('reports.satisfied')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.month}:${r.institution}:${r.channel}`}>
                    <td>{month(r.month)}</td>
                    <td>{r.institution}</td>
                    <td>{t(`channel.${r.channel}` as MessageKey)}</td>
                    <td className="num">{r.responses}</td>
                    <td className="num">{r.average ?? '—'}</td>
                    <td className="num">{pct(r.satisfiedPercent)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          {rows.length === 0 && <p>{t('reports.empty')}</p>}
        </>
      )}
    </ReportSection>
  );
}

function FundingReport() {
  const { t, duration } = useI18n();
  const month = useMonthLabel();
  const [draft, setDraft] = useState({ month: rigaMonth(1), centre: 'VPPPD' });
  const [params, setParams] = useState(draft);
  const [report, setReport] = useState<Funding | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const path = `/v1/reports/funding?month=${params.month}&centre=${encodeURIComponent(params.centre)}`;
  useEffect(() => {
    let live = true;
    api<Funding>('GET', path).then(
      (r) => live && (setReport(r), setErrors({}), setError(null)),
      (e) => {
        if (!live) return;
        const fields = fieldErrors(e);
        setErrors(fields);
        setError(Object.keys(fields).length ? null : detailOf(e));
      },
    );
    return () => {
      live = false;
    };
  }, [path]);
  const { described, fieldError } = fieldErrorProps('funding', errors);
  const chart = useMemo(
    () =>
      report && {
        labels: report.quality.serviceLevel.map((r) => t(`channel.${r.channel}` as MessageKey)),
        series: [
          { label: t('reports.serviceLevel'), data: report.quality.serviceLevel.map((r) => r.percent) },
          { label: t('reports.goal'), data: report.quality.serviceLevel.map((r) => r.goalPercent), type: 'line' as const },
        ],
      },
    [report, t],
  );
  const secs = (s: number | null) => (s === null ? '—' : duration(s * 1000));
  return (
    <ReportSection
      id="funding"
      title={t('reports.funding')}
      csv={`${path}&format=csv`}
      csvName={`funding-${params.centre}-${params.month}`}
      error={error}
    >
      <form
        className="filters"
        aria-label={t('reports.fundingParams')}
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ month: draft.month, centre: draft.centre.trim().toUpperCase() });
        }}
      >
        <div className="filter">
          <label htmlFor="funding-month">{t('reports.month')}</label>
          <input
            id="funding-month"
            type="month"
            required
            value={draft.month}
            onChange={(e) => setDraft({ ...draft, month: e.target.value })}
            {...described('month')}
          />
          {fieldError('month')}
        </div>
        <div className="filter">
          <label htmlFor="funding-centre">{t('reports.centre')}</label>
          <input
            id="funding-centre"
            value={draft.centre}
            onChange={(e) => setDraft({ ...draft, centre: e.target.value })}
            {...described('centre')}
          />
          {fieldError('centre')}
        </div>
        <button type="submit">{t('reports.show')}</button>
      </form>
      {report && chart && (
        <>
          <p className="hint">{t('reports.fundingOf', { centre: report.centre, month: month(report.month) })}</p>
          <dl className="figures">
            <dt>{t('reports.plannedHours')}</dt>
            <dd>{report.availability.plannedHours}</dd>
            <dt>{t('reports.staffedHours')}</dt>
            <dd>{report.availability.staffedHours}</dd>
            <dt>{t('reports.availability')}</dt>
            <dd>{pct(report.availability.availabilityPercent)}</dd>
            <dt>{t('reports.tickets')}</dt>
            <dd>
              {t('reports.volumeSplit', {
                total: report.volume.total,
                applications: report.volume.applications,
                consultations: report.volume.consultations,
              })}
            </dd>
            <dt>{t('reports.csat')}</dt>
            <dd>
              {t('reports.csatSummary', {
                responses: report.quality.csat.responses,
                average: report.quality.csat.average ?? '—',
                satisfied: pct(report.quality.csat.satisfiedPercent),
              })}
            </dd>
            <dt>{t('reports.levelZero')}</dt>
            <dd>
              {pct(report.quality.levelZeroResolution.percent)} ({report.quality.levelZeroResolution.resolvedAtLevelZero}/
              {report.quality.levelZeroResolution.tickets})
            </dd>
          </dl>
          {chart.labels.length === 0 ? (
            <p>{t('reports.empty')}</p>
          ) : (
            <BarChart label={t('reports.fundingChart')} labels={chart.labels} series={chart.series} max={100} />
          )}
          {report.volume.byChannel.length + report.quality.serviceLevel.length > 0 && (
            <table className="inbox">
              <caption>{t('reports.byChannelTable')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('inbox.col.channel')}</th>
                  <th scope="col">{t('reports.tickets')}</th>
                  <th scope="col">{t('reports.serviceLevel')}</th>
                  <th scope="col">{t('reports.goal')}</th>
                  <th scope="col">{t('reports.firstResponseAvg')}</th>
                  <th scope="col">{t('reports.firstResponseMedian')}</th>
                </tr>
              </thead>
              <tbody>
                {[...new Set([...report.volume.byChannel.map((r) => r.channel), ...report.quality.serviceLevel.map((r) => r.channel)])].map(
                  (c) => {
                    const v = report.volume.byChannel.find((r) => r.channel === c);
                    const s = report.quality.serviceLevel.find((r) => r.channel === c);
                    const f = report.quality.firstResponse.find((r) => r.channel === c);
                    return (
                      <tr key={c}>
                        <th scope="row">{t(`channel.${c}` as MessageKey)}</th>
                        <td className="num">{v?.total ?? 0}</td>
                        <td className="num">{pct(s?.percent)}</td>
                        <td className="num">{pct(s?.goalPercent)}</td>
                        <td className="num">{secs(f?.averageSeconds ?? null)}</td>
                        <td className="num">{secs(f?.medianSeconds ?? null)}</td>
                      </tr>
                    );
                  },
                )}
              </tbody>
            </table>
          )}
        </>
      )}
    </ReportSection>
  );
}
