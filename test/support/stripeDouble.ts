import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Stripe from 'stripe';

/**
 * A stand-in for Stripe, which cannot be reached from here: its API answers as Stripe documents
 * (recorded shapes in test/fixtures/stripe) to the real SDK client, and its hosted payment page
 * is a small page whose "Pay" button does what Stripe does once a card is accepted: it posts
 * the signed `checkout.session.completed` notice to the webhook, then sends the browser back
 * to the request's success address.
 */
export const STRIPE_TEST_KEY = 'sk_test_synthetic123';
export const STRIPE_TEST_SIGNING_SECRET = 'whsec_syntheticSigningSecret0000';
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/stripe');
export const stripeFixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

export interface StripeDouble {
  url: string;
  /** Every API call, in order. */
  seen: { path: string; body: URLSearchParams; idempotencyKey: string | undefined }[];
  /** Where the hosted page posts its notices: the app's webhook. */
  webhookUrl: string;
  close(): Promise<void>;
}

/** A notice as Stripe posts it: the event JSON and its signature header. */
export function signedNotice(event: unknown) {
  const payload = JSON.stringify(event);
  return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_TEST_SIGNING_SECRET }) };
}

export async function startStripeDouble(): Promise<StripeDouble> {
  const seen: StripeDouble['seen'] = [];
  let made = 0;
  const sessions = new Map<string, { amount: number; metadata: Record<string, string | null>; successUrl: string; status: string }>();
  const double: StripeDouble = { url: '', seen, webhookUrl: '', close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    // A failure here (the webhook unreachable) answers 500 instead of escaping the test run.
    req.on('end', () => answer(req, res, raw).catch((err: Error) => { if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message); }));
  });
  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_synthetic' }).end(JSON.stringify(body));

  async function answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = req.url ?? '';
    const template = stripeFixture('checkout-session.json');
    const page = /^\/pay\/([\w]+)$/.exec(url);
    if (page) return hostedPage(req, res, page[1]!);
    const body = new URLSearchParams(raw);
    seen.push({ path: url, body, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
    if (req.headers.authorization !== `Bearer ${STRIPE_TEST_KEY}`) return json(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    if (req.method === 'POST' && url === '/v1/checkout/sessions') {
      // Each page its own id (Stripe's are unique), so closing the one before never closes the new one.
      const id = `${template.id.slice(0, -6)}${String(++made).padStart(6, '0')}`;
      const metadata = { invoiceId: body.get('metadata[invoiceId]'), caseId: body.get('metadata[caseId]') };
      const amount = Number(body.get('line_items[0][price_data][unit_amount]'));
      sessions.set(id, { amount, metadata, successUrl: body.get('success_url') ?? '', status: 'open' });
      return json(res, 200, { ...template, id, amount_total: amount, metadata, url: `${double.url}/pay/${id}` });
    }
    const session = /^\/v1\/checkout\/sessions\/(\w+)(\/expire)?$/.exec(url);
    const known = session ? sessions.get(session[1]!) : undefined;
    if (!session || !known) return json(res, 404, { error: { type: 'invalid_request_error', message: `No such checkout session (${req.method}: ${url})` } });
    if (req.method === 'GET' && !session[2]) return json(res, 200, { ...template, id: session[1], status: known.status });
    if (req.method === 'POST' && session[2]) {
      if (known.status !== 'open') return json(res, 400, { error: { type: 'invalid_request_error', message: 'Only open sessions can be expired.' } });
      known.status = 'expired';
      return json(res, 200, { ...template, id: session[1], status: 'expired', url: null });
    }
    return json(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url})` } });
  }

  async function hostedPage(req: http.IncomingMessage, res: http.ServerResponse, id: string) {
    const session = sessions.get(id);
    if (!session || session.status !== 'open') return res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><title>Expired</title><p>This payment page has expired.</p>');
    if (req.method === 'GET') {
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><title>Test payment page</title><main><h1>Test payment page</h1>
        <p>Amount: ${(session.amount / 100).toFixed(2)} USD</p><form method="post"><button type="submit">Pay</button></form></main></html>`);
    }
    const event = stripeFixture('checkout-session-completed.json');
    event.id = `evt_paid_${Date.now()}`;
    Object.assign(event.data.object, { id, amount_total: session.amount, payment_status: 'paid', metadata: session.metadata });
    const notice = signedNotice(event);
    const posted = await fetch(double.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': notice.signature }, body: notice.payload });
    if (!posted.ok) return res.writeHead(502, { 'content-type': 'text/plain' }).end(`webhook answered ${posted.status}`);
    session.status = 'complete';
    return res.writeHead(303, { location: session.successUrl }).end();
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  double.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  double.close = () => new Promise((r) => server.close(() => r()));
  return double;
}
