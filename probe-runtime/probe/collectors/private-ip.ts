/**
 * The instance's private IPv4: read from <proc>/net/fib_trie (the `/32 host
 * LOCAL` entries are the machine's own addresses), so an emulated host's proc
 * tree decides it; the OS's interface list is consulted only when the proc root
 * is the real /proc and the trie gave nothing.
 *
 * "First" means: loopback (127/8) and 0.0.0.0 never count; an ordinary address
 * is preferred over a link-local one (169.254/16, which Lambda's microVMs use
 * internally); among equals, the first in the trie's (address) order.
 */
import { networkInterfaces } from 'node:os';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function validIpv4(address: string): boolean {
  const match = IPV4.exec(address);
  return match !== null && match.slice(1).every((octet) => Number(octet) <= 255);
}

/** Local addresses listed in a fib_trie, in order, without duplicates. */
export function parseFibTrieLocalAddresses(text: string | null): string[] {
  if (text == null) return [];
  const found: string[] = [];
  let leaf: string | null = null;
  for (const line of text.split('\n')) {
    const leafMatch = /^[ \t|]*\|--[ \t]+(\S+)[ \t]*$/.exec(line);
    if (leafMatch) {
      leaf = validIpv4(leafMatch[1]!) ? leafMatch[1]! : null;
    } else if (leaf && /^[ \t|]*\/32[ \t]+host[ \t]+LOCAL[ \t]*$/.test(line) && !found.includes(leaf)) {
      found.push(leaf);
    } else if (/^[ \t|]*\+--/.test(line) || /^\S/.test(line)) {
      leaf = null;
    }
  }
  return found;
}

/** The preferred non-loopback address of a list (see the module comment), or null. */
export function pickPrivateIpv4(addresses: readonly string[]): string | null {
  const usable = addresses.filter((a) => validIpv4(a) && !a.startsWith('127.') && a !== '0.0.0.0');
  return usable.find((a) => !a.startsWith('169.254.')) ?? usable[0] ?? null;
}

function osAddresses(): string[] {
  const out: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) out.push(entry.address);
  }
  return out;
}

export function collectPrivateIp(fibTrie: string | null, realProc: boolean): string | null {
  return pickPrivateIpv4(parseFibTrieLocalAddresses(fibTrie)) ?? (realProc ? pickPrivateIpv4(osAddresses()) : null);
}
