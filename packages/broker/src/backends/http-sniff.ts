// Tells an HTTP request from a backend's first bytes: a web page or an SSRF can reach a loopback port, a backend never speaks HTTP.

// Request line (`POST /x HTTP/1.1`) or a header line (`Host: x`), as the first bytes of a connection.
const REQUEST_LINE = /^[A-Z]{3,10} \S* HTTP\/\d/;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:[ \t]/;

/** The answer written before cutting such a connection. */
export const HTTP_REFUSAL =
  'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
  'This is the Strands backend port: it speaks newline-delimited JSON over TCP, not HTTP.\n';

/** True when the first line of a connection is an HTTP request or header line. */
export function looksLikeHttp(firstBytes: Buffer): boolean {
  const end = firstBytes.indexOf(0x0a);
  const line = firstBytes.subarray(0, end === -1 ? Math.min(firstBytes.length, 256) : Math.min(end, 256)).toString('latin1');
  return REQUEST_LINE.test(line) || HEADER_LINE.test(line);
}
