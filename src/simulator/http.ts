import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleepTimer } from 'node:timers/promises'

export const JSON_TYPE = 'application/json;charset=UTF-8'

export function sendJson (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export function sendText (res: ServerResponse, status: number, text: string, contentType = 'text/plain;charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export function sendEmpty (res: ServerResponse, status: number): void {
  res.writeHead(status)
  res.end()
}

export const sendNotFound = (res: ServerResponse): void => sendJson(res, 404, { errorMessages: ['Not found'] })

export const sendNotAuthenticated = (res: ServerResponse): void => sendJson(res, 401, {
  errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
  errors: {}
})

export const sendMethodNotAllowed = (res: ServerResponse): void => sendJson(res, 405, { errorMessages: ['Method not allowed'] })

export class BodyTooLargeError extends Error {}

/** Reads a whole request body as text, refusing more than `limit` bytes. */
export async function readBody (req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new BodyTooLargeError(`body larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A delay that never keeps the process alive on its own (a closed simulator must let it exit). */
export const sleep = (ms: number): Promise<void> => sleepTimer(ms, undefined, { ref: false })
