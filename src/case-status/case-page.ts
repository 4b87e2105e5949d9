import type { FieldError } from '../common/problem';
import { CASE_COPY, CASE_LANGUAGES, CaseLanguage, LANGUAGE_NAMES } from './case-status-copy';
import type { CaseStatusView } from './case-status.service';

/**
 * The citizens' case-status page, rendered on the server: no script at all, so the API's own Content-Security-Policy
 * (nothing loads; inline styles and forms posting to this origin) holds it. Built for WCAG 2.1 AA: the page's
 * language, labelled fields with their hints tied by aria-describedby, errors announced (role=alert) and linked
 * to their fields, a visible focus ring, text that reflows on a phone.
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.5rem}label{display:block;font-weight:600;margin-top:1rem}.hint{display:block;color:#4a4a4a;font-size:.9rem}
input{font:inherit;padding:.5rem;width:100%;max-width:24rem;border:2px solid #4a4a4a;border-radius:4px;box-sizing:border-box}
button{font:inherit;margin-top:1rem;padding:.5rem 1rem;background:#0b5394;color:#fff;border:0;border-radius:4px;cursor:pointer}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}.alert{border-left:4px solid #a50000;padding:.5rem 1rem;background:#fdecec}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem}dt{font-weight:600}dd{margin:0}
nav ul{list-style:none;padding:0;display:flex;gap:1rem}a{color:#0b5394}`;

function shell(language: CaseLanguage, title: string, body: string, otherLanguages: (l: CaseLanguage) => string): string {
  const copy = CASE_COPY[language];
  const languages = CASE_LANGUAGES.filter((l) => l !== language)
    .map((l) => `<li><a href="${escape(otherLanguages(l))}" hreflang="${l}" lang="${l}">${LANGUAGE_NAMES[l]}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><header><nav aria-label="${escape(copy.languageNav)}"><ul>${languages}</ul></nav></header>
<main><h1>${escape(copy.title)}</h1>${body}</main></body></html>`;
}

export interface FormState {
  reference?: string;
  message?: string;
  errors?: FieldError[];
}

/** The form: reference and the e-mail or phone. The contact is never echoed back into the page. */
export function formPage(language: CaseLanguage, state: FormState = {}): string {
  const copy = CASE_COPY[language];
  const fieldError = (field: string) => state.errors?.find((e) => e.field === field);
  const alert = state.message
    ? `<div class="alert" role="alert"><p>${escape(state.message)}</p></div>`
    : state.errors?.length
      ? `<div class="alert" role="alert"><p>${escape(copy.invalid)}</p><ul>${state.errors
          .map(
            (e) =>
              `<li><a href="#${e.field === 'contact' ? 'contact' : 'reference'}">${escape(e.field === 'contact' ? copy.contactLabel : copy.referenceLabel)}</a></li>`,
          )
          .join('')}</ul></div>`
      : '';
  const invalid = (field: string) => (fieldError(field) ? ' aria-invalid="true"' : '');
  const body = `${alert}<p>${escape(copy.intro)}</p>
<form method="post" action="/case" novalidate>
<input type="hidden" name="lang" value="${language}">
<label for="reference">${escape(copy.referenceLabel)}</label>
<span class="hint" id="reference-hint">${escape(copy.referenceHint)}</span>
<input id="reference" name="reference" required autocomplete="off" spellcheck="false" maxlength="32" aria-describedby="reference-hint"${invalid('reference')} value="${escape(state.reference ?? '')}">
<label for="contact">${escape(copy.contactLabel)}</label>
<span class="hint" id="contact-hint">${escape(copy.contactHint)}</span>
<input id="contact" name="contact" required autocomplete="email" maxlength="320" aria-describedby="contact-hint"${invalid('contact')}>
<button type="submit">${escape(copy.submit)}</button>
</form>`;
  return shell(language, copy.title, body, (l) => `/case?lang=${l}`);
}

/** The answer. Language links keep the signed link when there is one; after a form they lead back to the form. */
export function statusPage(view: CaseStatusView, token: string | null): string {
  const copy = CASE_COPY[view.language];
  const date = (iso: string) => new Intl.DateTimeFormat(copy.locale, { timeZone: 'Europe/Riga', dateStyle: 'long' }).format(new Date(iso));
  const day = (ymd: string) =>
    new Intl.DateTimeFormat(copy.locale, { timeZone: 'UTC', dateStyle: 'long' }).format(new Date(`${ymd}T00:00:00Z`));
  const institution = view.institution
    ? `${escape(view.institution.name)} (${escape(view.institution.code)})${view.referred ? ` — ${escape(copy.referredNote)}` : ''}`
    : '—';
  const rows: Array<[string, string]> = [
    [copy.statusLabel, `<strong>${escape(view.statusText)}</strong>`],
    [copy.levelLabel, escape(view.levelText)],
    [copy.institutionLabel, institution],
    [copy.receivedLabel, `<time datetime="${escape(view.receivedAt)}">${escape(date(view.receivedAt))}</time>`],
    [
      copy.dueLabel,
      view.answerDueDate ? `<time datetime="${escape(view.answerDueDate)}">${escape(day(view.answerDueDate))}</time>` : escape(copy.noDue),
    ],
    [
      copy.lastUpdateLabel,
      `<time datetime="${escape(view.lastUpdate.at)}">${escape(date(view.lastUpdate.at))}</time>: ${escape(view.lastUpdate.text)}`,
    ],
  ];
  const body = `<h2>${escape(view.reference)}</h2>
${view.mergedInto ? `<p>${escape(copy.mergedNote(view.mergedInto))}</p>` : ''}
<dl>${rows.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${v}</dd>`).join('\n')}</dl>
<p><a href="/case?lang=${view.language}">${escape(copy.another)}</a></p>`;
  return shell(view.language, `${view.reference} — ${copy.title}`, body, (l) => (token ? `/case?t=${token}&lang=${l}` : `/case?lang=${l}`));
}

/** Over the per-source limit (the middleware's answer to a browser). */
export function tooManyPage(language: CaseLanguage): string {
  return formPage(language, { message: CASE_COPY[language].tooMany });
}
