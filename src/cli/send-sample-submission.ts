/**
 * Shows a running service working: sends one signed Latvija.lv web-form submission, waits until the inbound
 * pipeline has made it a ticket, and prints the ticket as the staff API shows it to the administrator.
 * Usage: node dist/src/cli/send-sample-submission.js   (reads the same environment as the service)
 */
import { signTimestampedHmac } from '@lib/webhook-signature';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/app-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const base = `http://127.0.0.1:${config.PORT}`;

  const submission = {
    submissionId: `SAMPLE-${randomUUID()}`,
    submittedAt: new Date().toISOString(),
    form: 'question',
    institution: 'VSAA',
    topic: 'vecuma pensija',
    language: 'lv',
    applicant: { firstName: 'Anna', lastName: 'Kalniņa', personalCode: '121282-11210', email: 'anna.kalnina@example.lv' },
    subject: 'Kā pieteikties vecuma pensijai?',
    message: 'Labdien! Man nākamgad paliek 65 gadi. Kādi dokumenti vajadzīgi, lai pieteiktos vecuma pensijai?',
  };
  const raw = JSON.stringify(submission);
  const accepted = await fetch(`${base}/v1/channels/webform/submissions`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Signature': signTimestampedHmac(config.WEBFORM_SECRET, raw, Math.floor(Date.now() / 1000)),
    },
    body: raw,
  });
  const acceptedBody = (await accepted.json()) as { reference: string; status: string };
  if (accepted.status !== 202) throw new Error(`submission refused: ${accepted.status} ${JSON.stringify(acceptedBody)}`);
  process.stdout.write(`Submission ${submission.submissionId} accepted: reference ${acceptedBody.reference}\n`);

  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${await login.text()}`);
  const { accessToken } = (await login.json()) as { accessToken: string };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/v1/tickets/${acceptedBody.reference}`, { headers: { Authorization: `Bearer ${accessToken}` } });
    if (res.status === 200) {
      const t = (await res.json()) as Record<string, any>;
      const lines = [
        `Ticket ${t.reference} is in the unified queue:`,
        `  channel ${t.channel}, kind ${t.kind}, language ${t.language}, institution ${t.institution}, queue ${t.queue}, level ${t.level}, status ${t.status}`,
        `  customer ${t.customer.firstName} ${t.customer.lastName}: ${t.customer.identifiers.map((i: any) => `${i.kind} ${i.value}`).join(', ')}`,
        `  message: ${t.messages[0].subject} — ${t.messages[0].text}`,
        `  history: ${t.escalations.map((e: any) => `level ${e.fromLevel}→${e.toLevel} to ${e.toQueue} (${e.reason})`).join('; ')}`,
        `  SLA: ${t.sla?.state ?? 'none'}${t.sla?.dueAt ? `, answer due ${new Date(t.sla.dueAt).toLocaleString('lv-LV', { timeZone: 'Europe/Riga' })} (Riga time, working days)` : ''}`,
      ];
      // What an operator opening it would be offered from the knowledge base.
      const suggestions = await fetch(`${base}/v1/tickets/${t.reference}/suggestions`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      if (suggestions.status === 200) {
        const best = ((await suggestions.json()) as { results: Array<{ article: { questions: string[] }; score: number }> }).results[0];
        if (best) lines.push(`  suggested answer: "${best.article.questions[0]}" (score ${best.score.toFixed(2)})`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      return;
    }
    if (res.status !== 404) throw new Error(`reading the ticket failed: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the ticket did not appear within 30 s: is a worker running (APP_ROLE=all or worker)?');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
