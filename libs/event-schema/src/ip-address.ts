// IP anonymisation: the only form of a client address Clickstream ever writes down.

import { isIP } from 'node:net';

/** IPv4 keeps its /24 (`203.0.113.0`), IPv6 its /48 (`2001:db8:85a3::`); anything else gives undefined. */
export function anonymizeIp(ip: string): string | undefined {
  const address = ip.trim().replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 4) {
    return address.slice(0, address.lastIndexOf('.')) + '.0';
  }
  if (version !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return anonymizeIp(mapped[1]);
  return expandIpv6(address).slice(0, 3).join(':') + '::';
}

function expandIpv6(address: string): string[] {
  const [head, tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  // An embedded IPv4 tail takes two groups.
  const last = tailGroups.length ? tailGroups : headGroups;
  if (last.length && last[last.length - 1].includes('.')) {
    const [a, b, c, d] = last[last.length - 1].split('.').map(Number);
    last.splice(last.length - 1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** Is this a syntactically valid IPv4 or IPv6 address (zone index allowed)? */
export function isIpAddress(ip: string): boolean {
  return isIP(ip.trim().replace(/%.*$/, '')) !== 0;
}
