import type { WidgetConfig } from './config';
import { h } from './dom';
import type { I18n } from './i18n';

/**
 * The top of the widget: the centre's name and logo, who is answering now (in words), whether people are at work
 * now and the week's hours, the case number once there is one, and the button that minimises the widget.
 */
export function header(i18n: I18n, config: WidgetConfig, close: () => void) {
  const s = config.settings;
  const who = h('p', { className: 'who-now', role: 'status' }, s.open ? i18n.t('assistant') : i18n.t('leaveTitle'));
  const ref = h('p', { className: 'ref' });
  const hours = h('dl', { className: 'hours' });
  for (const d of s.hours) {
    hours.append(
      h('dt', {}, i18n.day(d.day)),
      h('dd', {}, d.spans.length ? d.spans.map(([a, b]) => `${a}–${b}`).join(', ') : i18n.t('closedDay')),
    );
  }
  const el = h(
    'header',
    { className: 'top' },
    h(
      'div',
      { className: 'bar' },
      s.logoUrl ? h('img', { src: s.logoUrl, alt: '', className: 'logo' }) : null,
      h('div', { className: 'titles' }, h('h1', {}, s.centreName), who),
      h('button', { type: 'button', className: 'close', 'aria-label': i18n.t('close'), onclick: close }, '✕'),
    ),
    h(
      'div',
      { className: 'info' },
      h(
        'div',
        { className: 'line' },
        h(
          'p',
          { className: `open ${s.open ? 'yes' : 'no'}` },
          h('span', { 'aria-hidden': 'true' }, s.open ? '● ' : '○ '),
          s.open ? i18n.t('openNow') : i18n.t('closedNow', { next: i18n.when(s.nextOpening) }),
        ),
        ref,
      ),
      h('details', {}, h('summary', {}, i18n.t('hours')), hours),
    ),
  );
  return {
    el,
    who: (text: string) => (who.textContent = text),
    reference: (reference: string) => (ref.textContent = i18n.t('reference', { reference })),
  };
}
