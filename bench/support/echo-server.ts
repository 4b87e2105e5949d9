/**
 * The baseline of bench/chat: a bare socket.io server in a process of its own, with the same events and payload
 * shapes as the service's chat relay but nothing behind them (no Redis, no sessions, no storage, no assistant):
 * a visitor's `message` is relayed to the operators in the chat's room and acknowledged; an operator's `reply` is
 * relayed to the visitor. What the service adds on top of this is what the benchmark measures.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const http = createServer();
const io = new Server(http, { transports: ['websocket'] });

io.of('/chat').on('connection', (socket) => {
  let sessionId = '';
  socket.on('start', (_body, ack) => {
    sessionId = randomUUID();
    void socket.join(`visitor:${sessionId}`);
    ack({ ok: true, sessionId, reference: sessionId });
  });
  socket.on('message', (body, ack) => {
    const message = {
      id: randomUUID(),
      author: 'visitor',
      text: body.text,
      clientMessageId: body.clientMessageId,
      at: new Date().toISOString(),
    };
    io.of('/agents').to(`chat:${sessionId}`).emit('chat.message', { sessionId, reference: sessionId, message });
    ack({ ok: true, id: message.id, duplicate: false, reference: sessionId });
  });
});

io.of('/agents').on('connection', (socket) => {
  socket.emit('ready', {});
  socket.on('chat.join', (body, ack) => {
    void socket.join(`chat:${body.reference}`);
    ack({ ok: true });
  });
  socket.on('reply', (body, ack) => {
    io.of('/chat')
      .to(`visitor:${body.reference}`)
      .emit('message', { id: randomUUID(), author: 'agent', text: body.text, at: new Date().toISOString() });
    ack({ ok: true });
  });
});

http.listen(port, '127.0.0.1', () => process.stdout.write(`echo server on ${port}\n`));
process.on('SIGTERM', () => void io.close(() => process.exit(0)));
