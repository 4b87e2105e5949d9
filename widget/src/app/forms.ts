import { h, uid } from './dom';
import type { I18n } from './i18n';
import type { WidgetConfig } from './config';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

/** A labelled field; its error is tied to it (aria-describedby) and announced. */
function field(label: string, input: HTMLInputElement | HTMLTextAreaElement, hint?: string) {
  const id = uid('f');
  input.id = id;
  const error = h('p', { className: 'error', id: `${id}-error`, role: 'alert' });
  const described = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  const wrap = h(
    'div',
    { className: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { className: 'hint', id: `${id}-hint` }, hint) : null,
    error,
  );
  const fail = (message: string) => {
    error.textContent = message;
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    if (message) input.focus();
  };
  return { wrap, input, fail };
}

/** The privacy notice, with its link when the institution gave one, and the consent checkbox. */
function privacy(i18n: I18n, config: WidgetConfig) {
  const box = h('input', { type: 'checkbox', required: true });
  const id = uid('consent');
  box.id = id;
  const error = h('p', { className: 'error', role: 'alert' });
  const link = config.settings.privacyUrl
    ? h('a', { href: config.settings.privacyUrl, target: '_blank', rel: 'noopener noreferrer' }, i18n.t('privacyLink'))
    : null;
  const section = h(
    'section',
    { className: 'privacy', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, i18n.t('privacyTitle')),
    h('p', {}, i18n.t('privacyText'), link ? ' ' : '', link),
    h('div', { className: 'check' }, box, h('label', { for: id }, i18n.t('consent'))),
    error,
  );
  const ok = () => {
    error.textContent = box.checked ? '' : i18n.t('consentRequired');
    if (!box.checked) box.focus();
    return box.checked;
  };
  return { section, ok };
}

/** Before the first message: the privacy notice and consent, and only what is needed (name and e-mail optional). */
export function preChat(
  i18n: I18n,
  config: WidgetConfig,
  onStart: (input: { name?: string; email?: string }) => Promise<string | null>,
): HTMLElement {
  const notice = privacy(i18n, config);
  const name = field(i18n.t('name'), h('input', { type: 'text', autocomplete: 'name', maxlength: '100' }));
  const email = field(i18n.t('email'), h('input', { type: 'email', autocomplete: 'email', maxlength: '254' }), i18n.t('emailHint'));
  const submit = h('button', { type: 'submit', className: 'primary' }, i18n.t('start'));
  const problem = h('p', { className: 'error', role: 'alert' });
  const form = h('form', { className: 'prechat', novalidate: true }, notice.section, name.wrap, email.wrap, submit, problem);
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const mail = email.input.value.trim();
    email.fail(mail && !EMAIL.test(mail) ? i18n.t('emailInvalid') : '');
    if (mail && !EMAIL.test(mail)) return;
    if (!notice.ok()) return;
    submit.disabled = true;
    problem.textContent = (await onStart({ name: name.input.value.trim() || undefined, email: mail || undefined })) ?? '';
    submit.disabled = false;
  };
  // The connection answers a lost link instead of rejecting, so there is nothing for the listener to catch.
  form.addEventListener('submit', (event) => void onSubmit(event));
  return form;
}

/** Out of hours: a message answered by e-mail, which goes in as the chat's message left for the next working day. */
export function leaveMessage(
  i18n: I18n,
  config: WidgetConfig,
  onSend: (input: { name?: string; email: string; text: string }) => Promise<string | null>,
): HTMLElement {
  const notice = privacy(i18n, config);
  const name = field(i18n.t('name'), h('input', { type: 'text', autocomplete: 'name', maxlength: '100' }));
  const email = field(i18n.t('leaveEmail'), h('input', { type: 'email', autocomplete: 'email', maxlength: '254', required: true }));
  const text = field(i18n.t('message'), h('textarea', { rows: '5', maxlength: '4000', required: true }));
  const submit = h('button', { type: 'submit', className: 'primary' }, i18n.t('leaveSend'));
  const problem = h('p', { className: 'error', role: 'alert' });
  const form = h(
    'form',
    { className: 'prechat', novalidate: true },
    h('h2', {}, i18n.t('leaveTitle')),
    h('p', {}, i18n.t('leaveIntro')),
    notice.section,
    name.wrap,
    email.wrap,
    text.wrap,
    submit,
    problem,
  );
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const mail = email.input.value.trim();
    const body = text.input.value.trim();
    text.fail(body ? '' : i18n.t('leaveMessageRequired'));
    email.fail(EMAIL.test(mail) ? '' : i18n.t('leaveEmailRequired'));
    if (!EMAIL.test(mail) || !body || !notice.ok()) return;
    submit.disabled = true;
    problem.textContent = (await onSend({ name: name.input.value.trim() || undefined, email: mail, text: body })) ?? '';
    submit.disabled = false;
  };
  // The connection answers a lost link instead of rejecting, so there is nothing for the listener to catch.
  form.addEventListener('submit', (event) => void onSubmit(event));
  return form;
}

/** The end: the one-question survey when the chat became a case (buttons 1-5 that say their number), and a new start. */
export function closedPanel(
  i18n: I18n,
  survey: { scores: number[] } | null,
  rate: (score: number) => Promise<boolean>,
  restart: () => void,
  /** Only when the visitor gave an e-mail address: resolves to null when sent, else why not. */
  transcript: (() => Promise<string | null>) | null,
): HTMLElement {
  const panel = h('section', { className: 'closed', 'aria-label': i18n.t('ended') }, h('p', { className: 'ended' }, i18n.t('ended')));
  if (transcript) {
    const status = h('p', { role: 'status' });
    const button = h('button', { type: 'button', className: 'secondary' }, i18n.t('transcript'));
    button.onclick = async () => {
      button.disabled = true;
      status.textContent = i18n.t('transcriptSending');
      const problem = await transcript();
      status.textContent = problem === null ? i18n.t('transcriptSent') : i18n.t('transcriptFailed', { detail: problem });
      // Sent once per conversation: a second click would only answer the same.
      button.disabled = problem === null;
    };
    panel.append(button, status);
  }
  if (survey) {
    const id = uid('rate');
    const thanks = h('p', { role: 'status' });
    const group = h('div', { className: 'scores', role: 'group', 'aria-labelledby': id });
    for (const score of survey.scores) {
      group.append(
        h(
          'button',
          {
            type: 'button',
            className: 'score',
            'aria-label': i18n.t('rateScore', { score }),
            onclick: () =>
              void rate(score).then((rated) => {
                if (!rated) return;
                group.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.textContent === String(score))));
                thanks.textContent = i18n.t('rateThanks');
              }),
          },
          String(score),
        ),
      );
    }
    panel.append(h('h2', { id }, i18n.t('rateTitle')), group, thanks);
  }
  panel.append(h('button', { type: 'button', className: 'primary', onclick: restart }, i18n.t('newChat')));
  return panel;
}
