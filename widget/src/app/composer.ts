import type { Socket } from 'socket.io-client';
import { h, uid } from './dom';
import type { I18n } from './i18n';
import type { WidgetConfig } from './config';

export interface Draft {
  text: string;
  file?: { filename: string; content: ArrayBuffer; size: number };
}

/**
 * Where the visitor writes: a labelled text area (Enter sends, Shift+Enter breaks the line), one file at a time
 * with the limits said before choosing, and the upload's progress read from the websocket's own send buffer.
 */
export class Composer {
  readonly el: HTMLFormElement;
  private readonly text: HTMLTextAreaElement;
  private readonly file: HTMLInputElement;
  private readonly chosen: HTMLElement;
  private readonly error: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly progressLabel: HTMLElement;
  private typingTimer: number | undefined;
  private typing = false;

  constructor(
    private readonly i18n: I18n,
    private readonly config: WidgetConfig,
    private readonly on: { send(draft: Draft): void; typing(typing: boolean): void },
  ) {
    const s = config.settings;
    const limitsText = i18n.t('fileLimits', {
      size: Math.floor(s.maxFileBytes / 1048576),
      types: s.fileTypes.map((t) => t.toUpperCase()).join(', '),
    });
    const textId = uid('text');
    const fileId = uid('file');
    this.text = h('textarea', { id: textId, rows: '2', maxlength: '4000', autocomplete: 'off' });
    this.file = h('input', {
      id: fileId,
      type: 'file',
      className: 'file-input',
      'aria-describedby': `${fileId}-limits`,
      accept: s.fileTypes.map((t) => `.${t}`).join(','),
    });
    this.chosen = h('div', { className: 'chosen' });
    this.error = h('p', { className: 'error', role: 'alert' });
    this.progress = h('progress', { max: '100', value: '0', 'aria-labelledby': `${fileId}-progress` });
    this.progressLabel = h('span', { id: `${fileId}-progress` });
    this.el = h(
      'form',
      { className: 'composer', novalidate: true },
      h('label', { for: textId, className: 'visually-hidden' }, i18n.t('message')),
      h('div', { className: 'row' }, this.text, h('button', { type: 'submit', className: 'primary' }, i18n.t('send'))),
      h(
        'div',
        { className: 'tools' },
        h('div', { className: 'attach' }, this.file, h('label', { for: fileId, className: 'button' }, i18n.t('attach'))),
        h('p', { className: 'hint', id: `${fileId}-limits` }, limitsText),
      ),
      this.chosen,
      h('div', { className: 'upload', hidden: true }, this.progressLabel, this.progress),
      this.error,
    );
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        void this.submit();
      }
    });
    this.text.addEventListener('input', () => this.noteTyping());
    this.file.addEventListener('change', () => this.checkFile());
  }

  focus(): void {
    this.text.focus();
  }

  setEnabled(enabled: boolean): void {
    this.el
      .querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLTextAreaElement>('textarea, input, button')
      .forEach((c) => (c.disabled = !enabled));
  }

  private noteTyping(): void {
    if (!this.typing) {
      this.typing = true;
      this.on.typing(true);
    }
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.stopTyping(), 3000);
  }

  private stopTyping(): void {
    window.clearTimeout(this.typingTimer);
    if (this.typing) this.on.typing(false);
    this.typing = false;
  }

  /** Said before anything is sent: too large, or a type the service refuses. */
  private checkFile(): File | null {
    const f = this.file.files?.[0] ?? null;
    this.chosen.replaceChildren();
    this.error.textContent = '';
    if (!f) return null;
    const s = this.config.settings;
    const ext = f.name.split('.').pop()?.toLowerCase() ?? '';
    const problem =
      f.size > s.maxFileBytes
        ? this.i18n.t('fileTooLarge', { name: f.name, size: Math.floor(s.maxFileBytes / 1048576) })
        : !s.fileTypes.includes(ext)
          ? this.i18n.t('fileWrongType', { name: f.name, types: s.fileTypes.map((t) => t.toUpperCase()).join(', ') })
          : '';
    if (problem) {
      this.error.textContent = problem;
      this.file.value = '';
      return null;
    }
    const remove = h(
      'button',
      {
        type: 'button',
        className: 'chip',
        'aria-label': this.i18n.t('removeFile', { name: f.name }),
        onclick: () => ((this.file.value = ''), this.checkFile(), this.file.focus()),
      },
      '✕',
    );
    this.chosen.append(h('span', {}, `${this.i18n.t('file')}: ${f.name} (${Math.max(1, Math.round(f.size / 1024))} KB)`), remove);
    return f;
  }

  private async submit(): Promise<void> {
    const text = this.text.value.trim();
    const f = this.checkFile();
    if (!text && !f) return;
    this.stopTyping();
    const draft: Draft = { text, file: f ? { filename: f.name, content: await f.arrayBuffer(), size: f.size } : undefined };
    this.text.value = '';
    this.file.value = '';
    this.chosen.replaceChildren();
    this.on.send(draft);
    this.text.focus();
  }

  /** While a file goes out: the share of it the websocket has handed to the network. */
  watchUpload(socket: Socket, name: string, size: number, done: Promise<unknown>): void {
    const box = this.progress.parentElement as HTMLElement;
    const ws = (socket.io.engine as unknown as { transport?: { ws?: WebSocket } })?.transport?.ws;
    this.progressLabel.textContent = this.i18n.t('uploading', { name });
    this.progress.value = 0;
    box.hidden = false;
    const timer = window.setInterval(() => {
      const left = ws?.bufferedAmount ?? 0;
      this.progress.value = Math.max(this.progress.value, Math.round(100 * (1 - Math.min(left, size) / size)));
    }, 100);
    void done.finally(() => {
      window.clearInterval(timer);
      this.progress.value = 100;
      window.setTimeout(() => (box.hidden = true), 600);
    });
  }
}
