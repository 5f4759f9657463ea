import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'src', 'demo', 'trials');
export const registryPage = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

/**
 * A stand-in for ClinicalTrials.gov's `GET /api/v2/studies`, over real HTTP, answering with the
 * recorded-shape pages under src/demo/trials: lung cancer terms get two pages (the second by its paging
 * token), "Breast Cancer" one, any other term none. `fail` makes every answer an HTTP error.
 */
export async function aTrialRegistry(opts: { fail?: number } = {}) {
  const asked: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://registry');
    asked.push(url.searchParams);
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    if (url.pathname !== '/api/v2/studies') return send(404, 'Not Found');
    if (opts.fail) return send(opts.fail, 'Invalid value for parameter query.cond');
    const cond = url.searchParams.get('query.cond') ?? '';
    const token = url.searchParams.get('pageToken');
    if (/lung cancer/i.test(cond)) return send(200, registryPage(token === 'synthetic-token-page-2' ? 'lung-page-2.json' : 'lung-page-1.json'));
    if (cond === 'Breast Cancer') return send(200, registryPage('breast-page-1.json'));
    return send(200, { totalCount: 0, studies: [] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/api/v2`, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
