/** The widget: one page, no build step, only textContent for anything a person wrote. */
export function widgetPage(nonce: string): string {
  return `<!doctype html>
<html lang="lv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tērzēšana · Chat</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; }
  header, footer { padding: 8px; background: #9e1b32; color: #fff; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
  #log { flex: 1; overflow-y: auto; padding: 8px; background: #f6f6f6; }
  .m { margin: 6px 0; padding: 6px 10px; border-radius: 8px; max-width: 80%; white-space: pre-wrap; background: #fff; }
  .visitor { margin-left: auto; background: #dcecff; } .system { margin: 6px auto; background: none; color: #666; font-size: 13px; }
  .who { font-size: 12px; color: #666; } .tick { font-size: 11px; color: #888; }
  button { cursor: pointer; } .choice { display: block; margin: 4px 0; text-align: left; }
  #typing { height: 18px; font-size: 12px; color: #666; padding: 0 8px; }
  form { display: flex; gap: 6px; flex: 1; } #text { flex: 1; }
</style></head>
<body>
<header>
  <select id="lang"><option value="lv">Latviešu</option><option value="ru">Русский</option><option value="en">English</option></select>
  <input id="name" placeholder="Vārds / Name"><input id="email" placeholder="E-pasts / E-mail">
  <button id="start">Sākt / Start</button><button id="end" hidden>Beigt / End</button><span id="ref"></span>
</header>
<div id="log" aria-live="polite"></div><div id="typing"></div>
<footer><form id="send"><input id="text" autocomplete="off" disabled><input id="file" type="file" disabled><button disabled>➤</button></form></footer>
<script src="/socket.io/socket.io.js"></script>
<script nonce="${nonce}">
(() => {
  const $ = (id) => document.getElementById(id);
  const socket = io('/chat', { transports: ['websocket'] });
  const shown = new Set();
  let typingTimer;
  const saved = () => JSON.parse(localStorage.getItem('vpppd-chat') || 'null');
  const id = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)).replace(/[^A-Za-z0-9_-]/g, '');
  function show(m) {
    if (shown.has(m.id)) return; shown.add(m.id);
    const div = document.createElement('div'); div.className = 'm ' + m.author;
    if (m.author === 'agent' || m.author === 'assistant') { const who = document.createElement('div'); who.className = 'who'; who.textContent = m.name || (m.author === 'assistant' ? '🤖' : ''); div.append(who); }
    div.append(document.createTextNode(m.text));
    (m.attachments || []).forEach((a) => div.append(document.createTextNode('\\n📎 ' + a.filename)));
    (m.choices || []).forEach((c) => { const b = document.createElement('button'); b.className = 'choice'; b.textContent = c.question; b.onclick = () => socket.emit('choose', { clientMessageId: id(), articleId: c.articleId }, ack); div.append(b); });
    if (m.askFeedback) ['👍', '👎'].forEach((t, i) => { const b = document.createElement('button'); b.textContent = t; b.onclick = () => socket.emit('feedback', { clientMessageId: id(), helpful: i === 0 }, ack); div.append(b); });
    $('log').append(div); $('log').scrollTop = 1e9;
    if (m.author === 'agent') socket.emit('receipt', { kind: 'read', ids: [m.id] });
  }
  function ack(a) { if (!a.ok) show({ id: id(), author: 'system', text: a.detail }); }
  function ready(a) {
    if (!a.ok) { localStorage.removeItem('vpppd-chat'); return ack(a); }
    if (a.resumeToken) localStorage.setItem('vpppd-chat', JSON.stringify({ sessionId: a.sessionId, resumeToken: a.resumeToken }));
    a.history.forEach(show); setSession(a);
    ['text', 'file'].forEach((x) => ($(x).disabled = false)); $('send').querySelector('button').disabled = false; $('end').hidden = false;
  }
  function setSession(s) { if (s.reference) $('ref').textContent = s.reference; if (s.mode === 'closed') ['text', 'file'].forEach((x) => ($(x).disabled = true)); }
  socket.on('connect', () => { const s = saved(); if (s) socket.emit('resume', s, ready); });
  socket.on('message', show);
  socket.on('session', setSession);
  socket.on('closed', () => { setSession({ mode: 'closed' }); localStorage.removeItem('vpppd-chat'); });
  socket.on('typing', (t) => { $('typing').textContent = t.typing ? (t.name || '') + ' …' : ''; });
  $('start').onclick = () => socket.emit('start', { language: $('lang').value, name: $('name').value || undefined, email: $('email').value || undefined }, ready);
  $('end').onclick = () => socket.emit('close', {}, () => { localStorage.removeItem('vpppd-chat'); $('end').hidden = true; });
  $('text').oninput = () => { clearTimeout(typingTimer); socket.emit('typing', { typing: true }); typingTimer = setTimeout(() => socket.emit('typing', { typing: false }), 2000); };
  $('send').onsubmit = async (e) => {
    e.preventDefault();
    const file = $('file').files[0];
    const attachments = file ? [{ filename: file.name, content: await file.arrayBuffer() }] : undefined;
    const text = $('text').value; if (!text && !file) return;
    socket.emit('message', { clientMessageId: id(), text, attachments }, (a) => { ack(a); if (a.reference) $('ref').textContent = a.reference; });
    $('text').value = ''; $('file').value = '';
  };
})();
</script></body></html>`;
}
