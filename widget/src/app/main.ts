import { ChatLog, Entry } from './chat-log';
import { Composer, Draft } from './composer';
import { readConfig } from './config';
import { Ack, Connection } from './connection';
import { clear, clientMessageId, h } from './dom';
import { closedPanel, leaveMessage, preChat } from './forms';
import { messages } from './i18n';
import { header } from './header';

type Mode = 'bot' | 'waiting' | 'operator' | 'leave_message' | 'closed';

const config = readConfig();
const i18n = messages(config.lang);
const s = config.settings;
document.title = `${i18n.t('title')} · ${s.centreName}`;
document.documentElement.style.setProperty('--brand', s.colour);

const app = document.getElementById('app')!;
const top = header(i18n, config, () => window.parent.postMessage({ type: 'vpppd-chat', action: 'close' }, '*'));
const screen = h('main', { className: 'screen' });
const banner = h('p', { className: 'banner', role: 'status' });
const typingLine = h('p', { className: 'typing', 'aria-hidden': 'true' });
app.append(top.el, screen);

let mode: Mode = 'bot';
/** Opened on its own, or shown by the launcher (framed, it may be loaded hidden before the visitor opens it). */
let shown = window.parent === window;
let operator: string | null = null;
let queueTimer: number | undefined;
let connected = true;
/** The address the answer to a message left out of hours goes to, as the visitor typed it in this page. */
let leftTo: string | null = null;
/** The visitor gave an e-mail address in this chat: the end offers the transcript by e-mail. */
let emailGiven = false;

const conn = new Connection(`vpppd-chat:${s.institution ?? '-'}`, {
  onResumed: (ack) => (ack.ok ? showConversation(ack) : showStart()),
  onAcked: (item, ack) => {
    if (ack.ok) {
      if (ack.id) log.bind(item.clientMessageId, ack.id);
      log.mark(item.clientMessageId, 'sent');
      if (ack.reference) top.reference(ack.reference);
    } else log.mark(item.clientMessageId, 'failed', ack.detail);
  },
  onConnection: (up) => {
    if (!up) banner.textContent = i18n.t('offline');
    else if (!connected) banner.textContent = i18n.t('online');
    connected = up;
  },
});
const socket = conn.socket;

const log = new ChatLog(i18n, {
  choose: (articleId) => {
    log.disableChoices();
    void conn.request('choose', { clientMessageId: clientMessageId(), articleId }).then((ack) => ack.ok || fail(ack));
  },
  feedback: (helpful) => void conn.request('feedback', { clientMessageId: clientMessageId(), helpful }).then((ack) => ack.ok || fail(ack)),
  seen: (entry) => {
    // Once per message, not again each time a reconnect shows the history.
    if (receipted.has(entry.id)) return;
    receipted.add(entry.id);
    const kind = document.visibilityState === 'visible' ? 'read' : 'delivered';
    void conn.request('receipt', { kind, ids: [entry.id] });
    if (kind === 'delivered') unread.push(entry.id);
  },
});
const unread: string[] = [];
const receipted = new Set<string>();
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && unread.length) void conn.request('receipt', { kind: 'read', ids: unread.splice(0) });
});

const composer = new Composer(i18n, config, {
  send: (draft) => send(draft),
  typing: (typing) => void conn.request('typing', { typing }),
});
const askPerson = h(
  'button',
  { type: 'button', className: 'secondary', onclick: () => send({ text: i18n.t('askPersonText') }) },
  i18n.t('askPerson'),
);
const endChat = h('button', { type: 'button', className: 'secondary', onclick: () => void end() }, i18n.t('end'));

function fail(ack: Ack): void {
  if (!ack.ok) banner.textContent = i18n.t('error', { detail: ack.detail });
}

function send(draft: Draft): void {
  const id = clientMessageId();
  const files = draft.file ? [draft.file] : undefined;
  log.add(
    {
      id,
      clientMessageId: id,
      author: 'visitor',
      text: draft.text,
      at: new Date().toISOString(),
      attachments: files?.map((f) => ({ filename: f.filename, contentType: '', size: f.size })),
    },
    'sending',
  );
  const acked = conn.send({ clientMessageId: id, text: draft.text, files });
  if (draft.file) composer.watchUpload(socket, draft.file.filename, draft.file.size, acked);
}

/** Out of hours a waiting chat is a message left for the next working day: nobody joins "shortly". */
const messageLeft = () => !s.open && mode === 'waiting';

function setMode(next: Mode, name?: string | null): void {
  mode = next;
  if (name) operator = name;
  top.who(
    mode === 'operator'
      ? i18n.t('operator', { name: operator ?? '' })
      : messageLeft()
        ? i18n.t('messageLeft')
        : mode === 'waiting'
          ? i18n.t('waitingForPerson')
          : mode === 'closed'
            ? i18n.t('nobody')
            : i18n.t('assistant'),
  );
  askPerson.hidden = mode !== 'bot';
  // Choices and "did this help?" belong to the assistant; once it stepped back they would only be refused.
  if (mode !== 'bot') log.disableChoices();
  window.clearInterval(queueTimer);
  if (messageLeft()) {
    banner.textContent = leftTo ? i18n.t('leaveThanks', { email: leftTo }) : i18n.t('leaveThanksNoEmail');
    composer.el.hidden = true;
  } else if (mode === 'waiting') {
    void pollQueue();
    queueTimer = window.setInterval(pollQueue, 3000);
  } else if (connected) banner.textContent = '';
  if (mode === 'closed') composer.setEnabled(false);
}

async function pollQueue(): Promise<void> {
  const ack = await conn.request('queue', {});
  if (!ack.ok || mode !== 'waiting' || !connected) return;
  banner.textContent =
    ack.position == null
      ? i18n.t('queueSoon')
      : `${i18n.t('queuePosition', { position: ack.position })} ${ack.expectedWaitSeconds == null ? i18n.t('queueWaitUnknown') : i18n.t('queueWait', { minutes: Math.max(1, Math.round(ack.expectedWaitSeconds / 60)) })}`;
}

function showStart(): void {
  clear(screen);
  screen.append(
    s.open
      ? preChat(i18n, config, async (input) => {
          const ack = await conn.start({ language: config.lang, institution: s.institution ?? undefined, consent: true, ...input });
          if (!ack.ok) return ack.detail;
          showConversation(ack);
          return null;
        })
      : leaveMessage(i18n, config, async (input) => {
          const ack = await conn.start({
            language: config.lang,
            institution: s.institution ?? undefined,
            consent: true,
            leaveMessage: true,
            name: input.name,
            email: input.email,
          });
          if (!ack.ok) return ack.detail;
          leftTo = input.email;
          showConversation(ack);
          send({ text: input.text });
          return null;
        }),
  );
  // A frame loaded ahead of the click must not take the host page's focus; it gets it when it is opened.
  if (shown) screen.querySelector<HTMLElement>('input, textarea')?.focus();
}

function showConversation(ack: Ack & { ok: true }): void {
  clear(screen);
  log.reset();
  log.el.setAttribute('aria-busy', 'true');
  for (const entry of ack.history as Entry[]) log.add(entry, entry.author === 'visitor' ? 'sent' : undefined);
  for (const item of conn.pendingMessages())
    log.add(
      { id: item.clientMessageId, clientMessageId: item.clientMessageId, author: 'visitor', text: item.text, at: new Date().toISOString() },
      'sending',
    );
  log.el.removeAttribute('aria-busy');
  if (ack.reference) top.reference(ack.reference);
  emailGiven = ack.emailGiven === true;
  composer.setEnabled(true);
  composer.el.hidden = false;
  screen.append(banner, log.el, typingLine, composer.el, h('div', { className: 'actions' }, askPerson, endChat));
  setMode(ack.mode, ack.operator);
  if (ack.mode === 'closed') showClosed(null);
  else composer.focus();
}

async function end(): Promise<void> {
  const ack = await conn.request('close', {});
  if (!ack.ok) fail(ack);
}

function showClosed(survey: { scores: number[] } | null): void {
  setMode('closed');
  screen.querySelector('.actions')?.remove();
  composer.el.remove();
  const panel = closedPanel(
    i18n,
    survey,
    async (score) => (await conn.request('rate', { score })).ok,
    () => {
      conn.forget();
      showStart();
    },
    emailGiven ? requestTranscript : null,
  );
  screen.append(panel);
  log.el.scrollTop = log.el.scrollHeight;
  (panel.querySelector('button') as HTMLElement | null)?.focus();
}

/** The ticket is opened by the worker a moment after the chat's first message: a very short chat may ask again. */
async function requestTranscript(): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const ack = await conn.request('transcript', {});
    if (ack.ok) return null;
    if (attempt >= 5 || (ack.code !== 'not-saved' && ack.status !== 429 && ack.status !== 503)) return ack.detail;
    await new Promise((r) => setTimeout(r, ack.retryAfterMs ?? 1000));
  }
}

socket.on('message', (entry: Entry) => {
  log.add(entry, entry.author === 'visitor' ? 'sent' : undefined);
  if (entry.author === 'agent') typingLine.textContent = '';
});
socket.on('session', (p: { mode: Mode; reference?: string; operator?: string }) => {
  if (p.reference) top.reference(p.reference);
  if (p.mode !== 'closed') setMode(p.mode, p.operator);
});
socket.on('typing', (p: { typing: boolean; name: string }) => {
  typingLine.textContent = p.typing ? i18n.t('typing', { name: p.name }) : '';
});
socket.on('receipt', (p: { kind: 'delivered' | 'read'; ids: string[] }) => p.ids.forEach((id) => log.mark(id, p.kind)));
socket.on('closed', (p: { survey: { scores: number[] } | null }) => {
  typingLine.textContent = '';
  // The session stays saved until the visitor starts anew: a reload shows the end and the survey again.
  showClosed(p.survey);
});

// The frame may be made before it is shown (embed.js warms it on intent); focus set then is lost, so the screen's
// first field takes it when the frame itself gets focus.
window.addEventListener('focus', () => {
  if (document.activeElement !== document.body) return;
  if (!composer.el.hidden && composer.el.isConnected) composer.focus();
  else screen.querySelector<HTMLElement>('input, textarea, button')?.focus();
});

// Framed by a host page, this page may be loaded before the visitor opens it (embed.js loads it while the host
// page is idle): it connects when the launcher says it is shown, so an unopened chat holds no connection.
// Opened on its own, it connects at once.
if (window.parent === window) conn.connect();
else {
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.data?.type !== 'vpppd-chat' || event.data.action !== 'shown') return;
    shown = true;
    conn.connect();
    if (event.data.focus && document.activeElement === document.body) screen.querySelector<HTMLElement>('input, textarea, button')?.focus();
  });
  window.parent.postMessage({ type: 'vpppd-chat', action: 'ready' }, '*');
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') window.parent.postMessage({ type: 'vpppd-chat', action: 'close' }, '*');
});
