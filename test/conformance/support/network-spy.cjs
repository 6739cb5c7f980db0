// Preloaded (NODE_OPTIONS=--require) into every Node process of a command under test: records each
// outbound host it tries (dns lookups, http/https requests) in $SPY_FILE, one line per attempt.
const fs = require('node:fs');
const file = process.env.SPY_FILE;
const note = (what) => { try { fs.appendFileSync(file, `${process.pid} ${what}\n`); } catch {} };
const dns = require('node:dns');
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) { note(`dns ${host}`); return lookup.call(this, host, ...rest); };
for (const m of ['http', 'https']) {
  const mod = require(m);
  const req = mod.request;
  mod.request = function (...args) { const a = args[0]; note(`${m} ${typeof a === 'string' ? a : a && (a.hostname || a.host || a.href)}`); return req.apply(this, args); };
}
