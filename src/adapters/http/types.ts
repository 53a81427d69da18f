/** A fully built outbound request: what a provider module produces and a dry run shows. */
export interface WireRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Why no response came back, in the terms that decide whether a create may be repeated:
 * `not_sent` means the provider certainly never saw the request (refused, DNS, connect
 * timeout); `sent` means it may have.
 */
export interface TransportFailure {
  delivery: 'not_sent' | 'sent';
  code: string;
  message: string;
}

export type HttpResult =
  | { ok: true; response: WireResponse; durationMs: number }
  | { ok: false; failure: TransportFailure; durationMs: number };

export interface HttpTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  /** Overall deadline for one exchange, connect to last body byte. */
  totalMs: number;
}

export interface HttpClient {
  send(request: WireRequest, timeouts?: Partial<HttpTimeouts>): Promise<HttpResult>;
  close(): Promise<void>;
}
