import { PassThrough } from 'node:stream';
import { answerClientError, frameworkHttpError, slowClientLimits } from './http-error';

function reply(code: string): { text: string; destroyed: boolean } {
  const socket = new PassThrough();
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  answerClientError(Object.assign(new Error('x'), { code }), socket);
  return { text, destroyed: socket.destroyed };
}

describe("answers to requests Node's HTTP parser refuses", () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request_timeout'],
    ['HPE_HEADER_OVERFLOW', 431, 'headers_too_large'],
    ['HPE_INVALID_CONSTANT', 400, 'bad_request'],
  ])('%s → %i with the uniform body, then closes', (code, status, errorCode) => {
    const { text, destroyed } = reply(code);
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: { code: errorCode, message: expect.any(String) } });
    expect(destroyed).toBe(true);
  });

  it('writes nothing to a connection the client reset', () => {
    expect(reply('ECONNRESET').text).toBe('');
  });

  it("names the router's bad URLs and long parameters", () => {
    const of = (code: string) => frameworkHttpError(Object.assign(new Error('x'), { code }));
    expect([of('FST_ERR_BAD_URL'), of('FST_ERR_MAX_PARAM_LENGTH')].map((e) => [e.statusCode, e.code])).toEqual([
      [400, 'invalid_url'],
      [414, 'uri_too_long'],
    ]);
  });

  it('checks slow requests several times per timeout, never more often than every 100 ms', () => {
    expect(slowClientLimits(2_000)).toEqual({ requestTimeout: 2_000, http: { headersTimeout: 2_000, connectionsCheckingInterval: 500 } });
    expect(slowClientLimits(200).http.connectionsCheckingInterval).toBe(100);
    expect(slowClientLimits(600_000).http.connectionsCheckingInterval).toBe(5_000);
  });
});
