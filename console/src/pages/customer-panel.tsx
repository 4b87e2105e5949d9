import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import { customerName, PROVENANCES, type Identifier, type TicketDetail } from '../lib/tickets';

const IDENTIFIER_KINDS = ['personal_code', 'email', 'phone', 'social_id', 'chat_session'];

/**
 * Who wrote: the ticket's own contact (where its replies go) and the customer record's identifiers, each with its
 * provenance in words, because a detail anyone can type must not be taken for a proved one.
 */
export function CustomerPanel({ ticket }: { ticket: TicketDetail }) {
  const { t } = useI18n();
  const name = customerName(ticket.customer);
  return (
    <section aria-labelledby="customer-heading" className="card customer">
      <h2 id="customer-heading">{t('ticket.customer')}</h2>
      <p>{name ?? t('inbox.noCustomer')}</p>
      <h3 id="contact-heading">{t('customer.contact')}</h3>
      <Identifiers list={ticket.contact} labelledBy="contact-heading" empty={t('customer.noContact')} />
      {ticket.customer && (
        <>
          <h3 id="record-heading">{t('customer.record')}</h3>
          <Identifiers list={ticket.customer.identifiers} labelledBy="record-heading" empty={t('customer.noIdentifiers')} />
        </>
      )}
    </section>
  );
}

function Identifiers({ list, labelledBy, empty }: { list: Identifier[]; labelledBy: string; empty: string }) {
  const { t } = useI18n();
  if (list.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="identifiers" aria-labelledby={labelledBy}>
      {list.map((i) => (
        <li key={`${i.kind}:${i.value}:${i.provenance}`} className="identifier" data-provenance={i.provenance}>
          <span className="kind">{IDENTIFIER_KINDS.includes(i.kind) ? t(`identifier.${i.kind}` as MessageKey) : i.kind}</span>{' '}
          <span className="value">{i.value}</span>{' '}
          <span className={`provenance provenance-${i.provenance}`}>
            {(PROVENANCES as readonly string[]).includes(i.provenance) ? t(`provenance.${i.provenance}` as MessageKey) : i.provenance}
          </span>
        </li>
      ))}
    </ul>
  );
}
