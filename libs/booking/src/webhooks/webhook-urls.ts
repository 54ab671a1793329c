import { InvalidRequestError } from '@app/common';
import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Webhook URLs may not reach private, loopback, link-local or other non-public addresses (unless
 * `WEBHOOK_ALLOW_PRIVATE_URLS`): checked when an endpoint is made, and again on every connection
 * (the lookup the sender connects with refuses them), so a name that resolves elsewhere later
 * (DNS rebinding) gets nowhere.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The URL of a new endpoint, or a 400 naming what is wrong with it. */
export async function checkedWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidRequestError(`url must be an absolute http(s) URL (got ${JSON.stringify(raw)}). Nothing was created.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidRequestError(`url must be http or https (got ${url.protocol.slice(0, -1)}). Nothing was created.`);
  }
  if (allowPrivate) return url.toString();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true }).then(
        (found) => found.map((entry) => entry.address),
        () => [],
      );
  if (addresses.length === 0) throw new InvalidRequestError(`url: the host "${host}" does not resolve. Nothing was created.`);
  const refused = addresses.filter((address) => !isPublicAddress(address));
  if (refused.length > 0) {
    throw new InvalidRequestError(
      `url: "${host}" is a private, loopback or link-local address (${refused.join(', ')}); set WEBHOOK_ALLOW_PRIVATE_URLS=true to allow it. Nothing was created.`,
    );
  }
  return url.toString();
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for the sender's connections that fails for non-public addresses (unless allowed). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, found) => {
      if (error) return callback(error, []);
      const addresses = found.filter((entry) => allowPrivate || isPublicAddress(entry.address));
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`${hostname} resolves only to private addresses`), { code: 'EACCES' }), []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
