/** A caller: an auth key `uuid:key` belongs to exactly one namespace (OpenWhisk `Identity`). */
export interface Identity {
  namespace: string;
  subject: string;
  uuid: string;
}

/** How a subject is stored: the key is kept only as a salted hash. */
export interface StoredSubject {
  subject: string;
  namespace: string;
  uuid: string;
  /** `scrypt$<salt hex>$<hash hex>` of the 64-character key. */
  keyHash: string;
}
