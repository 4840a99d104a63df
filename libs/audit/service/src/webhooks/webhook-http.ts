import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How one attempt ended: the receiver's status code, or why there was none. */
export type WebhookPostOutcome = { statusCode: number; error: null } | { statusCode: null; error: string };

/**
 * One POST of `body` to `url`. Never follows redirects (a 3xx is the outcome, a failure for the
 * caller); no connection reuse; `timeoutMs` bounds connecting, sending and the response's
 * status line and headers; the response body is not read. `signal` aborts (shutdown). Never
 * throws: every failure is an outcome with an `error` text.
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; signal: AbortSignal }): Promise<WebhookPostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const finish = (outcome: WebhookPostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      finish({ statusCode: res.statusCode ?? 0, error: null });
      res.destroy();
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    const onAbort = (): void => {
      req.destroy(new Error('aborted: the dispatcher is stopping'));
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish({ statusCode: null, error: describe(error) }));
    req.end(body);
  });
}

function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const text = typeof code === 'string' && !error.message.includes(code) ? `${error.message} [${code}]` : error.message;
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
