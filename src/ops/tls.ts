import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { SecureContextOptions, TlsOptions } from 'node:tls'

/**
 * HTTPS on the proxy's own listener (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE): reading and
 * checking the files, the server's options, and the doctor's check. Used at start, by SIGHUP's
 * reload and by `doctor`, so all three judge the files alike.
 */

/** Where the listener's certificate (chain), private key and optional client CA are. */
export interface ListenerTlsFiles {
  cert: string
  key: string
  clientCa: string | undefined
}

/** The PEM text the HTTPS server is made with. */
export interface ListenerTlsMaterial {
  cert: string
  key: string
  clientCa: string | undefined
}

/** The listener's TLS as configured: the files (re-read on SIGHUP) and what they held at start. */
export interface ListenerTls {
  files: ListenerTlsFiles
  material: ListenerTlsMaterial
}

const VARIABLES = { cert: 'TLS_CERT_FILE', key: 'TLS_KEY_FILE', clientCa: 'TLS_CLIENT_CA_FILE' } as const

/**
 * The TLS settings from their variables (paths already resolved): both of the pair or neither, and
 * files that make a working server. Problems go to `problems`, one line each naming the variable.
 */
export function listenerTlsSettings (paths: Partial<ListenerTlsFiles>, problems: string[]): ListenerTls | undefined {
  const { cert, key, clientCa } = paths
  if (cert === undefined && key === undefined) {
    if (clientCa !== undefined) problems.push('TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE (client certificates are asked for on an HTTPS listener only)')
    return undefined
  }
  if (cert === undefined || key === undefined) {
    problems.push(cert === undefined ? 'TLS_CERT_FILE: is required when TLS_KEY_FILE is set' : 'TLS_KEY_FILE: is required when TLS_CERT_FILE is set')
    return undefined
  }
  const files = { cert, key, clientCa }
  const read = readListenerTls(files)
  if ('problems' in read) {
    problems.push(...read.problems)
    return undefined
  }
  return { files, material: read.material }
}

/**
 * Reads the files and checks them: readable, PEM, and the key belongs to the certificate. Never
 * says anything about the key's content.
 */
export function readListenerTls (files: ListenerTlsFiles): { material: ListenerTlsMaterial } | { problems: string[] } {
  const problems: string[] = []
  const text = (which: keyof ListenerTlsFiles): string | undefined => {
    const path = files[which]
    if (path === undefined) return undefined
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      problems.push(`${VARIABLES[which]}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
      return undefined
    }
  }
  const cert = text('cert')
  const key = text('key')
  const clientCa = text('clientCa')
  const certificate = cert === undefined ? undefined : parseCertificate(cert, 'cert', files, problems)
  if (clientCa !== undefined) parseCertificate(clientCa, 'clientCa', files, problems)
  if (key !== undefined) {
    try {
      const privateKey = createPrivateKey(key)
      if (certificate !== undefined && !certificate.checkPrivateKey(privateKey)) {
        problems.push(`TLS_KEY_FILE: ${files.key} is not the private key of the certificate in ${files.cert}`)
      }
    } catch {
      problems.push(`TLS_KEY_FILE: ${files.key} holds no usable PEM private key (an encrypted key is not supported)`)
    }
  }
  if (problems.length > 0 || cert === undefined || key === undefined) return { problems }
  return { material: { cert, key, clientCa } }
}

function parseCertificate (pem: string, which: 'cert' | 'clientCa', files: ListenerTlsFiles, problems: string[]): X509Certificate | undefined {
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate')
    return new X509Certificate(pem)
  } catch {
    problems.push(`${VARIABLES[which]}: ${files[which] ?? ''} holds no PEM certificate`)
    return undefined
  }
}

/**
 * The HTTPS server's options. With a client CA, a caller must present a certificate it signed:
 * the handshake of any other caller fails before a request is read.
 */
export function httpsServerOptions (material: ListenerTlsMaterial): TlsOptions {
  return material.clientCa === undefined
    ? secureContextOptions(material)
    : { ...secureContextOptions(material), requestCert: true, rejectUnauthorized: true }
}

/** What `server.setSecureContext` takes: new connections get it, open ones keep theirs. */
export function secureContextOptions (material: ListenerTlsMaterial): SecureContextOptions {
  return material.clientCa === undefined
    ? { cert: material.cert, key: material.key }
    : { cert: material.cert, key: material.key, ca: material.clientCa }
}

/** Certificates due within this are reported while still valid, so they are renewed in time. */
const RENEW_WITHIN_MS = 14 * 24 * 3600 * 1000

/**
 * The doctor's check of the listener's files: readable, the key matches, and the certificate is
 * valid now (and for how long).
 */
export function checkListenerTls (files: ListenerTlsFiles, now = Date.now()): { ok: true, text: string } | { ok: false, text: string, hint: string } {
  const read = readListenerTls(files)
  if ('problems' in read) {
    return { ok: false, text: `HTTPS listener: ${read.problems.join('; ')}`, hint: 'Fix the files named above; the proxy would not start with them (and SIGHUP keeps the previous ones).' }
  }
  const certificate = new X509Certificate(read.material.cert)
  const from = Date.parse(certificate.validFrom)
  const to = Date.parse(certificate.validTo)
  const subject = certificate.subjectAltName ?? certificate.subject.replace(/\n/g, ', ')
  if (now > to) {
    return { ok: false, text: `HTTPS listener: the certificate in ${files.cert} expired on ${certificate.validTo}`, hint: 'Renew it, replace the files and send the proxy SIGHUP; clients refuse an expired certificate.' }
  }
  if (now < from) {
    return { ok: false, text: `HTTPS listener: the certificate in ${files.cert} is not valid before ${certificate.validFrom}`, hint: 'Check the clock of this machine, or the certificate\'s start date.' }
  }
  const days = Math.floor((to - now) / (24 * 3600 * 1000))
  const soon = to - now < RENEW_WITHIN_MS ? ' (renew it soon)' : ''
  const clients = files.clientCa === undefined ? '' : `; callers need a client certificate signed by the CA in ${files.clientCa}`
  return { ok: true, text: `HTTPS listener: certificate for ${subject}, key matches, valid for ${days} more day${days === 1 ? '' : 's'}${soon}${clients}` }
}
