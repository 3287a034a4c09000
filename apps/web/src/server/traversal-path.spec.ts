import { isTraversalPath } from './app';

describe('isTraversalPath (paths that must not get the SPA page)', () => {
  it.each(['/', '/live', '/pages', '/settings/tokens', '/pages%20x', '/caf%C3%A9', '/.well-known/x'])('lets the SPA route %s through', (path) => {
    expect(isTraversalPath(path)).toBe(false);
  });

  it.each([
    '/../etc/passwd',
    '/a/./b',
    '/....//etc/passwd',
    '//etc/passwd',
    '/%2e%2e/etc/passwd',
    '/..%2fetc',
    '/%252e%252e%252fetc',
    '/..%5cetc',
    '/a\\b',
    '/a%00',
    '/%E0%A4%A',
    '/%25252e%25252e', // three times encoded: more than the decoding passes allow
  ])('refuses %s', (path) => {
    expect(isTraversalPath(path)).toBe(true);
  });
});
