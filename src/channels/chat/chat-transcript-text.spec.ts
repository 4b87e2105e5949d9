import { transcriptEmail } from './chat-transcript-text';
import type { ChatEntry } from './chat-session';

describe('transcriptEmail', () => {
  const entries: ChatEntry[] = [
    { id: '1', author: 'assistant', text: 'Sveiki!', at: '2026-06-01T09:00:00Z' },
    {
      id: '2',
      author: 'visitor',
      text: 'Pirmā rinda\notrā rinda',
      at: '2026-06-01T09:01:00Z',
      attachments: [{ filename: 'izziņa.pdf', contentType: 'application/pdf', size: 10 }],
    },
    { id: '3', author: 'agent', text: 'Labdien!', name: 'Anna', at: '2026-06-01T09:02:00Z' },
    { id: '4', author: 'system', text: 'Apmeklētājs beidza sarunu.', at: '2026-06-01T09:03:00Z' },
  ];

  it('writes every line with its Riga time and author, in the chat language', () => {
    const { subject, text } = transcriptEmail('lv', 'VP-2026-000001', entries);
    expect(subject).toBe('Sarunas kopija (VP-2026-000001)');
    expect(text).toContain('Lietas numurs: VP-2026-000001.');
    // 09:00 UTC in June is 12:00 in Riga (summer time).
    expect(text).toContain('[12:00] Virtuālais asistents: Sveiki!');
    expect(text).toContain('[12:01] Jūs: Pirmā rinda\n    otrā rinda\n    (fails: izziņa.pdf)');
    expect(text).toContain('[12:02] Anna: Labdien!');
    expect(text).toContain('[12:03] Paziņojums: Apmeklētājs beidza sarunu.');
  });

  it('has Russian and English texts', () => {
    expect(transcriptEmail('ru', 'VP-2026-000001', entries).text).toContain('] Вы: Pirmā rinda');
    expect(transcriptEmail('en', 'VP-2026-000001', entries).subject).toBe('Transcript of your chat (VP-2026-000001)');
  });
});
