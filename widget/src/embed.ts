/**
 * The launcher a host site includes:
 *   <script src="https://<service>/chat/embed.js" data-institution="VSAA" data-language="lv" async></script>
 * It asks the service whether this site may embed the institution's widget (the service judges the browser's
 * Origin header) and, only then, puts a button in the corner that opens the conversation in an iframe served by
 * the service. The host page's scripts never see the conversation; the iframe's own CSP (frame-ancestors) refuses
 * to be framed by a site that is not allowed, whatever this script does.
 */
(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || (window as unknown as { __vpppdChat?: boolean }).__vpppdChat) return;
  (window as unknown as { __vpppdChat?: boolean }).__vpppdChat = true;
  const LANGS = ['lv', 'ru', 'en'];
  const pageLang = document.documentElement.lang.slice(0, 2).toLowerCase();
  const lang = LANGS.includes(script.dataset.language ?? '') ? script.dataset.language! : LANGS.includes(pageLang) ? pageLang : 'lv';
  const institution = script.dataset.institution ?? '';
  const service = new URL(script.src).origin;
  // The launcher's own few words; the conversation's texts are in messages/*.json, loaded only when it opens.
  const LABELS: Record<string, [string, string, string]> = {
    lv: ['Atvērt tērzēšanu', 'Aizvērt tērzēšanu', 'Tērzēšana ar konsultantu'],
    ru: ['Открыть чат', 'Закрыть чат', 'Чат с консультантом'],
    en: ['Open the chat', 'Close the chat', 'Chat with a consultant'],
  };
  // Only whether the conversation was open is kept on the host's side, so that it reopens after a page change.
  const OPEN_KEY = `vpppd-chat-open:${institution}`;

  fetch(`${service}/chat/embed/config?institution=${encodeURIComponent(institution)}`, { credentials: 'omit' })
    .then((r) => (r.ok ? r.json() : null))
    .then((config: { allowed: boolean; colour: string } | null) => {
      if (config?.allowed) mount(config.colour);
    })
    .catch(() => undefined);

  function mount(colour: string): void {
    const host = document.createElement('div');
    host.setAttribute('data-vpppd-chat', '');
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = `
      :host { all: initial; }
      button { position: fixed; right: 16px; bottom: 16px; z-index: 2147483646; width: 56px; height: 56px; border-radius: 50%;
        border: 2px solid #fff; background: ${/^#[0-9a-f]{6}$/i.test(colour) ? colour : '#9e1b32'}; color: #fff; cursor: pointer;
        box-shadow: 0 2px 8px rgba(0,0,0,.35); display: flex; align-items: center; justify-content: center; padding: 0; }
      button:focus-visible { outline: 3px solid #111; outline-offset: 3px; box-shadow: 0 0 0 6px #fff; }
      svg { width: 28px; height: 28px; fill: currentColor; }
      .panel { position: fixed; right: 16px; bottom: 84px; z-index: 2147483647; width: 380px; height: min(640px, calc(100vh - 104px));
        border: 1px solid #767676; border-radius: 12px; background: #fff; box-shadow: 0 8px 32px rgba(0,0,0,.3); overflow: hidden; visibility: hidden; }
      .panel.open { visibility: visible; }
      iframe { border: 0; width: 100%; height: 100%; display: block; }
      @media (max-width: 480px) {
        .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; border: 0; }
        .panel.open ~ button { display: none; }
      }
      @media (prefers-reduced-motion: no-preference) { .panel.open { animation: rise .15s ease-out; } }
      @keyframes rise { from { transform: translateY(12px); opacity: 0; } to { transform: none; opacity: 1; } }
    `;
    const panel = document.createElement('div');
    panel.className = 'panel';
    panel.id = 'vpppd-chat-panel';
    const button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('aria-controls', panel.id);
    const OPEN_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
    const CLOSE_ICON = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z';
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    svg.append(path);
    button.append(svg);
    let frame: HTMLIFrameElement | null = null;

    // The conversation page is loaded and laid out while the host page is idle, hidden (visibility, not display,
    // so that its first layout is done before the click), so that the click only shows it. It opens no socket
    // until it is shown (see the 'shown' message): a page view that never opens the chat costs the service one
    // small page, not a connection.
    const warm = () => {
      if (frame) return;
      frame = document.createElement('iframe');
      frame.title = LABELS[lang][2];
      frame.src = `${service}/chat/widget?institution=${encodeURIComponent(institution)}&lang=${lang}`;
      frame.setAttribute('allow', 'clipboard-write');
      panel.append(frame);
    };
    // Whether the last opening was the visitor's (focus goes in) or a reopening after a page change (it stays put).
    let focusWanted = false;
    const tellShown = () => {
      if (frame?.contentWindow && button.getAttribute('aria-expanded') === 'true')
        frame.contentWindow.postMessage({ type: 'vpppd-chat', action: 'shown', focus: focusWanted }, service);
    };
    const setOpen = (open: boolean, focus: boolean) => {
      if (open) warm();
      panel.classList.toggle('open', open);
      // Closed, the loaded conversation is out of the tab order and of the accessibility tree, not only unseen.
      panel.inert = !open;
      button.setAttribute('aria-expanded', String(open));
      button.setAttribute('aria-label', LABELS[lang][open ? 1 : 0]);
      path.setAttribute('d', open ? CLOSE_ICON : OPEN_ICON);
      try {
        if (open) sessionStorage.setItem(OPEN_KEY, '1');
        else sessionStorage.removeItem(OPEN_KEY);
      } catch {
        /* storage may be disabled: the conversation still resumes when the visitor opens it */
      }
      focusWanted = open && focus;
      if (open) tellShown();
      if (focus && open && frame) frame.focus();
      if (focus && !open) button.focus();
    };
    button.addEventListener('pointerenter', warm);
    button.addEventListener('focus', warm);
    button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true', true));
    // The conversation says it is ready (it may have loaded after the visitor opened it) or asks to be minimised
    // (its close button, or Escape) — only from the service's own frame.
    window.addEventListener('message', (event) => {
      if (event.origin !== service || !frame || event.source !== frame.contentWindow || event.data?.type !== 'vpppd-chat') return;
      if (event.data.action === 'ready') tellShown();
      if (event.data.action === 'close') setOpen(false, true);
    });
    root.append(style, panel, button);
    document.body.append(host);
    let reopen = false;
    try {
      reopen = sessionStorage.getItem(OPEN_KEY) === '1';
    } catch {
      reopen = false;
    }
    setOpen(reopen, false);
    if ('requestIdleCallback' in window) window.requestIdleCallback(warm, { timeout: 3000 });
    else setTimeout(warm, 200);
  }
})();
