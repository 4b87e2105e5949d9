import { clear, h } from './dom';
import type { I18n } from './i18n';

export interface Entry {
  id: string;
  author: 'visitor' | 'assistant' | 'agent' | 'system';
  text: string;
  at: string;
  clientMessageId?: string;
  name?: string;
  choices?: Array<{ articleId: string; question: string }>;
  askFeedback?: boolean;
  attachments?: Array<{ filename: string; contentType: string; size: number }>;
}

type Status = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
const RANK: Record<Status, number> = { failed: 0, sending: 1, sent: 2, delivered: 3, read: 4 };

/**
 * The conversation as a list of messages (role="log": screen readers announce what is appended), each saying who
 * wrote it in words, never by colour alone; the visitor's own lines say whether they were sent, delivered, read.
 */
export class ChatLog {
  readonly el: HTMLElement;
  private readonly byId = new Map<string, HTMLElement>();
  private readonly status = new Map<HTMLElement, Status>();

  constructor(
    private readonly i18n: I18n,
    private readonly actions: {
      choose(articleId: string, question: string): void;
      feedback(helpful: boolean): void;
      seen(entry: Entry): void;
    },
  ) {
    this.el = h('div', { className: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': i18n.t('logLabel'), tabindex: '0' });
    // Follow the conversation while the visitor is at its end (also when a banner or the keyboard shrinks the
    // view), but leave them where they are when they scrolled back to read.
    this.el.addEventListener('scroll', () => (this.atEnd = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 48));
    new ResizeObserver(() => this.atEnd && this.toEnd()).observe(this.el);
  }

  private atEnd = true;

  private toEnd(): void {
    this.el.scrollTop = this.el.scrollHeight;
  }

  reset(): void {
    clear(this.el);
    this.byId.clear();
  }

  has(id: string | undefined): boolean {
    return !!id && this.byId.has(id);
  }

  /** Adds a message once (the same one may come in the history and as an event). */
  add(entry: Entry, status?: Status): void {
    if (this.has(entry.id) || this.has(entry.clientMessageId)) {
      if (entry.clientMessageId && !this.byId.has(entry.id)) this.bind(entry.clientMessageId, entry.id);
      return;
    }
    const who =
      entry.author === 'visitor'
        ? this.i18n.t('you')
        : entry.author === 'assistant'
          ? this.i18n.t('assistant')
          : entry.author === 'agent'
            ? entry.name || ''
            : this.i18n.t('system');
    const item = h(
      'div',
      { className: `msg ${entry.author}` },
      h('span', { className: 'who' }, who, ' ', h('time', { datetime: entry.at }, this.i18n.time(entry.at))),
      h('p', { className: 'text' }, entry.text),
    );
    for (const a of entry.attachments ?? [])
      item.append(h('p', { className: 'file' }, `${this.i18n.t('file')}: ${a.filename} (${Math.max(1, Math.round(a.size / 1024))} KB)`));
    if (entry.choices?.length) {
      const list = h('div', { className: 'choices' });
      for (const c of entry.choices)
        list.append(
          h('button', { type: 'button', className: 'chip', onclick: () => this.actions.choose(c.articleId, c.question) }, c.question),
        );
      item.append(list);
    }
    if (entry.askFeedback) {
      const group = h('div', { className: 'choices', role: 'group', 'aria-label': this.i18n.t('helpful') });
      const answer = (helpful: boolean) => () => {
        group.querySelectorAll('button').forEach((b) => (b.disabled = true));
        this.actions.feedback(helpful);
      };
      group.append(
        h('button', { type: 'button', className: 'chip', onclick: answer(true) }, this.i18n.t('yes')),
        h('button', { type: 'button', className: 'chip', onclick: answer(false) }, this.i18n.t('no')),
      );
      item.append(group);
    }
    if (entry.author === 'visitor') item.append(h('span', { className: 'status' }));
    this.el.append(item);
    this.byId.set(entry.id, item);
    if (entry.clientMessageId) this.byId.set(entry.clientMessageId, item);
    if (status) this.mark(entry.id, status);
    if (this.atEnd || entry.author === 'visitor') this.toEnd();
    if (entry.author === 'agent') this.actions.seen(entry);
  }

  /** A visitor's line, known by its client id until the server gives it its own. */
  bind(clientMessageId: string, id: string): void {
    const item = this.byId.get(clientMessageId);
    if (item) this.byId.set(id, item);
  }

  mark(id: string, status: Status, detail?: string): void {
    const item = this.byId.get(id);
    const label = item?.querySelector('.status');
    if (!item || !label) return;
    const now = this.status.get(item);
    // Receipts may arrive out of order; a line never goes back from read to delivered.
    if (now && status !== 'failed' && RANK[now] > RANK[status]) return;
    this.status.set(item, status);
    label.textContent = status === 'failed' ? this.i18n.t('failed', { detail: detail ?? '' }) : this.i18n.t(status);
    item.classList.toggle('failed', status === 'failed');
  }

  disableChoices(): void {
    this.el.querySelectorAll<HTMLButtonElement>('.choices button').forEach((b) => (b.disabled = true));
  }
}
