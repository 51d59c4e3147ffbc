// The allow-list of browser origins: cross-site WebSocket hijacking is refused before a backend is asked.

/** Compiled patterns of `allowedOrigins`; `*.` matches any subdomain, `:*` any port. */
export class OriginAllowList {
  private readonly patterns: RegExp[];

  constructor(origins: readonly string[]) {
    this.patterns = origins.map((origin) => {
      const escaped = origin.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      // `*` is not escaped above: `://*.` (any subdomain) and a final `:*` (any port) are the two wildcards.
      const source = escaped.replace('://*\\.', '://([a-z0-9-]+\\.)+').replace(/:\*$/, '(:\\d{1,5})?');
      return new RegExp(`^${source}$`);
    });
  }

  /** True for a request without `Origin` (not a browser) or with one the list allows. */
  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    const lower = origin.toLowerCase();
    return this.patterns.some((pattern) => pattern.test(lower));
  }
}
