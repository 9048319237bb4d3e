import { Agent, ProxyAgent, Socks5ProxyAgent, type Dispatcher } from 'undici';

/** The TLS settings of a connection to the API server (from the kubeconfig cluster and user). */
export interface KubeTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false for `insecure-skip-tls-verify: true`; undefined leaves Node's default (verify). */
  rejectUnauthorized?: boolean;
  /** `tls-server-name`: the name the server's certificate is checked against. */
  servername?: string;
}

/**
 * The undici dispatcher for API requests: an Agent with the TLS settings, or a proxy agent for the
 * cluster's `proxy-url` (http/https proxies tunnel with CONNECT; socks5 as kubectl supports).
 */
export function kubeDispatcher(tls: KubeTls, proxyUrl?: string): Dispatcher {
  if (proxyUrl === undefined || proxyUrl === '') return new Agent({ connect: tls });
  // requestTls is read by Socks5ProxyAgent (undici 7.30) but missing from its type.
  if (/^socks5h?:/i.test(proxyUrl)) return new Socks5ProxyAgent(proxyUrl, { requestTls: tls } as Socks5ProxyAgent.Options);
  return new ProxyAgent({ uri: proxyUrl, requestTls: tls });
}
