import type Stripe from 'stripe';
import { onFirstUse } from '../core/onFirstUse.ts';

const stripeSdk = onFirstUse<typeof Stripe>('stripe');

/**
 * Taking a bill's payment online, behind one interface: the patient is sent to the provider's
 * own payment page, and the provider's signed notice says it was paid. Off unless configured;
 * the provider sees the bill's number and amount, never a diagnosis or a record.
 */
export interface CheckoutRequest {
  invoiceId: string;
  caseId: string;
  number: string;
  amountCents: number;
  currency: string;
  /** Where the provider sends the patient back to, paid or not. */
  returnUrl: string;
  locale: string;
}

/** A payment the provider confirmed, from its signed notice. */
export interface ProviderPayment {
  eventId: string;
  invoiceId: string;
  caseId: string;
  amountCents: number;
  currency: string;
  /** The provider's reference of the payment (kept as the payment's reference). */
  reference: string;
}

export interface PaymentProvider {
  readonly name: 'stripe';
  startCheckout(input: CheckoutRequest): Promise<{ url: string; sessionId: string }>;
  /** Closes a payment page that must no longer take money (the bill was settled, or a newer page replaces it). */
  expireCheckout(sessionId: string): Promise<void>;
  /**
   * The payment a signed notice confirms; null for a notice that is genuine but about something
   * else (or not paid yet). Throws `NoticeRefused` when the signature does not hold.
   */
  paymentFrom(rawBody: Buffer, signature: string | undefined): ProviderPayment | null;
}

export class NoticeRefused extends Error {}

/** Stripe Checkout through Stripe's own SDK; `apiUrl` points it at another Stripe API (stripe-mock, recorded answers). */
export function stripeProvider(config: { secretKey: string; webhookSecret: string; apiUrl?: string | undefined }): PaymentProvider {
  const api = config.apiUrl ? new URL(config.apiUrl) : null;
  const stripe = new (stripeSdk())(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(api ? { host: api.hostname, port: api.port || (api.protocol === 'http:' ? 80 : 443), protocol: api.protocol === 'http:' ? 'http' : 'https' } : {}),
  });
  return {
    name: 'stripe',
    async startCheckout(r) {
      const session = await stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: r.currency.toLowerCase(), unit_amount: r.amountCents, product_data: { name: `Bill ${r.number}` } } }],
        client_reference_id: r.invoiceId,
        metadata: { invoiceId: r.invoiceId, caseId: r.caseId },
        payment_intent_data: { metadata: { invoiceId: r.invoiceId, caseId: r.caseId } },
        success_url: `${r.returnUrl}?payment=done`,
        cancel_url: `${r.returnUrl}?payment=cancelled`,
        locale: r.locale.startsWith('es') ? 'es' : 'en',
      }, { idempotencyKey: `checkout-${r.invoiceId}-${r.amountCents}-${r.locale.slice(0, 2)}-${Math.floor(Date.now() / 600_000)}` });
      if (!session.url) throw new Error('The payment provider gave no payment page.');
      return { url: session.url, sessionId: session.id };
    },
    async expireCheckout(sessionId) {
      const session = await stripe.checkout.sessions.retrieve(sessionId);
      // Only an open page can be closed; a paid or expired one is left as it is.
      if (session.status === 'open') await stripe.checkout.sessions.expire(sessionId);
    },
    paymentFrom(rawBody, signature) {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature ?? '', config.webhookSecret);
      } catch (err) {
        throw new NoticeRefused(err instanceof Error ? err.message : 'The notice could not be verified.');
      }
      if (event.type !== 'checkout.session.completed' && event.type !== 'checkout.session.async_payment_succeeded') return null;
      const session = event.data.object;
      // Sessions of other software on the same Stripe account carry no ids of ours: not ours to record.
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      const invoiceId = session.metadata?.invoiceId ?? '';
      const caseId = session.metadata?.caseId ?? '';
      if (session.payment_status !== 'paid' || !uuid.test(invoiceId) || !uuid.test(caseId) || session.amount_total == null) return null;
      const intent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
      return {
        eventId: event.id, invoiceId, caseId,
        amountCents: session.amount_total, currency: (session.currency ?? '').toUpperCase(), reference: intent ?? session.id,
      };
    },
  };
}
