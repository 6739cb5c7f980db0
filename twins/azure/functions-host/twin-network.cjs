/**
 * The Azure twin's network, as a Function App's process sees it: connections
 * to the cloud host names the twin serves (a Function App's
 * <app>.azurewebsites.net, the results account's <account>.blob.core.windows.net,
 * management.azure.com) reach the twin's loopback TLS front door instead of
 * the Internet. The app's code is unchanged: it still speaks HTTPS to the
 * cloud names and verifies the certificate (the twin's, trusted through
 * Node's standard NODE_EXTRA_CA_CERTS), with the cloud name as SNI. This is
 * the twin's stand-in for DNS; nothing else in the process is touched.
 *
 * _CURTAIN_TWIN_HOSTS: JSON {"<suffix>": <port>}; a host matches a suffix
 * that it equals or ends with after a dot.
 */
'use strict';
const tls = require('node:tls');

function install(env) {
  const text = env._CURTAIN_TWIN_HOSTS;
  delete env._CURTAIN_TWIN_HOSTS;
  if (!text) return;
  const routes = Object.entries(JSON.parse(text));
  const portFor = (host) => {
    if (typeof host !== 'string') return null;
    const name = host.toLowerCase().replace(/\.$/, '');
    for (const [suffix, port] of routes) if (name === suffix || name.endsWith(`.${suffix}`)) return port;
    return null;
  };
  const connect = tls.connect;
  tls.connect = function twinConnect(...args) {
    const options = args.find((a) => a !== null && typeof a === 'object' && !Buffer.isBuffer(a));
    const host = options?.servername ?? options?.host;
    const port = portFor(host);
    if (options && port !== null) {
      // Keep the cloud name for SNI and certificate checks; dial the twin on loopback.
      const routed = { ...options, servername: options.servername ?? host, host: '127.0.0.1', port };
      delete routed.path;
      const rest = args.filter((a) => a !== options && typeof a === 'function');
      return connect.call(tls, routed, ...rest);
    }
    return connect.apply(tls, args);
  };
}

module.exports = { install };
